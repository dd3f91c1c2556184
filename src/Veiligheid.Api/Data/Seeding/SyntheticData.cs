using Veiligheid.Cases;
using Veiligheid.Incidents;
using Veiligheid.Interventions;
using Veiligheid.Locations;
using Veiligheid.Organisations;
using Veiligheid.Persons;

namespace Veiligheid.Data.Seeding;

/// <summary>
/// A generated synthetic data set for the fictional municipality Veiligstad (GM9999). Entities carry their ids and
/// foreign keys only (no navigations), ready for <see cref="SeedWriter"/>. Incidents, the one set that gets huge, are
/// produced lazily: enumerating <see cref="Incidents"/> twice gives the same rows again.
/// </summary>
public sealed class SyntheticDataSet
{
    private readonly Func<IEnumerable<Incident>> _incidents;

    internal SyntheticDataSet(SeedOptions options, Func<IEnumerable<Incident>> incidents)
    {
        Options = options;
        _incidents = incidents;
    }

    public SeedOptions Options { get; }
    public required IReadOnlyList<Organisation> Organisations { get; init; }
    public required IReadOnlyList<District> Districts { get; init; }
    public required IReadOnlyList<Neighbourhood> Neighbourhoods { get; init; }
    public required IReadOnlyList<Location> Locations { get; init; }
    public required IReadOnlyList<Person> Persons { get; init; }
    public required IReadOnlyList<LifeDomainScore> LifeDomainScores { get; init; }
    public required IReadOnlyList<PoliceSignal> PoliceSignals { get; init; }
    public required IReadOnlyList<Tenancy> Tenancies { get; init; }
    public required IReadOnlyList<Consent> Consents { get; init; }
    public required IReadOnlyList<Case> Cases { get; init; }
    public required IReadOnlyList<CaseSubject> CaseSubjects { get; init; }
    public required IReadOnlyList<CaseLocation> CaseLocations { get; init; }
    public required IReadOnlyList<CaseParticipant> CaseParticipants { get; init; }
    public required IReadOnlyList<CaseStatusChange> CaseStatusChanges { get; init; }
    public required IReadOnlyList<CaseContribution> CaseContributions { get; init; }
    public required IReadOnlyList<Intervention> Interventions { get; init; }

    /// <summary>The number of incidents <see cref="Incidents"/> yields.</summary>
    public int IncidentCount => Options.Incidents;

    /// <summary>Incidents in id order (which is also time order), each with its <see cref="Incident.Persons"/> rows.</summary>
    public IEnumerable<Incident> Incidents => _incidents();
}

/// <summary>The deterministic synthetic data generator: one code path for the demo seed and the benchmark sets.</summary>
public static class SyntheticData
{
    /// <summary>CBS code of the fictional municipality.</summary>
    public const string MunicipalityCode = "GM9999";

    /// <summary>The municipality's name, used as the place of every address.</summary>
    public const string MunicipalityName = "Veiligstad";

    /// <summary>The last moment (Dutch time) of the generated period; fixed, so the data never depends on today.</summary>
    public static readonly DateTime PeriodEndLocal = new(2026, 10, 31, 23, 59, 59, DateTimeKind.Unspecified);

    /// <summary>The first day (Dutch time) of the two generated years.</summary>
    public static readonly DateTime PeriodStartLocal = new(2024, 11, 1, 0, 0, 0, DateTimeKind.Unspecified);

    /// <summary>Generates the data set for <paramref name="options"/>; the same options always give the same data.</summary>
    public static SyntheticDataSet Generate(SeedOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        options.Validate();
        return new SyntheticGenerator(options).Generate();
    }
}
