using Veiligheid.Cases;
using Veiligheid.Interventions;
using Veiligheid.Organisations;

namespace Veiligheid.Data.Seeding;

internal sealed partial class SyntheticGenerator
{
    /// <summary>What each kind of case typically gets done about it, with relative weights.</summary>
    private static (InterventionKind Kind, double Weight)[] InterventionMenu(CaseKind kind) => kind switch
    {
        CaseKind.Woonoverlast =>
        [
            (InterventionKind.Gesprek, 3), (InterventionKind.Waarschuwing, 3), (InterventionKind.Buurtbemiddeling, 2),
            (InterventionKind.Gedragsaanwijzing, 1), (InterventionKind.Huurprocedure, 1.5), (InterventionKind.SluitingPand, 0.2),
        ],
        CaseKind.ZorgEnVeiligheid =>
        [
            (InterventionKind.Zorgtraject, 4), (InterventionKind.Schuldhulpverlening, 2), (InterventionKind.Gesprek, 2),
            (InterventionKind.Gedragsaanwijzing, 0.5), (InterventionKind.Huurprocedure, 0.5), (InterventionKind.Waarschuwing, 0.5),
        ],
        CaseKind.Jeugdoverlast =>
        [
            (InterventionKind.Gesprek, 2), (InterventionKind.Waarschuwing, 2), (InterventionKind.InzetPolitieBoa, 3),
            (InterventionKind.Gedragsaanwijzing, 0.5),
        ],
        _ =>
        [
            (InterventionKind.IntegraleControle, 3), (InterventionKind.SluitingPand, 1.5), (InterventionKind.BestuurlijkeBoete, 1),
            (InterventionKind.InzetPolitieBoa, 0.5), (InterventionKind.Huurprocedure, 0.5),
        ],
    };

    private void GenerateCaseInterventions(Random rng, CaseDraft draft)
    {
        var @case = draft.Case;
        var count = @case.Status switch
        {
            CaseStatus.InBehandeling => 1 + rng.Next(3),
            CaseStatus.OpgeschaaldNaarZvh => 2 + rng.Next(3),
            _ => 1 + rng.Next(4),
        };
        var owner = _locations[draft.MainLocation - 1].OwnerOrganisationId;
        var menu = InterventionMenu(@case.Kind);
        // A tenancy procedure needs a landlord: not on a case about a private home or public space.
        var weights = menu.Select(m => m.Kind == InterventionKind.Huurprocedure && owner is null ? 0 : m.Weight).ToArray();
        var cumulative = Cumulative(weights);
        var firstDay = LocalDay(draft.WorkStarts);
        var lastDay = LocalDay(draft.WorkEnds);
        var closed = @case.Status == CaseStatus.Afgesloten;

        for (var i = 0; i < count; i++)
        {
            var kind = menu[rng.PickWeighted(cumulative)].Kind;
            var executor = ExecutorFor(rng, kind, draft, owner);
            var start = firstDay.AddDays(rng.Next(Math.Max(1, lastDay.DayNumber - firstDay.DayNumber + 1)));
            InterventionStatus status;
            DateOnly? end = null;
            var x = rng.NextDouble();
            if (closed)
            {
                status = x < 0.88 ? InterventionStatus.Afgerond : InterventionStatus.Geannuleerd;
                end = Min(start.AddDays(rng.Next(90)), lastDay);
            }
            else if (x < 0.4 && start < LastDay)
            {
                status = InterventionStatus.Afgerond;
                end = Min(start.AddDays(1 + rng.Next(60)), LastDay);
            }
            else if (x < 0.85)
            {
                status = InterventionStatus.Lopend;
            }
            else if (x < 0.95)
            {
                status = InterventionStatus.Gepland;
                start = LastDay.AddDays(1 + rng.Next(30));
            }
            else
            {
                status = InterventionStatus.Geannuleerd;
                end = Min(start.AddDays(rng.Next(10)), LastDay);
            }

            // Whoever executes an intervention takes part in the case from then on (need-to-know follows the work).
            if (!draft.Participants.ContainsKey(executor))
            {
                var joined = OfficeTime(rng, Min(start, LastDay));
                draft.Participants[executor] = joined < draft.WorkStarts ? draft.WorkStarts
                    : joined > draft.WorkEnds ? draft.WorkEnds : joined;
            }

            var personal = kind is InterventionKind.Gesprek or InterventionKind.Waarschuwing or InterventionKind.Gedragsaanwijzing
                or InterventionKind.Zorgtraject or InterventionKind.Schuldhulpverlening or InterventionKind.Huurprocedure;
            var atLocation = kind is InterventionKind.SluitingPand or InterventionKind.IntegraleControle
                or InterventionKind.BestuurlijkeBoete or InterventionKind.Huurprocedure;
            AddIntervention(rng, kind, executor, @case.Confidentiality, start, status, end, @case.Id,
                personal ? draft.Causer : null,
                atLocation ? draft.MainLocation : null,
                kind == InterventionKind.InzetPolitieBoa ? draft.NeighbourhoodIndex + 1 : null);
        }
    }

    /// <summary>The partner that can carry out an intervention of this kind on this case, preferring those already on it.</summary>
    private int ExecutorFor(Random rng, InterventionKind kind, CaseDraft draft, int? owner)
    {
        int? Existing(Func<int, bool> fits)
        {
            var candidates = draft.Participants.Keys.Where(fits).Order().ToArray();
            return candidates.Length == 0 ? null : candidates[rng.Next(candidates.Length)];
        }

        var police = PoliceFor(draft.NeighbourhoodIndex);
        return kind switch
        {
            InterventionKind.Gesprek => Existing(o => KindOf(o) is OrganisationKind.Gemeente or OrganisationKind.Politie
                or OrganisationKind.Woningcorporatie or OrganisationKind.Zorgaanbieder) ?? GemeenteVeiligstad,
            InterventionKind.Waarschuwing => Existing(o => KindOf(o) is OrganisationKind.Gemeente or OrganisationKind.Politie
                or OrganisationKind.Woningcorporatie) ?? GemeenteVeiligstad,
            InterventionKind.Zorgtraject => Existing(o => o == GgzHorizon || o == Verslavingszorg)
                ?? (rng.Chance(0.5) ? GgzHorizon : Verslavingszorg),
            InterventionKind.Schuldhulpverlening => Schuldhulp,
            InterventionKind.Huurprocedure => owner ?? GemeenteVeiligstad,
            InterventionKind.InzetPolitieBoa => Existing(o => KindOf(o) == OrganisationKind.Politie)
                ?? (rng.Chance(0.6) ? police : GemeenteVeiligstad),
            // The mayor's powers and the municipal enforcers: behavioural orders, closures, inspections, fines.
            _ => GemeenteVeiligstad,
        };
    }

    private void AddIntervention(Random rng, InterventionKind kind, int executor, ConfidentialityLevel level, DateOnly start,
        InterventionStatus status, DateOnly? end, int? caseId, int? person, int? location, int? neighbourhood)
    {
        int? amount = null;
        ObjectionStatus? objection = null;
        CollectionStatus? collection = null;
        if (kind == InterventionKind.BestuurlijkeBoete)
        {
            int[] amounts = caseId is null ? [10_000, 15_000, 25_000, 37_500, 50_000] : [250_000, 500_000, 1_000_000, 2_000_000];
            amount = rng.Pick(amounts);
            var x = rng.NextDouble();
            objection = status == InterventionStatus.Gepland ? ObjectionStatus.Geen
                : x < 0.75 ? ObjectionStatus.Geen
                : x < 0.85 ? ObjectionStatus.Ingediend
                : x < 0.9 ? ObjectionStatus.Toegewezen
                : ObjectionStatus.Afgewezen;
            if (objection == ObjectionStatus.Toegewezen)
            {
                // An upheld objection annuls the fine: nothing left to collect.
                status = InterventionStatus.Geannuleerd;
                end ??= Min(start.AddDays(30 + rng.Next(60)), LastDay);
            }
            else if (objection == ObjectionStatus.Ingediend || status is InterventionStatus.Gepland or InterventionStatus.Lopend)
            {
                collection = CollectionStatus.Openstaand;
            }
            else
            {
                var y = rng.NextDouble();
                collection = y < 0.65 ? CollectionStatus.Betaald
                    : y < 0.8 ? CollectionStatus.Openstaand
                    : y < 0.95 ? CollectionStatus.Invordering
                    : CollectionStatus.Oninbaar;
            }
        }

        var created = status == InterventionStatus.Gepland
            ? OfficeTime(rng, LastDay.AddDays(-rng.Next(14)))
            : OfficeTime(rng, Min(start, LastDay));
        var updated = end is { } e ? OfficeTime(rng, e) : created;
        if (updated < created) updated = created;
        if (updated > PeriodEndUtc) updated = PeriodEndUtc;
        if (created > PeriodEndUtc) created = updated = PeriodEndUtc;

        var intervention = new Intervention
        {
            Id = _interventions.Count + 1,
            Kind = kind,
            Status = status,
            Confidentiality = level,
            StartDate = start,
            EndDate = end,
            Result = status switch
            {
                InterventionStatus.Afgerond => rng.Pick(ResultTexts(kind)),
                InterventionStatus.Geannuleerd => "Geannuleerd: niet meer nodig.",
                _ => null,
            },
            ExecutingOrganisationId = executor,
            CaseId = caseId,
            PersonId = person,
            LocationId = location,
            NeighbourhoodId = neighbourhood,
            FineAmountCents = amount,
            FineObjection = objection,
            FineCollection = collection,
            Version = rng.NextGuid(),
            CreatedAt = created,
            UpdatedAt = updated,
        };
        // Care trajectories, fines and tenancy procedures are registered in the partners' own systems and pushed here.
        var sourced = kind switch
        {
            InterventionKind.Zorgtraject or InterventionKind.Schuldhulpverlening => rng.Chance(0.6),
            InterventionKind.BestuurlijkeBoete => rng.Chance(0.8),
            InterventionKind.Huurprocedure => rng.Chance(0.5),
            InterventionKind.InzetPolitieBoa => KindOf(executor) == OrganisationKind.Politie && rng.Chance(0.4),
            _ => false,
        };
        if (sourced)
        {
            intervention.SourceOrganisationId = executor;
            intervention.ExternalId = NextExternalId("intervention", executor, SystemPrefix(executor), start.Year);
        }
        _interventions.Add(intervention);
    }

    /// <summary>Interventions not tied to a case: area deployments, fines for illegal dumping, integrated inspections.</summary>
    private void GenerateAreaInterventions(Random rng)
    {
        var areaWeights = new double[_neighbourhoods.Length];
        for (var n = 0; n < areaWeights.Length; n++) areaWeights[n] = _hotFactor[n] * _neighbourhoodSize[n];
        var cumulativeArea = Cumulative(areaWeights);
        var periodDays = LastDay.DayNumber - FirstDay.DayNumber + 1;

        (DateOnly Start, InterventionStatus Status, DateOnly? End) Schedule(int minDays, int maxDays, double completeChance)
        {
            var start = FirstDay.AddDays(rng.Next(periodDays + 20));
            var end = start.AddDays(minDays + rng.Next(maxDays - minDays + 1));
            if (start > LastDay) return (start, InterventionStatus.Gepland, null);
            if (end <= LastDay && rng.Chance(completeChance)) return (start, InterventionStatus.Afgerond, end);
            return (start, InterventionStatus.Lopend, null);
        }

        // Police and BOA deployments in the hot neighbourhoods, as the wijkveiligheidsoverleg decided.
        var deployments = Math.Max(10, _options.Incidents / 100);
        for (var i = 0; i < deployments; i++)
        {
            var neighbourhood = rng.PickWeighted(cumulativeArea);
            var executor = rng.Chance(0.6) ? PoliceFor(neighbourhood) : GemeenteVeiligstad;
            var (start, status, end) = Schedule(7, 56, 0.97);
            AddIntervention(rng, InterventionKind.InzetPolitieBoa, executor, ConfidentialityLevel.Intern, start, status, end,
                caseId: null, person: null, location: null, neighbourhood: neighbourhood + 1);
        }

        // Administrative fines for illegally dumped waste (bijplaatsingen), at the spots where it happens.
        var fines = Math.Max(10, _options.Incidents / 150);
        for (var i = 0; i < fines; i++)
        {
            var neighbourhood = rng.PickWeighted(cumulativeArea);
            var (start, status, end) = Schedule(0, 5, 0.95);
            AddIntervention(rng, InterventionKind.BestuurlijkeBoete, GemeenteVeiligstad, ConfidentialityLevel.Intern, start, status, end,
                caseId: null, person: rng.Chance(0.4) ? PickAdult(rng, maxAge: 80) : null,
                location: PickPublic(rng, neighbourhood), neighbourhood: null);
        }

        // Integrated inspections (GIT): room letting and subletting in dwellings, the automotive sector elsewhere.
        var inspections = Math.Max(5, _options.Persons / 100);
        for (var i = 0; i < inspections; i++)
        {
            var neighbourhood = rng.PickWeighted(cumulativeArea);
            var dwellings = _dwellingsByNeighbourhood[neighbourhood];
            var location = rng.Chance(0.6) ? dwellings[rng.Next(dwellings.Length)] : PickPublic(rng, neighbourhood);
            var (start, status, end) = Schedule(0, 14, 0.95);
            AddIntervention(rng, InterventionKind.IntegraleControle, GemeenteVeiligstad, ConfidentialityLevel.Zaakvertrouwelijk,
                start, status, end, caseId: null, person: null, location: location, neighbourhood: null);
        }
    }

    private static DateOnly Min(DateOnly a, DateOnly b) => a < b ? a : b;

    private static string[] ResultTexts(InterventionKind kind) => kind switch
    {
        InterventionKind.Gesprek => ["Gesprek gevoerd; afspraken vastgelegd.", "Gesprek gevoerd; betrokkene erkent het probleem."],
        InterventionKind.Waarschuwing => ["Schriftelijke waarschuwing uitgereikt.", "Mondelinge waarschuwing gegeven en vastgelegd."],
        InterventionKind.Buurtbemiddeling =>
            ["Bemiddeling afgerond met afspraken tussen buren.", "Bemiddeling gestopt; partijen niet bereid tot afspraken."],
        InterventionKind.Gedragsaanwijzing => ["Gedragsaanwijzing opgelegd voor zes maanden.", "Gedragsaanwijzing nageleefd; niet verlengd."],
        InterventionKind.Zorgtraject => ["Traject afgerond; nazorg geregeld.", "Traject voortijdig beëindigd door cliënt."],
        InterventionKind.Schuldhulpverlening => ["Schulden in kaart gebracht; minnelijk traject gestart.", "Budgetbeheer ingesteld."],
        InterventionKind.Huurprocedure =>
            ["Huurovereenkomst ontbonden; woning ontruimd.", "Laatste-kanscontract afgesloten.", "Procedure ingetrokken na gedragsverbetering."],
        InterventionKind.SluitingPand => ["Pand gesloten voor drie maanden.", "Pand gesloten voor zes maanden."],
        InterventionKind.InzetPolitieBoa =>
            ["Extra surveillance uitgevoerd in de avonduren.", "Gerichte inzet op hotspots; meerdere personen aangesproken."],
        InterventionKind.IntegraleControle =>
            ["Geen overtredingen geconstateerd.", "Overtredingen geconstateerd; vervolgtraject gestart.", "Signalen van onderhuur doorgezet naar de verhuurder."],
        _ => ["Boete opgelegd.", "Boete opgelegd na eerdere waarschuwing."],
    };
}
