using Microsoft.Data.Sqlite;
using Microsoft.EntityFrameworkCore;
using SQLitePCL;

namespace Veiligheid.Data;

/// <summary>
/// A connection of its own to one of the hub's SQLite files, beside the request pool: the processing log's file for its
/// writer and checkpoints, the index's file for its indexer (<see cref="SqliteLogFile"/>), the hub's file for the compiled
/// read path's kept statements.
/// </summary>
internal static class SqliteOwnConnection
{
    /// <summary>
    /// The context's connection string when it is on a SQLite file; null otherwise (SQL Server, or an in-memory database,
    /// which exists only on the connection that made it: a second connection would see another one).
    /// </summary>
    public static string? FileOf(VeiligheidDbContext db)
    {
        ArgumentNullException.ThrowIfNull(db);
        if (!db.OnSqlite || db.Database.GetConnectionString() is not { } connectionString) return null;
        return FileOf(connectionString);
    }

    /// <summary>The path of the context's SQLite file; null when it is not on one (as <see cref="FileOf(VeiligheidDbContext)"/>).</summary>
    public static string? PathOf(VeiligheidDbContext db) => FileOf(db) is { } file ? new SqliteConnectionStringBuilder(file).DataSource : null;

    /// <summary>The SQLite connection string itself when it names a file; null for an in-memory database.</summary>
    public static string? FileOf(string connectionString)
    {
        var builder = new SqliteConnectionStringBuilder(connectionString);
        return builder.Mode == SqliteOpenMode.Memory || builder.DataSource is "" or ":memory:" ? null : connectionString;
    }

    /// <summary>
    /// Opens an unpooled connection (it is its owner's for as long as the owner lives, and a pool's ClearAllPools must not
    /// close it) and runs <paramref name="pragmas"/> on it; disposed again when they fail.
    /// </summary>
    public static SqliteConnection Open(string connectionString, string pragmas)
    {
        var connection = new SqliteConnection(new SqliteConnectionStringBuilder(connectionString) { Pooling = false }.ToString());
        try
        {
            connection.Open();
            using var command = connection.CreateCommand();
            command.CommandText = pragmas;
            command.ExecuteNonQuery();
            return connection;
        }
        catch
        {
            connection.Dispose();
            throw;
        }
    }

    /// <summary>
    /// Turns triggers off on this connection (SQLITE_DBCONFIG_ENABLE_TRIGGER), before it prepares a statement: for the
    /// connections that write the log and its index. The hub makes no trigger on them; one someone added to the log's file
    /// would run inside the writer's transaction and could remove a record as it is written (the next record then takes
    /// its sequence, and the chain stays whole), or a row of the index. verify-log reports such a trigger
    /// (<see cref="SqliteLogFile.ReadPathProblemAsync"/>).
    /// </summary>
    public static void WithoutTriggers(SqliteConnection connection)
    {
        ArgumentNullException.ThrowIfNull(connection);
        if (raw.sqlite3_db_config(connection.Handle, raw.SQLITE_DBCONFIG_ENABLE_TRIGGER, 0, out int enabled) != raw.SQLITE_OK || enabled != 0)
            throw new InvalidOperationException("Triggers could not be turned off on a connection that writes the processing log.");
    }
}
