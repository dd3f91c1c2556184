using Microsoft.Data.Sqlite;
using Microsoft.EntityFrameworkCore;
using Veiligheid.Accountability;
using Veiligheid.Data;
using Veiligheid.Tests.Infrastructure;

namespace Veiligheid.Tests.Data;

/// <summary>Tests that take the whole process's thread pool away for a while, so they run after all the others, alone.</summary>
[CollectionDefinition(Name, DisableParallelization = true)]
public sealed class RunsAlone
{
    public const string Name = "Runs alone";
}

[Collection(RunsAlone.Name)]
public sealed class WalCheckpointTests : IDisposable
{
    private readonly TestDirectory _directory = new();

    [Fact]
    public async Task The_write_ahead_log_starts_over_in_the_file_it_has_while_readers_never_pause_and_the_thread_pool_is_starved()
    {
        // A database of this test's own: the records written here are a chain of their own.
        var path = _directory.File("steady-readers.db");
        await using var db = DatabaseSetup.OpenSqlite(path);
        await db.MigrateAsync();
        using var writer = SqliteLogWriter.For(db)!;
        writer.RestartAfterFrames = 64;

        // Two readers taking turns on a thread of their own, so that at every moment one of them is inside a read
        // transaction: the steady load under which a PASSIVE checkpoint alone never lets the WAL start over.
        using var stop = new CancellationTokenSource();
        // On the log's own file, which the writer commits to (SqliteLogFile).
        var readers = new Thread(() => ReadWithoutPause(SqliteLogFile.ConnectionStringFor(db)!, stop.Token)) { IsBackground = true };
        readers.Start();
        // Every thread of the pool blocked, as under a loaded hub or CI running test classes side by side: a checkpoint
        // queued to the pool would start only once the pool grew, and the WAL would meanwhile hold every commit.
        using var starved = StarveThreadPool();
        const int Commits = 1000;
        long largestWal = 0, afterFirst = 0, afterFifteen = 0, shrunk = 0;
        for (var i = 1; i <= Commits; i++)
        {
            writer.Write((sequence, previous) => ChainedRecords.Rows(ChainedRecords.After(sequence + 1, previous, personId: (int)sequence + 1)));
            var wal = new FileInfo(SqliteLogFile.PathFor(path) + "-wal").Length;
            if (wal < largestWal) shrunk++;
            largestWal = Math.Max(largestWal, wal);
            // Before the first checkpoint (at the 16th commit) the WAL only grows: what one commit adds to it.
            if (i == 1) afterFirst = wal;
            if (i == 15) afterFifteen = wal;
        }
        starved.Dispose();
        await stop.CancelAsync();
        readers.Join();
        writer.WaitForCheckpoint();

        Assert.True(writer.Restarts > 0, "the WAL never started over");
        // Started over in place: the commits after a restart overwrite the file's blocks, never a file cut back that each
        // commit has to extend again (a synced write that extends a file costs twice one that overwrites).
        Assert.True(shrunk == 0, $"the WAL file was cut back {shrunk} times");
        // Never started over, the WAL would hold every commit (about 16 MB here); started over every 64 frames it stays a
        // fraction of that, with room for a checkpoint that runs late on a busy machine.
        var withoutRestart = (afterFifteen - afterFirst) / 14 * Commits;
        Assert.True(largestWal < withoutRestart / 4,
            $"the WAL grew to {largestWal} bytes of {withoutRestart} never started over; {writer.Restarts} restarts, {writer.RestartsBusy} busy");
        Assert.Equal(Commits, await db.Set<ProcessingRecord>().CountAsync());
    }

    private static void ReadWithoutPause(string connectionString, CancellationToken stop)
    {
        using var first = new SqliteConnection(connectionString);
        using var second = new SqliteConnection(connectionString);
        first.Open();
        second.Open();
        var (open, next) = (first.BeginTransaction(deferred: true), second);
        Read(open);
        while (!stop.IsCancellationRequested)
        {
            var started = next.BeginTransaction(deferred: true);
            Read(started);
            open.Dispose(); // ends the older read only after the newer one holds its snapshot
            (open, next) = (started, next == first ? second : first);
            Thread.Sleep(1);
        }
        open.Dispose();

        static void Read(SqliteTransaction transaction)
        {
            using var command = transaction.Connection!.CreateCommand();
            command.Transaction = transaction;
            command.CommandText = "SELECT count(*) FROM \"ProcessingLog\";";
            command.ExecuteScalar();
        }
    }

    /// <summary>Blocks every thread the pool has, and those it adds meanwhile, until disposed.</summary>
    private static Starved StarveThreadPool()
    {
        var release = new ManualResetEventSlim(false);
        var running = 0;
        void Block(object? _)
        {
            Interlocked.Increment(ref running);
            release.Wait();
        }
        // One more each time until one does not start: then every thread the pool has (after earlier tests it may have
        // more than its minimum) is blocked.
        for (var queued = 1; ; queued++)
        {
            ThreadPool.UnsafeQueueUserWorkItem(Block, null);
            if (!SpinWait.SpinUntil(() => Volatile.Read(ref running) == queued, TimeSpan.FromMilliseconds(200))) break;
        }
        // The threads the pool adds while starved take these first.
        for (var i = 0; i < 64; i++) ThreadPool.UnsafeQueueUserWorkItem(Block, null);
        return new Starved(release);
    }

    private sealed class Starved(ManualResetEventSlim release) : IDisposable
    {
        public void Dispose() => release.Set();
    }

    public void Dispose() => _directory.Dispose();
}
