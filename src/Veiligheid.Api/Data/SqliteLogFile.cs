using System.Data.Common;
using System.Globalization;
using System.Security.Cryptography;
using System.Text.RegularExpressions;
using Microsoft.Data.Sqlite;
using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Diagnostics;
using SQLitePCL;
using Veiligheid.Accountability;

namespace Veiligheid.Data;

/// <summary>
/// On SQLite the processing log lives in a database file of its own beside the hub's (<see cref="PathFor"/>), attached
/// to every connection EF Core opens as the schema <see cref="Schema"/>.
/// </summary>
/// <remarks>
/// <para>Why: SQLite makes every connection drop its whole page cache at its next read once another connection has
/// committed to the same file. With the log in the hub's file, each request's log commit sent the next request's read
/// back to the operating system for every page: case 2's statement took 3.0 instead of 2.0 ms after a commit elsewhere,
/// case 1's 2.0 instead of 1.1 ms (BENCHMARKS.md, "Seventh round"). A commit to another file leaves the cache alone.</para>
/// <para>How the hub finds the log: the log's tables and view are only in the attached file, and SQLite looks an unqualified
/// name up in main first, then in the attached files; so EF Core's queries and the migrations' statements name them as
/// before. The log's writer, its checkpoints and its indexer open the log file alone (<see cref="ConnectionStringFor"/>),
/// so their transactions never take the hub file's write lock. The compiled read path's kept connections attach nothing.</para>
/// <para>The migrations create the log's tables in the hub's file, as they always did; <see cref="MoveIntoOwnFileAsync"/>
/// moves them (with their rows: a database from before this change keeps its chain) after every migration. A later
/// migration that rebuilds one of them (SQLite's table rebuild creates the new table in main) is moved the same way.</para>
/// <para>An in-memory database (tests) keeps its log in itself: it exists only on its one connection.</para>
/// <para>SQL Server keeps the log in the hub's database: its buffer pool is shared, so there is nothing to gain.</para>
/// </remarks>
public static partial class SqliteLogFile
{
    /// <summary>The schema name the log's file is attached under.</summary>
    public const string Schema = "log";

    /// <summary>The log's file for the hub's database file: <c>veiligheid.db</c> → <c>veiligheid.processing-log.db</c>.</summary>
    public static string PathFor(string databasePath)
    {
        ArgumentNullException.ThrowIfNull(databasePath);
        var full = Path.GetFullPath(databasePath);
        return Path.Combine(Path.GetDirectoryName(full)!, Path.GetFileNameWithoutExtension(full) + ".processing-log" + Path.GetExtension(full));
    }

    /// <summary>The files that make up the log's database (the file, its WAL and shared memory): delete or copy them together.</summary>
    public static IEnumerable<string> FilesFor(string databasePath)
    {
        var log = PathFor(databasePath);
        return [log, log + "-wal", log + "-shm", log + "-journal"];
    }

    /// <summary>
    /// The connection string of the log's file for the hub's SQLite connection string (its other settings kept); null when
    /// the hub's database is not a file.
    /// </summary>
    public static string? ConnectionStringFor(string hubConnectionString)
    {
        if (SqliteOwnConnection.FileOf(hubConnectionString) is null) return null;
        var builder = new SqliteConnectionStringBuilder(hubConnectionString);
        builder.DataSource = PathFor(builder.DataSource);
        return builder.ToString();
    }

    /// <summary>The log file's connection string for this context's database; null unless it is on a SQLite file.</summary>
    public static string? ConnectionStringFor(VeiligheidDbContext db)
        => SqliteOwnConnection.FileOf(db) is { } hub ? ConnectionStringFor(hub) : null;

    /// <summary>
    /// Attaches the log's file to this connection unless it is attached already (a pooled connection keeps it) or the
    /// database is in memory. <see cref="SqliteDurability"/> then sets synchronous=FULL for it, as for the hub's file.
    /// </summary>
    public static void Attach(SqliteConnection connection)
    {
        ArgumentNullException.ThrowIfNull(connection);
        if (IsAttached(connection) || LogPathOf(connection) is not { } path) return;
        using var command = AttachCommand(connection, path);
        command.ExecuteNonQuery();
    }

    /// <inheritdoc cref="Attach"/>
    public static async Task AttachAsync(SqliteConnection connection, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(connection);
        if (IsAttached(connection) || LogPathOf(connection) is not { } path) return;
        await using var command = AttachCommand(connection, path);
        await command.ExecuteNonQueryAsync(cancellationToken);
    }

    private static SqliteCommand AttachCommand(SqliteConnection connection, string path)
    {
        var command = connection.CreateCommand();
        command.CommandText = $"ATTACH DATABASE $path AS \"{Schema}\";";
        command.Parameters.AddWithValue("$path", path);
        return command;
    }

    /// <summary>Whether the log's file is attached to this open connection. A native call, no statement: this runs at every open.</summary>
    public static bool IsAttached(SqliteConnection connection)
        => !string.IsNullOrEmpty(raw.sqlite3_db_filename(connection.Handle, Schema).utf8_to_string());

    private static string? LogPathOf(SqliteConnection connection)
        => SqliteOwnConnection.FileOf(connection.ConnectionString) is null ? null : PathFor(connection.DataSource);

    /// <summary>
    /// Moves the log's tables, indexes and view, with their rows, from the hub's file into the log's file, where the
    /// migrations left them in the hub's file; nothing to do when they are in the log's file already. Run after every
    /// migration (<see cref="DatabaseSetup.MigrateAsync"/>). Two steps, each one transaction: the copy into the log's file
    /// (the objects and every row, so the log's file has all or nothing of them), then the drop from the hub's file. A
    /// stop between the two leaves both; the next start sees the copy is complete and drops the hub file's. A table in
    /// both whose copy lacks rows of the hub file's is not chosen between, a log's file of another database is not used
    /// (<see cref="OwnerAsync"/>), and a migrated database whose log is in neither file does not start: each stops the
    /// start with the reason.
    /// </summary>
    public static async Task MoveIntoOwnFileAsync(VeiligheidDbContext db, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(db);
        if (ConnectionStringFor(db) is null) return;
        await db.Database.OpenConnectionAsync(cancellationToken);
        try
        {
            var connection = (SqliteConnection)db.Database.GetDbConnection();
            await AttachAsync(connection, cancellationToken); // opened before the interceptor was there (a test's context)
            await SqliteDurability.EnsureWriteAheadLogAsync(connection, cancellationToken, Schema);
            var tables = LogTables(db);
            var inHub = await ObjectsAsync(connection, "main", tables, cancellationToken);
            var inLog = await ObjectsAsync(connection, Schema, tables, cancellationToken);
            var owner = await OwnerAsync(connection, inLog, cancellationToken);
            if (inHub.Count == 0)
            {
                if (inLog.Count == 0 && (await db.Database.GetAppliedMigrationsAsync(cancellationToken)).Any())
                    throw new ProcessingLogFileException(
                        $"The processing log is missing: {PathFor(connection.DataSource)} holds none of it. Restore it from the backup " +
                        "made with the database; the hub does not serve person data without its log.");
                return;
            }
            // A table in both: the copy of a move that stopped before its drop.
            foreach (var table in inHub.Where(o => o.Type == "table" && inLog.Any(l => l.Name == o.Name)))
            {
                var chained = table.Name == TableOf<ProcessingLogEntry>(db); // the person rows carry the chain
                if (!await LogHoldsAllOfAsync(connection, table.Name, chained, cancellationToken))
                    throw new ProcessingLogFileException(
                        $"The processing log's table {table.Name} is in both {connection.DataSource} and {PathFor(connection.DataSource)}, and " +
                        "the log file lacks rows the database file holds. The hub does not choose between them: keep the file with the whole chain.");
            }
            var copy = inHub.Where(o => !inLog.Any(l => l.Name == o.Name)).ToList();
            if (copy.Count > 0) await CopyAsync(connection, copy, tables, owner, cancellationToken);
            await DropFromHubAsync(connection, inHub, cancellationToken);
        }
        finally
        {
            await db.Database.CloseConnectionAsync();
        }
    }

    /// <summary>
    /// The id that binds the two files (<c>PRAGMA user_version</c>, which nothing else here uses): the hub's file gets a
    /// random one when it has none, and the log's file takes it with its first objects (in the copy's transaction). A
    /// log's file with another id, or with a log and no id, belongs to another database (the hub's file deleted and
    /// created again beside an old log): its records would be read as about this database's persons, so the start stops.
    /// </summary>
    private static async Task<int> OwnerAsync(SqliteConnection connection, List<SchemaObject> inLog, CancellationToken cancellationToken)
    {
        var hub = (int)await ScalarAsync(connection, "PRAGMA \"main\".user_version;", cancellationToken);
        if (hub == 0)
        {
            hub = RandomNumberGenerator.GetInt32(1, int.MaxValue);
            await ExecuteAsync(connection, $"PRAGMA \"main\".user_version = {hub.ToString(CultureInfo.InvariantCulture)};", cancellationToken);
        }
        var log = (int)await ScalarAsync(connection, $"PRAGMA \"{Schema}\".user_version;", cancellationToken);
        if (log == hub || (log == 0 && inLog.Count == 0)) return hub;
        throw new ProcessingLogFileException(
            $"{PathFor(connection.DataSource)} is the processing log of another database than {connection.DataSource} " +
            "(was the database file replaced without its log?). Put the log that belongs to this database beside it, or move " +
            "this one away; the hub does not continue one database's log on another.");
    }

    /// <summary>The log's tables, parents first (the person rows refer to their action), from the model.</summary>
    private static string[] LogTables(VeiligheidDbContext db) =>
    [
        TableOf<ProcessingAction>(db),
        TableOf<ProcessingLogEntry>(db),
        TableOf<ProcessingLogSubject>(db),
    ];

    private static string TableOf<T>(VeiligheidDbContext db)
        => db.Model.FindEntityType(typeof(T))?.GetTableName() ?? throw new InvalidOperationException($"{typeof(T).Name} has no table.");

    private sealed record SchemaObject(string Type, string Name, string Sql);

    /// <summary>The log's tables, their indexes and the view of the records, as stored in this schema.</summary>
    private static async Task<List<SchemaObject>> ObjectsAsync(SqliteConnection connection, string schema, string[] tables, CancellationToken cancellationToken)
    {
        await using var command = connection.CreateCommand();
        var names = string.Join(", ", tables.Select((_, i) => "$t" + i));
        // The indexes SQLite makes itself (sqlite_autoindex_…) have no SQL: they come with their table.
        command.CommandText = $"SELECT type, name, sql FROM \"{schema}\".sqlite_master WHERE sql IS NOT NULL AND (tbl_name IN ({names}) OR name = $view);";
        for (var i = 0; i < tables.Length; i++) command.Parameters.AddWithValue("$t" + i, tables[i]);
        command.Parameters.AddWithValue("$view", ProcessingRecordConfiguration.View);
        var objects = new List<SchemaObject>();
        await using var reader = await command.ExecuteReaderAsync(cancellationToken);
        while (await reader.ReadAsync(cancellationToken)) objects.Add(new SchemaObject(reader.GetString(0), reader.GetString(1), reader.GetString(2)));
        return objects;
    }

    private static async Task CopyAsync(SqliteConnection connection, List<SchemaObject> objects, string[] tables, int owner, CancellationToken cancellationToken)
    {
        await using var transaction = (SqliteTransaction)await connection.BeginTransactionAsync(cancellationToken);
        // The owner's id with the objects: a log's file never has a log without it.
        await ExecuteAsync(connection, $"PRAGMA \"{Schema}\".user_version = {owner.ToString(CultureInfo.InvariantCulture)};", cancellationToken, transaction);
        // Tables first, in the parents-first order, then their indexes and the view (which names the tables unqualified, so
        // in the log's file it reads the log file's tables).
        foreach (var table in tables)
        {
            if (objects.FirstOrDefault(o => o.Type == "table" && o.Name == table) is not { } created) continue;
            await ExecuteAsync(connection, InSchema(created.Sql), cancellationToken, transaction);
            await ExecuteAsync(connection, $"INSERT INTO \"{Schema}\".\"{table}\" SELECT * FROM \"main\".\"{table}\";", cancellationToken, transaction);
        }
        foreach (var other in objects.Where(o => o.Type != "table"))
            await ExecuteAsync(connection, InSchema(other.Sql), cancellationToken, transaction);
        await transaction.CommitAsync(cancellationToken);
    }

    /// <summary>
    /// Whether the log's file holds at least as many of the table's rows as the hub's file and, for the person rows, the
    /// hub file's last record (same sequence, same hash).
    /// </summary>
    private static async Task<bool> LogHoldsAllOfAsync(SqliteConnection connection, string table, bool chained, CancellationToken cancellationToken)
    {
        var inHub = await ScalarAsync(connection, $"SELECT count(*) FROM \"main\".\"{table}\";", cancellationToken);
        var inLog = await ScalarAsync(connection, $"SELECT count(*) FROM \"{Schema}\".\"{table}\";", cancellationToken);
        if (inLog < inHub) return false;
        if (!chained) return true;
        await using var command = connection.CreateCommand();
        command.CommandText = $"SELECT \"Sequence\", \"Hash\" FROM \"main\".\"{table}\" ORDER BY \"Sequence\" DESC LIMIT 1;";
        long sequence;
        string hash;
        await using (var reader = await command.ExecuteReaderAsync(cancellationToken))
        {
            if (!await reader.ReadAsync(cancellationToken)) return true; // no records in the hub's file: nothing to lose
            (sequence, hash) = (reader.GetInt64(0), reader.GetString(1));
        }
        command.CommandText = $"SELECT EXISTS (SELECT 1 FROM \"{Schema}\".\"{table}\" WHERE \"Sequence\" = $sequence AND \"Hash\" = $hash);";
        command.Parameters.AddWithValue("$sequence", sequence);
        command.Parameters.AddWithValue("$hash", hash);
        return await command.ExecuteScalarAsync(cancellationToken) is 1L;
    }

    private static async Task DropFromHubAsync(SqliteConnection connection, List<SchemaObject> objects, CancellationToken cancellationToken)
    {
        // Without the foreign key check: dropping a table with it on deletes its rows one by one first. The order (the
        // view, then children before parents) keeps it valid anyway.
        var foreignKeys = await ScalarAsync(connection, "PRAGMA foreign_keys;", cancellationToken);
        await ExecuteAsync(connection, "PRAGMA foreign_keys = OFF;", cancellationToken);
        try
        {
            await using var transaction = (SqliteTransaction)await connection.BeginTransactionAsync(cancellationToken);
            foreach (var view in objects.Where(o => o.Type == "view"))
                await ExecuteAsync(connection, $"DROP VIEW \"main\".\"{view.Name}\";", cancellationToken, transaction);
            foreach (var table in objects.Where(o => o.Type == "table").Reverse())
                await ExecuteAsync(connection, $"DROP TABLE \"main\".\"{table.Name}\";", cancellationToken, transaction);
            await transaction.CommitAsync(cancellationToken);
        }
        finally
        {
            await ExecuteAsync(connection, $"PRAGMA foreign_keys = {foreignKeys};", cancellationToken);
        }
    }

    /// <summary>The stored CREATE statement with the log's schema before the object's name.</summary>
    private static string InSchema(string sql)
    {
        var match = CreatePrefix().Match(sql);
        if (!match.Success) throw new InvalidOperationException("Unexpected statement for a processing log object: " + sql[..Math.Min(sql.Length, 60)]);
        return sql.Insert(match.Length, $"\"{Schema}\".");
    }

    [GeneratedRegex("^CREATE (TABLE|VIEW|INDEX|UNIQUE INDEX) ", RegexOptions.CultureInvariant)]
    private static partial Regex CreatePrefix();

    private static async Task ExecuteAsync(SqliteConnection connection, string sql, CancellationToken cancellationToken, SqliteTransaction? transaction = null)
    {
        await using var command = connection.CreateCommand();
        command.Transaction = transaction;
        command.CommandText = sql;
        await command.ExecuteNonQueryAsync(cancellationToken);
    }

    private static async Task<long> ScalarAsync(SqliteConnection connection, string sql, CancellationToken cancellationToken)
    {
        await using var command = connection.CreateCommand();
        command.CommandText = sql;
        return Convert.ToInt64(await command.ExecuteScalarAsync(cancellationToken), CultureInfo.InvariantCulture);
    }
}

/// <summary>Attaches the processing log's file (<see cref="SqliteLogFile"/>) to every SQLite connection EF Core opens.</summary>
public sealed class SqliteLogAttachment : DbConnectionInterceptor
{
    public static SqliteLogAttachment Instance { get; } = new();

    public override void ConnectionOpened(DbConnection connection, ConnectionEndEventData eventData)
    {
        if (connection is SqliteConnection sqlite) SqliteLogFile.Attach(sqlite);
    }

    public override Task ConnectionOpenedAsync(DbConnection connection, ConnectionEndEventData eventData, CancellationToken cancellationToken = default)
        => connection is SqliteConnection sqlite ? SqliteLogFile.AttachAsync(sqlite, cancellationToken) : Task.CompletedTask;
}

/// <summary>
/// The processing log's file cannot be used with the hub's file (missing, another database's, or an incomplete copy): the
/// hub does not start, and says why (<c>Program.cs</c> prints the reason and exits with 1).
/// </summary>
public sealed class ProcessingLogFileException(string message) : InvalidOperationException(message);
