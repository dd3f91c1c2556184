using BenchmarkDotNet.Attributes;
using Microsoft.Data.Sqlite;
using Veiligheid.Access;
using Veiligheid.Data.Seeding;

namespace Veiligheid.Benchmarks;

/// <summary>
/// Where the hub's time goes for each case: the whole path (execute + serialize), execution alone (EF Core + GraphQL
/// resolvers), and the SQL alone (the exact statements the hub sent, recorded once and replayed on a bare connection,
/// every column of every row read). Serialization = whole − execution; EF Core materialisation and GraphQL execution =
/// execution − SQL.
/// </summary>
[MemoryDiagnoser]
[System.Diagnostics.CodeAnalysis.SuppressMessage("Design", "CA1001", Justification = "BenchmarkDotNet disposes in [GlobalCleanup].")]
public class HubProfileBenchmarks
{
    private HubInProcess _hub = null!;
    private StatementRecorder _recorder = null!;
    private SqliteConnection _connection = null!;
    private Caller _caller = null!;
    private string _query = "";

    [Params("cases", "incidents", "person")]
    public string Case { get; set; } = "cases";

    [GlobalSetup]
    public void Setup()
    {
        _recorder = new StatementRecorder();
        _hub = new HubInProcess(BenchmarkDatabase.Ensure(), _recorder);
        _connection = Sql.Open(BenchmarkDatabase.Path);
        (_caller, _query) = Case switch
        {
            "cases" => (_hub.CallerOf(HubRole.GemeenteCoordinator, DemoOrganisations.GemeenteVeiligstad), CasesPageBenchmarks.Query),
            "incidents" => (_hub.CallerOf(HubRole.Politie, DemoOrganisations.PolitieNoord), IncidentsPageBenchmarks.Query),
            _ => (_hub.CallerOf(HubRole.Politie, DemoOrganisations.PolitieNoord), PersonOverviewBenchmarks.QueryFor(_connection)),
        };
        _hub.JsonAsync(_caller, _query).GetAwaiter().GetResult();
        _recorder.Enabled = true;
        _hub.JsonAsync(_caller, _query).GetAwaiter().GetResult();
        _recorder.Enabled = false;
        Console.WriteLine($"// {Case}: the hub sent {_recorder.Statements.Count} statements");
        foreach (var (sql, _) in _recorder.Statements) Console.WriteLine("// ---\n// " + sql.ReplaceLineEndings("\n// "));
    }

    [GlobalCleanup]
    public void Cleanup()
    {
        _hub.Dispose();
        _connection.Dispose();
    }

    [Benchmark(Description = "whole: execute + serialize")]
    public Task<string> Whole() => _hub.JsonAsync(_caller, _query);

    [Benchmark(Description = "execute only (EF Core + GraphQL)")]
    public Task<global::GraphQL.ExecutionResult> Execute() => _hub.ExecuteAsync(_caller, _query);

    [Benchmark(Description = "SQL only (the hub's statements replayed)")]
    public int Statements() => _recorder.Replay(_connection);
}
