using Microsoft.Data.Sqlite;
using Microsoft.EntityFrameworkCore;
using SQLitePCL;
using Veiligheid.Accountability;
using Veiligheid.Data;
using Veiligheid.GraphQL.Compiled;
using Veiligheid.Tests.Infrastructure;

namespace Veiligheid.Tests.Data;

/// <summary>The processing log in a SQLite file of its own (<see cref="SqliteLogFile"/>).</summary>
public sealed class SqliteLogFileTests : IDisposable
{
    private readonly TestDirectory _directory = new();

    [Fact]
    public async Task The_log_lives_in_a_file_of_its_own_and_the_hub_file_holds_none_of_it()
    {
        var path = _directory.File("hub.db");
        await using (var db = DatabaseSetup.OpenSqlite(path))
        {
            await db.MigrateAsync();
            using var writer = SqliteLogWriter.For(db)!;
            writer.Write((s, p) => ChainedRecords.Rows(ChainedRecords.After(s + 1, p, personId: 7)));
            // EF Core reads it through the attached file, under the names it always had.
            Assert.Equal(7, (await db.Set<ProcessingRecord>().AsNoTracking().SingleAsync()).PersonId);
        }

        Assert.Equal(_directory.File("hub.processing-log.db"), SqliteLogFile.PathFor(path));
        Assert.Empty(LogObjects(path));
        Assert.Equal(["ProcessingActions", "ProcessingLog", "ProcessingRecords"],
            LogObjects(SqliteLogFile.PathFor(path)).Where(o => o.Type is "table" or "view").Select(o => o.Name).Order().ToArray());
        Assert.Equal(1L, Scalar(SqliteLogFile.PathFor(path), "SELECT count(*) FROM \"ProcessingLog\";"));
        Assert.Equal("wal", Scalar(SqliteLogFile.PathFor(path), "PRAGMA journal_mode;"));
        // Its index by data subject in a third file, bound to the same database.
        var index = SqliteLogFile.IndexPathFor(path);
        Assert.Equal(_directory.File("hub.processing-log-index.db"), index);
        Assert.Equal(["ProcessingLogIndexPasses", "ProcessingLogIndexRuns", "ProcessingLogIndexSubjects"],
            LogObjects(index).Where(o => o.Type == "table").Select(o => o.Name).Order(StringComparer.Ordinal).ToArray());
        // The runs' table has its key as its only B-tree.
        Assert.EndsWith("WITHOUT ROWID", (string)Scalar(index, "SELECT sql FROM sqlite_master WHERE name = 'ProcessingLogIndexRuns';")!, StringComparison.Ordinal);
        Assert.Equal("wal", Scalar(index, "PRAGMA journal_mode;"));
        Assert.Equal(Scalar(path, "PRAGMA user_version;"), Scalar(index, "PRAGMA user_version;"));
    }

    [Fact]
    public async Task The_log_index_file_keeps_its_rows_across_starts_and_is_made_again_when_gone_or_another_logs()
    {
        var path = _directory.File("index.db");
        var index = SqliteLogFile.IndexPathFor(path);
        await using (var db = DatabaseSetup.OpenSqlite(path)) await db.MigrateAsync();
        Execute(index, "INSERT INTO \"ProcessingLogIndexRuns\" (\"Subject\", \"First\") VALUES (1, 1), (2, 2);");

        await using (var db = DatabaseSetup.OpenSqlite(path)) await db.MigrateAsync(); // a second start: the same shape, the same log
        Assert.Equal(2L, Scalar(index, "SELECT count(*) FROM \"ProcessingLogIndexRuns\";"));

        // Bound to another log (its rows would name that log's records): made again, empty, and bound to this one.
        Execute(index, "PRAGMA user_version = 12345;");
        await using (var db = DatabaseSetup.OpenSqlite(path)) await db.MigrateAsync();
        Assert.Equal(0L, Scalar(index, "SELECT count(*) FROM \"ProcessingLogIndexRuns\";"));
        Assert.Equal(Scalar(path, "PRAGMA user_version;"), Scalar(index, "PRAGMA user_version;"));

        // Gone: made again (derived data; the indexer copies the rows from the log).
        SqliteConnection.ClearAllPools();
        foreach (var file in SqliteLogFile.WithCompanions(index)) File.Delete(file);
        await using (var db = DatabaseSetup.OpenSqlite(path)) await db.MigrateAsync();
        Assert.Equal(["IX_ProcessingLogIndexSubjects_BsnKey", "IX_ProcessingLogIndexSubjects_PersonId_BsnKey", "ProcessingLogIndexPasses",
                "ProcessingLogIndexRuns", "ProcessingLogIndexSubjects"],
            LogObjects(index).Select(o => o.Name).Order(StringComparer.Ordinal).ToArray());
    }

    [Fact]
    public async Task A_log_commit_does_not_wait_for_the_index_files_writer()
    {
        var path = _directory.File("apart.db");
        await using var db = DatabaseSetup.OpenSqlite(path);
        await db.MigrateAsync();
        using var writer = SqliteLogWriter.For(db)!;
        // The indexer's transaction, held open: with the index in the log's file the commit below waited for its lock
        // (busy_timeout, then "database is locked").
        using var indexer = new SqliteConnection($"Data Source={SqliteLogFile.IndexPathFor(path)};Pooling=False");
        indexer.Open();
        using var transaction = indexer.BeginTransaction(deferred: false);
        using (var insert = indexer.CreateCommand())
        {
            insert.Transaction = transaction;
            insert.CommandText = "INSERT INTO \"ProcessingLogIndexRuns\" (\"Subject\", \"First\") VALUES (1, 1);";
            insert.ExecuteNonQuery();
        }

        writer.Write((s, p) => ChainedRecords.Rows(ChainedRecords.After(s + 1, p, personId: 3)));

        Assert.Equal(1L, Scalar(SqliteLogFile.PathFor(path), "SELECT count(*) FROM \"ProcessingLog\";"));
    }

    [Fact]
    public async Task A_log_commit_leaves_the_read_paths_page_cache_alone_where_a_commit_to_the_hub_file_does_not()
    {
        var path = _directory.File("cache.db");
        await using var db = DatabaseSetup.OpenSqlite(path);
        await db.MigrateAsync();
        using var writer = SqliteLogWriter.For(db)!;
        // A read connection as the compiled read path keeps them: the hub's file alone.
        using var reader = SqliteOwnConnection.Open(DatabaseSetup.SqliteConnectionString(Path.GetFullPath(path)), SqlitePreparedReads.Pragmas);
        Read();
        var warm = Read();

        writer.Write((s, p) => ChainedRecords.Rows(ChainedRecords.After(s + 1, p, personId: 1)));
        var afterLogCommit = Read();

        await db.Database.ExecuteSqlRawAsync("CREATE TABLE \"Scratch\" (\"Id\" INTEGER PRIMARY KEY); DROP TABLE \"Scratch\";");
        var afterHubCommit = Read();

        Assert.Equal(0, warm);
        Assert.Equal(0, afterLogCommit);
        Assert.True(afterHubCommit > 0, "a commit to the hub's file did not reset the reader's cache: the measure would show nothing");

        // Pages the reader had to fetch again for one read (SQLite's cache misses on this connection).
        int Read()
        {
            raw.sqlite3_db_status(reader.Handle, raw.SQLITE_DBSTATUS_CACHE_MISS, out var before, out _, 0);
            using var command = reader.CreateCommand();
            command.CommandText = "SELECT count(*) FROM \"Organisations\"; SELECT count(*) FROM \"Persons\";";
            using (var result = command.ExecuteReader())
            {
                do { while (result.Read()) { } } while (result.NextResult());
            }
            raw.sqlite3_db_status(reader.Handle, raw.SQLITE_DBSTATUS_CACHE_MISS, out var after, out _, 0);
            return after - before;
        }
    }

    [Fact]
    public async Task A_log_the_migrations_left_in_the_hub_file_moves_with_its_records_and_a_move_stopped_halfway_completes()
    {
        var path = _directory.File("moved.db");
        var records = await HubFileWithLogAsync(path, 3);

        await using (var db = DatabaseSetup.OpenSqlite(path)) await db.MigrateAsync();
        Assert.Empty(LogObjects(path));
        await AssertIntactAsync(path, records);

        // A move that stopped after its copy: the hub's file still has the log, and the log's file has all of it.
        CopyLogBackIntoHubFile(path);
        Assert.NotEmpty(LogObjects(path));
        await using (var db = DatabaseSetup.OpenSqlite(path)) await db.MigrateAsync();
        Assert.Empty(LogObjects(path));
        await AssertIntactAsync(path, records);
    }

    [Fact]
    public async Task A_log_table_a_later_migration_rebuilds_moves_back_into_the_log_file_with_its_records()
    {
        var path = _directory.File("rebuilt.db");
        var records = await HubFileWithLogAsync(path, 3);
        await using (var db = DatabaseSetup.OpenSqlite(path)) await db.MigrateAsync();

        // What EF Core's SQLite migrations do to change a column they cannot ALTER: a new table (made in the hub's file,
        // since CREATE TABLE without a schema makes it in main), the rows copied from the old one (found in the log's
        // file), the old one dropped (there), the new one renamed, its index made again; foreign keys off meanwhile.
        var definition = (string)Scalar(SqliteLogFile.PathFor(path), "SELECT sql FROM sqlite_master WHERE name = 'ProcessingLog';")!;
        await using (var db = DatabaseSetup.OpenSqlite(path))
        {
            await db.Database.OpenConnectionAsync();
            await db.Database.ExecuteSqlRawAsync("PRAGMA foreign_keys = 0;");
            await using (var transaction = await db.Database.BeginTransactionAsync())
            {
                await db.Database.ExecuteSqlRawAsync(definition.Replace("CREATE TABLE \"ProcessingLog\"", "CREATE TABLE \"ef_temp_ProcessingLog\"", StringComparison.Ordinal));
                await db.Database.ExecuteSqlRawAsync("INSERT INTO \"ef_temp_ProcessingLog\" SELECT * FROM \"ProcessingLog\";");
                await db.Database.ExecuteSqlRawAsync("DROP TABLE \"ProcessingLog\";");
                await db.Database.ExecuteSqlRawAsync("ALTER TABLE \"ef_temp_ProcessingLog\" RENAME TO \"ProcessingLog\";");
                await db.Database.ExecuteSqlRawAsync("CREATE INDEX \"IX_ProcessingLog_ActionKey\" ON \"ProcessingLog\" (\"ActionKey\");");
                await transaction.CommitAsync();
            }
            await db.Database.ExecuteSqlRawAsync("PRAGMA foreign_keys = 1;");
            await db.Database.CloseConnectionAsync();
        }
        Assert.Contains(("table", "ProcessingLog"), LogObjects(path));

        await using (var db = DatabaseSetup.OpenSqlite(path)) await db.MigrateAsync();
        Assert.Empty(LogObjects(path));
        await AssertIntactAsync(path, records);
    }

    [Fact]
    public async Task A_log_file_lacking_records_the_hub_file_holds_stops_the_move_and_nothing_is_dropped()
    {
        var path = _directory.File("conflict.db");
        await HubFileWithLogAsync(path, 2);
        await using (var db = DatabaseSetup.OpenSqlite(path)) await db.MigrateAsync();

        // A move stopped after its copy, and then one more record in the hub's file than the log's file copied.
        CopyLogBackIntoHubFile(path);
        await using (var db = DatabaseSetup.OpenSqlite(path))
        {
            var last = await db.Set<ProcessingLogEntry>().AsNoTracking().OrderBy(e => e.Sequence).LastAsync();
            ChainedRecords.AddTo(db, ChainedRecords.After(last.Sequence + 1, last.Hash, personId: 9));
            await db.SaveChangesAsync();
            var error = await Assert.ThrowsAsync<ProcessingLogFileException>(() => db.MigrateAsync());
            Assert.Contains("lacks rows the database file holds", error.Message, StringComparison.Ordinal);
        }
        Assert.Equal(3L, Scalar(path, "SELECT count(*) FROM \"ProcessingLog\";"));
        Assert.Equal(2L, Scalar(SqliteLogFile.PathFor(path), "SELECT count(*) FROM \"ProcessingLog\";"));
    }

    [Fact]
    public async Task The_log_of_a_replaced_database_file_is_not_continued_on_the_new_one()
    {
        var path = _directory.File("replaced.db");
        await using (var db = DatabaseSetup.OpenSqlite(path))
        {
            await db.MigrateAsync();
            using var writer = SqliteLogWriter.For(db)!;
            writer.Write((s, p) => ChainedRecords.Rows(ChainedRecords.After(s + 1, p, personId: 5)));
        }

        // The database file deleted and made again (a reset of the demo data, say), its old log left beside it: person 5
        // of the new data is not the person the old record is about.
        SqliteConnection.ClearAllPools();
        foreach (var file in new[] { path, path + "-wal", path + "-shm" }) File.Delete(file);
        await using (var db = DatabaseSetup.OpenSqlite(path))
        {
            var error = await Assert.ThrowsAsync<ProcessingLogFileException>(() => db.MigrateAsync());
            Assert.Contains("is the processing log of another database", error.Message, StringComparison.Ordinal);
        }
        Assert.Equal(1L, Scalar(SqliteLogFile.PathFor(path), "SELECT count(*) FROM \"ProcessingLog\";"));
    }

    [Fact]
    public async Task A_database_whose_log_file_is_gone_does_not_start()
    {
        var path = _directory.File("lost.db");
        await using (var db = DatabaseSetup.OpenSqlite(path)) await db.MigrateAsync();

        SqliteConnection.ClearAllPools();
        foreach (var file in SqliteLogFile.FilesFor(path)) File.Delete(file);
        await using (var db = DatabaseSetup.OpenSqlite(path))
        {
            var error = await Assert.ThrowsAsync<ProcessingLogFileException>(() => db.MigrateAsync());
            Assert.Contains("The processing log is missing", error.Message, StringComparison.Ordinal);
        }
        // The refused start leaves no empty log in the missing one's place, so the next start, and verify-log, still say "missing".
        Assert.False(File.Exists(SqliteLogFile.PathFor(path)));
        await using (var db = DatabaseSetup.OpenSqlite(path))
        {
            var again = await Assert.ThrowsAsync<ProcessingLogFileException>(() => db.MigrateAsync());
            Assert.Contains("The processing log is missing", again.Message, StringComparison.Ordinal);
        }
        var verify = new StringWriter();
        Assert.Equal(AccountabilityCommands.ExitBroken, await AccountabilityCommands.VerifyLogAsync(["--database", path], TextWriter.Null, verify));
        Assert.Contains("The processing log is missing", verify.ToString(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task The_verbs_say_plainly_when_there_is_no_database_or_no_log_and_make_no_files()
    {
        var missing = _directory.File("missing.db");
        var error = new StringWriter();
        Assert.Equal(AccountabilityCommands.ExitUsage, await AccountabilityCommands.VerifyLogAsync(["--database", missing], TextWriter.Null, error));
        Assert.Equal(AccountabilityCommands.ExitUsage, await AccountabilityCommands.RetentionAsync(["--dry-run", "--database", missing], TextWriter.Null, error));
        Assert.Contains($"There is no database at {missing}", error.ToString(), StringComparison.Ordinal);
        Assert.Empty(Directory.GetFiles(_directory.Path));

        var path = _directory.File("logless.db");
        await using (var db = DatabaseSetup.OpenSqlite(path)) await db.MigrateAsync();
        SqliteConnection.ClearAllPools();
        foreach (var file in SqliteLogFile.FilesFor(path)) File.Delete(file);
        error = new StringWriter();
        Assert.Equal(AccountabilityCommands.ExitBroken, await AccountabilityCommands.VerifyLogAsync(["--database", path], TextWriter.Null, error));
        Assert.Contains($"The processing log is missing: there is no {SqliteLogFile.PathFor(path)}", error.ToString(), StringComparison.Ordinal);
        Assert.False(File.Exists(SqliteLogFile.PathFor(path)));
        // Retention, which would attach the log too, refuses alike and makes no empty log.
        error = new StringWriter();
        Assert.Equal(AccountabilityCommands.ExitBroken, await AccountabilityCommands.RetentionAsync(["--dry-run", "--database", path], TextWriter.Null, error));
        Assert.Contains($"The processing log is missing: there is no {SqliteLogFile.PathFor(path)}", error.ToString(), StringComparison.Ordinal);
        Assert.False(File.Exists(SqliteLogFile.PathFor(path)));
    }

    [Fact]
    public async Task An_unreadable_index_file_is_set_aside_at_start_and_made_again()
    {
        var path = _directory.File("garbled.db");
        await using (var db = DatabaseSetup.OpenSqlite(path))
        {
            await db.MigrateAsync();
            using var writer = SqliteLogWriter.For(db)!;
            writer.Write((s, p) => ChainedRecords.Rows(ChainedRecords.After(s + 1, p, personId: 7)));
        }
        SqliteConnection.ClearAllPools();
        var index = SqliteLogFile.IndexPathFor(path);
        var garbage = System.Security.Cryptography.RandomNumberGenerator.GetBytes(16384);
        await File.WriteAllBytesAsync(index, garbage);

        await using (var db = DatabaseSetup.OpenSqlite(path))
        {
            await db.MigrateAsync();
            // Made again, empty; the look-ups read the log's tail meanwhile (the indexer refills it).
            Assert.Equal([1L], await ProcessingLogIndex.About(db, 7).Select(r => r.Sequence).ToListAsync());
        }
        SqliteConnection.ClearAllPools();
        var aside = Assert.Single(Directory.GetFiles(_directory.Path, Path.GetFileName(index) + ".corrupt-*"));
        Assert.Equal(garbage, await File.ReadAllBytesAsync(aside));
        Assert.Equal(0L, Scalar(index, "SELECT count(*) FROM \"ProcessingLogIndexRuns\";"));
    }

    /// <summary>A migrated hub file with the log still in it (as the migrations leave it) and this many chained records.</summary>
    private static async Task<List<ProcessingRecord>> HubFileWithLogAsync(string path, int count)
    {
        var records = new List<ProcessingRecord>();
        await using var db = DatabaseSetup.OpenSqlite(path);
        await db.Database.MigrateAsync(); // EF Core's alone: no move
        var previous = ProcessingLog.GenesisHash;
        for (var i = 1; i <= count; i++)
        {
            var record = ChainedRecords.After(i, previous, personId: i);
            records.Add(record);
            previous = record.Hash;
        }
        ChainedRecords.AddTo(db, [.. records]);
        await db.SaveChangesAsync();
        Assert.Equal((long)count, Scalar(path, "SELECT count(*) FROM \"ProcessingLog\";"));
        return records;
    }

    private static async Task AssertIntactAsync(string path, List<ProcessingRecord> records)
    {
        await using var db = DatabaseSetup.OpenSqlite(path);
        Assert.Equal(records.Select(r => (r.Sequence, r.Hash)),
            (await db.Set<ProcessingRecord>().AsNoTracking().OrderBy(r => r.Sequence).ToListAsync()).Select(r => (r.Sequence, r.Hash)));
        var verification = await ProcessingLog.VerifyAsync(db, CancellationToken.None);
        Assert.True(verification.IsIntact, verification.Problem);
    }

    /// <summary>
    /// The state a move leaves when it stops after its copy and before its drop: the log's objects and rows in the hub's
    /// file again, beside the log's file.
    /// </summary>
    private static void CopyLogBackIntoHubFile(string path)
    {
        SqliteConnection.ClearAllPools();
        using var connection = new SqliteConnection($"Data Source={path};Pooling=False");
        connection.Open();
        using var command = connection.CreateCommand();
        command.CommandText = "ATTACH DATABASE $log AS \"log\";";
        command.Parameters.AddWithValue("$log", SqliteLogFile.PathFor(path));
        command.ExecuteNonQuery();
        command.Parameters.Clear();
        var objects = new List<(string Type, string Name, string Sql)>();
        command.CommandText = "SELECT type, name, sql FROM \"log\".sqlite_master WHERE sql IS NOT NULL ORDER BY type = 'table' DESC, name = 'ProcessingActions' DESC;";
        using (var reader = command.ExecuteReader())
        {
            while (reader.Read()) objects.Add((reader.GetString(0), reader.GetString(1), reader.GetString(2)));
        }
        using var transaction = connection.BeginTransaction();
        command.Transaction = transaction;
        foreach (var (type, name, sql) in objects)
        {
            command.CommandText = sql; // unqualified: made in main
            command.ExecuteNonQuery();
            if (type != "table") continue;
            command.CommandText = $"INSERT INTO \"main\".\"{name}\" SELECT * FROM \"log\".\"{name}\";";
            command.ExecuteNonQuery();
        }
        transaction.Commit();
    }

    /// <summary>The log's objects stored in this file, read without attaching anything.</summary>
    private static List<(string Type, string Name)> LogObjects(string file)
    {
        using var connection = new SqliteConnection($"Data Source={file};Pooling=False");
        connection.Open();
        using var command = connection.CreateCommand();
        command.CommandText = "SELECT type, name FROM sqlite_master WHERE name LIKE 'Processing%' OR tbl_name LIKE 'Processing%';";
        using var reader = command.ExecuteReader();
        var objects = new List<(string, string)>();
        while (reader.Read()) objects.Add((reader.GetString(0), reader.GetString(1)));
        return objects;
    }

    private static void Execute(string file, string sql)
    {
        using var connection = new SqliteConnection($"Data Source={file};Pooling=False");
        connection.Open();
        using var command = connection.CreateCommand();
        command.CommandText = sql;
        command.ExecuteNonQuery();
    }

    private static object? Scalar(string file, string sql)
    {
        using var connection = new SqliteConnection($"Data Source={file};Pooling=False");
        connection.Open();
        using var command = connection.CreateCommand();
        command.CommandText = sql;
        return command.ExecuteScalar();
    }

    public void Dispose() => _directory.Dispose();
}
