using Microsoft.Data.Sqlite;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using Veiligheid.Accountability;
using Veiligheid.Data;
using Veiligheid.Tests.Infrastructure;

namespace Veiligheid.Tests.Data;

public sealed class SqliteDurabilityTests(HubFactory factory) : IClassFixture<HubFactory>
{
    [Fact]
    public async Task The_hub_database_uses_the_write_ahead_log()
    {
        await using var scope = factory.Services.CreateAsyncScope();
        var db = scope.ServiceProvider.GetRequiredService<VeiligheidDbContext>();

        Assert.Equal("wal", await PragmaAsync(db, "journal_mode"));
    }

    [Fact]
    public async Task Every_connection_the_hub_opens_syncs_each_commit_in_full()
    {
        await using var scope = factory.Services.CreateAsyncScope();
        var db = scope.ServiceProvider.GetRequiredService<VeiligheidDbContext>();

        // Lower the setting on the pooled native connection, then open it again the way the hub does.
        await db.Database.OpenConnectionAsync();
        await db.Database.ExecuteSqlRawAsync("PRAGMA synchronous = OFF;");
        Assert.Equal(0L, await PragmaAsync(db, "synchronous"));
        await db.Database.CloseConnectionAsync();

        await db.Database.OpenConnectionAsync();
        Assert.Equal(2L, await PragmaAsync(db, "synchronous")); // FULL
        await db.Database.CloseConnectionAsync();
    }

    [Fact]
    public async Task The_processing_logs_own_connection_syncs_each_commit_in_full()
    {
        await using var scope = factory.Services.CreateAsyncScope();
        var db = scope.ServiceProvider.GetRequiredService<VeiligheidDbContext>();

        // The log writes through a connection of its own (not the pool's), so the hub's interceptor does not set it.
        using var writer = SqliteLogWriter.For(db);
        Assert.NotNull(writer);
        Assert.Equal(2L, writer.Synchronous()); // FULL
    }

    [Fact]
    public async Task The_write_ahead_log_starts_over_while_readers_never_pause()
    {
        // A database of this test's own: the records written here are a chain of their own.
        var path = Path.Combine(factory.TempDirectory, "steady-readers.db");
        await using var db = DatabaseSetup.OpenSqlite(path);
        await db.Database.MigrateAsync();
        using var writer = SqliteLogWriter.For(db)!;
        writer.TruncateAfterFrames = 64;

        // Two readers taking turns, so that at every moment one of them is inside a read transaction: the steady load
        // under which a PASSIVE checkpoint alone never lets the WAL start over.
        using var stop = new CancellationTokenSource();
        var readers = Task.Run(() => ReadWithoutPauseAsync(db.Database.GetConnectionString()!, stop.Token));
        const int Commits = 1000;
        long largestWal = 0, afterFirst = 0, afterFifteen = 0;
        for (var i = 1; i <= Commits; i++)
        {
            writer.Write((sequence, previous) => ChainedRecords.Rows(ChainedRecords.After(sequence + 1, previous, personId: (int)sequence + 1)));
            var wal = new FileInfo(path + "-wal").Length;
            largestWal = Math.Max(largestWal, wal);
            // Before the first checkpoint (at the 16th commit) the WAL only grows: what one commit adds to it.
            if (i == 1) afterFirst = wal;
            if (i == 15) afterFifteen = wal;
        }
        await stop.CancelAsync();
        await readers;
        writer.WaitForCheckpoint();

        Assert.True(writer.Truncations > 0, "the WAL never started over");
        // Never started over, the WAL would hold every commit (about 16 MB here); started over every 64 frames it stays a
        // fraction of that, with room for a checkpoint that runs late on a busy machine.
        var withoutTruncation = (afterFifteen - afterFirst) / 14 * Commits;
        Assert.True(largestWal < withoutTruncation / 2,
            $"the WAL grew to {largestWal} bytes of {withoutTruncation} never truncated; {writer.Truncations} truncations, {writer.TruncationsBusy} busy");
        Assert.Equal(Commits, await db.Set<ProcessingRecord>().CountAsync());
    }

    private static async Task ReadWithoutPauseAsync(string connectionString, CancellationToken stop)
    {
        await using var first = new SqliteConnection(connectionString);
        await using var second = new SqliteConnection(connectionString);
        await first.OpenAsync(stop);
        await second.OpenAsync(stop);
        var (open, next) = (first.BeginTransaction(deferred: true), second);
        await ReadAsync(open);
        while (!stop.IsCancellationRequested)
        {
            var started = next.BeginTransaction(deferred: true);
            await ReadAsync(started);
            open.Dispose(); // ends the older read only after the newer one holds its snapshot
            (open, next) = (started, next == first ? second : first);
            await Task.Delay(1, CancellationToken.None);
        }
        open.Dispose();

        static async Task ReadAsync(SqliteTransaction transaction)
        {
            await using var command = transaction.Connection!.CreateCommand();
            command.Transaction = transaction;
            command.CommandText = "SELECT count(*) FROM \"ProcessingLog\";";
            await command.ExecuteScalarAsync(CancellationToken.None);
        }
    }

    [Fact]
    public async Task A_database_in_rollback_journal_mode_is_switched_to_the_write_ahead_log()
    {
        var path = Path.Combine(factory.TempDirectory, "rollback.db");
        await using (var other = DatabaseSetup.OpenSqlite(path))
        {
            await other.Database.OpenConnectionAsync();
            await other.Database.ExecuteSqlRawAsync("PRAGMA journal_mode = DELETE;");
            var connection = other.Database.GetDbConnection();
            Assert.Equal("delete", await PragmaAsync(other, "journal_mode"));

            await SqliteDurability.EnsureWriteAheadLogAsync(connection, CancellationToken.None);

            Assert.Equal("wal", await PragmaAsync(other, "journal_mode"));
        }
    }

    private static async Task<object?> PragmaAsync(DbContext db, string name)
    {
        var connection = db.Database.GetDbConnection();
        var opened = connection.State != System.Data.ConnectionState.Open;
        if (opened) await db.Database.OpenConnectionAsync();
        try
        {
            await using var command = connection.CreateCommand();
            command.CommandText = name switch
            {
                "journal_mode" => "PRAGMA journal_mode;",
                "synchronous" => "PRAGMA synchronous;",
                _ => throw new ArgumentOutOfRangeException(nameof(name)),
            };
            return await command.ExecuteScalarAsync();
        }
        finally
        {
            if (opened) await db.Database.CloseConnectionAsync();
        }
    }
}
