using BenchmarkDotNet.Attributes;
using Microsoft.Data.Sqlite;
using Veiligheid.Access;

namespace Veiligheid.Benchmarks;

/// <summary>
/// One case of issue 5's read path: the hub on its compiled path and on its reference path (both writing the processing
/// log, as served) beside a hand-written limit statement and a conventional baseline, all on the same dataset. The setup
/// throws unless all four answer the same JSON.
/// </summary>
[MemoryDiagnoser]
[System.Diagnostics.CodeAnalysis.SuppressMessage("Design", "CA1001", Justification = "BenchmarkDotNet disposes in [GlobalCleanup].")]
public abstract class ReadPathBenchmark
{
    private HubInProcess _hub = null!;
    private HubInProcess _reference = null!;
    private string _query = "";

    /// <summary>The caller the case reads as.</summary>
    protected Caller Caller { get; private set; } = null!;

    /// <summary>The GraphQL operation the case sends (for <see cref="ReadProfile"/>).</summary>
    internal string Operation => _query;

    /// <summary>The caller the case reads as (for <see cref="ReadProfile"/>).</summary>
    internal Caller Reading => Caller;

    /// <summary>A plain connection to the dataset, for the baselines.</summary>
    protected SqliteConnection Connection { get; private set; } = null!;

    /// <summary>The role and organisation the case reads as.</summary>
    protected abstract (HubRole Role, string Organisation) Reader { get; }

    /// <summary>The GraphQL operation; may look up what it reads in the dataset.</summary>
    protected abstract string QueryOn(SqliteConnection connection);

    [GlobalSetup]
    public void Setup()
    {
        _hub = new HubInProcess(BenchmarkDatabase.WritableCopy());
        _reference = new HubInProcess(BenchmarkDatabase.WritableCopy(), compiledReads: false);
        Caller = _hub.CallerOf(Reader.Role, Reader.Organisation);
        Connection = Sql.Open(BenchmarkDatabase.Path);
        _query = QueryOn(Connection);
        var hub = Hub().GetAwaiter().GetResult();
        SameResponse.Assert("reference path", hub, HubReference().GetAwaiter().GetResult());
        SameResponse.Assert("limit", hub, Limit());
        SameResponse.Assert("conventional", hub, Conventional());
        foreach (var (name, run) in ExtraBaselines()) SameResponse.Assert(name, hub, run());
    }

    [GlobalCleanup]
    public void Cleanup()
    {
        _hub.Dispose();
        _reference.Dispose();
        Connection.Dispose();
    }

    [Benchmark(Description = "hub: compiled read path (one SQL statement), processing log written")]
    public Task<string> Hub() => _hub.JsonAsync(Caller, _query);

    [Benchmark(Description = "hub: compiled read path, without the processing log")]
    public Task<string> HubWithoutLog() => _hub.JsonWithoutLogAsync(Caller, _query);

    [Benchmark(Description = "hub: reference path (GraphQL.NET resolvers over EF Core), processing log written")]
    public Task<string> HubReference() => _reference.JsonAsync(Caller, _query);

    /// <summary>The best single statement by hand, JSON built in SQL (the benchmark's baseline).</summary>
    public abstract string Limit();

    /// <summary>ADO.NET/Dapper plus a serializer.</summary>
    public abstract string Conventional();

    /// <summary>Further hand-written statements of the case, each checked against the hub in the setup (none by default).</summary>
    internal virtual IReadOnlyList<(string Name, Func<string> Run)> ExtraBaselines() => [];
}
