using System.Globalization;
using BenchmarkDotNet.Attributes;
using BenchmarkDotNet.Configs;
using BenchmarkDotNet.Engines;
using BenchmarkDotNet.Jobs;
using BenchmarkDotNet.Toolchains.InProcess.Emit;
using Dapper;
using Microsoft.Data.Sqlite;
using Microsoft.EntityFrameworkCore;
using Veiligheid.Access;
using Veiligheid.Data;
using Veiligheid.Data.Seeding;
using Veiligheid.Figures;

namespace Veiligheid.Benchmarks;

/// <summary>
/// Each figure through the hub's code (FigureQueries: EF Core LINQ GROUP BY, area lookup, suppression) beside a
/// hand-written SQL GROUP BY that returns the same counts, over one year (2025) of the 1,000,000-incident dataset on
/// SQLite. The hotspots and hotcrimes also count the previous year. GlobalSetup checks that both give the same numbers.
/// Run: VEILIGHEID_BENCH_DB=/tmp/veiligheid-bench.db dotnet run -c Release --project tests/Veiligheid.Benchmarks -- --filter '*Figures*'
/// </summary>
[Config(typeof(FiguresBenchmarkConfig))]
[MemoryDiagnoser]
public class FiguresBenchmarks : IDisposable
{
    private static readonly DateOnly From = new(2025, 1, 1);
    private static readonly DateOnly To = new(2025, 12, 31);
    private static readonly FigureParameters Year = new(From, To, [], [], []);

    private SqliteVeiligheidDbContext _db = null!;
    private FigureQueries _figures = null!;
    private SqliteConnection _connection = null!;

    // Dutch time bounds of the year and the year before, and summer time of 2024 and 2025, as the SQL needs them.
    private static readonly DateTime PreviousFromUtc = DutchTime.ToUtc(new DateTime(2024, 1, 1));
    private static readonly DateTime FromUtc = DutchTime.ToUtc(new DateTime(2025, 1, 1));
    private static readonly DateTime ToUtc = DutchTime.ToUtc(new DateTime(2026, 1, 1));
    private static readonly (DateTime Start, DateTime End) Summer2025 = DutchTime.SummerTime(2025);

    /// <summary>The figures' indexes (the FigureIndexes migration), for a dataset file made before it.</summary>
    internal const string FigureIndexesSql = """
        CREATE INDEX IF NOT EXISTS "IX_Incidents_OccurredAt_NeighbourhoodId_Category" ON "Incidents" ("OccurredAt", "NeighbourhoodId", "Category");
        CREATE INDEX IF NOT EXISTS "IX_Cases_EscalatedAt" ON "Cases" ("EscalatedAt");
        CREATE INDEX IF NOT EXISTS "IX_Cases_ClosedAt" ON "Cases" ("ClosedAt");
        CREATE INDEX IF NOT EXISTS "IX_Interventions_StartDate_Kind_Status" ON "Interventions" ("StartDate", "Kind", "Status");
        ANALYZE;
        """;

    [GlobalSetup]
    public void Setup()
    {
        var path = BenchmarkDatabase.Ensure();
        _connection = new SqliteConnection(BenchmarkDatabase.ConnectionString);
        _connection.Open();
        _connection.Execute(FigureIndexesSql);
        _db = DatabaseSetup.OpenSqlite(path);
        _db.ChangeTracker.QueryTrackingBehavior = QueryTrackingBehavior.NoTracking;
        _figures = new FigureQueries(_db, AccessPolicy.Roles[HubRole.GemeenteAnalist].Figures!, new FiguresOptions { RoundingBase = 1 }, CellKeyRounding.Development(roundingBase: 1)); // exact, for Verify against the SQL
        Verify();
    }

    [GlobalCleanup]
    public void Dispose()
    {
        _db?.Dispose();
        _connection?.Dispose();
        GC.SuppressFinalize(this);
    }

    // ---- hotspots ---------------------------------------------------------------------------------------------

    [Benchmark(Description = "hotspots: hub")]
    public Task<HotspotTable> Hotspots() => _figures.HotspotsAsync(Year, default);

    [Benchmark(Description = "hotspots: SQL")]
    public List<(long Neighbourhood, long Current, long Previous)> HotspotsSql() => _connection.Query<(long, long, long)>("""
        SELECT NeighbourhoodId, COUNT(CASE WHEN OccurredAt >= @FromUtc THEN 1 END), COUNT(CASE WHEN OccurredAt < @FromUtc THEN 1 END)
        FROM Incidents WHERE OccurredAt >= @PreviousFromUtc AND OccurredAt < @ToUtc
        GROUP BY NeighbourhoodId
        """, new { PreviousFromUtc, FromUtc, ToUtc }).AsList();

    // ---- hotcrimes --------------------------------------------------------------------------------------------

    [Benchmark(Description = "hotcrimes: hub")]
    public Task<HotcrimeTable> Hotcrimes() => _figures.HotcrimesAsync(Year, default);

    [Benchmark(Description = "hotcrimes: SQL")]
    public List<(string Category, long Current, long Previous)> HotcrimesSql() => _connection.Query<(string, long, long)>("""
        SELECT Category, COUNT(CASE WHEN OccurredAt >= @FromUtc THEN 1 END), COUNT(CASE WHEN OccurredAt < @FromUtc THEN 1 END)
        FROM Incidents WHERE OccurredAt >= @PreviousFromUtc AND OccurredAt < @ToUtc
        GROUP BY Category
        """, new { PreviousFromUtc, FromUtc, ToUtc }).AsList();

    // ---- hottimes ---------------------------------------------------------------------------------------------

    [Benchmark(Description = "hottimes: hub")]
    public Task<HottimeTable> Hottimes() => _figures.HottimesAsync(Year, default);

    /// <summary>What one writes by hand in SQLite: shift to Dutch time with a modifier, then strftime weekday and hour.</summary>
    [Benchmark(Description = "hottimes: SQL")]
    public List<(string Weekday, string Hour, long Count)> HottimesSql() => _connection.Query<(string, string, long)>("""
        SELECT strftime('%w', OccurredAt, m) AS Weekday, strftime('%H', OccurredAt, m) AS Hour, COUNT(*)
        FROM (SELECT OccurredAt, CASE WHEN OccurredAt >= @SummerStart AND OccurredAt < @SummerEnd THEN '+2 hours' ELSE '+1 hours' END AS m
              FROM Incidents WHERE OccurredAt >= @FromUtc AND OccurredAt < @ToUtc)
        GROUP BY Weekday, Hour
        """, new { FromUtc, ToUtc, SummerStart = Summer2025.Start, SummerEnd = Summer2025.End }).AsList();

    // ---- trends -----------------------------------------------------------------------------------------------

    [Benchmark(Description = "trends: hub")]
    public Task<TrendTable> Trends() => _figures.TrendsAsync(Year, default);

    [Benchmark(Description = "trends: SQL")]
    public List<(string Month, string Category, long Neighbourhood, long Count)> TrendsSql() => _connection.Query<(string, string, long, long)>("""
        SELECT strftime('%Y-%m', OccurredAt, m) AS Month, Category, NeighbourhoodId, COUNT(*)
        FROM (SELECT OccurredAt, Category, NeighbourhoodId,
                     CASE WHEN OccurredAt >= @SummerStart AND OccurredAt < @SummerEnd THEN '+2 hours' ELSE '+1 hours' END AS m
              FROM Incidents WHERE OccurredAt >= @FromUtc AND OccurredAt < @ToUtc)
        GROUP BY Month, Category, NeighbourhoodId
        """, new { FromUtc, ToUtc, SummerStart = Summer2025.Start, SummerEnd = Summer2025.End }).AsList();

    // ---- cases ------------------------------------------------------------------------------------------------

    [Benchmark(Description = "cases: hub")]
    public Task<CaseFigureTable> Cases() => _figures.CasesAsync(Year, default);

    private const string CaseScope = "Confidentiality <= 4 /* Vertrouwelijk: levels are stored as their order */ AND Kind <> 'Ondermijning'";

    private static string CaseQuery(string column, string extraKey) => $"""
        SELECT strftime('%Y', {column}, m) || '-Q' || ((CAST(strftime('%m', {column}, m) AS INTEGER) + 2) / 3) AS Quarter, Kind{extraKey}, COUNT(*)
        FROM (SELECT {column}, Kind, Outcome,
                     CASE WHEN {column} >= @SummerStart AND {column} < @SummerEnd THEN '+2 hours' ELSE '+1 hours' END AS m
              FROM Cases WHERE {CaseScope} AND {column} >= @FromUtc AND {column} < @ToUtc{(extraKey.Length > 0 ? " AND Outcome IS NOT NULL" : "")})
        GROUP BY Quarter, Kind{extraKey}
        """;

    [Benchmark(Description = "cases: SQL")]
    public (List<(string, string, long)> Opened, List<(string, string, long)> Escalated, List<(string, string, string, long)> Closed) CasesSql()
    {
        var p = new { FromUtc, ToUtc, SummerStart = Summer2025.Start, SummerEnd = Summer2025.End };
        return (_connection.Query<(string, string, long)>(CaseQuery("OpenedAt", ""), p).AsList(),
            _connection.Query<(string, string, long)>(CaseQuery("EscalatedAt", ""), p).AsList(),
            _connection.Query<(string, string, string, long)>(CaseQuery("ClosedAt", ", Outcome"), p).AsList());
    }

    // ---- interventions ----------------------------------------------------------------------------------------

    [Benchmark(Description = "interventions: hub")]
    public Task<InterventionFigureTable> Interventions() => _figures.InterventionsAsync(Year, default);

    private const string InterventionScope = """
        i.Confidentiality <= 4 /* Vertrouwelijk: levels are stored as their order */
        AND i.Kind NOT IN ('Zorgtraject','Schuldhulpverlening')
        AND (i.CaseId IS NULL OR (c.Confidentiality <= 4 /* Vertrouwelijk: levels are stored as their order */ AND c.Kind <> 'Ondermijning'))
        AND i.StartDate >= '2025-01-01' AND i.StartDate <= '2025-12-31'
        """;

    [Benchmark(Description = "interventions: SQL")]
    public (List<(string, string, long)> ByKind, List<(string, string?, long)> Fines) InterventionsSql()
        => (_connection.Query<(string, string, long)>($"SELECT i.Kind, i.Status, COUNT(*) FROM Interventions i LEFT JOIN Cases c ON c.Id = i.CaseId WHERE {InterventionScope} GROUP BY i.Kind, i.Status").AsList(),
            _connection.Query<(string, string?, long)>($"SELECT i.FineObjection, i.FineCollection, COUNT(*) FROM Interventions i LEFT JOIN Cases c ON c.Id = i.CaseId WHERE {InterventionScope} AND i.Kind = 'BestuurlijkeBoete' AND i.FineObjection IS NOT NULL GROUP BY i.FineObjection, i.FineCollection").AsList());

    /// <summary>Both sides give the same counts: every published cell equals the hand-written SQL's, row for row.</summary>
    private void Verify()
    {
        var codes = _connection.Query<(long, string)>("SELECT Id, Code FROM Neighbourhoods").ToDictionary(x => x.Item1, x => x.Item2);
        static string Name<T>(T value) where T : struct, Enum => value.ToString();

        var hotspots = Hotspots().GetAwaiter().GetResult();
        Same("hotspots", hotspots.Rows.SelectMany(r => new[] { (r.AreaCode + "/cur", r.Count), (r.AreaCode + "/prev", r.PreviousCount) }),
            HotspotsSql().SelectMany(r => new[] { (codes[r.Neighbourhood] + "/cur", r.Current), (codes[r.Neighbourhood] + "/prev", r.Previous) }));
        var hotcrimes = Hotcrimes().GetAwaiter().GetResult();
        Same("hotcrimes", hotcrimes.Rows.SelectMany(r => new[] { (Name(r.Category) + "/cur", r.Count), (Name(r.Category) + "/prev", r.PreviousCount) }),
            HotcrimesSql().SelectMany(r => new[] { (r.Category + "/cur", r.Current), (r.Category + "/prev", r.Previous) }));
        var hottimes = Hottimes().GetAwaiter().GetResult();
        Same("hottimes", hottimes.Cells.Select(c => (string.Create(CultureInfo.InvariantCulture, $"{c.Weekday % 7}/{c.Hour:D2}"), c.Count)),
            HottimesSql().Select(r => ($"{r.Weekday}/{r.Hour}", r.Count)));
        var trends = Trends().GetAwaiter().GetResult();
        Same("trends", trends.Rows.Select(r => ($"{r.Month}/{Name(r.Category)}/{r.AreaCode}", r.Count)),
            TrendsSql().Select(r => ($"{r.Month}/{r.Category}/{codes[r.Neighbourhood]}", r.Count)));
        var cases = Cases().GetAwaiter().GetResult();
        var (opened, escalated, closed) = CasesSql();
        Same("cases", cases.Rows.SelectMany(r => new[]
            {
                ($"{r.Quarter}/{Name(r.Kind)}/opened", r.Opened), ($"{r.Quarter}/{Name(r.Kind)}/escalated", r.Escalated),
                ($"{r.Quarter}/{Name(r.Kind)}/OverlastGestopt", r.ClosedOverlastGestopt), ($"{r.Quarter}/{Name(r.Kind)}/AanvaardbaarNiveau", r.ClosedAanvaardbaarNiveau),
                ($"{r.Quarter}/{Name(r.Kind)}/NietOpgelost", r.ClosedNietOpgelost),
            }),
            opened.Select(r => ($"{r.Item1}/{r.Item2}/opened", r.Item3)).Concat(escalated.Select(r => ($"{r.Item1}/{r.Item2}/escalated", r.Item3)))
                .Concat(closed.Select(r => ($"{r.Item1}/{r.Item2}/{r.Item3}", r.Item4))));
        var interventions = Interventions().GetAwaiter().GetResult();
        var (byKind, fines) = InterventionsSql();
        Same("interventions", interventions.Rows.Select(r => ($"{Name(r.Kind)}/{Name(r.Status)}", r.Count)), byKind.Select(r => ($"{r.Item1}/{r.Item2}", r.Item3)));
        Same("fines", interventions.Fines.Select(r => ($"{Name(r.Objection)}/{r.Collection}", r.Count)), fines.Select(r => ($"{r.Item1}/{r.Item2}", r.Item3)));
    }

    private static void Same(string figure, IEnumerable<(string Key, FigureCount Count)> hub, IEnumerable<(string Key, long Count)> sql)
    {
        var expected = sql.Where(x => x.Count > 0).ToDictionary(x => x.Key, x => x.Count);
        var published = hub.Where(x => !x.Count.Suppressed && x.Count.Value > 0).ToList();
        var suppressed = hub.Count(x => x.Count.Suppressed);
        foreach (var (key, count) in published)
        {
            if (!expected.TryGetValue(key, out var value) || value != count.Value)
                throw new InvalidOperationException($"{figure}: {key} is {count.Value} in the hub and {(expected.TryGetValue(key, out var v) ? v : 0)} in SQL.");
        }
        if (published.Count + suppressed != expected.Count)
            throw new InvalidOperationException($"{figure}: the hub has {published.Count} published and {suppressed} suppressed cells, SQL {expected.Count} non-zero cells.");
        Console.WriteLine($"// {figure}: {published.Count} published cells equal to the SQL GROUP BY, {suppressed} suppressed");
    }
}

/// <summary>
/// Few, long iterations (each operation takes tens to hundreds of milliseconds), in process: on the shared 2-core
/// machine generating and building a separate benchmark project exceeds BenchmarkDotNet's build timeout.
/// </summary>
internal sealed class FiguresBenchmarkConfig : ManualConfig
{
    public FiguresBenchmarkConfig()
        => AddJob(Job.Default.WithStrategy(RunStrategy.Monitoring).WithLaunchCount(1).WithWarmupCount(2).WithIterationCount(9)
            .WithToolchain(InProcessEmitToolchain.Instance));
}
