using System.Diagnostics;
using Microsoft.Data.Sqlite;
using Microsoft.EntityFrameworkCore;
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
    /// a batch, but it is CPU work beside the requests: batches of 20,000 made the load test slower (313–336 against
    /// 407–416 requests a second, p99 270–540 against 118–121 ms; BENCHMARKS.md, "Eighth round").
    /// </summary>
    internal const int BatchSize = 2000;

    /// <summary>
    /// How long after a commit the indexer waits for more before it copies (commits in that time share its pass). With
    /// 50 ms the indexer's passes added 1.3 ms to a 47-record request in `profile-log` (its lock and its pages between
    /// the requests' commits); with 500 ms nothing measurable. The tail a look-up reads is that much longer, still small.
    /// </summary>
    internal static readonly TimeSpan CoalesceDelay = TimeSpan.FromMilliseconds(500);

    /// <summary>How often it looks without being woken: records written by another host wake only that host's indexer.</summary>
    internal static readonly TimeSpan IdleInterval = TimeSpan.FromSeconds(30);

    private readonly SemaphoreSlim _pass = new(1, 1);
    private ProcessingLog? _log;
    private SqliteConnection? _connection; // used only under _pass
    private string? _connectionString;

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
                // index, a restart) copies without a pause.
                if (log.Commits != commits || log.State.Queued > 0) await Task.Delay(Stopwatch.GetElapsedTime(started), cancellationToken);
            }
        }
        finally
        {
            _pass.Release();
        }
    }

    /// <summary>
    /// One batch into the index's file, read from the log's (attached), for the hub's SQLite connection string. Read and
    /// write are apart: the records are read by statements outside any transaction, so each reads the log's file in a
    /// snapshot that ends with it; then the index's file alone is written. Read inside the write's transaction, the log's
    /// snapshot would last until the batch's commit, and the log writer's restarting checkpoint (which waits for the WAL's
    /// readers while it holds the requests' commits back) would wait for the whole batch.
    /// </summary>
    private int CopyOnOwnConnection(string hubConnectionString)
    {
        var connection = Open(hubConnectionString);
        try
        {
            long watermark, logEnd;
            var rows = new List<(long Sequence, long? PersonId, long? BsnKey)>();
            using (var read = connection.CreateCommand())
            {
                read.CommandText = ProcessingLogIndex.WatermarkSql;
                watermark = (long)read.ExecuteScalar()!;
                read.CommandText = ProcessingLogIndex.LogEndSql;
                logEnd = (long)read.ExecuteScalar()!;
                read.CommandText = ProcessingLogIndex.TailSql;
                read.Parameters.AddWithValue("$watermark", watermark);
                read.Parameters.AddWithValue("$batch", BatchSize);
                using var reader = read.ExecuteReader();
                while (reader.Read())
                    rows.Add((reader.GetInt64(0), reader.IsDBNull(1) ? null : reader.GetInt64(1), reader.IsDBNull(2) ? null : ProcessingLogIndex.KeyOf(reader.GetString(2))));
            }
            // BEGIN IMMEDIATE on the index's file: a second indexer (another host) waits, then finds these rows there
            // (OR IGNORE) or reads past them.
            using var transaction = connection.BeginTransaction(deferred: false);
            // The watermark was read before the log's end, so a record written meanwhile is below that end, never above it.
            if (watermark > logEnd)
            {
                using var trim = connection.CreateCommand();
                trim.Transaction = transaction;
                trim.CommandText = ProcessingLogIndex.TrimAboveSql;
                trim.Parameters.AddWithValue("$end", logEnd);
                WarnRemovedEnd(trim.ExecuteNonQuery(), logEnd);
            }
            // Through SQLite's own API: Microsoft.Data.Sqlite's ExecuteNonQuery costs microseconds a row more (see
            // SqliteRowInsert), and under load the indexer copies as many rows a second as the requests log.
            using (var insert = new SqliteRawStatement(connection, ProcessingLogIndex.InsertOneSql))
            {
                foreach (var row in rows)
                {
                    insert.BindInt64(1, row.Sequence);
                    insert.BindInt64(2, row.PersonId);
                    insert.BindInt64(3, row.BsnKey);
                    insert.Run();
                }
            }
            transaction.Commit();
            return rows.Count;
        }
        catch
        {
            // A fresh connection next time: nothing half-done carries over.
            Close();
            throw;
        }
    }

    private SqliteConnection Open(string hubConnectionString)
    {
        if (_connection is not null && string.Equals(_connectionString, hubConnectionString, StringComparison.Ordinal)) return _connection;
        Close();
        // The index's file as main, the log's attached to read from. NORMAL: no fsync at commit (see the remarks); SQLite's
        // own checkpoints of the index's WAL (nothing else writes that file, and no request waits for it). busy_timeout:
        // waiting for another host's indexer inside SQLite, in short sleeps.
        var connection = SqliteOwnConnection.Open(SqliteLogFile.IndexConnectionStringFor(hubConnectionString)!, "PRAGMA synchronous = NORMAL; PRAGMA busy_timeout = 5000;");
        try
        {
            SqliteOwnConnection.WithoutTriggers(connection);
            using var attach = SqliteLogFile.AttachCommand(connection, SqliteLogFile.Schema,
                SqliteLogFile.PathFor(new SqliteConnectionStringBuilder(hubConnectionString).DataSource));
            attach.ExecuteNonQuery();
        }
        catch
        {
            connection.Dispose();
            throw;
        }
        _connectionString = hubConnectionString;
        return _connection = connection;
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
    private void WarnRemovedEnd(int rows, long logEnd)
        => logger.LogWarning("The processing log ends at record {LogEnd}, but its index by data subject named {Rows} records above it: " +
                             "records were removed from the log's end, or the log was restored without its index. The index rows above the end " +
                             "are removed so records written at those sequences again are found; check the log with verify-log --expect and a kept head.",
            logEnd, rows);

    /// <summary>SQL Server (and an in-memory SQLite database): the same statements through the context, in one transaction.</summary>
    private async Task<int> CopyThroughContextAsync(VeiligheidDbContext db, CancellationToken cancellationToken)
    {
        var sqlServer = db.OnSqlServer;
        var strategy = db.Database.CreateExecutionStrategy();
        return await strategy.ExecuteAsync(async ct =>
        {
            await using var transaction = await db.Database.BeginTransactionAsync(ct);
            if (await db.Database.ExecuteSqlRawAsync(ProcessingLogIndex.TrimSql(sqlServer), ct) is var trimmed and > 0)
                WarnRemovedEnd(trimmed, await ProcessingLog.EndAsync(db, ct));
            var copied = await db.Database.ExecuteSqlRawAsync(ProcessingLogIndex.CopySql(sqlServer, BatchSize), ct);
            await transaction.CommitAsync(ct);
            return copied;
        }, cancellationToken);
    }

    private void Close()
    {
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
