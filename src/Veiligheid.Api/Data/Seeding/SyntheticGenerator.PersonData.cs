using Veiligheid.Cases;
using Veiligheid.Interventions;
using Veiligheid.Organisations;
using Veiligheid.Persons;

namespace Veiligheid.Data.Seeding;

internal sealed partial class SyntheticGenerator
{
    private readonly List<LifeDomainScore> _lifeDomainScores = [];
    private readonly List<PoliceSignal> _policeSignals = [];
    private readonly List<Tenancy> _tenancies = [];
    private readonly List<Consent> _consents = [];

    /// <summary>The life domains multi-problem cases are usually about: they score low more often.</summary>
    private static readonly LifeDomain[] ProblemDomains =
        [LifeDomain.Financien, LifeDomain.Huisvesting, LifeDomain.GeestelijkeGezondheid, LifeDomain.Middelengebruik, LifeDomain.Justitie];

    private void GeneratePersonData(Random rng)
    {
        GenerateLifeDomainScores(rng);
        GeneratePoliceSignals(rng);
        GenerateTenancies(rng);
        GenerateConsents(rng);
    }

    /// <summary>Self-reliance assessments for the causers in zorg-en-veiligheid cases and some woonoverlast ones.</summary>
    private void GenerateLifeDomainScores(Random rng)
    {
        var assessed = new HashSet<int>();
        var domains = Enum.GetValues<LifeDomain>();
        foreach (var draft in _drafts)
        {
            var kind = draft.Case.Kind;
            if (kind != CaseKind.ZorgEnVeiligheid && !(kind == CaseKind.Woonoverlast && rng.Chance(0.3))) continue;
            if (!assessed.Add(draft.Causer)) continue;

            var coordinator = draft.Case.CoordinatingOrganisationId;
            var assessor = KindOf(coordinator) == OrganisationKind.Gemeente ? coordinator : GemeenteVeiligstad;
            var firstDay = LocalDay(draft.WorkStarts);
            var scores = new int[domains.Length];
            foreach (var domain in domains)
            {
                var problem = Array.IndexOf(ProblemDomains, domain) >= 0 && rng.Chance(kind == CaseKind.ZorgEnVeiligheid ? 0.6 : 0.3);
                scores[(int)domain] = problem ? 1 + rng.Next(2) : 3 + rng.Next(3);
            }
            AddAssessment(draft.Causer, firstDay, assessor, scores);

            // A reassessment after some months: usually a little better, by a care provider on the case if there is one.
            var lastDay = LocalDay(draft.WorkEnds);
            if (lastDay.DayNumber - firstDay.DayNumber > 90)
            {
                var care = draft.Participants.Keys.Where(o => KindOf(o) == OrganisationKind.Zorgaanbieder).Order().ToArray();
                var reassessor = care.Length > 0 ? care[rng.Next(care.Length)] : assessor;
                for (var d = 0; d < scores.Length; d++) scores[d] = Math.Min(5, scores[d] + (rng.Chance(0.4) ? 1 : 0));
                AddAssessment(draft.Causer, firstDay.AddDays(60 + rng.Next(lastDay.DayNumber - firstDay.DayNumber - 59)), reassessor, scores);
            }
        }

        void AddAssessment(int person, DateOnly on, int by, int[] scores)
        {
            for (var d = 0; d < scores.Length; d++)
            {
                _lifeDomainScores.Add(new LifeDomainScore
                {
                    Id = _lifeDomainScores.Count + 1,
                    PersonId = person,
                    Domain = (LifeDomain)d,
                    Score = scores[d],
                    AssessedOn = on,
                    AssessedByOrganisationId = by,
                });
            }
        }
    }

    private void GeneratePoliceSignals(Random rng)
    {
        var signalled = new HashSet<(int, PoliceSignalKind)>();
        void Signal(int person, PoliceSignalKind kind, DateOnly on)
        {
            if (!signalled.Add((person, kind))) return;
            _policeSignals.Add(new PoliceSignal
            {
                Id = _policeSignals.Count + 1,
                PersonId = person,
                Kind = kind,
                RegisteredOn = on > LastDay ? LastDay : on,
                OrganisationId = PoliceForPerson(person),
            });
        }

        DateOnly Around(CaseDraft draft) => LocalDay(draft.Case.OpenedAt).AddDays(-rng.Next(120));

        foreach (var draft in _drafts)
        {
            var person = draft.Causer;
            switch (draft.Case.Kind)
            {
                case CaseKind.Ondermijning:
                    if (rng.Chance(0.7)) Signal(person, PoliceSignalKind.Ondermijning, Around(draft));
                    if (rng.Chance(0.1)) Signal(person, PoliceSignalKind.Wapenbezit, Around(draft));
                    break;
                case CaseKind.ZorgEnVeiligheid:
                    if (rng.Chance(0.3)) Signal(person, PoliceSignalKind.Verward, Around(draft));
                    if (rng.Chance(0.15)) Signal(person, PoliceSignalKind.Geweld, Around(draft));
                    break;
                case CaseKind.Jeugdoverlast:
                    if (rng.Chance(0.15)) Signal(person, PoliceSignalKind.HighImpactCrime, Around(draft));
                    if (rng.Chance(0.05)) Signal(person, PoliceSignalKind.Wapenbezit, Around(draft));
                    break;
                default:
                    if (rng.Chance(0.1)) Signal(person, PoliceSignalKind.Geweld, Around(draft));
                    break;
            }
        }

        // A thin layer of signals about people in no case at all.
        var kinds = Enum.GetValues<PoliceSignalKind>();
        var extra = _persons.Count / 200;
        for (var i = 0; i < extra; i++)
            Signal(rng.Next(_persons.Count) + 1, rng.Pick(kinds), FirstDay.AddDays(-rng.Next(1500)));
    }

    /// <summary>The head of every household in a corporation's dwelling rents it; partners sometimes co-rent.</summary>
    private void GenerateTenancies(Random rng)
    {
        var earliest = new DateOnly(1995, 1, 1);
        var latest = LastDay.AddDays(-30);
        DateOnly Adult(int person) => _persons[person - 1].DateOfBirth.AddYears(18);
        DateOnly Later(DateOnly a, DateOnly b) => a > b ? a : b;

        for (var location = 1; location <= _locations.Count; location++)
        {
            if (_residentCount[location] == 0 || _locations[location - 1].OwnerOrganisationId is not { } landlord) continue;
            var head = _firstResident[location];
            var start = Later(earliest.AddDays(rng.Next(latest.DayNumber - earliest.DayNumber)), Adult(head));
            if (start > latest) start = latest;

            // Some moved within the corporation's stock earlier on.
            if (rng.Chance(0.05) && _occupiedCorporationDwellings.Count > 1)
            {
                var previousEnd = start.AddDays(-1);
                var previousStart = Later(previousEnd.AddYears(-(1 + rng.Next(10))), Adult(head));
                var previous = rng.Pick(_occupiedCorporationDwellings);
                if (previousStart < previousEnd && previous != location)
                    AddTenancy(head, previous, _locations[previous - 1].OwnerOrganisationId!.Value, previousStart, previousEnd);
            }
            AddTenancy(head, location, landlord, start, null);
            if (_residentCount[location] > 1 && rng.Chance(0.5))
                AddTenancy(head + 1, location, landlord, Later(start, Adult(head + 1)), null);
        }

        void AddTenancy(int person, int location, int landlord, DateOnly start, DateOnly? end)
            => _tenancies.Add(new Tenancy
            {
                Id = _tenancies.Count + 1,
                PersonId = person,
                LocationId = location,
                LandlordOrganisationId = landlord,
                StartDate = start,
                EndDate = end,
            });
    }

    /// <summary>
    /// Care clients' consent to share with the case partners: most with the coordinator, some also with police or the
    /// corporation; a share was withdrawn later, which must end the sharing.
    /// </summary>
    private void GenerateConsents(Random rng)
    {
        var seen = new HashSet<(int Person, int CareProvider)>();
        foreach (var intervention in _interventions)
        {
            if (intervention.Kind is not (InterventionKind.Zorgtraject or InterventionKind.Schuldhulpverlening)) continue;
            if (intervention.PersonId is not { } person || intervention.CaseId is not { } caseId) continue;
            var careProvider = intervention.ExecutingOrganisationId;
            if (!seen.Add((person, careProvider))) continue;

            var draft = _drafts[caseId - 1];
            var recipients = new List<int>();
            var coordinator = draft.Case.CoordinatingOrganisationId;
            if (rng.Chance(0.75)) recipients.Add(coordinator);
            foreach (var participant in draft.Participants.Keys.Order())
            {
                var kind = KindOf(participant);
                if ((kind is OrganisationKind.Politie or OrganisationKind.Woningcorporatie) && rng.Chance(0.2)) recipients.Add(participant);
                if (kind == OrganisationKind.ZorgEnVeiligheidshuis && rng.Chance(0.6)) recipients.Add(participant);
            }

            var given = Min(intervention.StartDate, LastDay).AddDays(-rng.Next(15));
            foreach (var recipient in recipients.Distinct())
            {
                DateOnly? withdrawn = null;
                if (rng.Chance(0.15))
                {
                    var candidate = given.AddDays(7 + rng.Next(300));
                    if (candidate <= LastDay) withdrawn = candidate;
                }
                var created = OfficeTime(rng, given);
                _consents.Add(new Consent
                {
                    Id = _consents.Count + 1,
                    PersonId = person,
                    CareProviderOrganisationId = careProvider,
                    RecipientOrganisationId = recipient,
                    GivenOn = given,
                    WithdrawnOn = withdrawn,
                    Version = rng.NextGuid(),
                    CreatedAt = created,
                    UpdatedAt = withdrawn is { } w ? OfficeTime(rng, w) : created,
                });
            }
        }
    }
}
