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
        await db.Database.ExecuteSqlRawAsync($"PRAGMA synchronous = OFF; PRAGMA \"{SqliteLogFile.Schema}\".synchronous = OFF;");
        Assert.Equal(0L, await PragmaAsync(db, "synchronous"));
        Assert.Equal(0L, await PragmaAsync(db, "log.synchronous"));
        await db.Database.CloseConnectionAsync();

        await db.Database.OpenConnectionAsync();
        Assert.Equal(2L, await PragmaAsync(db, "synchronous")); // FULL
        // The processing log's file, attached to it (SqliteLogFile), as well.
        Assert.Equal(2L, await PragmaAsync(db, "log.synchronous"));
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
                "log.synchronous" => $"PRAGMA \"{SqliteLogFile.Schema}\".synchronous;",
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
