using Veiligheid.Cases;
using Veiligheid.Interventions;
using Veiligheid.Organisations;

namespace Veiligheid.Data.Seeding;

internal sealed partial class SyntheticGenerator
{
    private readonly List<Case> _cases = [];
    private readonly List<CaseSubject> _caseSubjects = [];
    private readonly List<CaseLocation> _caseLocations = [];
    private readonly List<CaseParticipant> _caseParticipants = [];
    private readonly List<CaseStatusChange> _statusChanges = [];
    private readonly List<CaseContribution> _contributions = [];
    private readonly List<Intervention> _interventions = [];
    private readonly List<CaseDraft> _drafts = [];

    // Causers per case kind: the incidents lean on them, so the same people turn up in incidents and cases.
    private readonly List<int> _youthCausers = [];
    private readonly List<int> _nuisanceCausers = [];
    private readonly List<int> _careCausers = [];
    private readonly List<int> _underminingCausers = [];

    /// <summary>The first cases pin one of every kind, confidentiality level and status, whatever the size.</summary>
    private static readonly (CaseKind Kind, ConfidentialityLevel Level, CaseStatus Status)[] PinnedCases =
    [
        (CaseKind.Jeugdoverlast, ConfidentialityLevel.Openbaar, CaseStatus.InBehandeling),
        (CaseKind.Jeugdoverlast, ConfidentialityLevel.BeperktOpenbaar, CaseStatus.Afgesloten),
        (CaseKind.Woonoverlast, ConfidentialityLevel.Intern, CaseStatus.Gemeld),
        (CaseKind.Woonoverlast, ConfidentialityLevel.Zaakvertrouwelijk, CaseStatus.Afgesloten),
        (CaseKind.ZorgEnVeiligheid, ConfidentialityLevel.Vertrouwelijk, CaseStatus.OpgeschaaldNaarZvh),
        (CaseKind.ZorgEnVeiligheid, ConfidentialityLevel.Confidentieel, CaseStatus.InBehandeling),
        (CaseKind.Ondermijning, ConfidentialityLevel.Geheim, CaseStatus.InBehandeling),
        (CaseKind.Ondermijning, ConfidentialityLevel.ZeerGeheim, CaseStatus.Afgesloten),
    ];

    private static readonly double[] CaseKindWeights = Cumulative([0.35, 0.35, 0.18, 0.12]);

    private static readonly string[] UnderminingThemes =
        ["hennepteelt", "mensenhandel", "witwassen", "illegale onderhuur", "automotive", "fraude"];

    /// <summary>A case being built: what the interventions and contributions need to know about it.</summary>
    private sealed class CaseDraft
    {
        public required Case Case { get; init; }
        public required int MainLocation { get; init; }
        public required int NeighbourhoodIndex { get; init; }
        public required int Causer { get; init; }
        public required DateTime WorkStarts { get; init; }
        public required DateTime WorkEnds { get; init; }
        public Dictionary<int, DateTime> Participants { get; } = [];
    }

    private void GenerateCases(Random rng)
    {
        for (var i = 0; i < _options.Cases; i++)
        {
            var pinned = i < PinnedCases.Length ? PinnedCases[i] : ((CaseKind, ConfidentialityLevel, CaseStatus)?)null;
            var kind = pinned?.Item1 ?? (CaseKind)rng.PickWeighted(CaseKindWeights);
            GenerateCase(rng, kind, pinned?.Item2, pinned?.Item3);
        }
    }

    private void GenerateCase(Random rng, CaseKind kind, ConfidentialityLevel? pinnedLevel, CaseStatus? pinnedStatus)
    {
        var id = _cases.Count + 1;

        // The status chain in whole days; the start is placed so that the period's end falls in the pinned status.
        var toInProgress = 1 + rng.Next(21);
        var escalationChance = kind switch
        {
            CaseKind.ZorgEnVeiligheid => 0.3,
            CaseKind.Woonoverlast => 0.1,
            CaseKind.Jeugdoverlast => 0.03,
            _ => 0.0,
        };
        var escalates = pinnedStatus switch
        {
            CaseStatus.OpgeschaaldNaarZvh => true,
            CaseStatus.InBehandeling => false,
            _ => rng.Chance(escalationChance),
        };
        var toEscalation = escalates ? 20 + rng.Next(130) : 0;
        var toClose = 30 + rng.Next(300);
        var periodDays = LastDay.DayNumber - FirstDay.DayNumber;
        var openedDay = pinnedStatus switch
        {
            CaseStatus.Gemeld => LastDay.AddDays(-rng.Next(toInProgress)),
            CaseStatus.InBehandeling or CaseStatus.OpgeschaaldNaarZvh =>
                LastDay.AddDays(-toInProgress - toEscalation - rng.Next(toClose)),
            CaseStatus.Afgesloten => LastDay.AddDays(-toInProgress - toEscalation - toClose - rng.Next(200)),
            // Mostly spread over the period (and the half year before: cases run long); a recent influx keeps a
            // realistic share of fresh, not yet closed cases.
            _ => rng.Chance(0.85) ? FirstDay.AddDays(-180 + rng.Next(periodDays + 180)) : LastDay.AddDays(-rng.Next(60)),
        };
        var opened = OfficeTime(rng, openedDay);
        DateTime? Step(DateOnly day) => day <= LastDay ? OfficeTime(rng, day) : null;
        var inProgress = Step(openedDay.AddDays(toInProgress));
        DateTime? escalated = escalates && inProgress is not null ? Step(openedDay.AddDays(toInProgress + toEscalation)) : null;
        DateTime? closed = inProgress is not null && (!escalates || escalated is not null)
            ? Step(openedDay.AddDays(toInProgress + toEscalation + toClose))
            : null;
        var status = closed is not null ? CaseStatus.Afgesloten
            : escalated is not null ? CaseStatus.OpgeschaaldNaarZvh
            : inProgress is not null ? CaseStatus.InBehandeling
            : CaseStatus.Gemeld;

        var level = pinnedLevel ?? ConfidentialityFor(rng, kind);
        var subjects = new List<(int Person, CaseSubjectRole Role)>();
        var locations = new List<int>();
        int coordinator;
        var participants = new List<int>();
        LegalGround legalGround;
        string title;

        void AddSubject(int person, CaseSubjectRole role)
        {
            if (subjects.TrueForAll(s => s.Person != person)) subjects.Add((person, role));
        }

        void AddLocation(int location)
        {
            if (!locations.Contains(location)) locations.Add(location);
        }

        switch (kind)
        {
            case CaseKind.Woonoverlast:
                {
                    var dwelling = PickOccupiedDwelling(rng, corporationChance: 0.6);
                    var causer = PickResident(rng, dwelling);
                    AddSubject(causer, CaseSubjectRole.Veroorzaker);
                    AddLocation(dwelling);
                    var owner = _locations[dwelling - 1].OwnerOrganisationId;
                    var complainants = 1 + rng.Next(2);
                    for (var c = 0; c < complainants; c++)
                    {
                        if (Neighbour(rng, dwelling) is not { } neighbour) continue;
                        AddSubject(PickResident(rng, neighbour), CaseSubjectRole.Melder);
                        if (rng.Chance(0.3)) AddLocation(neighbour);
                    }
                    if (_residentCount[dwelling] > 1 && rng.Chance(0.2)) AddSubject(PickResident(rng, dwelling), CaseSubjectRole.Betrokkene);
                    // Nuisance at a corporation's dwelling: the corporation coordinates or at least takes part.
                    coordinator = owner is { } corporation && rng.Chance(0.7) ? corporation : GemeenteVeiligstad;
                    if (owner is { } o) participants.Add(o);
                    participants.Add(GemeenteVeiligstad);
                    if (rng.Chance(0.6)) participants.Add(PoliceFor(NeighbourhoodIndexOf(dwelling)));
                    legalGround = rng.Chance(0.8) ? LegalGround.GemeentewetOpenbareOrde : LegalGround.Wmo;
                    title = $"Woonoverlast {_neighbourhoods[NeighbourhoodIndexOf(dwelling)].Name}";
                    _nuisanceCausers.Add(causer);
                    break;
                }
            case CaseKind.ZorgEnVeiligheid:
                {
                    var causer = _homeless.Count > 0 && rng.Chance(0.15) ? rng.Pick(_homeless) : PickAdult(rng, maxAge: 70);
                    AddSubject(causer, CaseSubjectRole.Veroorzaker);
                    if (_persons[causer - 1].AddressId is { } home)
                    {
                        AddLocation(home);
                        if (_residentCount[home] > 1 && rng.Chance(0.3)) AddSubject(PickResident(rng, home), CaseSubjectRole.Betrokkene);
                        if (_locations[home - 1].OwnerOrganisationId is { } corporation) participants.Add(corporation);
                    }
                    else
                    {
                        AddLocation(PickPublic(rng, rng.Next(_neighbourhoods.Length)));
                    }
                    // The lokale kamer coordinates; a few came over from the neighbouring municipality.
                    coordinator = rng.Chance(0.03) ? GemeenteBuurdorp : GemeenteVeiligstad;
                    participants.Add(GemeenteVeiligstad);
                    if (rng.Chance(0.1)) participants.Add(GemeenteBuurdorp);
                    var careProviders = 1 + rng.Next(3);
                    int[] care = [GgzHorizon, Verslavingszorg, Schuldhulp];
                    foreach (var c in Shuffled(rng, care.Length).Take(careProviders)) participants.Add(care[c]);
                    if (rng.Chance(0.7)) participants.Add(PoliceFor(NeighbourhoodIndexOf(locations[0])));
                    legalGround = rng.NextDouble() switch
                    {
                        < 0.7 => LegalGround.ConvenantZorgEnVeiligheid,
                        < 0.85 => LegalGround.WetVerplichteGgz,
                        _ => LegalGround.Wmo,
                    };
                    title = string.Create(Inv, $"Zorg en veiligheid {LocalDay(opened).Year}-{id:D5}");
                    _careCausers.Add(causer);
                    break;
                }
            case CaseKind.Jeugdoverlast:
                {
                    var neighbourhood = PickHotNeighbourhood(rng);
                    var pool = _youthByNeighbourhood[neighbourhood].Count >= 4 ? _youthByNeighbourhood[neighbourhood]
                        : _youth.Count > 0 ? _youth : _adults;
                    var group = 2 + rng.Next(2); // with a complainant at most four subjects
                    for (var g = 0; g < group * 3 && subjects.Count < group; g++)
                        AddSubject(rng.Pick(pool), CaseSubjectRole.Veroorzaker);
                    if (rng.Chance(0.5) && _occupiedByNeighbourhood[neighbourhood].Count > 0)
                        AddSubject(PickResident(rng, rng.Pick(_occupiedByNeighbourhood[neighbourhood])), CaseSubjectRole.Melder);
                    AddLocation(PickPublic(rng, neighbourhood));
                    if (rng.Chance(0.5)) AddLocation(PickPublic(rng, neighbourhood));
                    var police = PoliceFor(neighbourhood);
                    coordinator = rng.Chance(0.7) ? GemeenteVeiligstad : police;
                    participants.Add(GemeenteVeiligstad);
                    participants.Add(police);
                    legalGround = LegalGround.GemeentewetOpenbareOrde;
                    title = $"Jeugdgroep {_neighbourhoods[neighbourhood].Name}";
                    foreach (var (person, role) in subjects)
                        if (role == CaseSubjectRole.Veroorzaker) _youthCausers.Add(person);
                    break;
                }
            default:
                {
                    int location;
                    int causer;
                    if (rng.Chance(0.7))
                    {
                        location = PickOccupiedDwelling(rng, corporationChance: 0.5);
                        causer = rng.Chance(0.7) ? PickResident(rng, location) : PickAdult(rng, maxAge: 70);
                    }
                    else
                    {
                        location = PickPublic(rng, rng.Next(_neighbourhoods.Length));
                        causer = PickAdult(rng, maxAge: 70);
                    }
                    AddSubject(causer, CaseSubjectRole.Veroorzaker);
                    if (rng.Chance(0.4)) AddSubject(PickAdult(rng, maxAge: 70), CaseSubjectRole.Veroorzaker);
                    if (rng.Chance(0.3)) AddSubject(PickAdult(rng, maxAge: 80), CaseSubjectRole.Betrokkene);
                    AddLocation(location);
                    var police = PoliceFor(NeighbourhoodIndexOf(location));
                    coordinator = rng.Chance(0.5) ? GemeenteVeiligstad : police;
                    participants.Add(GemeenteVeiligstad);
                    participants.Add(police);
                    // Illegal subletting or a cannabis farm in a corporation's dwelling: the corporation is named on it.
                    if (_locations[location - 1].OwnerOrganisationId is { } corporation && rng.Chance(0.8)) participants.Add(corporation);
                    legalGround = LegalGround.GemeentewetOpenbareOrde;
                    title = $"Ondermijning {rng.Pick(UnderminingThemes)} {_districts[DistrictIndexOfNeighbourhood(NeighbourhoodIndexOf(location))].Name}";
                    foreach (var (person, role) in subjects)
                        if (role == CaseSubjectRole.Veroorzaker) _underminingCausers.Add(person);
                    break;
                }
        }

        var outcome = status == CaseStatus.Afgesloten
            ? rng.NextDouble() switch
            {
                < 0.45 => CaseOutcome.OverlastGestopt,
                < 0.8 => CaseOutcome.AanvaardbaarNiveau,
                _ => CaseOutcome.NietOpgelost,
            }
            : (CaseOutcome?)null;
        var zvh = rng.Chance(0.85) ? ZvhNoord : ZvhZuid;

        var @case = new Case
        {
            Id = id,
            Kind = kind,
            Title = title,
            Status = status,
            Outcome = outcome,
            Confidentiality = level,
            LegalGround = legalGround,
            OpenedAt = opened,
            EscalatedAt = escalated,
            ClosedAt = closed,
            CoordinatingOrganisationId = coordinator,
            Version = rng.NextGuid(),
            CreatedAt = opened,
        };
        // Cases a corporation or the police coordinate mostly arrive from their own systems.
        var coordinatorKind = KindOf(coordinator);
        if ((coordinatorKind == OrganisationKind.Woningcorporatie && rng.Chance(0.7))
            || (coordinatorKind == OrganisationKind.Politie && rng.Chance(0.5)))
        {
            @case.SourceOrganisationId = coordinator;
            @case.ExternalId = NextExternalId("case", coordinator, SystemPrefix(coordinator), LocalDay(opened).Year);
        }
        _cases.Add(@case);

        var draft = new CaseDraft
        {
            Case = @case,
            MainLocation = locations[0],
            NeighbourhoodIndex = NeighbourhoodIndexOf(locations[0]),
            Causer = subjects[0].Person,
            WorkStarts = inProgress ?? opened,
            WorkEnds = closed ?? PeriodEndUtc,
        };
        // The coordinator is always a participant; the others join when the work starts, the ZVH on escalation.
        draft.Participants[coordinator] = opened;
        foreach (var participant in participants) draft.Participants.TryAdd(participant, inProgress ?? opened);
        if (escalated is { } escalatedAt) draft.Participants.TryAdd(zvh, escalatedAt);

        foreach (var (person, role) in subjects) _caseSubjects.Add(new CaseSubject { CaseId = id, PersonId = person, Role = role });
        foreach (var location in locations) _caseLocations.Add(new CaseLocation { CaseId = id, LocationId = location });

        // Status history consistent with the case's fields.
        void Change(CaseStatus? from, CaseStatus to, DateTime at, int by)
            => _statusChanges.Add(new CaseStatusChange
            {
                Id = _statusChanges.Count + 1,
                CaseId = id,
                FromStatus = from,
                ToStatus = to,
                ChangedAt = at,
                ByOrganisationId = by,
            });
        Change(null, CaseStatus.Gemeld, opened, coordinator);
        var last = opened;
        if (inProgress is { } started)
        {
            Change(CaseStatus.Gemeld, CaseStatus.InBehandeling, started, coordinator);
            last = started;
        }
        if (escalated is { } escalatedTo)
        {
            Change(CaseStatus.InBehandeling, CaseStatus.OpgeschaaldNaarZvh, escalatedTo, coordinator);
            last = escalatedTo;
        }
        if (closed is { } closedAt)
        {
            Change(escalated is null ? CaseStatus.InBehandeling : CaseStatus.OpgeschaaldNaarZvh, CaseStatus.Afgesloten, closedAt,
                escalated is null ? coordinator : zvh);
            last = closedAt;
        }

        if (status != CaseStatus.Gemeld) GenerateCaseInterventions(rng, draft);
        _drafts.Add(draft);

        foreach (var (organisation, joined) in draft.Participants.OrderBy(p => p.Value).ThenBy(p => p.Key))
            _caseParticipants.Add(new CaseParticipant { CaseId = id, OrganisationId = organisation, JoinedAt = joined });

        // Notes by participants, in time order.
        var noteCount = status == CaseStatus.Gemeld ? rng.Next(2) : 1 + rng.Next(5);
        var notes = new List<CaseContribution>();
        var members = draft.Participants.OrderBy(p => p.Key).ToArray();
        for (var c = 0; c < noteCount; c++)
        {
            var (organisation, joined) = members[rng.Next(members.Length)];
            var span = Math.Max(0, (draft.WorkEnds - joined).TotalMinutes);
            notes.Add(new CaseContribution
            {
                CaseId = id,
                OrganisationId = organisation,
                Text = rng.Pick(ContributionTexts(KindOf(organisation))),
                CreatedAt = joined.AddMinutes(Math.Floor(rng.NextDouble() * span)),
            });
        }
        foreach (var note in notes.OrderBy(n => n.CreatedAt))
        {
            note.Id = _contributions.Count + 1;
            _contributions.Add(note);
            if (note.CreatedAt > last) last = note.CreatedAt;
        }
        @case.UpdatedAt = last;
    }

    private static ConfidentialityLevel ConfidentialityFor(Random rng, CaseKind kind)
    {
        var x = rng.NextDouble();
        return kind switch
        {
            CaseKind.Woonoverlast => x < 0.1 ? ConfidentialityLevel.Intern
                : x < 0.7 ? ConfidentialityLevel.Zaakvertrouwelijk : ConfidentialityLevel.Vertrouwelijk,
            CaseKind.ZorgEnVeiligheid => x < 0.5 ? ConfidentialityLevel.Vertrouwelijk
                : x < 0.9 ? ConfidentialityLevel.Confidentieel : ConfidentialityLevel.Geheim,
            CaseKind.Jeugdoverlast => x < 0.1 ? ConfidentialityLevel.Openbaar
                : x < 0.3 ? ConfidentialityLevel.BeperktOpenbaar
                : x < 0.7 ? ConfidentialityLevel.Intern : ConfidentialityLevel.Zaakvertrouwelijk,
            // Ondermijning is geheim by default; the sharpest investigations are zeer geheim.
            _ => x < 0.85 ? ConfidentialityLevel.Geheim : ConfidentialityLevel.ZeerGeheim,
        };
    }

    private int PickOccupiedDwelling(Random rng, double corporationChance)
    {
        var useCorporation = _occupiedCorporationDwellings.Count > 0
            && (_occupiedPrivateDwellings.Count == 0 || rng.Chance(corporationChance));
        return rng.Pick(useCorporation ? _occupiedCorporationDwellings : _occupiedPrivateDwellings);
    }

    private int PickResident(Random rng, int dwelling) => _firstResident[dwelling] + rng.Next(_residentCount[dwelling]);

    /// <summary>An occupied dwelling a few doors away in the same neighbourhood, if there is one.</summary>
    private int? Neighbour(Random rng, int dwelling)
    {
        for (var attempt = 0; attempt < 10; attempt++)
        {
            var candidate = dwelling + (rng.Chance(0.5) ? 1 : -1) * (1 + rng.Next(6));
            if (candidate < 1 || candidate > _locations.Count || candidate == dwelling) continue;
            if (_residentCount[candidate] == 0) continue;
            if (_locations[candidate - 1].NeighbourhoodId != _locations[dwelling - 1].NeighbourhoodId) continue;
            return candidate;
        }
        return null;
    }

    private int PickAdult(Random rng, int maxAge)
    {
        for (var attempt = 0; attempt < 20; attempt++)
        {
            var person = rng.Pick(_adults);
            if (Age(person, LastDay) <= maxAge) return person;
        }
        return rng.Pick(_adults);
    }

    private int PickPublic(Random rng, int neighbourhoodIndex)
    {
        var spots = _publicByNeighbourhood[neighbourhoodIndex];
        return spots[rng.Skewed(spots.Length)];
    }

    private int PickHotNeighbourhood(Random rng)
    {
        var weights = new double[_neighbourhoods.Length];
        for (var n = 0; n < weights.Length; n++) weights[n] = _hotFactor[n] * _neighbourhoodSize[n];
        return rng.PickWeighted(Cumulative(weights));
    }

    private static string[] ContributionTexts(OrganisationKind kind) => kind switch
    {
        OrganisationKind.Gemeente =>
        [
            "Casus besproken in de lokale kamer; plan van aanpak vastgesteld.",
            "Afspraken met betrokken partners vastgelegd; volgende evaluatie over zes weken.",
            "Huisbezoek afgelegd samen met de wijkcoördinator.",
            "Voortgang besproken; geen nieuwe meldingen sinds het laatste overleg.",
            "Handhavingstraject voorbereid; juridische toets aangevraagd.",
        ],
        OrganisationKind.Politie =>
        [
            "Meerdere meldingen in de afgelopen maand; wijkagent heeft contact gelegd.",
            "Extra surveillance ingezet op de genoemde tijden.",
            "Geen nieuwe politiecontacten sinds de vorige bespreking.",
            "Signaal gedeeld met het team ondermijning.",
        ],
        OrganisationKind.Woningcorporatie =>
        [
            "Huurder aangesproken op gedrag; waarschuwingsbrief verstuurd.",
            "Gesprek met omwonenden gevoerd; klachten gedocumenteerd.",
            "Woning gecontroleerd op onderhuur; bevindingen gedeeld met de gemeente.",
            "Huurachterstand besproken; betalingsregeling aangeboden.",
        ],
        OrganisationKind.Zorgaanbieder =>
        [
            "Cliënt is in zorg; contact verloopt wisselend.",
            "Intake afgerond; behandeling gestart.",
            "Cliënt heeft afspraken gemist; outreachend contact gezocht.",
            "Stabiele periode; begeleiding wordt afgebouwd.",
        ],
        _ =>
        [
            "Casus geagendeerd in het casusoverleg van het Zorg- en Veiligheidshuis.",
            "Procesregie overgenomen; partners gevraagd om actuele informatie.",
            "Persoonsgerichte aanpak afgestemd met het Openbaar Ministerie.",
        ],
    };
}
