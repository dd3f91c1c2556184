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
/// On SQLite it writes through a connection of its own with synchronous=NORMAL: the index is rebuildable from the durable
/// log, so its commits do not fsync. A commit lost to a power cut only lowers the watermark (the WAL is written in order, so
/// no later log commit can survive without it), and the next pass copies those records again. It writes between the log's
/// commits (<see cref="ProcessingLog.BetweenCommitsAsync"/>), so a request of this host never waits on its lock.
/// </remarks>
public sealed class ProcessingLogIndexer(IServiceProvider services, IOptions<ProcessingLogOptions> options, ILogger<ProcessingLogIndexer> logger)
    : BackgroundService
{
    /// <summary>Records per transaction; between batches requests get the writer.</summary>
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
            var sqliteFile = SqliteLogFile.ConnectionStringFor(db);
            long total = 0;
            while (true)
            {
                var copied = await Log.BetweenCommitsAsync(
                    () => sqliteFile is not null ? Task.FromResult(CopyOnOwnConnection(sqliteFile)) : CopyThroughContextAsync(db, cancellationToken),
                    cancellationToken);
                total += copied;
                if (copied < BatchSize) return total;
            }
        }
        finally
        {
            _pass.Release();
        }
    }

    private int CopyOnOwnConnection(string connectionString)
    {
        var connection = Open(connectionString);
        try
        {
            // BEGIN IMMEDIATE: the write lock first, so the watermark and the tail are read as the copy writes them.
            using var transaction = connection.BeginTransaction(deferred: false);
            using var command = connection.CreateCommand();
            command.Transaction = transaction;
            command.CommandText = ProcessingLogIndex.TrimSql(sqlServer: false);
            command.ExecuteNonQuery();
            command.CommandText = ProcessingLogIndex.CopySql(sqlServer: false, BatchSize);
            var copied = command.ExecuteNonQuery();
            transaction.Commit();
            return copied;
        }
        catch
        {
            // A fresh connection next time: nothing half-done carries over.
            Close();
            throw;
        }
    }

    private SqliteConnection Open(string connectionString)
    {
        if (_connection is not null && string.Equals(_connectionString, connectionString, StringComparison.Ordinal)) return _connection;
        Close();
        // NORMAL: no fsync at commit (see the remarks). No checkpoint inside its commits: the log's writer runs them in the
        // background. busy_timeout: waiting for another host's writer inside SQLite, in short sleeps.
        var connection = SqliteOwnConnection.Open(connectionString, "PRAGMA synchronous = NORMAL; PRAGMA wal_autocheckpoint = 0; PRAGMA busy_timeout = 5000;");
        _connectionString = connectionString;
        return _connection = connection;
    }

    /// <summary>SQL Server (and an in-memory SQLite database): the same statements through the context, in one transaction.</summary>
    private static async Task<int> CopyThroughContextAsync(VeiligheidDbContext db, CancellationToken cancellationToken)
    {
        var sqlServer = db.Database.IsSqlServer();
        var strategy = db.Database.CreateExecutionStrategy();
        return await strategy.ExecuteAsync(async ct =>
        {
            await using var transaction = await db.Database.BeginTransactionAsync(ct);
            await db.Database.ExecuteSqlRawAsync(ProcessingLogIndex.TrimSql(sqlServer), ct);
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
