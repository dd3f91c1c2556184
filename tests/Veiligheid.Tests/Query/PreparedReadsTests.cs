using System.Collections.Concurrent;
using System.Data.Common;
using System.Text.Json.Nodes;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Mvc.Testing;
using Microsoft.AspNetCore.TestHost;
using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Diagnostics;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Veiligheid.Access;
using Veiligheid.Accountability;
using Veiligheid.Data;
using Veiligheid.Data.Seeding;
using Veiligheid.GraphQL;
using Veiligheid.GraphQL.Compiled;
using Veiligheid.Tests.Infrastructure;

namespace Veiligheid.Tests.Query;

/// <summary>
/// The compiled path's kept SQLite statements (<see cref="SqlitePreparedReads"/>): a statement prepared once serves
/// every request with that SQL text, each with its own parameters; a connection whose statement failed is thrown away;
/// a kept connection reads what others committed; the pool is bounded and closed with the host.
/// </summary>
public sealed class PreparedReadsTests(HubFactory hub) : IClassFixture<HubFactory>
{
    private SqlitePreparedReads Reads => hub.Services.GetRequiredService<SqlitePreparedReads>();

    public static TheoryData<HubRole, string, string> OrganisationPairs => new()
    {
        { HubRole.Woningcorporatie, DemoOrganisations.Woonstede, DemoOrganisations.Thuisbaas },
        { HubRole.Zorgaanbieder, DemoOrganisations.GgzHorizon, DemoOrganisations.VerslavingszorgAnkerpunt },
    };

    [Theory]
    [MemberData(nameof(OrganisationPairs))]
    public async Task One_kept_statement_answers_each_organisation_with_its_own_rows(HubRole role, string first, string other)
    {
        // Same role, so the same SQL text; only the organisation's parameter differs.
        var query = $"query Kept{role} {{ cases(first: 20) {{ totalCount nodes {{ id title status subjects {{ role person {{ id surname }} }} }} }} }}";
        var firstCaller = CallerOf(role, first);
        var otherCaller = CallerOf(role, other);
        var expectedFirst = (await RunAsync(firstCaller, query, compiledReads: false)).Json;
        var expectedOther = (await RunAsync(otherCaller, query, compiledReads: false)).Json;
        Assert.False(JsonNode.DeepEquals(JsonNode.Parse(expectedFirst), JsonNode.Parse(expectedOther)), "the two organisations see the same rows: the test would prove nothing");

        await RunAsync(firstCaller, query); // compiled and prepared (or found prepared)
        var (prepared, reprepared) = (Reads.Prepared, Reads.Reprepared);
        // Alternating, so every request finds the statement last bound with the other organisation's values.
        for (var i = 0; i < 3; i++)
        {
            var (firstJson, firstPath, _, _) = await RunAsync(firstCaller, query);
            var (otherJson, otherPath, _, _) = await RunAsync(otherCaller, query);
            Assert.Equal(ReadPath.Compiled, firstPath);
            Assert.Equal(ReadPath.Compiled, otherPath);
            Assert.True(JsonNode.DeepEquals(JsonNode.Parse(expectedFirst), JsonNode.Parse(firstJson)), $"{first}: {firstJson}");
            Assert.True(JsonNode.DeepEquals(JsonNode.Parse(expectedOther), JsonNode.Parse(otherJson)), $"{other}: {otherJson}");
        }
        Assert.Equal(prepared, Reads.Prepared); // the kept statement served both, nothing was prepared again
        // Nor by SQLite itself: each run binds the page size (LIMIT) again, which without the planner's stability guarantee
        // marks the statement to be planned again inside its next step.
        Assert.Equal(reprepared, Reads.Reprepared);
    }

    [Fact]
    public async Task A_request_answered_from_a_cached_plan_opens_no_connection_of_its_own()
    {
        // The README's claim: the mode and the cached plan's statement run on the kept connections, so a request with no
        // person to log never opens the request context's connection (nor pays its durability pragma).
        var opened = new CountOpens();
        await using var host = HostCounting(opened);
        var caller = CallerOf(HubRole.Politie, DemoOrganisations.PolitieNoord);
        const string query = "query NoOwnConnection { incidents(first: 5) { totalCount nodes { id category } } }";
        await RunAsync(host.Services, caller, query);
        var before = opened.Count;
        var (_, path, log, hit) = await RunAsync(host.Services, caller, query);
        Assert.True(hit);
        Assert.Equal(ReadPath.Compiled, path);
        Assert.Equal("", log);
        Assert.Equal(before, opened.Count);
    }

    [Fact]
    public async Task A_request_that_logs_case_subjects_from_a_cached_plan_opens_no_connection_of_its_own()
    {
        // The subjects are reached through links only (no person selected, whose row would carry its BSN), so the log
        // needs their BSNs from one look-up. With kept statements that look-up runs on a kept connection and the log's
        // write on its own writer, so the request's context never opens its connection (PersonBsns).
        var opened = new CountOpens();
        await using var host = HostCounting(opened);
        var caller = CallerOf(HubRole.GemeenteCoordinator, DemoOrganisations.GemeenteVeiligstad);
        const string query = "query SubjectsLogged { cases(first: 10) { nodes { id subjects { role } } } }";

        var last = await RunCachedPlanAsync(host.Services, opened, caller, query);

        // Each subject of that request has its record, with its own BSN in protected form.
        await using (var scope = host.Services.CreateAsyncScope())
        {
            var db = scope.ServiceProvider.GetRequiredService<VeiligheidDbContext>();
            var log = scope.ServiceProvider.GetRequiredService<ProcessingLog>();
            var records = await db.Set<ProcessingRecord>().AsNoTracking().Where(r => r.Sequence > last).ToListAsync();
            Assert.NotEmpty(records);
            var ids = records.Select(r => r.PersonId!.Value).ToList();
            var bsns = await db.Persons.AsNoTracking().Where(p => ids.Contains(p.Id)).ToDictionaryAsync(p => p.Id, p => p.Bsn);
            Assert.Equal(ids.Count, bsns.Count);
            Assert.All(records, r => Assert.Equal(log.Protect(bsns[r.PersonId!.Value]), r.ProtectedBsn));
        }
    }

    [Fact]
    public async Task A_request_that_names_a_person_by_bsn_from_a_cached_plan_opens_no_connection_of_its_own()
    {
        // A person named by a filter's BSN only: the log looks up whether the hub holds them (PersonBsns.IdsAsync), on a
        // kept connection as the BSNs of linked persons are.
        var opened = new CountOpens();
        await using var host = HostCounting(opened);
        var caller = CallerOf(HubRole.GemeenteCoordinator, DemoOrganisations.GemeenteVeiligstad);
        int personId;
        string bsn;
        await using (var scope = host.Services.CreateAsyncScope())
        {
            var person = await scope.ServiceProvider.GetRequiredService<VeiligheidDbContext>().Persons.AsNoTracking().OrderBy(p => p.Id).FirstAsync();
            (personId, bsn) = (person.Id, person.Bsn);
        }
        var query = $$"""query NamedByBsn { persons(filter: { bsn: { eq: "{{bsn}}" } }) { totalCount } }""";

        var last = await RunCachedPlanAsync(host.Services, opened, caller, query);

        await using (var scope = host.Services.CreateAsyncScope())
        {
            var db = scope.ServiceProvider.GetRequiredService<VeiligheidDbContext>();
            var record = Assert.Single(await db.Set<ProcessingRecord>().AsNoTracking().Where(r => r.Sequence > last).ToListAsync());
            Assert.Equal(personId, record.PersonId);
            Assert.Equal(scope.ServiceProvider.GetRequiredService<ProcessingLog>().Protect(bsn), record.ProtectedBsn);
        }
    }

    [Fact]
    public async Task A_connection_whose_statement_failed_is_not_used_again()
    {
        var failing = new FailOnce();
        await using var host = hub.WithWebHostBuilder(builder => builder.ConfigureTestServices(services =>
            services.ConfigureDbContext<SqliteVeiligheidDbContext>(options => options.AddInterceptors(failing))));
        var reads = host.Services.GetRequiredService<SqlitePreparedReads>();
        var caller = CallerOf(HubRole.Politie, DemoOrganisations.PolitieNoord);
        const string query = "query FailsOnce { incidents(first: 5) { totalCount nodes { id category } } }";
        var (expected, _, _, _) = await RunAsync(host.Services, caller, query, compiledReads: false);
        await RunAsync(host.Services, caller, query);
        var (_, _, _, hit) = await RunAsync(host.Services, caller, query);
        Assert.True(hit);

        failing.Armed = true;
        var discarded = reads.Discarded;
        var (answer, path, _, _) = await RunAsync(host.Services, caller, query);
        Assert.False(failing.Armed, "the compiled statement did not run through the interceptors");
        // The reference path answered instead, and the connection that failed (its reader left open) was disposed.
        Assert.Equal(ReadPath.Reference, path);
        Assert.True(JsonNode.DeepEquals(JsonNode.Parse(expected), JsonNode.Parse(answer)), answer);
        Assert.Equal(discarded + 1, reads.Discarded);
        Assert.NotNull(failing.FailedOn);
        Assert.Equal(System.Data.ConnectionState.Closed, failing.FailedOn!.State);

        var (again, againPath, _, againHit) = await RunAsync(host.Services, caller, query);
        Assert.Equal(ReadPath.Compiled, againPath);
        Assert.True(againHit);
        Assert.True(JsonNode.DeepEquals(JsonNode.Parse(expected), JsonNode.Parse(again)), again);
    }

    [Fact]
    public async Task A_request_cancelled_at_its_kept_statement_is_logged_as_cancelled_not_as_an_error()
    {
        // A client that goes away while its statement runs: the operations team must not see an error for it.
        var errors = new ConcurrentQueue<string>();
        var cancelling = new CancelAtStatement();
        await using var host = hub.WithWebHostBuilder(builder => builder
            .ConfigureLogging(logging => logging.AddProvider(new ErrorLogCollector(errors)))
            .ConfigureTestServices(services => services.ConfigureDbContext<SqliteVeiligheidDbContext>(options => options.AddInterceptors(cancelling))));
        var reads = host.Services.GetRequiredService<SqlitePreparedReads>();
        var caller = CallerOf(HubRole.Politie, DemoOrganisations.PolitieNoord);
        const string query = "query CancelledKept { incidents(first: 5) { totalCount nodes { id category } } }";
        await RunAsync(host.Services, caller, query); // compiles the plan and keeps its statement
        var discarded = reads.Discarded;

        using var cancellation = new CancellationTokenSource();
        cancelling.Armed = cancellation;
        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => ExecuteAsync(host.Services, caller, query, cancellation.Token));

        Assert.Null(cancelling.Armed); // the kept statement ran through the interceptors and was cancelled there
        Assert.Equal((1, 0), (cancelling.Canceled, cancelling.Failed));
        Assert.Empty(errors);
        Assert.Equal(discarded + 1, reads.Discarded); // its connection is not used again
        var (_, path, _, hit) = await RunAsync(host.Services, caller, query);
        Assert.Equal((ReadPath.Compiled, true), (path, hit));
    }

    [Fact]
    public async Task A_write_committed_elsewhere_is_read_by_the_next_kept_statement()
    {
        var caller = CallerOf(HubRole.GemeenteCoordinator, DemoOrganisations.GemeenteVeiligstad);
        int caseId;
        using (var scope = hub.Services.CreateScope())
        {
            var db = scope.ServiceProvider.GetRequiredService<VeiligheidDbContext>();
            caseId = await db.Cases.OrderBy(c => c.Id).Select(c => c.Id).FirstAsync();
        }
        var query = $"query SeesWrites {{ case(id: \"{Veiligheid.GraphQL.GlobalId.Encode("Case", caseId)}\") {{ id title }} }}";
        var (before, _, _, _) = await RunAsync(caller, query);
        var (cached, path, _, hit) = await RunAsync(caller, query);
        Assert.Equal(ReadPath.Compiled, path);
        Assert.True(hit);
        Assert.Equal(before, cached);
        Assert.True(Reads.OpenConnections > 0);

        var title = "Kept statements read this " + Guid.NewGuid().ToString("N");
        using (var scope = hub.Services.CreateScope())
        {
            var db = scope.ServiceProvider.GetRequiredService<VeiligheidDbContext>();
            Assert.Equal(1, await db.Cases.Where(c => c.Id == caseId).ExecuteUpdateAsync(s => s.SetProperty(c => c.Title, title)));
        }

        var (after, afterPath, _, afterHit) = await RunAsync(caller, query);
        Assert.Equal(ReadPath.Compiled, afterPath);
        Assert.True(afterHit);
        Assert.Contains(title, after, StringComparison.Ordinal);
    }

    [Fact]
    public async Task The_pool_is_bounded_and_a_request_finding_it_leased_runs_on_its_own_connection()
    {
        await using var host = hub.WithWebHostBuilder(_ => { });
        var reads = host.Services.GetRequiredService<SqlitePreparedReads>();
        var caller = CallerOf(HubRole.Politie, DemoOrganisations.PolitieZuid);
        const string query = "query Bounded { incidents(first: 5) { nodes { id category } } }";
        var (expected, _, _, _) = await RunAsync(host.Services, caller, query);

        var leases = new List<SqlitePreparedReads.Lease>();
        try
        {
            while (reads.TryLease(DatabaseSetup.SqliteConnectionString(hub.DatabasePath)) is { } lease)
            {
                leases.Add(lease);
                Assert.True(leases.Count <= SqlitePreparedReads.MaxConnections, $"more than {SqlitePreparedReads.MaxConnections} connections leased");
            }
            Assert.Equal(SqlitePreparedReads.MaxConnections, leases.Count);
            Assert.Equal(SqlitePreparedReads.MaxConnections, reads.OpenConnections);

            // Every kept connection is leased: requests still answer, concurrently, without waiting and without more connections.
            var answers = await Task.WhenAll(Enumerable.Range(0, 8).Select(_ => Task.Run(() => RunAsync(host.Services, caller, query))));
            foreach (var (json, path, _, _) in answers)
            {
                Assert.Equal(ReadPath.Compiled, path);
                Assert.Equal(expected, json);
            }
            Assert.Equal(SqlitePreparedReads.MaxConnections, reads.OpenConnections);
        }
        finally
        {
            foreach (var lease in leases) lease.Return(healthy: true);
        }

        // Concurrent requests with the pool free: never more connections than the bound.
        await Task.WhenAll(Enumerable.Range(0, 16).Select(_ => Task.Run(() => RunAsync(host.Services, caller, query))));
        Assert.InRange(reads.OpenConnections, 1, SqlitePreparedReads.MaxConnections);

        await host.DisposeAsync();
        // Closed with the host. The hub's container is disposed on the thread that runs the app (Program's Main, under
        // WebApplicationFactory's deferred host), which may finish after DisposeAsync returns: under a loaded test run it did.
        var deadline = DateTime.UtcNow.AddSeconds(15);
        while (reads.OpenConnections > 0 && DateTime.UtcNow < deadline) await Task.Delay(20);
        Assert.Equal(0, reads.OpenConnections);
    }

    [Fact]
    public async Task Switched_off_the_compiled_path_prepares_nothing_and_answers_the_same()
    {
        await using var host = hub.WithWebHostBuilder(builder => builder.UseSetting("GraphQL:CompiledReads:SqlitePrepared", "false"));
        var reads = host.Services.GetRequiredService<SqlitePreparedReads>();
        var caller = CallerOf(HubRole.Politie, DemoOrganisations.PolitieNoord);
        const string query = "query Unprepared { incidents(first: 5) { totalCount nodes { id category } } }";
        var (first, path, _, _) = await RunAsync(host.Services, caller, query);
        var (second, _, _, hit) = await RunAsync(host.Services, caller, query);
        var (reference, _, _, _) = await RunAsync(host.Services, caller, query, compiledReads: false);
        Assert.Equal(ReadPath.Compiled, path);
        Assert.True(hit);
        Assert.Equal(first, second);
        Assert.Equal(reference, first);
        Assert.Equal(0, reads.Prepared);
        Assert.Equal(0, reads.OpenConnections);
    }

    [Fact]
    public async Task A_pooled_context_comes_back_to_the_next_request_reset()
    {
        // A host of its own without the background indexer: the indexer rents contexts from the same pool, and one pass
        // between the two scopes below (woken by another test's logged request) took the context this test looks for.
        using var host = new Accountability.UnindexedHubFactory();
        VeiligheidDbContext first;
        await using (var scope = host.Services.CreateAsyncScope())
        {
            first = scope.ServiceProvider.GetRequiredService<VeiligheidDbContext>();
            await first.Database.OpenConnectionAsync();
            await first.Cases.OrderBy(c => c.Id).FirstAsync(); // tracked
            Assert.NotEmpty(first.ChangeTracker.Entries());
        }
        await using (var scope = host.Services.CreateAsyncScope())
        {
            var next = scope.ServiceProvider.GetRequiredService<VeiligheidDbContext>();
            Assert.Same(first, next); // pooled (Database:PoolContexts)
            Assert.Empty(next.ChangeTracker.Entries());
            Assert.Equal(System.Data.ConnectionState.Closed, next.Database.GetDbConnection().State);
        }
    }

    /// <summary>The hub with <paramref name="opened"/> counting its request contexts' connection opens.</summary>
    private WebApplicationFactory<Program> HostCounting(CountOpens opened)
        => hub.WithWebHostBuilder(builder => builder.ConfigureTestServices(services =>
            services.ConfigureDbContext<SqliteVeiligheidDbContext>(options => options.AddInterceptors(opened))));

    /// <summary>
    /// Serves <paramref name="query"/> once to compile its plan, then again from the cached plan, and asserts that the second
    /// opened no connection of its own and answered with data; the log's last sequence before the second run.
    /// </summary>
    private static async Task<long> RunCachedPlanAsync(IServiceProvider services, CountOpens opened, Caller caller, string query)
    {
        await ExecuteAsync(services, caller, query); // compiles the plan
        long last;
        await using (var scope = services.CreateAsyncScope())
            last = await scope.ServiceProvider.GetRequiredService<VeiligheidDbContext>().Set<ProcessingRecord>().MaxAsync(r => r.Sequence);

        var before = opened.Count;
        Assert.True(await ExecuteAsync(services, caller, query));
        Assert.Equal(before, opened.Count);
        return last;
    }

    private static Caller CallerOf(HubRole role, string organisationKey)
    {
        var organisation = DemoOrganisations.All.Single(o => o.Key == organisationKey);
        return new Caller(role, DemoOrganisations.IdOf(organisationKey), organisationKey, organisation.Kind, organisation.ClientAppId, null, HubFactory.DefaultPurposeOf(role));
    }

    /// <summary>Serves the request as the endpoint does, the processing log included; whether it answered with data.</summary>
    private static async Task<bool> ExecuteAsync(IServiceProvider services, Caller caller, string query, CancellationToken cancellationToken = default)
    {
        await using var scope = services.CreateAsyncScope();
        var executor = scope.ServiceProvider.GetRequiredService<GraphQLRequestExecutor>();
        var result = await executor.ExecuteAsync(new GraphQLRequest(query, null, null, null), caller, scope.ServiceProvider, cancellationToken);
        return result.Errors is null or { Count: 0 } && result.Data is not null;
    }

    private Task<(string Json, ReadPath Path, string Log, bool PlanCacheHit)> RunAsync(Caller caller, string query, bool compiledReads = true)
        => RunAsync(hub.Services, caller, query, compiledReads);

    private static Task<(string Json, ReadPath Path, string Log, bool PlanCacheHit)> RunAsync(IServiceProvider services, Caller caller, string query, bool compiledReads = true)
        => ReadPathDifferentialTests.RunAsync(services, caller, query, compiledReads);

    /// <summary>Counts the opens of the request contexts' connections (the kept connections are opened outside EF Core).</summary>
    private sealed class CountOpens : DbConnectionInterceptor
    {
        private int _count;

        public int Count => Volatile.Read(ref _count);

        public override void ConnectionOpened(DbConnection connection, ConnectionEndEventData eventData) => Interlocked.Increment(ref _count);

        public override Task ConnectionOpenedAsync(DbConnection connection, ConnectionEndEventData eventData, CancellationToken cancellationToken = default)
        {
            Interlocked.Increment(ref _count);
            return Task.CompletedTask;
        }
    }

    /// <summary>Once armed, fails the next compiled statement after its reader was opened: the reader is left open on its connection.</summary>
    private sealed class FailOnce : DbCommandInterceptor
    {
        public volatile bool Armed;

        public DbConnection? FailedOn { get; private set; }

        public override ValueTask<DbDataReader> ReaderExecutedAsync(DbCommand command, CommandExecutedEventData eventData, DbDataReader result, CancellationToken cancellationToken = default)
        {
            if (Armed && command.CommandText.Contains("json_object", StringComparison.Ordinal))
            {
                Armed = false;
                FailedOn = command.Connection;
                throw new InvalidOperationException("A statement failed on purpose.");
            }
            return base.ReaderExecutedAsync(command, eventData, result, cancellationToken);
        }
    }

    /// <summary>
    /// Once armed with a source, cancels it as the next compiled statement is about to run, as a client going away at that
    /// moment does; counts the statements EF Core's diagnostics reported as cancelled and as failed.
    /// </summary>
    private sealed class CancelAtStatement : DbCommandInterceptor
    {
        private int _canceled;
        private int _failed;

        public volatile CancellationTokenSource? Armed;

        public int Canceled => Volatile.Read(ref _canceled);

        public int Failed => Volatile.Read(ref _failed);

        public override async ValueTask<InterceptionResult<DbDataReader>> ReaderExecutingAsync(DbCommand command, CommandEventData eventData, InterceptionResult<DbDataReader> result, CancellationToken cancellationToken = default)
        {
            if (command.CommandText.Contains("json_object", StringComparison.Ordinal) && Interlocked.Exchange(ref Armed, null) is { } source)
                await source.CancelAsync();
            return result;
        }

        public override Task CommandCanceledAsync(DbCommand command, CommandEndEventData eventData, CancellationToken cancellationToken = default)
        {
            Interlocked.Increment(ref _canceled);
            return Task.CompletedTask;
        }

        public override Task CommandFailedAsync(DbCommand command, CommandErrorEventData eventData, CancellationToken cancellationToken = default)
        {
            Interlocked.Increment(ref _failed);
            return Task.CompletedTask;
        }
    }
}
