using Microsoft.Data.Sqlite;
using Microsoft.EntityFrameworkCore;
using Veiligheid.Accountability;
using Veiligheid.Data;
using Veiligheid.Tests.Infrastructure;

namespace Veiligheid.Tests.Accountability;

/// <summary>
/// SQLite's indexer on a hub's files (<see cref="SqliteIndexCopier"/>) where another host's indexer, another host's start or
/// a restore changes the index under it: every record stays found by its person and BSN.
/// </summary>
public sealed class SqliteIndexCopierTests : IDisposable
{
    /// <summary>How long the other host waits before it acts: this one has read the watermark and the log's end by then, and waits for the index's lock.</summary>
    private static readonly TimeSpan OtherHostDelay = TimeSpan.FromMilliseconds(500);

    private readonly TestDirectory _directory = new();

    public void Dispose() => _directory.Dispose();

    [Fact]
    public async Task An_indexer_that_waited_for_another_hosts_takes_its_copy_of_records_written_meanwhile_for_no_cut_log()
    {
        var (path, hub) = await HubAsync("two-hosts.db");
        await AppendAsync(path, 1, 2, 3);
        Assert.Equal(3, ProcessingLogIndexer.CopyAllOnFile(hub));
        var trims = new List<long>();
        var (connection, copier) = ProcessingLogIndexer.OpenOnIndexFile(hub);
        using (connection)
        using (copier)
        {
            // While this indexer waits for the index's lock, the other host logs two records and its indexer copies them.
            using var other = OpenIndexFile(path);
            Execute(other, "BEGIN IMMEDIATE;");
            var otherHost = Task.Run(async () =>
            {
                await Task.Delay(OtherHostDelay);
                await AppendAsync(path, 1, 2);
                Execute(other, """
                    INSERT INTO "ProcessingLogIndexRuns" SELECT "Id", 4, NULL FROM "ProcessingLogIndexSubjects" WHERE "PersonId" = 1;
                    INSERT INTO "ProcessingLogIndexRuns" SELECT "Id", 5, NULL FROM "ProcessingLogIndexSubjects" WHERE "PersonId" = 2;
                    INSERT INTO "ProcessingLogIndexPasses" VALUES (5);
                    COMMIT;
                    """);
            });
            Assert.Equal(0, copier.CopyBatch(ProcessingLogIndexer.BatchSize, (_, end) => trims.Add(end)));
            await otherHost;
        }

        Assert.Empty(trims); // no warning of records removed from a log that lost none
        Assert.Equal(5, await WatermarkAsync(path));
        await AssertLookUpsFindEveryRecordAsync(path);
    }

    [Fact]
    public async Task An_indexer_whose_watermark_another_host_lowered_for_a_cut_log_leaps_over_no_record()
    {
        var (path, hub) = await HubAsync("lowered.db");
        await AppendAsync(path, 1, 2, 3, 4, 5);
        Assert.Equal(5, ProcessingLogIndexer.CopyAllOnFile(hub));
        // Records 4 and 5 removed from the log's end, and records 4 to 7 written (about other persons).
        VerifyLogTests.Tamper(path, "DELETE FROM \"ProcessingLog\" WHERE \"Sequence\" > 3; DELETE FROM \"ProcessingActions\" WHERE \"Id\" > 3;");
        await AppendAsync(path, 6, 7, 8, 9);
        var (connection, copier) = ProcessingLogIndexer.OpenOnIndexFile(hub);
        using (connection)
        using (copier)
        {
            // The other host's indexer, which read the log's end before those were written, removes the rows above it while
            // this one, which read the watermark before, waits for the index's lock.
            using var other = OpenIndexFile(path);
            Execute(other, "BEGIN IMMEDIATE; DELETE FROM \"ProcessingLogIndexRuns\" WHERE \"First\" > 3; DELETE FROM \"ProcessingLogIndexPasses\" WHERE \"Through\" > 3;");
            var otherHost = Task.Run(async () =>
            {
                await Task.Delay(OtherHostDelay);
                Execute(other, "COMMIT;");
            });
            copier.CopyBatch(ProcessingLogIndexer.BatchSize, (_, _) => { });
            await otherHost;
        }

        await AssertLookUpsFindEveryRecordAsync(path);
        ProcessingLogIndexer.CopyAllOnFile(hub);
        Assert.Equal(7, await WatermarkAsync(path));
        await AssertLookUpsFindEveryRecordAsync(path);
    }

    [Fact]
    public async Task The_indexers_batch_takes_the_index_files_lock_and_not_the_logs()
    {
        var (path, hub) = await HubAsync("apart.db");
        await AppendAsync(path, 1, 2);
        var (connection, copier) = ProcessingLogIndexer.OpenOnIndexFile(hub);
        using (connection)
        using (copier)
        {
            Execute(connection, "PRAGMA busy_timeout = 0;"); // a lock it would wait for fails at once
            // The log's writer in its transaction: a request's commit.
            using var writer = new SqliteConnection($"Data Source={SqliteLogFile.PathFor(path)};Pooling=False;Default Timeout=1");
            writer.Open();
            Execute(writer, "BEGIN IMMEDIATE;");

            Assert.Equal(2, copier.CopyBatch(ProcessingLogIndexer.BatchSize, (_, _) => { }));
            Execute(writer, "ROLLBACK;");
        }
        await AssertLookUpsFindEveryRecordAsync(path);
    }

    [Fact]
    public async Task Index_tables_made_again_under_a_running_indexer_get_every_record_under_its_own_subject()
    {
        var (path, hub) = await HubAsync("remade.db");
        await AppendAsync(path, 1, 2, 3);
        var (connection, copier) = ProcessingLogIndexer.OpenOnIndexFile(hub);
        using (connection)
        using (copier)
        {
            Assert.Equal(3, copier.CopyBatch(ProcessingLogIndexer.BatchSize, (_, _) => { })); // it keeps the three subjects' numbers

            // Another host's start finds the index of another owner (or shape) and makes its tables again, empty.
            using (var index = OpenIndexFile(path)) Execute(index, "PRAGMA user_version = 1;");
            await using (var db = DatabaseSetup.OpenSqlite(path)) await db.MigrateAsync();
            SqliteConnection.ClearAllPools();
            Assert.Equal(0, await WatermarkAsync(path));
            await AppendAsync(path, 3, 1);

            Assert.Equal(5, copier.CopyBatch(ProcessingLogIndexer.BatchSize, (_, _) => { }));
        }
        await AssertLookUpsFindEveryRecordAsync(path);
        await using (var db = DatabaseSetup.OpenSqlite(path))
            Assert.Equal([1L, 2L, 3L], await db.Set<LogIndexSubject>().OrderBy(s => s.Id).Select(s => (long)s.Id).ToListAsync());
    }

    [Fact]
    public async Task A_log_restored_beside_a_later_index_has_the_records_written_after_the_start_found()
    {
        var (path, hub) = await HubAsync("restored.db");
        await AppendAsync(path, 1, 2, 3);
        Assert.Equal(3, ProcessingLogIndexer.CopyAllOnFile(hub));
        SqliteConnection.ClearAllPools();
        // The backup: the hub's file and the log's, without the index's (a copy may leave it out).
        var kept = new[] { path, SqliteLogFile.PathFor(path) };
        foreach (var file in kept) File.Copy(file, file + ".backup");
        await AppendAsync(path, 4, 5, 6);
        Assert.Equal(3, ProcessingLogIndexer.CopyAllOnFile(hub));
        SqliteConnection.ClearAllPools();
        foreach (var file in kept)
        {
            foreach (var companion in SqliteLogFile.WithCompanions(file)) File.Delete(companion);
            File.Copy(file + ".backup", file);
        }

        // The start, and requests before the indexer's first pass: records 4 to 6 again, about other persons.
        await using (var db = DatabaseSetup.OpenSqlite(path)) await db.MigrateAsync();
        await AppendAsync(path, 7, 8, 9);

        await AssertLookUpsFindEveryRecordAsync(path);
        Assert.Equal(3, ProcessingLogIndexer.CopyAllOnFile(hub));
        await AssertLookUpsFindEveryRecordAsync(path);
    }

    /// <summary>A migrated hub database at this name, and its connection string.</summary>
    private async Task<(string Path, string Hub)> HubAsync(string name)
    {
        var path = _directory.File(name);
        await using (var db = DatabaseSetup.OpenSqlite(path)) await db.MigrateAsync();
        SqliteConnection.ClearAllPools();
        return (path, DatabaseSetup.SqliteConnectionString(Path.GetFullPath(path)));
    }

    /// <summary>One request per person, with one record about that person (its id and a protected BSN of its own), by the log's writer.</summary>
    private static async Task AppendAsync(string path, params int[] persons)
    {
        await using var db = DatabaseSetup.OpenSqlite(path);
        using var writer = SqliteLogWriter.For(db)!;
        foreach (var person in persons)
            writer.Write((sequence, previous) => ChainedRecords.Rows(ChainedRecords.After(sequence + 1, previous, person, ProtectedBsnOf(person), LogIndex.Purpose)));
    }

    private static string ProtectedBsnOf(int person) => Convert.ToHexStringLower(System.Security.Cryptography.SHA256.HashData(BitConverter.GetBytes(person)));

    private static SqliteConnection OpenIndexFile(string path)
    {
        var connection = new SqliteConnection($"Data Source={SqliteLogFile.IndexPathFor(path)};Pooling=False");
        connection.Open();
        return connection;
    }

    private static void Execute(SqliteConnection connection, string sql)
    {
        using var command = connection.CreateCommand();
        command.CommandText = sql;
        command.ExecuteNonQuery();
    }

    private static async Task<long> WatermarkAsync(string path)
    {
        SqliteConnection.ClearAllPools();
        await using var db = DatabaseSetup.OpenSqlite(path);
        return await ProcessingLogIndex.EndAsync(db, CancellationToken.None);
    }

    /// <summary>For every person and protected BSN in the log, the look-ups (through the hub's connection, its files attached) find exactly its records.</summary>
    private static async Task AssertLookUpsFindEveryRecordAsync(string path)
    {
        SqliteConnection.ClearAllPools();
        await using var db = DatabaseSetup.OpenSqlite(path);
        var logged = await db.Set<ProcessingLogEntry>().AsNoTracking().OrderBy(e => e.Sequence).ToListAsync();
        Assert.NotEmpty(logged);
        foreach (var person in logged.Select(e => e.PersonId!.Value).Distinct())
            Assert.Equal(logged.Where(e => e.PersonId == person).Select(e => e.Sequence),
                await ProcessingLogIndex.About(db, person).OrderBy(r => r.Sequence).Select(r => r.Sequence).ToListAsync());
        foreach (var bsn in logged.Select(e => e.ProtectedBsn!).Distinct())
            Assert.Equal(logged.Where(e => e.ProtectedBsn == bsn).Select(e => e.Sequence),
                await ProcessingLogIndex.AboutBsn(db, bsn).OrderBy(r => r.Sequence).Select(r => r.Sequence).ToListAsync());
    }
}
