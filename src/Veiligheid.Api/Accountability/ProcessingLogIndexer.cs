using System.Globalization;
using System.Diagnostics;
using Microsoft.Data.Sqlite;
using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Storage;
using Microsoft.Extensions.Options;
using Veiligheid.Data;

namespace Veiligheid.Accountability;

/// <summary>
/// Keeps the processing log's index by data subject (<see cref="ProcessingLogSubject"/>) up to date in the background, one
/// per host: woken after the log commits (coalesced, so a busy hub indexes many requests' records in one transaction) and
/// every <see cref="IdleInterval"/> (records another host wrote), it copies the records past the index's watermark in
/// batches. Readers never depend on it being current (<see cref="ProcessingLogIndex"/> reads the tail past the watermark);
/// it keeps that tail short.
/// </summary>
/// <remarks>
/// On SQLite the index has a file of its own (<see cref="SqliteLogFile.IndexPathFor"/>), which the indexer writes through
/// a connection of its own with the log's file attached to read from: its transactions take only the index file's write
/// lock, so the log's writer never waits for them. synchronous=NORMAL: the index is rebuildable from the durable log, so
/// its commits do not fsync; a commit lost to a power cut only lowers the watermark, and the next pass copies those
/// records again. On SQL Server it writes between the log's commits (<see cref="ProcessingLog.BetweenCommitsAsync"/>), in
/// the hub's database.
/// </remarks>
public sealed class ProcessingLogIndexer(IServiceProvider services, IOptions<ProcessingLogOptions> options, ILogger<ProcessingLogIndexer> logger)
    : BackgroundService
{
    /// <summary>
    /// Records per transaction. On SQL Server requests get the log's writer between batches. On SQLite nothing waits for
    /// a batch, but it is CPU work beside the requests: batches of 20,000 made the load test slower when the index was in
    /// the log's file (313–336 against 407–416 requests a second, p99 270–540 against 118–121 ms; BENCHMARKS.md, "Eighth
    /// round"). In its own file, with the records packed into their actions, 8,000 took 3–4 % off the hub's CPU per
    /// request under load against 2,000 (a batch's fixed work: the ends read, a transaction, a run per subject it names),
    /// p99 unchanged (BENCHMARKS.md, "Twentieth round").
    /// </summary>
    internal const int BatchSize = 8000;

    /// <summary>
    /// How long after a commit the indexer waits for more before it copies (commits in that time share its pass). With
    /// 50 ms the indexer's passes added 1.3 ms to a 47-record request in `profile-log` (its lock and its pages between
    /// the requests' commits); with 500 ms nothing measurable. The tail a look-up reads is that much longer, still small.
    /// </summary>
    internal static readonly TimeSpan CoalesceDelay = TimeSpan.FromMilliseconds(500);

    /// <summary>
    /// The page cache of the indexer's connection, in KiB (SQLite's default is 2,000): a record goes into its subject's
    /// range of the index, at a random place for a random person, and the pages of those ranges stay in memory between
    /// batches. With <see cref="IndexCheckpointPages"/>, 1,000,000 records of 100,000 random persons took 5.0 instead of
    /// 9.4 µs a record to index (`profile-index`, BENCHMARKS.md, "Eighteenth round").
    /// </summary>
    internal const int IndexCacheKib = 32 * 1024;

    /// <summary>
    /// The index file's WAL length at which the indexer's commit copies it back (SQLite's default is 1,000 pages): a page
    /// written by several batches in that time is copied back once, and each copy ends in the fsync of the index's file.
    /// About 40 MiB of WAL at most; nothing but the indexer writes that file.
    /// </summary>
    internal const int IndexCheckpointPages = 10_000;

    /// <summary>How often it looks without being woken: records written by another host wake only that host's indexer.</summary>
    internal static readonly TimeSpan IdleInterval = TimeSpan.FromSeconds(30);

    private readonly SemaphoreSlim _pass = new(1, 1);
    private ProcessingLog? _log;
    private SqliteConnection? _connection; // used only under _pass
    private SqliteIndexCopier? _copier; // on _connection
    private string? _connectionString;
    private long? _unreadableWarned; // the last action the indexer warned it stops before (once per action, not every pass)

    /// <summary>
    /// Resolved on first use, as a request resolves it: a hub without the pseudonym key still starts (and serves what
    /// needs no log), the log refusing only when it is used; the indexer then warns and tries again later.
    /// </summary>
    private ProcessingLog Log => _log ??= services.GetRequiredService<ProcessingLog>();

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        if (!options.Value.IndexInBackground) return;
        // Let the host finish starting before the first pass, which catches up on whatever the last run left.
        await Task.Yield();
        while (!stoppingToken.IsCancellationRequested)
        {
            try
            {
                await IndexPendingAsync(stoppingToken);
            }
            catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
            {
                return;
            }
#pragma warning disable CA1031 // The indexer must outlive any failure: a lagging index costs speed, never correctness.
            catch (Exception e)
#pragma warning restore CA1031
            {
                // No personal data in the message: the statements carry none. The next commit or the idle timer retries.
                logger.LogWarning(e, "The processing log's subject index could not be updated; it catches up on a later pass.");
            }
            try
            {
                if (_log is null) await Task.Delay(IdleInterval, stoppingToken);
                else if (await _log.WaitForCommitAsync(IdleInterval, stoppingToken)) await Task.Delay(CoalesceDelay, stoppingToken);
            }
            catch (OperationCanceledException)
            {
                return;
            }
        }
    }

    /// <summary>Copies every record past the index's watermark into it, a batch per transaction; returns how many it copied.</summary>
    public async Task<long> IndexPendingAsync(CancellationToken cancellationToken)
    {
        await _pass.WaitAsync(cancellationToken);
        try
        {
            await using var scope = services.CreateAsyncScope();
            var db = scope.ServiceProvider.GetRequiredService<VeiligheidDbContext>();
            var log = Log; // resolved on every provider: ExecuteAsync waits for the log's commits only once it is
            var hubFile = SqliteOwnConnection.FileOf(db);
            long total = 0;
            while (true)
            {
                var (commits, started) = (log.Commits, Stopwatch.GetTimestamp());
                var copied = hubFile is not null
                    ? CopyOnOwnConnection(hubFile)
                    : await log.BetweenCommitsAsync(() => CopyThroughContextAsync(db, cancellationToken), cancellationToken);
                total += copied;
                if (copied < BatchSize) return total;
                // Requests come first: while they are being served (the log committed during the batch, or on SQL Server
                // their records wait for the writer the batch held), the next batch waits as long as this one took, so the
                // indexer takes at most half a core beside them and catches up once they stop. An idle hub (a rebuilt
                // index, a restart) copies without a pause. In the load test it keeps up so (within 17,000 records at the
                // end); a load the machine cannot carry leaves it behind, and the look-ups read a longer tail until it catches
                // up. An indexer that stopped yielding past a bound (200,000 records), tried while its batches still locked
                // the log's file, made the load test's p99 389 instead of 15 ms (BENCHMARKS.md, "Eighteenth round").
                if (log.Commits != commits || log.State.Queued > 0)
                    await Task.Delay(Stopwatch.GetElapsedTime(started), cancellationToken);
            }
        }
        finally
        {
            _pass.Release();
        }
    }

    /// <summary>One batch into the index's file, read from the log's (attached), for the hub's SQLite connection string.</summary>
    private int CopyOnOwnConnection(string hubConnectionString)
    {
        var copier = Open(hubConnectionString);
        try
        {
            var copied = copier.CopyBatch(BatchSize, WarnRemovedEnd);
            WarnUnreadable(copier.UnreadableAction);
            return copied;
        }
        catch
        {
            // A fresh connection next time: nothing half-done carries over, and no subject kept from a transaction undone.
            Close();
            throw;
        }
    }

    private SqliteIndexCopier Open(string hubConnectionString)
    {
        if (_copier is not null && string.Equals(_connectionString, hubConnectionString, StringComparison.Ordinal)) return _copier;
        Close();
        (_connection, _copier) = OpenOnIndexFile(hubConnectionString);
        _connectionString = hubConnectionString;
        return _copier;
    }

    /// <summary>
    /// A connection to the index's file of the hub's SQLite file, with the log's file attached to read from, and a copier
    /// on it. NORMAL: no fsync at commit (see the remarks). busy_timeout: waiting for another host's indexer inside SQLite,
    /// in short sleeps. A larger page cache and fewer checkpoints than SQLite's defaults (<see cref="IndexCacheKib"/>,
    /// <see cref="IndexCheckpointPages"/>).
    /// </summary>
    internal static (SqliteConnection Connection, SqliteIndexCopier Copier) OpenOnIndexFile(string hubConnectionString)
    {
        var connection = SqliteOwnConnection.Open(SqliteLogFile.IndexConnectionStringFor(hubConnectionString)!,
            string.Create(CultureInfo.InvariantCulture,
                $"PRAGMA synchronous = NORMAL; PRAGMA busy_timeout = 5000; PRAGMA cache_size = -{IndexCacheKib}; PRAGMA wal_autocheckpoint = {IndexCheckpointPages};"));
        try
        {
            SqliteOwnConnection.WithoutTriggers(connection);
            using (var attach = SqliteLogFile.AttachCommand(connection, SqliteLogFile.Schema,
                       SqliteLogFile.PathFor(new SqliteConnectionStringBuilder(hubConnectionString).DataSource)))
                attach.ExecuteNonQuery();
            return (connection, new SqliteIndexCopier(connection, "main", SqliteLogFile.Schema));
        }
        catch
        {
            connection.Dispose();
            throw;
        }
    }

    /// <summary>
    /// What a pass of the hub's indexer does, without a hub (tests, and the index's profile): copies every record past the
    /// watermark into the index's file of this hub's SQLite file; returns how many it copied.
    /// </summary>
    internal static long CopyAllOnFile(string hubConnectionString)
    {
        var (connection, copier) = OpenOnIndexFile(hubConnectionString);
        using (connection)
        using (copier)
        {
            long total = 0;
            for (int copied; (copied = copier.CopyBatch(BatchSize, (_, _) => { })) > 0;) total += copied;
            return total;
        }
    }

    /// <summary>
    /// Says that the index named records above the log's end, before the rows that name them go: records were removed
    /// from the log's end (or the log was restored without its index). Sequences only, never a person.
    /// </summary>
    /// <remarks>
    /// Why the rows still go rather than stay as evidence: the log's writer gives its next records those sequences again,
    /// and while the stale rows stand above them the look-ups by person and BSN would neither find those records through
    /// the index nor in the tail past its watermark, so a data subject's access report would silently leave them out.
    /// The evidence is kept where the files' editor cannot reach it: this warning in the hub's log, and the head an
    /// operator keeps from verify-log (<c>--expect</c>), which catches a removed end whatever the index says. verify-log
    /// reports the rows too while they stand (<see cref="ProcessingLog.MissingFromEndAsync"/>).
    /// </remarks>
    private void WarnRemovedEnd(int rows, long logEnd) => WarnRemovedEnd(logger, rows, logEnd);

    /// <inheritdoc cref="WarnRemovedEnd(int, long)"/>
    internal static void WarnRemovedEnd(ILogger logger, int rows, long logEnd)
        => logger.LogWarning("The processing log ends at record {LogEnd}, but its index by data subject named {Rows} records above it: " +
                             "records were removed from the log's end, or the log was restored without its index. The index rows above the end " +
                             "are removed so records written at those sequences again are found; check the log with verify-log --expect and a kept head.",
            logEnd, rows);

    /// <summary>
    /// Says, once per action, that the index stops before a packed action whose records cannot be read
    /// (<see cref="SqliteIndexCopier.UnreadableAction"/>): the action's id only, never a person or the records' text. Every
    /// later pass stops there again at once, without a word more, until the log is restored.
    /// </summary>
    private void WarnUnreadable(long? action)
    {
        if (action is not { } unreadable || unreadable == _unreadableWarned) return;
        _unreadableWarned = unreadable;
        logger.LogWarning("The processing log is damaged at action {Action}: its records are not what the hub writes, as only an edit of the log's files " +
                          "outside the hub makes them. The index by data subject stops before it: look-ups by person and BSN (access reports) read the log from " +
                          "it on, and are answered PROCESSING_LOG_DAMAGED where they cannot read it. " + ProcessingLogDamage.Remedy,
            unreadable);
    }

    /// <summary>
    /// SQL Server: the trim and the copy as T-SQL batches through the context, in one transaction. An in-memory SQLite
    /// database (tests): the copier on the context's one connection, the log and the index both in main.
    /// </summary>
    private async Task<int> CopyThroughContextAsync(VeiligheidDbContext db, CancellationToken cancellationToken)
    {
        if (db.OnSqlite)
        {
            await db.Database.OpenConnectionAsync(cancellationToken);
            try
            {
                using var copier = new SqliteIndexCopier((SqliteConnection)db.Database.GetDbConnection(), "main", "main");
                var copied = copier.CopyBatch(BatchSize, WarnRemovedEnd);
                WarnUnreadable(copier.UnreadableAction);
                return copied;
            }
            finally
            {
                await db.Database.CloseConnectionAsync();
            }
        }
        var strategy = db.Database.CreateExecutionStrategy();
        return await strategy.ExecuteAsync(async ct =>
        {
            await using var transaction = await db.Database.BeginTransactionAsync(ct);
            var connection = db.Database.GetDbConnection();
            await using var command = connection.CreateCommand();
            command.Transaction = transaction.GetDbTransaction();
            command.CommandText = ProcessingLogIndex.SqlServerTrim;
            if (Convert.ToInt32(await command.ExecuteScalarAsync(ct), CultureInfo.InvariantCulture) is var trimmed and > 0)
                WarnRemovedEnd(trimmed, await ProcessingLog.EndAsync(db, ct));
            command.CommandText = ProcessingLogIndex.SqlServerCopy(BatchSize);
            int copied;
            long? unreadable;
            await using (var reader = await command.ExecuteReaderAsync(ct))
            {
                if (!await reader.ReadAsync(ct)) throw new InvalidOperationException("The index's copy returned no count.");
                copied = reader.GetInt32(0);
                unreadable = await reader.IsDBNullAsync(1, ct) ? null : reader.GetInt64(1);
            }
            await transaction.CommitAsync(ct);
            WarnUnreadable(unreadable);
            return copied;
        }, cancellationToken);
    }

    private void Close()
    {
        _copier?.Dispose(); // its statements before their connection
        _copier = null;
        _connection?.Dispose();
        _connection = null;
        _connectionString = null;
    }

    public override void Dispose()
    {
        base.Dispose();
        Close();
        _pass.Dispose();
        GC.SuppressFinalize(this);
    }
}
