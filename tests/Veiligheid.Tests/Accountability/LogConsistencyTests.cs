using System.Security.Cryptography;
using Microsoft.Data.Sqlite;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Options;
using Veiligheid.Access;
using Veiligheid.Accountability;
using Veiligheid.Data;
using Veiligheid.Data.Seeding;
using Veiligheid.Tests.Infrastructure;

namespace Veiligheid.Tests.Accountability;

/// <summary>The start-up checks that the log and the hub's data still belong together: the pseudonym key, and a hub file older than its log.</summary>
public sealed class LogConsistencyTests(HubFactory factory) : IClassFixture<HubFactory>, IDisposable
{
    private readonly TestDirectory _directory = new();

    [Fact]
    public async Task Another_pseudonym_key_than_the_logs_is_refused_and_the_logs_own_is_accepted()
    {
        var client = factory.CreateClientWithPurpose(HubRole.GemeenteCoordinator, DemoOrganisations.GemeenteVeiligstad, "casusoverleg-zorg-en-veiligheid");
        Assert.True((await client.GraphQLAsync("{ persons(first: 2) { nodes { bsn } } }")).HasData);
        var environment = factory.Services.GetRequiredService<IHostEnvironment>();
        using var other = new ProcessingLog(Options.Create(new ProcessingLogOptions { PseudonymKey = Convert.ToBase64String(RandomNumberGenerator.GetBytes(32)) }), environment);

        using var scope = factory.Services.CreateScope();
        var db = scope.ServiceProvider.GetRequiredService<VeiligheidDbContext>();
        await LogConsistency.CheckPseudonymKeyAsync(factory.Services.GetRequiredService<ProcessingLog>(), db, CancellationToken.None);
        var refused = await Assert.ThrowsAsync<HubConfigurationException>(() => LogConsistency.CheckPseudonymKeyAsync(other, db, CancellationToken.None));
        Assert.Contains("PseudonymKey", refused.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Another_pseudonym_key_is_refused_when_the_newest_actions_name_no_held_person_with_a_BSN()
    {
        var path = _directory.File("sample.db");
        await using var db = DatabaseSetup.OpenSqlite(path);
        await db.MigrateAsync();
        await SeedCommand.SeedAsync(db, SeedOptions.Demo, CancellationToken.None);
        var person = await db.Persons.OrderBy(p => p.Id).Select(p => new { p.Id, p.Bsn }).FirstAsync();
        var environment = factory.Services.GetRequiredService<IHostEnvironment>();
        var log = factory.Services.GetRequiredService<ProcessingLog>();
        using var other = new ProcessingLog(Options.Create(new ProcessingLogOptions { PseudonymKey = Convert.ToBase64String(RandomNumberGenerator.GetBytes(32)) }), environment);

        // A record about a held person under the log's key, then more actions than the check's first look covers whose
        // records name no held person with a BSN (look-ups by made-up ids): the sample lies further back.
        var records = new List<ProcessingRecord> { ChainedRecords.After(1, ProcessingLog.GenesisHash, person.Id, log.Protect(person.Bsn)) };
        for (var sequence = 2; sequence <= 60; sequence++) records.Add(ChainedRecords.After(sequence, records[^1].Hash, 1_000_000 + sequence));
        ChainedRecords.AddTo(db, [.. records]);
        await db.SaveChangesAsync();

        await LogConsistency.CheckPseudonymKeyAsync(log, db, CancellationToken.None);
        var refused = await Assert.ThrowsAsync<HubConfigurationException>(() => LogConsistency.CheckPseudonymKeyAsync(other, db, CancellationToken.None));
        Assert.Contains("record 1's protected BSN", refused.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_hub_file_older_than_its_log_is_refused()
    {
        var path = _directory.File("restored.db");
        await using var db = DatabaseSetup.OpenSqlite(path);
        await db.MigrateAsync();
        await SeedCommand.SeedAsync(db, SeedOptions.Demo, CancellationToken.None);
        var highest = await db.Persons.MaxAsync(p => p.Id);
        await LogConsistency.CheckHubNotOlderThanLogAsync(db, CancellationToken.None); // an empty log names no one

        // A record naming an id the file never gave out, without a protected BSN: the hub never held such a person (a look-up
        // by a made-up id, as the privacy officer's wrote before it named no one), so it says nothing about the file's age.
        var named = ChainedRecords.After(1, ProcessingLog.GenesisHash, highest + 7);
        ChainedRecords.AddTo(db, named);
        await db.SaveChangesAsync();
        await LogConsistency.CheckHubNotOlderThanLogAsync(db, CancellationToken.None);

        // A record about a person the file never gave out (a held person's records carry their protected BSN): the log is
        // newer than the file (restored alone from an older backup).
        ChainedRecords.AddTo(db, ChainedRecords.After(2, named.Hash, highest + 5, protectedBsn: new string('a', 64)));
        await db.SaveChangesAsync();

        var refused = await Assert.ThrowsAsync<ProcessingLogFileException>(() => LogConsistency.CheckHubNotOlderThanLogAsync(db, CancellationToken.None));
        Assert.Contains("older than its processing log", refused.Message, StringComparison.Ordinal);
    }

    public void Dispose()
    {
        SqliteConnection.ClearAllPools();
        _directory.Dispose();
    }
}
