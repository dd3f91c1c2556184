using System.Data.Common;
using System.Globalization;
using System.Security.Cryptography;
using System.Text.RegularExpressions;
using Microsoft.Data.Sqlite;
using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Diagnostics;
using Microsoft.EntityFrameworkCore.Infrastructure;
using Microsoft.EntityFrameworkCore.Metadata;
using Microsoft.EntityFrameworkCore.Migrations;
using Microsoft.EntityFrameworkCore.Migrations.Operations;
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
/// <para>The log's index by data subject (<see cref="ProcessingLogIndex"/>) has a third file (<see cref="IndexPathFor"/>,
/// attached as <see cref="IndexSchema"/>), so its indexer never waits for the log's writer nor holds it back
/// (<see cref="PlaceIndexAsync"/>).</para>
/// <para>An in-memory database (tests) keeps its log in itself: it exists only on its one connection.</para>
/// <para>SQL Server keeps the log in the hub's database: its buffer pool is shared, so there is nothing to gain.</para>
/// </remarks>
public static partial class SqliteLogFile
{
    /// <summary>The schema name the log's file is attached under.</summary>
    public const string Schema = "log";

    /// <summary>The schema name the file of the log's index by data subject is attached under (<see cref="IndexPathFor"/>).</summary>
    public const string IndexSchema = "logindex";

    /// <summary>The log's file for the hub's database file: <c>veiligheid.db</c> → <c>veiligheid.processing-log.db</c>.</summary>
    public static string PathFor(string databasePath)
    {
        ArgumentNullException.ThrowIfNull(databasePath);
        var full = Path.GetFullPath(databasePath);
        return Path.Combine(Path.GetDirectoryName(full)!, Path.GetFileNameWithoutExtension(full) + ".processing-log" + Path.GetExtension(full));
    }

    /// <summary>
    /// The file of the log's index by data subject (<see cref="ProcessingLogIndex"/>): <c>veiligheid.db</c> →
    /// <c>veiligheid.processing-log-index.db</c>. Derived data: the hub makes it again from the log when it is missing.
    /// </summary>
    public static string IndexPathFor(string databasePath)
    {
        var log = PathFor(databasePath);
        return Path.Combine(Path.GetDirectoryName(log)!, Path.GetFileNameWithoutExtension(log) + "-index" + Path.GetExtension(log));
    }

    /// <summary>
    /// The files of the log's database and of its index (each file, its WAL and shared memory): delete them together with
    /// the hub's file. To copy or back up, the log's are needed; the index's may be left out (it is made again).
    /// </summary>
    public static IEnumerable<string> FilesFor(string databasePath)
        => WithCompanions(PathFor(databasePath)).Concat(WithCompanions(IndexPathFor(databasePath)));

    /// <summary>A SQLite database file with the files SQLite keeps beside it: its WAL, shared memory and rollback journal.</summary>
    public static IEnumerable<string> WithCompanions(string file) => [file, file + "-wal", file + "-shm", file + "-journal"];

    /// <summary>
    /// The connection string of the log's file for the hub's SQLite connection string (its other settings kept); null when
    /// the hub's database is not a file.
    /// </summary>
    public static string? ConnectionStringFor(string hubConnectionString) => Beside(hubConnectionString, PathFor);

    /// <summary>The log file's connection string for this context's database; null unless it is on a SQLite file.</summary>
    public static string? ConnectionStringFor(VeiligheidDbContext db)
        => SqliteOwnConnection.FileOf(db) is { } hub ? ConnectionStringFor(hub) : null;

    /// <summary>The connection string of the index's file (<see cref="IndexPathFor"/>) for the hub's SQLite connection string; null when the hub's database is not a file.</summary>
    public static string? IndexConnectionStringFor(string hubConnectionString) => Beside(hubConnectionString, IndexPathFor);

    /// <summary>The hub's connection string with its file replaced by the one <paramref name="pathFor"/> gives (its other settings kept); null for an in-memory database.</summary>
    private static string? Beside(string hubConnectionString, Func<string, string> pathFor)
    {
        if (SqliteOwnConnection.FileOf(hubConnectionString) is null) return null;
        var builder = new SqliteConnectionStringBuilder(hubConnectionString);
        builder.DataSource = pathFor(builder.DataSource);
        return builder.ToString();
    }

    /// <summary>
    /// Attaches the log's file and its index's file to this connection unless they are attached already (a pooled
    /// connection keeps them) or the database is in memory. <see cref="SqliteDurability"/> then sets synchronous=FULL for
    /// the log's, as for the hub's file.
    /// </summary>
    public static void Attach(SqliteConnection connection)
    {
        ArgumentNullException.ThrowIfNull(connection);
        foreach (var (schema, path) in Unattached(connection))
        {
            using var command = AttachCommand(connection, schema, path);
            command.ExecuteNonQuery();
        }
    }

    /// <inheritdoc cref="Attach"/>
    public static async Task AttachAsync(SqliteConnection connection, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(connection);
        foreach (var (schema, path) in Unattached(connection))
        {
            await using var command = AttachCommand(connection, schema, path);
            await command.ExecuteNonQueryAsync(cancellationToken);
        }
    }

    /// <summary>
    /// The log's files not attached to this connection yet, by schema; none for an in-memory database. This runs at every
    /// open, and a pooled connection has both attached: two native calls then, and nothing parsed or allocated.
    /// </summary>
    private static (string Schema, string Path)[] Unattached(SqliteConnection connection)
    {
        var log = IsAttached(connection, Schema);
        var index = IsAttached(connection, IndexSchema);
        if ((log && index) || SqliteOwnConnection.FileOf(connection.ConnectionString) is null) return [];
        (string, string) logFile = (Schema, PathFor(connection.DataSource)), indexFile = (IndexSchema, IndexPathFor(connection.DataSource));
        return log ? [indexFile] : index ? [logFile] : [logFile, indexFile];
    }

    /// <summary>ATTACH of a file under a schema name (the indexer's connection attaches the log's file with it too).</summary>
    internal static SqliteCommand AttachCommand(SqliteConnection connection, string schema, string path)
    {
        var command = connection.CreateCommand();
        command.CommandText = $"ATTACH DATABASE $path AS \"{schema}\";";
        command.Parameters.AddWithValue("$path", path);
        return command;
    }

    /// <summary>Whether the log's file is attached to this open connection. A native call, no statement: this runs at every open.</summary>
    public static bool IsAttached(SqliteConnection connection) => IsAttached(connection, Schema);

    /// <summary>Whether a file is attached to this open connection under this schema name (a native call, no statement).</summary>
    public static bool IsAttached(SqliteConnection connection, string schema)
    {
        ArgumentNullException.ThrowIfNull(connection);
        return !string.IsNullOrEmpty(raw.sqlite3_db_filename(connection.Handle, schema).utf8_to_string());
    }

    /// <summary>
    /// Sets the index's file aside when SQLite cannot read it (not a database, or a damaged one): renamed with its WAL and
    /// shared memory to <c>…-index.db.corrupt-&lt;UTC time&gt;</c>, with a warning; the hub then makes the file again and
    /// the indexer fills it from the log. Run before anything opens a connection to the hub's database, since every one
    /// attaches the index's file and a file SQLite cannot read fails the attach, and with it the hub's start. Nothing
    /// happens to a readable file, a missing one, or one that cannot be opened for another reason (busy, no permission):
    /// those are not the index's content, and moving them would hide the problem.
    /// </summary>
    /// <remarks>
    /// Set aside rather than deleted: the index is derived data, but a damaged file may be evidence of what happened to
    /// the disk, or of someone editing the log's files; an operator removes the copy once it has been looked at.
    /// </remarks>
    /// <returns>The path the file was set aside as; null when it was left where it was.</returns>
    public static string? SetAsideUnreadableIndex(VeiligheidDbContext db, TimeProvider? clock = null)
    {
        ArgumentNullException.ThrowIfNull(db);
        if (SqliteOwnConnection.PathOf(db) is not { } hub) return null;
        var file = IndexPathFor(hub);
        if (!File.Exists(file) || ReadError(file) is not { } reason) return null;
        var aside = file + ".corrupt-" + (clock ?? TimeProvider.System).GetUtcNow().UtcDateTime.ToString("yyyyMMdd'T'HHmmss'Z'", CultureInfo.InvariantCulture);
        // The companions keep their names beside the set-aside file, so it opens with its WAL as it was.
        foreach (var (from, to) in WithCompanions(file).Zip(WithCompanions(aside)))
            if (File.Exists(from)) File.Move(from, to);
        db.GetService<Microsoft.Extensions.Logging.ILoggerFactory>().CreateLogger(typeof(SqliteLogFile).FullName!)
            .LogWarning("The processing log's index file {File} cannot be read; it was set aside as {SetAside} and is made again from the log. {Reason}",
                file, aside, reason);
        return aside;
    }

    /// <summary>Why SQLite cannot read this file as a database (its header and schema), or null when it can or fails for another reason.</summary>
    private static string? ReadError(string file)
    {
        // The file alone: no pool keeps it open for the rename, and ReadWrite never creates one.
        using var connection = new SqliteConnection(new SqliteConnectionStringBuilder { DataSource = file, Mode = SqliteOpenMode.ReadWrite, Pooling = false }.ToString());
        try
        {
            connection.Open();
            using var command = connection.CreateCommand();
            command.CommandText = "SELECT count(*) FROM sqlite_master;";
            command.ExecuteScalar();
            return null;
        }
        catch (SqliteException e) when (e.SqliteErrorCode is raw.SQLITE_NOTADB or raw.SQLITE_CORRUPT)
        {
            return e.Message;
        }
    }

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
        var connection = (SqliteConnection)db.Database.GetDbConnection();
        List<SchemaObject>? inLog = null;
        try
        {
            await AttachAsync(connection, cancellationToken); // opened before the interceptor was there (a test's context)
            await SqliteDurability.EnsureWriteAheadLogAsync(connection, cancellationToken, Schema);
            var tables = LogTables(db);
            inLog = await ObjectsAsync(connection, Schema, tables, ProcessingRecordConfiguration.View, cancellationToken);
            var owner = await OwnerAsync(connection, inLog, cancellationToken);
            await MoveLogAsync(db, connection, tables, inLog, owner, cancellationToken);
            await PlaceIndexAsync(db, connection, owner, cancellationToken);
            await TrimIndexAboveLogEndAsync(db, connection, cancellationToken);
        }
        catch (ProcessingLogFileException) when (inLog is { Count: 0 })
        {
            // The log is missing, and attaching it (here or on any connection before) made an empty file in its place,
            // which would turn the next start's and verify-log's "missing" into "cannot be read": take it away again.
            await db.Database.CloseConnectionAsync();
            SqliteConnection.ClearPool(connection);
            foreach (var file in WithCompanions(PathFor(connection.DataSource))) File.Delete(file);
            throw;
        }
        finally
        {
            await db.Database.CloseConnectionAsync();
        }
    }

    /// <summary>The log's tables, indexes and view from the hub's file into the log's (see <see cref="MoveIntoOwnFileAsync"/>).</summary>
    private static async Task MoveLogAsync(VeiligheidDbContext db, SqliteConnection connection, string[] tables, List<SchemaObject> inLog, int owner,
        CancellationToken cancellationToken)
    {
        var inHub = await ObjectsAsync(connection, "main", tables, ProcessingRecordConfiguration.View, cancellationToken);
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

    /// <summary>
    /// The index by data subject in a file of its own (<see cref="IndexPathFor"/>): its table and indexes made there as
    /// the model says, bound to the log by the same id (<see cref="OwnerAsync"/>); made again, empty, when the file is new,
    /// belongs to another log or holds another shape of them (a migration changed the model); and dropped from the hub's
    /// and the log's files, where the migrations (and the hub before this file existed) put it. Its rows are derived: the
    /// indexer copies them from the log (<see cref="ProcessingLogIndexer"/>).
    /// </summary>
    /// <remarks>
    /// Why a file of its own: the indexer inserted every record's person and BSN key into two B-trees at random places
    /// (one since the eighteenth round), which dirtied thousands of pages per batch; in the log's file it had to write between the log's commits (one writer
    /// per file), so requests waited for its batches. The load test (BENCHMARKS.md, "Eighth round"): 294 requests a second
    /// with the index in the log's file, 443 with no indexer at all, 407–416 with the index in its own file.
    /// </remarks>
    private static async Task PlaceIndexAsync(VeiligheidDbContext db, SqliteConnection connection, int owner, CancellationToken cancellationToken)
    {
        string[] tables = [.. ProcessingLogIndex.Tables];
        var statements = IndexStatements(db);
        await SqliteDurability.EnsureWriteAheadLogAsync(connection, cancellationToken, IndexSchema);
        var stored = await ObjectsAsync(connection, IndexSchema, tables, view: null, cancellationToken);
        var bound = await ScalarAsync(connection, $"PRAGMA \"{IndexSchema}\".user_version;", cancellationToken);
        var same = bound == owner && stored.Count == statements.Count && statements.All(sql => stored.Any(o => Normal(o.Sql) == sql));
        // Where the migrations (main) or the hub before this file (the log's file) left the tables, and the index of an
        // earlier shape (a row per record with its person and BSN key, in a table of that name), which a migration removes
        // from wherever it is. (The shape between, ProcessingLogIndexRecords, was only ever in main, where the migration to
        // runs drops it, or in this file, made again here when its shape is not the model's.)
        var elsewhere = new List<(string Schema, string Table)>();
        foreach (var schema in new[] { "main", Schema })
            foreach (var there in await ObjectsAsync(connection, schema, [.. tables, FormerIndexTable], view: null, cancellationToken))
                if (there.Type == "table") elsewhere.Add((schema, there.Name));
        if (same && elsewhere.Count == 0) return;
        await using var transaction = (SqliteTransaction)await connection.BeginTransactionAsync(cancellationToken);
        if (!same)
        {
            // The file holds the index only: every table of another shape or owner goes (SQLite's own, such as the
            // numbers AUTOINCREMENT keeps, cannot and need not).
            foreach (var table in await TableNamesAsync(connection, IndexSchema, transaction, cancellationToken))
                await ExecuteAsync(connection, $"DROP TABLE \"{IndexSchema}\".\"{table}\";", cancellationToken, transaction);
            foreach (var sql in statements) await ExecuteAsync(connection, InSchema(sql, IndexSchema), cancellationToken, transaction);
            await ExecuteAsync(connection, $"PRAGMA \"{IndexSchema}\".user_version = {owner.ToString(CultureInfo.InvariantCulture)};", cancellationToken, transaction);
            // Made empty: the indexer copies the rows from the log. (The SQLite migrations make the tables in main empty too:
            // the index's file they would fill them from may be missing.)
        }
        foreach (var (schema, table) in elsewhere)
            await ExecuteAsync(connection, $"DROP TABLE \"{schema}\".\"{table}\";", cancellationToken, transaction);
        await transaction.CommitAsync(cancellationToken);
    }

    /// <summary>
    /// At the start, before the log's writer gives out a sequence: removes the index's rows above the log's last record,
    /// with the indexer's warning (<see cref="SqliteIndexCopier.TrimAboveLogEnd"/>). A log restored from a backup beside
    /// the index of the later log (a copy may leave the index out) ends below the index's watermark; left to the indexer's
    /// next pass, the records the hub writes at those sequences first are hidden behind the old records' rows, for good
    /// once the log has passed the watermark again, and those rows name persons the restored hub file never gave out, so
    /// <see cref="LogConsistency.CheckHubNotOlderThanLogAsync"/> would refuse the start.
    /// </summary>
    private static async Task TrimIndexAboveLogEndAsync(VeiligheidDbContext db, SqliteConnection connection, CancellationToken cancellationToken)
    {
        // A database not migrated yet has no log to compare with (the token command prepares one without migrating).
        if ((await ObjectsAsync(connection, Schema, [TableOf<ProcessingLogEntry>(db)], view: null, cancellationToken)).Count == 0) return;
        var logger = db.GetService<Microsoft.Extensions.Logging.ILoggerFactory>().CreateLogger(typeof(ProcessingLogIndexer).FullName!);
        using var copier = new SqliteIndexCopier(connection, IndexSchema, Schema);
        copier.TrimAboveLogEnd((rows, logEnd) => ProcessingLogIndexer.WarnRemovedEnd(logger, rows, logEnd));
    }

    /// <summary>The table of an earlier shape of the index (a row per record with its person and BSN key, before the rows by subject and the runs), which the hub removes where it finds it.</summary>
    private const string FormerIndexTable = "ProcessingLogSubjects";

    /// <summary>The tables a schema holds, but SQLite's own.</summary>
    private static async Task<List<string>> TableNamesAsync(SqliteConnection connection, string schema, SqliteTransaction transaction, CancellationToken cancellationToken)
    {
        await using var command = connection.CreateCommand();
        command.Transaction = transaction;
        command.CommandText = $"SELECT name FROM \"{schema}\".sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite\\_%' ESCAPE '\\';";
        var names = new List<string>();
        await using var reader = await command.ExecuteReaderAsync(cancellationToken);
        while (await reader.ReadAsync(cancellationToken)) names.Add(reader.GetString(0));
        return names;
    }

    /// <summary>
    /// The index tables' CREATE TABLE and CREATE INDEX statements, as EF Core's migrations would write them from the model,
    /// normalized, with the runs' table WITHOUT ROWID (<see cref="LogIndexRun"/>: its key its only B-tree; the
    /// migrations cannot say so, and in the hub's file, where only an in-memory database keeps the index, it needs not).
    /// Made once per process: EF Core's model differ walks the whole model (about 50 ms), and the model is the same for
    /// every SQLite context of the hub.
    /// </summary>
    private static List<string> IndexStatements(VeiligheidDbContext db)
        => LazyInitializer.EnsureInitialized(ref _indexStatements, () => MakeIndexStatements(db));

    private static List<string>? _indexStatements;

    private static List<string> MakeIndexStatements(VeiligheidDbContext db)
    {
        var model = db.GetService<IDesignTimeModel>().Model;
        var tables = ProcessingLogIndex.Tables;
        var operations = db.GetService<IMigrationsModelDiffer>().GetDifferences(null, model.GetRelationalModel())
            .Where(o => o is CreateTableOperation { Name: var t } && tables.Contains(t) || o is CreateIndexOperation { Table: var i } && tables.Contains(i))
            .ToList();
        var withoutRowId = $"CREATE TABLE \"{ProcessingLogIndex.RunsTable}\" ";
        return [.. db.GetService<IMigrationsSqlGenerator>().Generate(operations, model).Select(c => Normal(c.CommandText))
            .Select(sql => sql.StartsWith(withoutRowId, StringComparison.Ordinal) ? sql + " WITHOUT ROWID" : sql)];
    }

    /// <summary>A CREATE statement as SQLite keeps it in its schema table: without the trailing semicolon and white space.</summary>
    private static string Normal(string sql) => sql.Trim().TrimEnd(';').Trim();

    /// <summary>
    /// For verify-log: whether the hub reads the log through the objects it made, the first problem when not (null when it
    /// does). The chain covers the log's rows, not what reads them: the look-ups by person and BSN and the access reports
    /// read the view <c>ProcessingRecords</c> and the index by data subject by unqualified names, which SQLite looks up in
    /// the hub's file first, then in the log's, then in the index's (<see cref="Attach"/>), and the log writer's inserts
    /// run any trigger the log's file holds. So an object under one of the log's names in the hub's file (or the index's
    /// in the log's file) would be read instead of the log's own; another view would show other organisations, purposes or
    /// times than the records hold, or leave records out; a trigger could remove a record as it is written (its sequence
    /// is then given again, and the chain stays whole). The hub makes no triggers, and each file holds its objects only.
    /// </summary>
    public static async Task<string?> ReadPathProblemAsync(VeiligheidDbContext db, string hubFile, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(db);
        ArgumentNullException.ThrowIfNull(hubFile);
        var view = ProcessingRecordConfiguration.View;
        var index = ProcessingLogIndex.Tables;
        string[] logNames = [.. LogTables(db), view, .. index];
        foreach (var inHub in await StoredObjectsAsync(hubFile, cancellationToken))
            if (logNames.Contains(inHub.Name) || logNames.Contains(inHub.Table))
                return $"the database file {hubFile} holds the {inHub.Type} {inHub.Name}, under a name of the processing log's, which the hub's " +
                       "reads of the log (look-ups by person and BSN, access reports) would read instead of the log's own";

        var logFile = PathFor(hubFile);
        var inLog = await StoredObjectsAsync(logFile, cancellationToken);
        if (inLog.FirstOrDefault(o => o.Type == "trigger") is { } trigger)
            return $"the log's file {logFile} holds the trigger {trigger.Name}; the hub makes none, and a trigger on the log's tables runs at every " +
                   "write of the log (it can remove a record as it is written, and the chain then closes over the gap)";
        if (inLog.FirstOrDefault(o => index.Contains(o.Name) || index.Contains(o.Table)) is { } shadow)
            return $"the log's file {logFile} holds the {shadow.Type} {shadow.Name}, under the name of the log's index by data subject, which the " +
                   "hub's look-ups by person and BSN (and access reports) would read instead of the index";
        if (inLog.FirstOrDefault(o => o.Name == view) is not { Type: "view" } ofView || Normal(ofView.Sql) != ViewSql(db))
            return $"the view {view} in the log's file {logFile} is not the one the hub makes; the hub's reads of the log (look-ups, access " +
                   "reports) go through it";
        foreach (var table in new[] { typeof(ProcessingAction), typeof(ProcessingLogEntry) })
            if (await StoredFormProblemAsync(db.Model.FindEntityType(table)!, logFile, cancellationToken) is { } stored)
                return stored;
        // The index's own file: its shape and its values, checked where verify-log compares it with the log
        // (IndexShapeProblemAsync, IndexStoredFormProblemAsync), which it must do first.
        return null;
    }

    /// <summary>
    /// For verify-log: the problem when the index by data subject in its file is not the tables the hub makes (another
    /// definition, an earlier version's shape, or a trigger on them); null when it is, or when the file is missing or
    /// unreadable (said apart from the chain's verdict; made again at the hub's next start). Its values' stored forms are
    /// checked apart (<see cref="IndexStoredFormProblemAsync"/>), and only on tables of the hub's shape: verify-log
    /// compares the index with the log only then, since its reads of another shape fail (no such table or column).
    /// </summary>
    internal static async Task<string?> IndexShapeProblemAsync(VeiligheidDbContext db, string indexFile, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(db);
        if (!File.Exists(indexFile)) return null; // made again at the next start
        List<StoredObject> inIndex;
        try
        {
            inIndex = await StoredObjectsAsync(indexFile, cancellationToken);
        }
        catch (SqliteException)
        {
            return null; // unreadable: said apart from the chain's verdict, and set aside and made again at the next start
        }
        var index = ProcessingLogIndex.Tables;
        var statements = IndexStatements(db);
        var ofIndex = inIndex.Where(o => index.Contains(o.Table) || o.Type == "trigger").ToList();
        if (ofIndex.Count != statements.Count || !statements.All(sql => ofIndex.Any(o => Normal(o.Sql) == sql)))
            return $"the index by data subject in {indexFile} is not the table the hub makes (another definition, or a trigger on it); the hub's " +
                   "look-ups by person and BSN (and access reports) read it (an earlier version's index, left until the hub's next start, is made again by that start)";
        return null;
    }

    /// <summary>
    /// The view <c>ProcessingRecords</c> as the migrations make it (the last that creates it), normalized as SQLite keeps it:
    /// the one definition verify-log accepts (<see cref="ReadPathProblemAsync"/>).
    /// </summary>
    private static string ViewSql(VeiligheidDbContext db)
    {
        var migrations = db.GetService<IMigrationsAssembly>();
        var create = $"CREATE VIEW \"{ProcessingRecordConfiguration.View}\" ";
        return migrations.Migrations.OrderBy(m => m.Key, StringComparer.Ordinal)
                   .SelectMany(m => migrations.CreateMigration(m.Value, db.Database.ProviderName!).UpOperations.OfType<SqlOperation>())
                   .Select(o => Normal(o.Sql)).LastOrDefault(sql => sql.StartsWith(create, StringComparison.Ordinal))
               ?? throw new InvalidOperationException($"No migration creates the view {ProcessingRecordConfiguration.View}.");
    }

    /// <summary>
    /// The first row of this log table that stores a value in another form than the hub writes, as a problem; null when
    /// there is none. SQLite keeps any type in any column, and the chain's walk reads each value converted to its .NET
    /// type, so a person id stored as the text '13x' reads as 13 and its hash verifies; but the hub's queries compare what
    /// is stored, and <c>PersonId = 13</c> no longer finds it. Likewise a time stored as '2026-03-01T10:00:00' (a T for the
    /// space): the same moment to the walk, but the periods of the look-ups and reports compare the text, and place it after
    /// every time of that day. So every value must have the storage class of its column's type in the model (null only
    /// where the column may be), and every time the hub's form of text (yyyy-MM-dd HH:mm:ss and at most 7 decimals). One
    /// scan of the table, on the log's file alone.
    /// </summary>
    private static async Task<string?> StoredFormProblemAsync(IEntityType entity, string logFile, CancellationToken cancellationToken)
        => await FirstMisstoredAsync(entity, logFile, cancellationToken) is not (var row, var problem) ? null
            : $"the row {row} of {entity.GetTableName()} in the log's file {logFile} has {problem}: the chain's walk reads the value converted, so its hash " +
              "still verifies, but the hub's queries compare what is stored, so a look-up by person or a report's period can leave the record out";

    /// <summary>
    /// The first row of the index by data subject in its file that stores a value in another form than the indexer writes
    /// (an integer), as a problem; null when there is none. verify-log compares the index with the log through values read
    /// converted (<see cref="ProcessingLogIndex.DisagreementAsync"/>), so a subject number stored as the text '5x' reads as
    /// 5 and agrees; but the look-ups compare what is stored, and find no record under it (nor a subject whose person id is
    /// stored so). One scan of each table, on the index's file alone.
    /// </summary>
    /// <remarks>
    /// verify-log runs it before it compares the index with the log, whose read of the runs' arrays fails on one that is not
    /// an array of integers.
    /// </remarks>
    internal static async Task<string?> IndexStoredFormProblemAsync(VeiligheidDbContext db, string indexFile, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(db);
        foreach (var table in ProcessingLogIndex.Tables)
        {
            var entity = db.Model.GetEntityTypes().Single(e => e.GetTableName() == table);
            if (await FirstMisstoredAsync(entity, indexFile, cancellationToken) is (var row, var problem))
                return $"the row {row} of {table} in the index's file {indexFile} has {problem}: verify-log reads the value converted, but the look-ups by " +
                       "person and BSN compare what is stored, so they (and the access reports) leave the records of that row out";
        }
        return null;
    }

    /// <summary>
    /// The first row of this table in this file (its key's values, in key order) holding a value whose storage class is not
    /// its column's type in the model (null only where the column may be), or a time not in the hub's form, and what it
    /// holds; null when there is none. One scan of the table, on the file alone.
    /// </summary>
    private static async Task<(string Row, string Problem)?> FirstMisstoredAsync(IEntityType entity, string file, CancellationToken cancellationToken)
    {
        var table = entity.GetTableName()!;
        var key = string.Join(", ", entity.FindPrimaryKey()!.Properties.Select(p => $"\"{p.GetColumnName()}\""));
        var tests = new List<string>();
        foreach (var property in entity.GetProperties())
        {
            var column = $"\"{property.GetColumnName()}\"";
            var classes = property.IsNullable ? $"'{property.GetColumnType().ToLowerInvariant()}', 'null'" : $"'{property.GetColumnType().ToLowerInvariant()}'";
            tests.Add($"WHEN typeof({column}) NOT IN ({classes}) THEN '{property.GetColumnName()} stored as ' || typeof({column}) || ', where the hub stores {property.GetColumnType().ToLowerInvariant()}'");
            // A run's sequences (LogIndexRun): the look-ups read them with json_each, which reads a malformed array as
            // an error (every look-up of that subject fails) and a number in text as text (the record is left out).
            if (property.IsPrimitiveCollection)
                tests.Add($"WHEN {column} IS NOT NULL AND (NOT json_valid({column}) OR json_type({column}) <> 'array' OR EXISTS (SELECT 1 FROM json_each({column}) WHERE \"type\" <> 'integer')) " +
                          $"THEN '{property.GetColumnName()} stored as something else than a JSON array of integers'");
            if (property.ClrType == typeof(DateTime))
                tests.Add($"WHEN NOT ({column} GLOB '{DateTimeGlob}' OR {column} GLOB '{DateTimeGlob}.[0-9]*' AND length({column}) <= 27 AND substr({column}, 21) NOT GLOB '*[^0-9]*') " +
                          $"THEN '{property.GetColumnName()} stored as text in another form than the hub''s (yyyy-MM-dd HH:mm:ss.fffffff)'");
        }
        await using var connection = new SqliteConnection(new SqliteConnectionStringBuilder { DataSource = file, Mode = SqliteOpenMode.ReadWrite, Pooling = false }.ToString());
        await connection.OpenAsync(cancellationToken);
        await using var command = connection.CreateCommand();
        command.CommandText = $"SELECT {key}, \"Problem\" FROM (SELECT {key}, CASE {string.Join(" ", tests)} END AS \"Problem\" FROM \"{table}\") " +
                              $"WHERE \"Problem\" IS NOT NULL ORDER BY {key} LIMIT 1;";
        await using var reader = await command.ExecuteReaderAsync(cancellationToken);
        if (!await reader.ReadAsync(cancellationToken)) return null;
        var keys = Enumerable.Range(0, reader.FieldCount - 1).Select(i => Convert.ToString(reader.GetValue(i), CultureInfo.InvariantCulture));
        return (string.Join(", ", keys), reader.GetString(reader.FieldCount - 1));
    }

    /// <summary>The hub's stored form of a time to the second (EF Core's on SQLite, and the log writer's), as a GLOB pattern.</summary>
    private const string DateTimeGlob = "[0-9][0-9][0-9][0-9]-[0-9][0-9]-[0-9][0-9] [0-9][0-9]:[0-9][0-9]:[0-9][0-9]";

    private sealed record StoredObject(string Type, string Name, string Table, string Sql);

    /// <summary>Every object one SQLite file holds with its SQL (not those SQLite makes itself), read on a connection to that file alone.</summary>
    private static async Task<List<StoredObject>> StoredObjectsAsync(string file, CancellationToken cancellationToken)
    {
        await using var connection = new SqliteConnection(new SqliteConnectionStringBuilder { DataSource = file, Mode = SqliteOpenMode.ReadWrite, Pooling = false }.ToString());
        await connection.OpenAsync(cancellationToken);
        await using var command = connection.CreateCommand();
        command.CommandText = "SELECT type, name, tbl_name, sql FROM sqlite_master WHERE sql IS NOT NULL;";
        var objects = new List<StoredObject>();
        await using var reader = await command.ExecuteReaderAsync(cancellationToken);
        while (await reader.ReadAsync(cancellationToken))
            objects.Add(new StoredObject(reader.GetString(0), reader.GetString(1), reader.GetString(2), reader.GetString(3)));
        return objects;
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

    /// <summary>The log's tables, parents first (the person rows refer to their action), from the model. Its index by data subject has a file of its own (<see cref="PlaceIndexAsync"/>).</summary>
    private static string[] LogTables(VeiligheidDbContext db) =>
    [
        TableOf<ProcessingAction>(db),
        TableOf<ProcessingLogEntry>(db),
    ];

    private static string TableOf<T>(VeiligheidDbContext db)
        => db.Model.FindEntityType(typeof(T))?.GetTableName() ?? throw new InvalidOperationException($"{typeof(T).Name} has no table.");

    private sealed record SchemaObject(string Type, string Name, string Sql);

    /// <summary>These tables with their indexes, and the view when one is named, as stored in this schema.</summary>
    private static async Task<List<SchemaObject>> ObjectsAsync(SqliteConnection connection, string schema, string[] tables, string? view,
        CancellationToken cancellationToken)
    {
        await using var command = connection.CreateCommand();
        var names = string.Join(", ", tables.Select((_, i) => "$t" + i));
        // The indexes SQLite makes itself (sqlite_autoindex_…) have no SQL: they come with their table.
        command.CommandText = $"SELECT type, name, sql FROM \"{schema}\".sqlite_master WHERE sql IS NOT NULL AND (tbl_name IN ({names}) OR name = $view);";
        for (var i = 0; i < tables.Length; i++) command.Parameters.AddWithValue("$t" + i, tables[i]);
        command.Parameters.AddWithValue("$view", (object?)view ?? DBNull.Value); // NULL: "name = NULL" matches nothing
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

    /// <summary>The stored CREATE statement with the log's schema (or another) before the object's name.</summary>
    private static string InSchema(string sql, string schema = Schema)
    {
        var match = CreatePrefix().Match(sql);
        if (!match.Success) throw new InvalidOperationException("Unexpected statement for a processing log object: " + sql[..Math.Min(sql.Length, 60)]);
        return sql.Insert(match.Length, $"\"{schema}\".");
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

/// <summary>Attaches the processing log's file and its index's (<see cref="SqliteLogFile"/>) to every SQLite connection EF Core opens.</summary>
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
