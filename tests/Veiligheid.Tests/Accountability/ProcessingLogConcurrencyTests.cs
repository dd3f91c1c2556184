using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using Veiligheid.Access;
using Veiligheid.Accountability;
using Veiligheid.Data;
using Veiligheid.Data.Seeding;
using Veiligheid.Organisations;
using Veiligheid.Tests.Infrastructure;

namespace Veiligheid.Tests.Accountability;

// The background subject indexer is off here: its pass takes the log's writer lock and, while another process holds the
// database's write lock, waits in it (Microsoft.Data.Sqlite retries a busy lock for the command timeout), so the first
// request of the group-commit test would queue behind it with the rest instead of holding the lock alone.
public sealed class ProcessingLogConcurrencyTests(UnindexedHubFactory factory) : IClassFixture<UnindexedHubFactory>
{
    private const string Purpose = "casusoverleg-zorg-en-veiligheid";

    [Fact]
    public async Task Concurrent_requests_make_one_unbroken_chain_without_a_lost_record()
    {
        var client = factory.CreateClientWithPurpose(HubRole.GemeenteCoordinator, DemoOrganisations.GemeenteVeiligstad, Purpose);
        var before = factory.LogRecords();

        var responses = await Task.WhenAll(Enumerable.Range(1, 24).Select(i =>
            client.GraphQLAsync("query($n: Int!) { persons(first: $n) { nodes { id bsn } } }", new { n = 1 + (i % 6) })));

        Assert.All(responses, r => Assert.Empty(r.Errors));
        var returned = responses.Sum(r => r.Data.GetProperty("persons").GetProperty("nodes").GetArrayLength());
        var added = factory.LogRecords().Skip(before.Count).ToList();
        Assert.Equal(returned, added.Count);
        Assert.Equal(responses.Length, added.Select(r => r.ActionId).Distinct().Count());
        AssertEachActionContiguous(added);
        var verification = await factory.WithDbAsync(db => ProcessingLog.VerifyAsync(db, CancellationToken.None));
        Assert.True(verification.IsIntact, verification.Problem);
        Assert.Equal(before.Count + returned, verification.Verified);
    }

    [Fact]
    public async Task Requests_queued_behind_a_commit_share_the_next_one_and_follow_another_writers_records()
    {
        var (log, access, persons) = Setup();
        var path = Path.GetFullPath(factory.DatabasePath);
        var commitsBefore = log.Commits;
        var before = factory.LogRecords();

        // Another process holds the write lock (BEGIN IMMEDIATE) and appends a record of its own to the chain, as the hub
        // writes it: an action with its record packed into it (a person row after the fixture's packed actions would be
        // what no hub writes, and verify-log would rightly refuse the log).
        await using var other = DatabaseSetup.OpenSqlite(path);
        await using var otherTransaction = await other.Database.BeginTransactionAsync();
        var last = before.LastOrDefault();
        var foreign = new ProcessingRecord
        {
            ActionId = Guid.NewGuid(),
            ActionName = "other-process",
            OccurredAt = DateTime.UtcNow,
            OrganisationId = access.Caller.OrganisationId,
            OrganisationKey = access.Caller.OrganisationKey,
            Role = "Gemeente.Coordinator",
            ApplicationId = access.Caller.ClientAppId,
            Purpose = Purpose,
            LegalGround = "test",
            Categories = "Identiteit",
            Hash = "",
        };
        var rows = ProcessingLog.Chain([[foreign]], last?.Sequence ?? 0, last?.Hash ?? ProcessingLog.GenesisHash);
        Assert.Empty(rows.Entries);
        other.AddRange(rows.Actions);
        await other.SaveChangesAsync();

        // The first request takes the hub's writer lock and waits for the other process's lock; the next ones queue behind it.
        // Waits on the log's own state, not on a fixed delay: under load a request may take longer than any delay to arrive.
        var first = Append(log, access, persons[0]);
        await Until(() => log.State is { Writing: true, Queued: 0 });
        var queued = persons.Skip(1).Select(p => Append(log, access, p)).ToList();
        await Until(() => log.State.Queued == queued.Count);
        Assert.False(first.IsCompleted);
        Assert.All(queued, t => Assert.False(t.IsCompleted));
        await otherTransaction.CommitAsync();
        await Task.WhenAll([first, .. queued]);

        // One commit for the first request, one shared by all the queued ones (the log's own count of its transactions).
        Assert.Equal(2, log.Commits - commitsBefore);
        var added = factory.LogRecords().Skip(before.Count).ToList();
        Assert.Equal("other-process", added[0].ActionName);
        Assert.Equal(persons.Count, added.Count - 1);
        Assert.Equal(persons.Select(p => p.Id).Order(), added.Skip(1).Select(r => r.PersonId!.Value).Order());
        var verification = await factory.WithDbAsync(db => ProcessingLog.VerifyAsync(db, CancellationToken.None));
        Assert.True(verification.IsIntact, verification.Problem);
        Assert.Equal(before.Count + added.Count, verification.Verified);
    }

    [Fact]
    public async Task Two_hubs_sharing_one_database_keep_one_chain()
    {
        // A second host on the same file has its own ProcessingLog and writer lock, as a second process would.
        await using var second = factory.WithWebHostBuilder(_ => { });
        var token = factory.CreateToken([HubRole.GemeenteCoordinator], DemoOrganisations.GemeenteVeiligstad);
        var clients = new[] { factory.CreateClientWithToken(token), second.CreateClient() };
        clients[1].DefaultRequestHeaders.Authorization = new System.Net.Http.Headers.AuthenticationHeaderValue("Bearer", token);
        foreach (var client in clients) client.DefaultRequestHeaders.Add(Purposes.Header, Purpose);
        var before = factory.LogRecords();

        var responses = await Task.WhenAll(Enumerable.Range(0, 30).Select(i =>
            clients[i % 2].GraphQLAsync("query($n: Int!) { persons(first: $n) { nodes { id } } }", new { n = 1 + (i % 4) })));

        Assert.All(responses, r => Assert.Empty(r.Errors));
        var returned = responses.Sum(r => r.Data.GetProperty("persons").GetProperty("nodes").GetArrayLength());
        var added = factory.LogRecords().Skip(before.Count).ToList();
        Assert.Equal(returned, added.Count);
        AssertEachActionContiguous(added);
        var verification = await factory.WithDbAsync(db => ProcessingLog.VerifyAsync(db, CancellationToken.None));
        Assert.True(verification.IsIntact, verification.Problem);
        Assert.Equal(before.Count + returned, verification.Verified);
    }

    private (ProcessingLog Log, CallerAccess Access, List<(int Id, string Bsn)> Persons) Setup()
    {
        var log = factory.Services.GetRequiredService<ProcessingLog>();
        var organisation = DemoOrganisations.GemeenteVeiligstad;
        var caller = new Caller(HubRole.GemeenteCoordinator, factory.WithDb(db => db.Organisations.Single(o => o.Key == organisation).Id), organisation,
            OrganisationKind.Gemeente, factory.ClientAppIdOf(organisation), null, Purpose);
        var persons = factory.WithDb(db => db.Persons.OrderBy(p => p.Id).Take(6).Select(p => new { p.Id, p.Bsn }).ToList())
            .Select(p => (p.Id, p.Bsn)).ToList();
        return (log, AccessPolicy.For(caller), persons);
    }

    /// <summary>One request's append on its own scope and thread (SQLite's busy wait blocks the calling thread).</summary>
    private static async Task Until(Func<bool> condition)
    {
        var deadline = DateTime.UtcNow.AddSeconds(30);
        while (!condition())
        {
            Assert.True(DateTime.UtcNow < deadline, "The log did not reach the expected state within 30 s.");
            await Task.Delay(10);
        }
    }

    private Task Append(ProcessingLog log, CallerAccess access, (int Id, string Bsn) person) => Task.Run(async () =>
    {
        var collector = new ProcessingCollector();
        collector.Add(person.Id, DataCategory.Identiteit, person.Bsn);
        await using var scope = factory.Services.CreateAsyncScope();
        var db = scope.ServiceProvider.GetRequiredService<VeiligheidDbContext>();
        await log.AppendAsync(db, access, "queued", collector, CancellationToken.None);
    });

    private static void AssertEachActionContiguous(List<ProcessingRecord> records)
    {
        foreach (var action in records.GroupBy(r => r.ActionId))
        {
            var sequences = action.Select(r => r.Sequence).Order().ToList();
            Assert.Equal(sequences.Count - 1, sequences[^1] - sequences[0]);
        }
    }
}
