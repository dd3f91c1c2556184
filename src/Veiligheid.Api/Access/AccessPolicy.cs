using System.Linq.Expressions;
using Veiligheid.Cases;
using Veiligheid.Incidents;
using Veiligheid.Interventions;
using Veiligheid.Locations;
using Veiligheid.Persons;
using static Veiligheid.Access.DataCategory;
using static Veiligheid.Access.RowRules;

namespace Veiligheid.Access;

/// <summary>What one role may read: the categories of fields, the highest confidentiality level, and which rows.</summary>
public sealed record RoleAccess
{
    public required string Description { get; init; }
    public required IReadOnlySet<DataCategory> Categories { get; init; }
    public ConfidentialityLevel MaxConfidentiality { get; init; } = ConfidentialityLevel.Openbaar;

    // A null rule means: no rows of that entity at all.
    public RowRule<Case>? Cases { get; init; }
    public RowRule<Person>? Persons { get; init; }
    public RowRule<Incident>? Incidents { get; init; }
    public RowRule<Intervention>? Interventions { get; init; }
    public RowRule<Location>? Locations { get; init; }
    public RowRule<Tenancy>? Tenancies { get; init; }

    /// <summary>What the role's aggregated figures may count (see <see cref="FigureScope"/>); required when the role holds
    /// <see cref="DataCategory.Cijfers"/>, null otherwise.</summary>
    public FigureScope? Figures { get; init; }
    /// <summary>The writes the role may perform; which rows each write may touch is in <see cref="WriteRules"/>.</summary>
    public IReadOnlySet<WriteAction> Writes { get; init; } = new HashSet<WriteAction>();
}

/// <summary>
/// The access policy, declared once. The per-role schemas, the row filters in every query, the access matrix in
/// schema/access-matrix.md and the matrix tests are all derived from this table; nothing else decides access.
/// </summary>
public static class AccessPolicy
{
    public static IReadOnlyDictionary<HubRole, RoleAccess> Roles { get; } = new Dictionary<HubRole, RoleAccess>
    {
        [HubRole.GemeenteCoordinator] = new()
        {
            Description = "Zorg- en Veiligheidscoördinator of the lokale kamer: the integrated overview of persons in the cases the municipality takes part in.",
            Categories = Set(Register, Identiteit, Adres, Zorg, Politie, Huisvesting, Casus, Melding, Interventie, Handhaving, Locatie, Cijfers),
            MaxConfidentiality = ConfidentialityLevel.ZeerGeheim,
            Cases = ParticipatingCases,
            Persons = SubjectsOfVisibleCases,
            Incidents = AroundVisibleCases.Or(ReportedByCaller),
            Interventions = OwnInterventions.Or(OnVisibleCases).Or(AreaInterventions),
            Locations = AllLocations,
            Tenancies = AllTenancies,
            // Municipality-wide counts up to its own ceiling (ondermijning and care are never counted, see FigureScope).
            Figures = new FigureScope(ConfidentialityLevel.ZeerGeheim),
            Writes = Set(WriteAction.ReportIncident, WriteAction.OpenCase, WriteAction.AddToCase, WriteAction.ChangeCaseStatus, WriteAction.RecordIntervention, WriteAction.AddContribution),
        },
        [HubRole.GemeenteHandhaving] = new()
        {
            Description = "Enforcement (BOA's, team Handhaving): locations, incidents in public space, inspections and fines; no persons, no care data.",
            Categories = Set(Register, Casus, Melding, Interventie, Handhaving, Locatie),
            MaxConfidentiality = ConfidentialityLevel.Vertrouwelijk,
            Cases = ParticipatingCases,
            Incidents = InPublicSpace.Or(ReportedByCaller),
            Interventions = OwnInterventions.Or(AreaInterventions),
            Locations = AllLocations,
            Writes = Set(WriteAction.ReportIncident, WriteAction.AddToCase, WriteAction.RecordIntervention, WriteAction.AddContribution),
        },
        [HubRole.GemeenteAnalist] = new()
        {
            Description = "Safety analyst: aggregated figures for the wijkveiligheidsoverleg, never a person-level row.",
            Categories = Set(Register, Cijfers),
            // No case rows at all; counts include cases up to vertrouwelijk (woonoverlast, jeugdoverlast, most zorg en
            // veiligheid), never the confidentieel and higher ones.
            Figures = new FigureScope(ConfidentialityLevel.Vertrouwelijk),
        },
        [HubRole.Politie] = new()
        {
            Description = "Police: identity, address, incidents, police signals, and the interventions of cases it takes part in.",
            Categories = Set(Register, Identiteit, Adres, Politie, Casus, Melding, Interventie, Locatie),
            MaxConfidentiality = ConfidentialityLevel.ZeerGeheim,
            Cases = ParticipatingCases,
            Persons = SubjectsOfVisibleCases.Or(InvolvedInVisibleIncidents),
            Incidents = AllIncidents,
            Interventions = OwnInterventions.Or(OnVisibleCases).Or(AreaInterventions),
            Locations = AllLocations,
            Writes = Set(WriteAction.ReportIncident, WriteAction.OpenCase, WriteAction.AddToCase, WriteAction.ChangeCaseStatus, WriteAction.RecordIntervention, WriteAction.AddContribution),
        },
        [HubRole.Woningcorporatie] = new()
        {
            Description = "Housing corporation: people living in or complaining about its own dwellings, woonoverlast there, its own tenancy measures; no care or police detail.",
            Categories = Set(Register, Identiteit, Adres, Huisvesting, Casus, Melding, Interventie, Locatie),
            MaxConfidentiality = ConfidentialityLevel.Confidentieel,
            Cases = ParticipatingCases.Or(WoonoverlastAtOwnDwellings),
            Persons = SubjectsOfVisibleCases.Or(TenantsOfOwnDwellings),
            Incidents = AtOwnDwellings.Or(ReportedByCaller),
            Interventions = OwnInterventions.Or(OnVisibleCases),
            Locations = OwnDwellings.Or(LocationsOfVisibleCases),
            Tenancies = OwnTenancies,
            Writes = Set(WriteAction.ReportIncident, WriteAction.OpenCase, WriteAction.AddToCase, WriteAction.ChangeCaseStatus, WriteAction.RecordIntervention, WriteAction.AddContribution),
        },
        [HubRole.Zorgaanbieder] = new()
        {
            Description = "Care provider: its clients in shared cases; life domains and care trajectories only with consent or a registered legal ground.",
            Categories = Set(Register, Identiteit, Zorg, Casus, Interventie),
            MaxConfidentiality = ConfidentialityLevel.Confidentieel,
            Cases = ParticipatingCases,
            Persons = SubjectsOfVisibleCases,
            Interventions = OwnInterventions.Or(OnVisibleCases),
            Locations = LocationsOfVisibleCases,
            Writes = Set(WriteAction.RecordIntervention, WriteAction.AddContribution, WriteAction.RegisterConsent),
        },
        [HubRole.ZvhProcesregisseur] = new()
        {
            Description = "Process director of the Zorg- en Veiligheidshuis: the cases escalated to it, with the persons, incidents and interventions around them.",
            Categories = Set(Register, Identiteit, Adres, Zorg, Politie, Huisvesting, Casus, Melding, Interventie, Locatie),
            MaxConfidentiality = ConfidentialityLevel.Geheim,
            Cases = ParticipatingCases,
            Persons = SubjectsOfVisibleCases,
            Incidents = AroundVisibleCases,
            Interventions = OwnInterventions.Or(OnVisibleCases),
            Locations = LocationsOfVisibleCases,
            Tenancies = AllTenancies,
            Writes = Set(WriteAction.AddToCase, WriteAction.RecordIntervention, WriteAction.AddContribution),
        },
        [HubRole.BiLezer] = new()
        {
            Description = "A BI tool (Power BI, Excel): aggregated figures only, never a person.",
            Categories = Set(Register, Cijfers),
            // A machine client whose extracts travel further than the analyst's: counts only up to zaakvertrouwelijk.
            Figures = new FigureScope(ConfidentialityLevel.Zaakvertrouwelijk),
        },
        [HubRole.PrivacyFunctionaris] = new()
        {
            Description = "Privacy officer (FG): the processing log and data subjects' access reports; nothing of the cases themselves.",
            Categories = Set(Register, Verwerkingslog),
        },
    };

    /// <summary>Care interventions are care data: shared beyond their executor only with consent.</summary>
    public static IReadOnlySet<InterventionKind> CareInterventionKinds { get; } =
        new HashSet<InterventionKind> { InterventionKind.Zorgtraject, InterventionKind.Schuldhulpverlening };

    /// <summary>
    /// i => i.Kind == k1 || i.Kind == k2 …, built from <see cref="CareInterventionKinds"/> so the SQL compares constants;
    /// the one test for "is care data" that row rules and figure scopes inline.
    /// </summary>
    public static Expression<Func<Intervention, bool>> IsCareIntervention { get; } = BuildIsCareIntervention();

    private static Expression<Func<Intervention, bool>> BuildIsCareIntervention()
    {
        var i = Expression.Parameter(typeof(Intervention), "i");
        var kind = Expression.Property(i, nameof(Intervention.Kind));
        var body = CareInterventionKinds
            .Select(k => (Expression)Expression.Equal(kind, Expression.Constant(k)))
            .Aggregate(Expression.OrElse);
        return Expression.Lambda<Func<Intervention, bool>>(body, i);
    }

    /// <summary>The life domains each legal ground lets a case's participants share without consent.</summary>
    public static IReadOnlyDictionary<LegalGround, IReadOnlySet<LifeDomain>> LegalGroundCoverage { get; } =
        new Dictionary<LegalGround, IReadOnlySet<LifeDomain>>
        {
            [LegalGround.GemeentewetOpenbareOrde] = new HashSet<LifeDomain>(),
            [LegalGround.ConvenantZorgEnVeiligheid] = new HashSet<LifeDomain>(Enum.GetValues<LifeDomain>()),
            [LegalGround.WetVerplichteGgz] = new HashSet<LifeDomain> { LifeDomain.GeestelijkeGezondheid, LifeDomain.Middelengebruik, LifeDomain.Justitie },
            [LegalGround.Wmo] = new HashSet<LifeDomain>
            {
                LifeDomain.Financien, LifeDomain.Huisvesting, LifeDomain.BasaleAdl, LifeDomain.InstrumenteleAdl,
                LifeDomain.SociaalNetwerk, LifeDomain.MaatschappelijkeParticipatie, LifeDomain.Tijdsbesteding,
            },
        };

    /// <summary>The access of one caller, with the role's rules bound to its organisation.</summary>
    public static CallerAccess For(Caller caller)
    {
        ArgumentNullException.ThrowIfNull(caller);
        return new CallerAccess(caller, Roles[caller.Role]);
    }

    private static HashSet<DataCategory> Set(params DataCategory[] categories) => [.. categories];

    private static HashSet<WriteAction> Set(params WriteAction[] actions) => [.. actions];
}
