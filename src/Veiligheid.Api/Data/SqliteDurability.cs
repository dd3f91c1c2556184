using System.Data.Common;
using Microsoft.EntityFrameworkCore.Diagnostics;

namespace Veiligheid.Data;

/// <summary>
/// How the hub's SQLite database makes a commit durable: the write-ahead log (journal_mode=WAL) with synchronous=FULL.
/// <list type="bullet">
/// <item>WAL: a commit appends its pages to the -wal file and syncs that one file, where the rollback journal (DELETE
/// mode) syncs the journal, the database and the directory; readers do not block the writer nor the writer the readers.
/// EF Core creates new SQLite databases in WAL already; <see cref="EnsureWriteAheadLogAsync"/> makes sure of it for a
/// file made otherwise. The mode is stored in the file: the -wal and -shm files beside it belong to it (copy or delete
/// them with it; `seed --replace` does).</item>
/// <item>synchronous=FULL, set on every connection the hub opens (the setting is per connection): in WAL mode FULL syncs
/// the WAL on every commit, so a commit that returned survives a power loss. NORMAL syncs only at checkpoints and can
/// lose the last commits on power loss; the processing log promises that a request's records are durable before its
/// data is returned, so NORMAL is not an option. It would save the one fsync per commit, which costs 0.1 ms on an idle
/// disk here and several ms on a busy one (BENCHMARKS.md, "Processing log overhead").</item>
/// </list>
/// </summary>
public sealed class SqliteDurability : DbConnectionInterceptor
{
    public static SqliteDurability Instance { get; } = new();

    /// <summary>The statement every connection the hub opens runs first.</summary>
    public const string Synchronous = "PRAGMA synchronous = FULL;";

    // With the processing log's file attached (SqliteLogFile; its interceptor runs before this one), for it as well:
    // the setting is per file and per connection, and a pooled connection keeps whatever was set on it last.
    private static readonly string SynchronousWithLog = $"{Synchronous} PRAGMA \"{SqliteLogFile.Schema}\".synchronous = FULL;";

    public override void ConnectionOpened(DbConnection connection, ConnectionEndEventData eventData)
    {
        ArgumentNullException.ThrowIfNull(connection);
        using var command = connection.CreateCommand();
        command.CommandText = StatementFor(connection);
        command.ExecuteNonQuery();
    }

    public override async Task ConnectionOpenedAsync(DbConnection connection, ConnectionEndEventData eventData, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(connection);
        await using var command = connection.CreateCommand();
        command.CommandText = StatementFor(connection);
        await command.ExecuteNonQueryAsync(cancellationToken);
    }

    private static string StatementFor(DbConnection connection)
        => connection is Microsoft.Data.Sqlite.SqliteConnection sqlite && SqliteLogFile.IsAttached(sqlite) ? SynchronousWithLog : Synchronous;

    /// <summary>
    /// Switches a database file of the connection to WAL when it is not in it yet (a file not created by EF Core, or the
    /// processing log's file, <see cref="SqliteLogFile"/>, attached as <paramref name="schema"/>); at start-up.
    /// </summary>
    public static async Task EnsureWriteAheadLogAsync(DbConnection connection, CancellationToken cancellationToken, string schema = "main")
    {
        ArgumentNullException.ThrowIfNull(connection);
        await using var command = connection.CreateCommand();
        command.CommandText = $"PRAGMA \"{schema}\".journal_mode;";
        var mode = (string?)await command.ExecuteScalarAsync(cancellationToken);
        // An in-memory database has no journal on disk ("memory") and stays so.
        if (mode is "wal" or "memory") return;
        command.CommandText = $"PRAGMA \"{schema}\".journal_mode = WAL;";
        await command.ExecuteScalarAsync(cancellationToken);
    }
}
