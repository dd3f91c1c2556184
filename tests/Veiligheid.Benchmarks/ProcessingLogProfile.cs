using System.Diagnostics;
using System.Globalization;
using GraphQL;
using GraphQL.Types;
using Microsoft.Data.Sqlite;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.FileProviders;
using Microsoft.Extensions.Hosting;
using Veiligheid.Access;
using Veiligheid.Accountability;
using Veiligheid.Data;
using Veiligheid.Data.Seeding;
using Veiligheid.GraphQL;
using Veiligheid.Organisations;

namespace Veiligheid.Benchmarks;

/// <summary>
/// Where the processing log's time goes: the requests of <see cref="ProcessingLogBenchmarks"/>, and the steps of an append
/// timed one by one with a stopwatch (median of many runs). Not a BenchmarkDotNet suite: the steps only mean something in
/// their order inside one transaction. Run: <c>dotnet run -c Release --project tests/Veiligheid.Benchmarks -- profile-log</c>
/// (on a copy of VEILIGHEID_BENCH_DB, as the suite does).
/// </summary>
public static class ProcessingLogProfile
{
    private const string Purpose = "casusoverleg-zorg-en-veiligheid";

    /// <summary>The caller of every profiled request and record: the lokale kamer's coordinator of gemeente-veiligstad.</summary>
    private static readonly Caller Coordinator = new(HubRole.GemeenteCoordinator, DemoOrganisations.IdOf(DemoOrganisations.GemeenteVeiligstad),
        DemoOrganisations.GemeenteVeiligstad, OrganisationKind.Gemeente, DemoOrganisations.ClientAppIdFor(DemoOrganisations.GemeenteVeiligstad), null, Purpose);

    public static Task RunAsync(TextWriter output) => OnCopyAsync(path => ProfileAsync(path, output));

    /// <summary>
    /// How fast the background indexer copies the log into its index by data subject: appends <paramref name="records"/>
    /// records of random persons of the dataset (47 a request, chained as the hub chains them), then times the indexer's
    /// pass that copies them all into the empty index, as after the index's file was deleted or while it lags under load.
    /// Run: <c>dotnet run -c Release --project tests/Veiligheid.Benchmarks -- profile-index [records]</c>.
    /// </summary>
    /// <param name="persons">How many of the dataset's persons the records name (the first ones), all when null: the load test names the same 80 again and again.</param>
    public static Task RunIndexAsync(int records, TextWriter output, int? persons = null) => OnCopyAsync(path => ProfileIndexAsync(path, records, persons, output));

    /// <summary>Runs <paramref name="profile"/> on a copy of the benchmark database, deleted afterwards with its log's files.</summary>
    private static async Task OnCopyAsync(Func<string, Task> profile)
    {
        var copy = Path.Combine(Path.GetTempPath(), $"veiligheid-log-profile-{Environment.ProcessId}.db");
        BenchmarkDatabase.CopyTo(copy);
        try
        {
            await profile(copy);
        }
        finally
        {
            SqliteConnection.ClearAllPools();
            foreach (var file in DatabaseSetup.SqliteFiles(copy)) File.Delete(file);
        }
    }

    private static ServiceProvider HubServices(string path)
    {
        var configuration = new ConfigurationBuilder().AddInMemoryCollection(new Dictionary<string, string?> { ["Database:SqlitePath"] = path }).Build();
        var services = new ServiceCollection();
        services.AddLogging();
        services.AddSingleton<IHostEnvironment>(new ProfileEnvironment());
        services.AddSingleton<IConfiguration>(configuration);
        services.AddVeiligheidData(configuration);
        services.AddVeiligheidGraphQL();
        services.AddVeiligheidAccountability(configuration);
        return services.BuildServiceProvider();
    }

    private static async Task ProfileIndexAsync(string path, int records, int? distinct, TextWriter output)
    {
        await using var provider = HubServices(path);
        await using var scope = provider.CreateAsyncScope();
        var db = scope.ServiceProvider.GetRequiredService<VeiligheidDbContext>();
        await db.MigrateAsync();
        var log = scope.ServiceProvider.GetRequiredService<ProcessingLog>();
        var persons = await db.Persons.AsNoTracking().OrderBy(p => p.Id).Take(distinct ?? int.MaxValue).Select(p => new { p.Id, p.Bsn }).ToListAsync();
        var access = AccessPolicy.For(Coordinator);
        var random = new Random(7);
        const int perRequest = 47, requestsPerCommit = 40;
        var appended = 0;
        var appending = Stopwatch.StartNew();
        using (var writer = SqliteLogWriter.For(db) ?? throw new InvalidOperationException("The profile runs on a SQLite file."))
        {
            while (appended < records)
            {
                var requests = new List<List<ProcessingRecord>>();
                for (var r = 0; r < requestsPerCommit && appended < records; r++, appended += perRequest)
                {
                    var processed = new ProcessingCollector();
                    for (var p = 0; p < perRequest; p++)
                    {
                        var person = persons[random.Next(persons.Count)];
                        processed.Add(person.Id, DataCategory.Casus, person.Bsn);
                    }
                    requests.Add(await log.DraftAsync(db, access, "profile-index", processed, CancellationToken.None));
                }
                writer.Write((sequence, previous) => ProcessingLog.Chain(requests, sequence, previous));
            }
        }
        var total = await ProcessingLog.EndAsync(db, CancellationToken.None);
        var indexed = await db.Set<LogIndexRun>().CountAsync();
        await output.WriteLineAsync(string.Create(CultureInfo.InvariantCulture,
            $"appended {total:N0} records of {persons.Count:N0} persons in {appending.Elapsed.TotalSeconds:F1} s; index runs {indexed:N0}"));

        var indexer = provider.GetRequiredService<ProcessingLogIndexer>();
        var indexing = Stopwatch.StartNew();
        var copied = await indexer.IndexPendingAsync(CancellationToken.None);
        var seconds = indexing.Elapsed.TotalSeconds;
        await output.WriteLineAsync(string.Create(CultureInfo.InvariantCulture,
            $"indexed {copied:N0} records in {seconds:F2} s: {copied / seconds:N0} records/s, {seconds * 1e6 / copied:F1} µs a record (batches of {ProcessingLogIndexer.BatchSize:N0})"));
    }

    /// <summary>
    /// What one commit of the log's SQLite writer costs the thread that makes it, in CPU, not time: a request of
    /// <c>1</c> and of <c>80</c> records (a one-person read, case 2), appended by the writer in a loop on this thread
    /// (no request, no group commit, no thread hand-over), the thread's CPU read with <c>getrusage(RUSAGE_THREAD)</c>
    /// (Linux), which counts what the thread ran, exactly, and not the time it slept in the commit's fsync.
    /// Run: <c>dotnet run -c Release --project tests/Veiligheid.Benchmarks -- profile-commit</c>.
    /// </summary>
    public static Task RunCommitAsync(TextWriter output) => OnCopyAsync(path => ProfileCommitAsync(path, output));

    private static async Task ProfileCommitAsync(string path, TextWriter output)
    {
        if (!OperatingSystem.IsLinux()) throw new PlatformNotSupportedException("profile-commit reads the thread's CPU with Linux's getrusage.");
        await using var provider = HubServices(path);
        await using var scope = provider.CreateAsyncScope();
        var db = scope.ServiceProvider.GetRequiredService<VeiligheidDbContext>();
        await db.MigrateAsync();
        var log = scope.ServiceProvider.GetRequiredService<ProcessingLog>();
        var persons = await db.Persons.AsNoTracking().OrderBy(p => p.Id).Take(80).Select(p => new { p.Id, p.Bsn }).ToListAsync();
        var access = AccessPolicy.For(Coordinator);
        using var writer = SqliteLogWriter.For(db) ?? throw new InvalidOperationException("The profile runs on a SQLite file.");
        foreach (var perRequest in new[] { 1, 80 })
        {
            var processed = new ProcessingCollector();
            foreach (var person in persons.Take(perRequest)) processed.Add(person.Id, DataCategory.Casus, person.Bsn);
            var records = await log.DraftAsync(db, access, "profile-commit", processed, CancellationToken.None);
            const int commits = 1500;
            for (var round = 0; round < 3; round++) // the first warms up; all three are printed, to show the spread
            {
                var (cpu, switches) = ThreadUsage.Now();
                var wall = Stopwatch.StartNew();
                for (var i = 0; i < commits; i++) writer.Write((sequence, previous, packed) => ProcessingLog.Chain([records], sequence, previous, packedUtf8: packed));
                var (cpuAfter, switchesAfter) = ThreadUsage.Now();
                await output.WriteLineAsync(string.Create(CultureInfo.InvariantCulture,
                    $"{perRequest,2} records a commit: the thread's CPU {(cpuAfter - cpu).TotalMicroseconds / commits,6:F1} µs a commit, time {wall.Elapsed.TotalMicroseconds / commits,6:F1} µs, {(switchesAfter - switches) / (double)commits:F2} sleeps a commit"));
            }
        }
    }

    /// <summary>The calling thread's CPU time and how often it slept (voluntary context switches), from getrusage(RUSAGE_THREAD).</summary>
    private static class ThreadUsage
    {
        private const int RusageThread = 1;

        public static (TimeSpan Cpu, long Sleeps) Now()
        {
            if (GetRusage(RusageThread, out var usage) != 0) throw new InvalidOperationException("getrusage failed.");
            return (TimeSpan.FromMicroseconds((usage.UserSeconds + usage.SystemSeconds) * 1_000_000.0 + usage.UserMicroseconds + usage.SystemMicroseconds), usage.VoluntarySwitches);
        }

        [System.Runtime.InteropServices.DllImport("libc", EntryPoint = "getrusage")]
        private static extern int GetRusage(int who, out Rusage usage);

        // struct rusage on 64-bit Linux: two struct timeval, then fourteen longs (the last two: voluntary and involuntary switches).
        [System.Runtime.InteropServices.StructLayout(System.Runtime.InteropServices.LayoutKind.Sequential)]
        private struct Rusage
        {
            public long UserSeconds, UserMicroseconds, SystemSeconds, SystemMicroseconds;
            public long MaxRss, IxRss, IdRss, IsRss, MinFlt, MajFlt, NSwap, InBlock, OuBlock, MsgSnd, MsgRcv, NSignals, VoluntarySwitches, InvoluntarySwitches;
        }
    }

    private static async Task ProfileAsync(string path, TextWriter output)
    {
        await using var provider = HubServices(path);
        // The hub runs the log's subject indexer beside the requests (a hosted service); with PROFILE_LOG_INDEXER=1 this
        // profile does too, so its writes (no fsync of their own) land between the measured commits as they would.
        var indexer = Environment.GetEnvironmentVariable("PROFILE_LOG_INDEXER") == "1" ? provider.GetRequiredService<ProcessingLogIndexer>() : null;

        await using (var scope = provider.CreateAsyncScope())
        {
            var db = scope.ServiceProvider.GetRequiredService<VeiligheidDbContext>();
            await db.MigrateAsync();
            var connection = db.Database.GetDbConnection();
            await db.Database.OpenConnectionAsync();
            await using var pragma = connection.CreateCommand();
            pragma.CommandText = "PRAGMA journal_mode;";
            var journal = await pragma.ExecuteScalarAsync();
            pragma.CommandText = "PRAGMA synchronous;";
            var synchronous = await pragma.ExecuteScalarAsync();
            await output.WriteLineAsync($"database {path}: journal_mode={journal}, synchronous={synchronous} (0 OFF, 1 NORMAL, 2 FULL, 3 EXTRA)");
        }
        if (indexer is not null) await indexer.StartAsync(CancellationToken.None);
        await output.WriteLineAsync($"background subject indexer: {(indexer is null ? "off (set PROFILE_LOG_INDEXER=1 to run it)" : "on")}");
        try
        {
            await ProfileRequestsAsync(provider, path, output);
        }
        finally
        {
            if (indexer is not null) await indexer.StopAsync(CancellationToken.None);
        }
        await using (var scope = provider.CreateAsyncScope())
        {
            var db = scope.ServiceProvider.GetRequiredService<VeiligheidDbContext>();
            await output.WriteLineAsync($"log records {await db.Set<ProcessingRecord>().CountAsync()}, subject index runs {await db.Set<LogIndexRun>().CountAsync()}");
        }
    }

    private static async Task ProfileRequestsAsync(ServiceProvider provider, string path, TextWriter output)
    {
        var caller = Coordinator;
        var organisationId = caller.OrganisationId;
        int personId;
        await using (var scope = provider.CreateAsyncScope())
        {
            var db = scope.ServiceProvider.GetRequiredService<VeiligheidDbContext>();
            personId = db.CaseSubjects.Where(s => s.Case.CoordinatingOrganisationId == organisationId).OrderBy(s => s.PersonId).Select(s => s.PersonId).First();
        }
        var onePerson = new GraphQLRequest(
            "query($id: ID!) { person(id: $id) { id bsn givenName surname dateOfBirth address { postcode houseNumber } cases { role case { kind status } } } }",
            null, new Inputs(new Dictionary<string, object?> { ["id"] = GlobalId.Encode("Person", personId) }), null);
        var pageOfCases = new GraphQLRequest(
            "{ cases(first: 25) { nodes { kind status subjects { role person { id bsn surname address { postcode } } } } } }", null, null, null);
        // The subjects' roles without their persons: the log then looks their BSNs up (PersonBsns).
        var pageOfCaseRoles = new GraphQLRequest("{ cases(first: 25) { nodes { kind status subjects { role } } } }", null, null, null);

        // The same role-and-purpose schema without the observer, to price the field middleware that collects persons.
        var access = AccessPolicy.For(caller);
        var bare = new VeiligheidSchema(new SliceServiceProvider(provider, SchemaSlice.For(caller.Role, access.Purpose)), SchemaSlice.For(caller.Role, access.Purpose));
        bare.Initialize();

        // A hub that has served a while: the log's WAL has reached the length it keeps and starts over inside it (idle the
        // PASSIVE checkpoints let it, before SqliteLogWriter.RestartAfterFrames; under load the RESTART does), so a commit
        // writes into the file's length instead of growing it, as a fresh log's first commits do. The line below reports
        // the length reached (3–7 MiB in BENCHMARKS.md's eleventh round).
        const int warmUp = 300;
        var warming = Stopwatch.StartNew();
        for (var i = 0; i < warmUp; i++) await RunRequest(provider, caller, pageOfCases, log: true);
        var wal = new FileInfo(SqliteLogFile.PathFor(path) + "-wal");
        await output.WriteLineAsync(string.Create(CultureInfo.InvariantCulture,
            $"warm-up: {warmUp} logged cases(first: 25) requests in {warming.Elapsed.TotalSeconds:F1} s; the log's WAL file {(wal.Exists ? wal.Length : 0) / 1048576.0:F1} MiB"));

        foreach (var (name, request) in new[] { ("person(id)", onePerson), ("cases(first: 25)", pageOfCases), ("cases(first: 25), subjects' roles only", pageOfCaseRoles) })
        {
            await output.WriteLineAsync($"--- {name}");
            const int runs = 300;
            // Interleaved, so a change in the machine's load hits the three alike.
            await Report(output, runs,
                ("request without observer (schema without the field middleware)", () => RunBare(provider, bare, caller, request)),
                ("request without log (RunAsync, observer on)", () => RunRequest(provider, caller, request, log: false)),
                ("request with log (ExecuteAsync)", () => RunRequest(provider, caller, request, log: true)));
            await ProfileAppendStepsAsync(provider, caller, request, runs, output);
        }

        // Group commit: eight requests at once, how many commits their records took.
        const int rounds = 50;
        var processingLog = provider.GetRequiredService<ProcessingLog>();
        var commitsBefore = processingLog.Commits;
        for (var round = 0; round < rounds; round++)
            await Task.WhenAll(Enumerable.Range(0, 8).Select(_ => Task.Run(() => RunRequest(provider, caller, onePerson, log: true))));
        await output.WriteLineAsync(string.Create(CultureInfo.InvariantCulture,
            $"--- 8 concurrent person(id) requests with log, {rounds} rounds: {(processingLog.Commits - commitsBefore) / (double)rounds:F2} commits per 8 requests"));
    }

    private static async Task ProfileAppendStepsAsync(IServiceProvider provider, Caller caller, GraphQLRequest request, int runs, TextWriter output)
    {
        var steps = new Dictionary<string, List<double>>();
        var persons = 0;
        SqliteLogWriter? writer = null;
        try
        {
            for (var run = 0; run < runs + 10; run++)
            {
                await using var scope = provider.CreateAsyncScope();
                var executor = scope.ServiceProvider.GetRequiredService<GraphQLRequestExecutor>();
                var db = scope.ServiceProvider.GetRequiredService<VeiligheidDbContext>();
                var log = scope.ServiceProvider.GetRequiredService<ProcessingLog>();
                var access = AccessPolicy.For(caller);
                var context = executor.ContextFor(request, access);
                await executor.RunAsync(request, access, context, scope.ServiceProvider, CancellationToken.None);
                persons = context.Processing.Persons.Count;
                // A writer of its own, kept across runs as the hub keeps its one.
                writer ??= SqliteLogWriter.For(db) ?? throw new InvalidOperationException("The profile runs on a SQLite file.");
                var timings = await AppendStepByStepAsync(db, log, writer, access, context);
                if (run < 10) continue; // warm-up
                foreach (var (step, ms) in timings)
                {
                    if (!steps.TryGetValue(step, out var list)) steps[step] = list = [];
                    list.Add(ms);
                }
            }
        }
        finally
        {
            writer?.Dispose();
        }
        await output.WriteLineAsync($"  append, step by step ({persons} records per request, the log's SQLite writer, synchronous=FULL):");
        foreach (var (step, list) in steps) await output.WriteLineAsync(Line("    " + step, list));
    }

    /// <summary>The steps of <see cref="ProcessingLog.AppendAsync"/> in its order, each timed (one request, no queue).</summary>
    private static async Task<List<(string Step, double Ms)>> AppendStepByStepAsync(VeiligheidDbContext db, ProcessingLog log, SqliteLogWriter writer, CallerAccess access, RequestContext context)
    {
        var timings = new List<(string, double)>();
        var start = Stopwatch.GetTimestamp();
        var number = 0;
        void Mark(string step)
        {
            timings.Add(($"{++number} {step}", Stopwatch.GetElapsedTime(start).TotalMilliseconds));
            start = Stopwatch.GetTimestamp();
        }
        // The hub's own drafting and chaining (ProcessingLog.DraftAsync, ProcessingLog.Chain), so the profile times what runs.
        var records = await log.DraftAsync(db, access, "profile", context.Processing, CancellationToken.None, context.PreparedReads);
        Mark("draft records, before the lock: BSN look-up, HMAC of BSNs");
        writer.Write((sequence, previous) => ProcessingLog.Chain([records], sequence, previous), Mark);
        return timings;
    }

    private static async Task Report(TextWriter output, int runs, params (string Name, Func<Task> Action)[] variants)
    {
        var lists = variants.Select(_ => new List<double>(runs)).ToArray();
        for (var i = -10; i < runs; i++)
        {
            for (var v = 0; v < variants.Length; v++)
            {
                var start = Stopwatch.GetTimestamp();
                await variants[v].Action();
                if (i >= 0) lists[v].Add(Stopwatch.GetElapsedTime(start).TotalMilliseconds);
            }
        }
        for (var v = 0; v < variants.Length; v++) await output.WriteLineAsync(Line("  " + variants[v].Name, lists[v]));
        var without = Median(lists[^2]);
        var with = Median(lists[^1]);
        await output.WriteLineAsync(string.Create(CultureInfo.InvariantCulture,
            $"  log overhead (median with − median without): {with - without:F3} ms = {(with - without) / without:P0} of the request without log"));
    }

    private static double Median(List<double> list) => list.Order().ElementAt(list.Count / 2);

    private static string Line(string name, List<double> list)
    {
        list.Sort();
        return string.Create(CultureInfo.InvariantCulture, $"{name,-75} median {list[list.Count / 2],7:F3} ms   p90 {list[list.Count * 9 / 10],7:F3} ms");
    }

    private static async Task RunRequest(IServiceProvider provider, Caller caller, GraphQLRequest request, bool log)
    {
        await using var scope = provider.CreateAsyncScope();
        var executor = scope.ServiceProvider.GetRequiredService<GraphQLRequestExecutor>();
        var result = log
            ? await executor.ExecuteAsync(request, caller, scope.ServiceProvider, CancellationToken.None)
            : await executor.RunWithoutLogAsync(request, caller, scope.ServiceProvider, CancellationToken.None);
        if (result.Errors is { Count: > 0 } errors) throw new InvalidOperationException(errors[0].Message);
    }

    private static async Task RunBare(IServiceProvider provider, ISchema schema, Caller caller, GraphQLRequest request)
    {
        await using var scope = provider.CreateAsyncScope();
        var access = AccessPolicy.For(caller);
        var db = scope.ServiceProvider.GetRequiredService<VeiligheidDbContext>();
        var executer = scope.ServiceProvider.GetRequiredService<IDocumentExecuter>();
        var result = await executer.ExecuteAsync(options =>
        {
            options.Schema = schema;
            options.Query = request.Query;
            options.Variables = request.Variables;
            options.UserContext = new RequestContext(access, db);
            options.RequestServices = scope.ServiceProvider;
            options.ValidationRules = LimitRules.With(scope.ServiceProvider.GetRequiredService<Microsoft.Extensions.Options.IOptions<GraphQLLimits>>().Value);
        });
        if (result.Errors is { Count: > 0 } errors) throw new InvalidOperationException(errors[0].Message);
    }

    private sealed class ProfileEnvironment : IHostEnvironment
    {
        public string EnvironmentName { get; set; } = Environments.Development;
        public string ApplicationName { get; set; } = "Veiligheid.Benchmarks";
        public string ContentRootPath { get; set; } = AppContext.BaseDirectory;
        public IFileProvider ContentRootFileProvider { get; set; } = new NullFileProvider();
    }
}
