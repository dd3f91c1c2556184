using System.Diagnostics;
using System.Globalization;
using GraphQL;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using Veiligheid.Access;
using Veiligheid.Accountability;
using Veiligheid.GraphQL;
using Veiligheid.GraphQL.Compiled;

namespace Veiligheid.Benchmarks;

/// <summary>
/// Where a plan-cache hit's time goes, for the read cases 1–3: the hand-written limit statement(s), the hub's compiled
/// statement replayed on a bare connection, the whole request without the processing log (also on hubs with context
/// pooling and kept statements switched off: the before and after in one process), and that request's .NET steps one by
/// one (scope and pooled DbContext, trusted-documents flag and statement on a kept connection, plan key, JSON pass,
/// response writing, scope disposal; a cache hit opens no connection of its own). All interleaved round by round, so a change in the machine's load hits every
/// column alike; medians. Not a BenchmarkDotNet suite: the steps only mean something in their order inside one request.
/// Run: <c>VEILIGHEID_BENCH_DB=&lt;copy&gt; dotnet run -c Release --project tests/Veiligheid.Benchmarks -- profile-read [rounds] [case…]</c>
/// (cases: person, cases, incidents; <c>PROFILE_SQL=1</c> prints the hub's statement).
/// </summary>
public static class ReadProfile
{
    public static async Task RunAsync(string[] args, TextWriter output)
    {
        var rounds = args.Length > 0 && int.TryParse(args[0], CultureInfo.InvariantCulture, out var r) ? r : 300;
        var cases = args.SkipWhile(a => int.TryParse(a, CultureInfo.InvariantCulture, out _)).ToArray();
        if (cases.Length == 0) cases = ["person", "cases", "incidents"];
        foreach (var name in cases)
        {
            ReadPathBenchmark bench = name switch
            {
                "person" => new PersonOverviewBenchmarks(),
                "cases" => new CasesPageBenchmarks(),
                "incidents" => new IncidentsPageBenchmarks(),
                _ => throw new ArgumentException($"unknown case {name}"),
            };
            bench.Setup(); // throws unless hub, reference, limit and conventional answer the same JSON
            try
            {
                await ProfileAsync(name, bench, rounds, output);
            }
            finally
            {
                bench.Cleanup();
            }
        }
    }

    private static async Task ProfileAsync(string name, ReadPathBenchmark bench, int rounds, TextWriter output)
    {
        var recorder = new StatementRecorder();
        using var hub = new HubInProcess(BenchmarkDatabase.WritableCopy(), recorder);
        var caller = bench.Reading;
        var query = bench.Operation;
        for (var i = 0; i < 3; i++) await hub.JsonWithoutLogAsync(caller, query);
        recorder.Enabled = true;
        await hub.JsonWithoutLogAsync(caller, query);
        recorder.Enabled = false;
        await output.WriteLineAsync($"== {name}: {recorder.Statements.Count} statement(s) through EF Core's reader pipeline on a cache hit (the trusted-documents flag and the compiled statement)");
        // The columns below replay the compiled statement; the flag has its own step.
        recorder.Statements.RemoveAll(s => s.Sql.Contains("TrustedDocumentsOnly", StringComparison.Ordinal));
        if (Environment.GetEnvironmentVariable("PROFILE_SQL") == "1")
        {
            foreach (var (sql, parameters) in recorder.Statements)
            {
                await output.WriteLineAsync(sql);
                await output.WriteLineAsync("-- " + string.Join(", ", parameters.Select(p => $"{p.Name}={p.Value}")));
            }
        }
        using var bare = Sql.Open(BenchmarkDatabase.Path);
        var extra = bench.ExtraBaselines();
        var columns = new List<(string Name, Func<Task> Run)>
        {
            ("limit statement", () => { bench.Limit(); return Task.CompletedTask; }),
        };
        columns.AddRange(extra.Select(e => (e.Name, (Func<Task>)(() => { e.Run(); return Task.CompletedTask; }))));
        columns.Add(("hub statement replayed", () => { recorder.Replay(bare); return Task.CompletedTask; }));
        // The replay prepares the statement anew each time, as every request does (a new command per request); these two
        // columns split that into SQLite's prepare (parse and plan) and the run of an already prepared statement.
        var (hubSql, hubParameters) = recorder.Statements[^1];
        Task PrepareOnly()
        {
            using var command = Command(bare, hubSql, hubParameters);
            command.Prepare();
            return Task.CompletedTask;
        }
        columns.Add(("hub statement: prepare only", PrepareOnly));
        using var prepared = Command(bare, hubSql, hubParameters);
        prepared.Prepare();
        columns.Add(("hub statement: run prepared", () => { _ = prepared.ExecuteScalar(); return Task.CompletedTask; }));
        columns.Add(("hub request, no log", () => hub.JsonWithoutLogAsync(caller, query)));
        // The same request on hubs with this round's switches off, interleaved with the above: the before/after in one process.
        using var before = new HubInProcess(BenchmarkDatabase.WritableCopy(), settings: Switches(pool: false, prepared: false));
        using var poolOnly = new HubInProcess(BenchmarkDatabase.WritableCopy(), settings: Switches(pool: true, prepared: false));
        using var preparedOnly = new HubInProcess(BenchmarkDatabase.WritableCopy(), settings: Switches(pool: false, prepared: true));
        foreach (var other in new[] { before, poolOnly, preparedOnly })
        {
            for (var i = 0; i < 3; i++) await other.JsonWithoutLogAsync(caller, query);
        }
        columns.Add(("  same, contexts not pooled, not kept", () => before.JsonWithoutLogAsync(caller, query)));
        columns.Add(("  same, contexts pooled only", () => poolOnly.JsonWithoutLogAsync(caller, query)));
        columns.Add(("  same, statements kept only", () => preparedOnly.JsonWithoutLogAsync(caller, query)));
        var steps = new Steps(hub, caller, query);
        columns.Add(("hub request in steps", steps.RunAsync));

        var times = columns.ToDictionary(c => c.Name, _ => new List<double>());
        for (var round = 0; round < rounds + 20; round++)
        {
            // A rotating order, so no column always follows the same one.
            for (var k = 0; k < columns.Count; k++)
            {
                var (columnName, run) = columns[(k + round) % columns.Count];
                var start = Stopwatch.GetTimestamp();
                await run();
                if (round >= 20) times[columnName].Add(Stopwatch.GetElapsedTime(start).TotalMilliseconds);
            }
        }
        foreach (var (columnName, list) in times) await output.WriteLineAsync($"{columnName,-40} {Median(list),8:F3} ms  (p90 {Percentile(list, 0.9):F3})");
        foreach (var (step, list) in steps.Times) await output.WriteLineAsync($"  step {step,-34} {Median(list),8:F3} ms  (p90 {Percentile(list, 0.9):F3})");
    }

    private static Dictionary<string, string?> Switches(bool pool, bool prepared) => new()
    {
        ["Database:PoolContexts"] = pool ? "true" : "false",
        ["GraphQL:CompiledReads:SqlitePrepared"] = prepared ? "true" : "false",
    };

    private static Microsoft.Data.Sqlite.SqliteCommand Command(Microsoft.Data.Sqlite.SqliteConnection connection, string sql, List<(string Name, object? Value)> parameters)
    {
        var command = connection.CreateCommand();
        command.CommandText = sql;
        foreach (var (name, value) in parameters) command.Parameters.AddWithValue(name, value ?? DBNull.Value);
        return command;
    }

    private static double Median(List<double> values) => Percentile(values, 0.5);

    private static double Percentile(List<double> values, double p)
    {
        var sorted = values.Order().ToList();
        return sorted.Count == 0 ? double.NaN : sorted[(int)Math.Min(sorted.Count - 1, Math.Floor(p * sorted.Count))];
    }

    /// <summary>One cache-hit request as <see cref="GraphQLRequestExecutor.RunWithoutLogAsync"/> runs it, timed per step.</summary>
    private sealed class Steps(HubInProcess hub, Caller caller, string query)
    {
        private readonly IGraphQLTextSerializer _serializer = hub.Services.GetRequiredService<IGraphQLTextSerializer>();
        private readonly ReadPlanCache _plans = hub.Services.GetRequiredService<ReadPlanCache>();
        private readonly TrustedDocumentStore _documents = hub.Services.GetRequiredService<TrustedDocumentStore>();

        public Dictionary<string, List<double>> Times { get; } = [];

        public async Task RunAsync()
        {
            var mark = Stopwatch.GetTimestamp();
            void Step(string name)
            {
                var now = Stopwatch.GetTimestamp();
                if (!Times.TryGetValue(name, out var list)) Times[name] = list = [];
                list.Add(Stopwatch.GetElapsedTime(mark, now).TotalMilliseconds);
                mark = Stopwatch.GetTimestamp();
            }
            var request = new GraphQLRequest(query, null, null, null);
            var scope = hub.Services.CreateAsyncScope();
            var executor = scope.ServiceProvider.GetRequiredService<GraphQLRequestExecutor>();
            Step("1 scope, executor, DbContext");
            var access = AccessPolicy.For(caller);
            Step("2a caller access (policy, purpose)");
            var context = executor.ContextFor(request, access);
            Step("2b request context (pooled DbContext's use)");
            context.TrustedDocumentsOnly = await TrustedDocumentMode.ReadAsync(context.Db, access.Caller.OrganisationId, CancellationToken.None, context.PreparedReads);
            Step("3 trusted-documents flag (kept statement)");
            var (document, documentId) = TrustedDocumentHandler.AdmittedText(_documents, request, access.Caller.OrganisationKey, false)!.Value;
            var key = _plans.MayHold(document) ? ReadPlanCache.KeyOf(access.Caller, document, documentId, request) : null;
            if (key is null || !_plans.TryGet(key, out var plan) || !plan.Compiled) throw new InvalidOperationException("no cached plan");
            Step("4 plan key and look-up");
            var result = await CompiledReadStrategy.ServeAsync(plan, context, CancellationToken.None);
            Step("5 statement (kept) + JSON pass");
            _ = _serializer.Serialize(result);
            Step("6 response written (string)");
            await scope.DisposeAsync();
            Step("7 scope disposed (context back to its pool)");
        }
    }
}

/// <summary>
/// Two or more recorded statements (as <c>profile-read</c> prints them with PROFILE_SQL=1: the SQL, then a line
/// "-- @v0=…, @v1=…") replayed interleaved on one bare connection, each prepared anew per run as a request does; for a
/// before/after of the compiled SQL within one process. Run: <c>… -- replay-compare rounds file1 file2 …</c>.
/// </summary>
public static class ReplayCompare
{
    public static void Run(string[] args, TextWriter output)
    {
        var rounds = int.Parse(args[0], CultureInfo.InvariantCulture);
        var files = args[1..];
        var statements = files.Select(Read).ToList();
        using var connection = Sql.Open(BenchmarkDatabase.Path);
        var times = files.Select(_ => new List<double>()).ToList();
        string?[] results = new string?[files.Length];
        for (var round = 0; round < rounds + 10; round++)
        {
            for (var k = 0; k < files.Length; k++)
            {
                var i = (k + round) % files.Length;
                var start = Stopwatch.GetTimestamp();
                using (var command = connection.CreateCommand())
                {
                    command.CommandText = statements[i].Sql;
                    foreach (var (name, value) in statements[i].Parameters) command.Parameters.AddWithValue(name, value);
                    results[i] = command.ExecuteScalar() as string;
                }
                if (round >= 10) times[i].Add(Stopwatch.GetElapsedTime(start).TotalMilliseconds);
            }
        }
        for (var i = 0; i < files.Length; i++)
        {
            var sorted = times[i].Order().ToList();
            output.WriteLine($"{files[i],-50} median {sorted[sorted.Count / 2],7:F3} ms  p25 {sorted[sorted.Count / 4],7:F3}  min {sorted[0],7:F3}  ({results[i]?.Length} chars)");
        }
    }

    private static (string Sql, List<(string Name, object Value)> Parameters) Read(string file)
    {
        var lines = File.ReadAllLines(file);
        var parameters = lines[^1].TrimStart('-', ' ').Split(", ", StringSplitOptions.RemoveEmptyEntries)
            .Select(p => p.Split('=', 2))
            .Select(p => (p[0], long.TryParse(p[1], CultureInfo.InvariantCulture, out var n) ? (object)n : p[1]))
            .ToList();
        return (string.Join('\n', lines[..^1]), parameters);
    }
}
