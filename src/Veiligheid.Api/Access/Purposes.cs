using System.Collections.Concurrent;
using System.Collections.Frozen;
using Veiligheid.Cases;
using static Veiligheid.Access.DataCategory;

namespace Veiligheid.Access;

/// <summary>
/// A registered processing purpose (doel van de verwerking): why a partner looks at data, on which legal ground, who may
/// invoke it, which categories of data it covers, and how long what it produces is kept.
/// </summary>
public sealed record ProcessingPurpose
{
    /// <summary>The stable key a request names in <see cref="Purposes.Header"/>, e.g. "aanpak-woonoverlast".</summary>
    public required string Key { get; init; }
    public required string Name { get; init; }
    public required string Description { get; init; }

    /// <summary>The legal ground (grondslag), as the processing log and the access report show it.</summary>
    public required string LegalGround { get; init; }
    public required IReadOnlySet<HubRole> Roles { get; init; }
    public required IReadOnlySet<DataCategory> Categories { get; init; }

    /// <summary>How long records made under this purpose are kept: for cases, counted from the day the case closed.</summary>
    public required int RetentionYears { get; init; }

    /// <summary>The kinds of case handled under this purpose; their retention term is this purpose's.</summary>
    public IReadOnlySet<CaseKind> CaseKinds { get; init; } = new HashSet<CaseKind>();

    public bool MayBeInvokedBy(HubRole role) => Roles.Contains(role);
}

/// <summary>
/// The register of processing purposes, declared once beside the access policy. A request states its purpose in the
/// <see cref="Header"/> header; the categories it may read are the role's categories narrowed to the purpose's. Without a
/// purpose only <see cref="WithoutPurpose"/> (registers and aggregated figures) is available.
/// </summary>
public static class Purposes
{
    /// <summary>The request header that names the purpose of a request.</summary>
    public const string Header = "X-Purpose";

    /// <summary>Categories that involve no person and are available without a purpose.</summary>
    public static IReadOnlySet<DataCategory> WithoutPurpose { get; } = new HashSet<DataCategory> { Register, Cijfers };

    public static IReadOnlyList<ProcessingPurpose> All { get; } =
    [
        new()
        {
            Key = "aanpak-woonoverlast",
            Name = "Aanpak woonoverlast",
            Description = "Tackling neighbour nuisance at home: the woonoverlast case, the dwelling, tenancy measures and the incidents around it. Covers no care data.",
            LegalGround = "Gemeentewet art. 151d (woonoverlast) and 172 (openbare orde); Politiewet 2012 art. 3; AVG art. 6(1)(e); convenant woonoverlast",
            Roles = Set(HubRole.GemeenteCoordinator, HubRole.GemeenteHandhaving, HubRole.Politie, HubRole.Woningcorporatie),
            Categories = Set(Identiteit, Adres, Politie, Huisvesting, Casus, Melding, Interventie, Handhaving, Locatie),
            RetentionYears = 2,
            CaseKinds = new HashSet<CaseKind> { CaseKind.Woonoverlast },
        },
        new()
        {
            Key = "casusoverleg-zorg-en-veiligheid",
            Name = "Casusoverleg zorg en veiligheid",
            Description = "The lokale kamer's and the Zorg- en Veiligheidshuis's joint work on a person with multi-problems: all domains, care data included.",
            LegalGround = "Convenant Zorg- en Veiligheidshuis; AVG art. 6(1)(e) and 9(2)(g); Wet verplichte ggz; Wmo 2015 art. 5.2.1",
            Roles = Set(HubRole.GemeenteCoordinator, HubRole.Politie, HubRole.Woningcorporatie, HubRole.Zorgaanbieder, HubRole.ZvhProcesregisseur),
            Categories = Set(Identiteit, Adres, Zorg, Politie, Huisvesting, Casus, Melding, Interventie, Locatie),
            RetentionYears = 5,
            CaseKinds = new HashSet<CaseKind> { CaseKind.ZorgEnVeiligheid },
        },
        new()
        {
            Key = "aanpak-jeugdoverlast",
            Name = "Aanpak jeugdoverlast",
            Description = "Tackling nuisance by groups of young people in public space. Covers no care or housing data.",
            LegalGround = "Gemeentewet art. 172 (openbare orde); Politiewet 2012 art. 3; AVG art. 6(1)(e)",
            Roles = Set(HubRole.GemeenteCoordinator, HubRole.GemeenteHandhaving, HubRole.Politie),
            Categories = Set(Identiteit, Adres, Politie, Casus, Melding, Interventie, Handhaving, Locatie),
            RetentionYears = 2,
            CaseKinds = new HashSet<CaseKind> { CaseKind.Jeugdoverlast },
        },
        new()
        {
            Key = "ondermijning",
            Name = "Aanpak ondermijning",
            Description = "The administrative approach to organised, subversive crime with the RIEC partners. Covers no care data.",
            LegalGround = "Gemeentewet art. 174a; Opiumwet art. 13b; Wet Bibob; RIEC-convenant; AVG art. 6(1)(e) and 10",
            Roles = Set(HubRole.GemeenteCoordinator, HubRole.GemeenteHandhaving, HubRole.Politie, HubRole.Woningcorporatie),
            Categories = Set(Identiteit, Adres, Politie, Huisvesting, Casus, Melding, Interventie, Handhaving, Locatie),
            RetentionYears = 7,
            CaseKinds = new HashSet<CaseKind> { CaseKind.Ondermijning },
        },
        new()
        {
            Key = "handhaving-openbare-ruimte",
            Name = "Handhaving openbare ruimte",
            Description = "Enforcement in public space: incidents, inspections and fines (for example illegal waste dumping). Covers no persons.",
            LegalGround = "Gemeentewet art. 125 and 154b (bestuurlijke boete); APV; Afvalstoffenverordening; AVG art. 6(1)(e)",
            Roles = Set(HubRole.GemeenteHandhaving, HubRole.GemeenteCoordinator),
            Categories = Set(Casus, Melding, Interventie, Handhaving, Locatie),
            RetentionYears = 2,
        },
        new()
        {
            Key = "wijkveiligheidsanalyse",
            Name = "Wijkveiligheidsanalyse",
            Description = "Figures for the wijkveiligheidsoverleg (hotcrimes, hotspots, hottimes). Never a person.",
            LegalGround = "Gemeentewet art. 172; AVG art. 6(1)(e) and 89 (statistics, aggregated)",
            Roles = Set(HubRole.GemeenteAnalist, HubRole.BiLezer, HubRole.GemeenteCoordinator, HubRole.GemeenteHandhaving),
            Categories = Set(Cijfers, Melding, Locatie),
            RetentionYears = 1,
        },
        new()
        {
            Key = "inzageverzoek",
            Name = "Inzageverzoek betrokkene",
            Description = "Answering a data subject's request to see who processed their data, when and why.",
            LegalGround = "AVG art. 15 (recht van inzage)",
            Roles = Set(HubRole.PrivacyFunctionaris),
            Categories = Set(Verwerkingslog),
            RetentionYears = 5,
        },
        new()
        {
            Key = "toezicht-verwerkingen",
            Name = "Toezicht op verwerkingen",
            Description = "The privacy officer's supervision of the processing in the hub.",
            LegalGround = "AVG art. 38 and 39 (taken van de functionaris gegevensbescherming)",
            Roles = Set(HubRole.PrivacyFunctionaris),
            Categories = Set(Verwerkingslog),
            RetentionYears = 5,
        },
    ];

    private static readonly Dictionary<string, ProcessingPurpose> ByKey = All.ToDictionary(p => p.Key, StringComparer.Ordinal);

    public static ProcessingPurpose? Find(string? key) => key is not null && ByKey.TryGetValue(key, out var purpose) ? purpose : null;

    public static ProcessingPurpose Get(string key) => Find(key) ?? throw new ArgumentException($"No purpose '{key}' is registered.", nameof(key));

    /// <summary>The purposes a role may invoke, in register order.</summary>
    public static IEnumerable<ProcessingPurpose> For(HubRole role) => All.Where(p => p.MayBeInvokedBy(role));

    /// <summary>The purpose under which the role reads the most categories (first in the register on a tie); null when it may invoke none.</summary>
    public static ProcessingPurpose? BroadestFor(HubRole role) => For(role).OrderByDescending(p => Effective(role, p).Count).FirstOrDefault();

    /// <summary>What a role may read under a purpose (or without one): the role's categories narrowed to the purpose's.</summary>
    /// <remarks>
    /// Worked out once per role and registered purpose (every request asks, and both registers are fixed); a purpose made
    /// outside the register is worked out each time.
    /// </remarks>
    public static IReadOnlySet<DataCategory> Effective(HubRole role, ProcessingPurpose? purpose)
        => purpose is null || ReferenceEquals(Find(purpose.Key), purpose)
            ? EffectiveSets.GetOrAdd((role, purpose?.Key), static (key, p) => WorkOutEffective(key.Role, p), purpose)
            : WorkOutEffective(role, purpose);

    private static readonly ConcurrentDictionary<(HubRole Role, string? Purpose), FrozenSet<DataCategory>> EffectiveSets = new();

    private static FrozenSet<DataCategory> WorkOutEffective(HubRole role, ProcessingPurpose? purpose)
    {
        var allowed = new HashSet<DataCategory>(AccessPolicy.Roles[role].Categories);
        var covered = new HashSet<DataCategory>(WithoutPurpose);
        if (purpose is not null && purpose.MayBeInvokedBy(role)) covered.UnionWith(purpose.Categories);
        allowed.IntersectWith(covered);
        return allowed.ToFrozenSet();
    }

    /// <summary>The retention term of a case of this kind: the term of the purpose it is handled under.</summary>
    public static int RetentionYearsFor(CaseKind kind)
        => All.FirstOrDefault(p => p.CaseKinds.Contains(kind))?.RetentionYears
           ?? throw new InvalidOperationException($"No purpose governs cases of kind {kind}.");

    private static HashSet<T> Set<T>(params T[] values) => [.. values];
}
