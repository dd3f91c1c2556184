using System.Buffers;
using System.Data;
using Microsoft.Data.Sqlite;
using Microsoft.EntityFrameworkCore;
using Veiligheid.Data;

namespace Veiligheid.Accountability;

/// <summary>
/// Writes the processing log on SQLite, into the log's own file (<see cref="SqliteLogFile"/>), through a connection of its
/// own, opened once and kept, with its statements prepared once: a request's append then binds and steps, where through
/// the request's pooled connection it made and prepared the INSERT every time (0.4 ms for one record, more than the record's commit on an idle disk; BENCHMARKS.md,
/// "Processing log overhead"). Used only under <see cref="ProcessingLog"/>'s writer lock, so one connection is enough.
/// </summary>
/// <remarks>
/// Durability is the hub's (see <see cref="SqliteDurability"/>): synchronous=FULL is set on this connection too, so a
/// commit that returned has synced the WAL. The connection is closed after any failure (its next use opens a fresh
/// one), so a half-done transaction or a connection in a bad state never carries over to another request.
/// </remarks>
internal sealed class SqliteLogWriter : IDisposable
{
    // WAL checkpoints run in the background after this many commits (a commit of 47 records adds about 20 pages).
    private const int CommitsPerCheckpoint = 16;

    /// <summary>
    /// The WAL's length in frames (pages) past which the background checkpoint makes the WAL start over (RESTART),
    /// instead of only copying it back (PASSIVE). A PASSIVE checkpoint never blocks, but the WAL starts over from its
    /// beginning only at a moment no reader is still reading from it, and under steady load there is no such moment: the
    /// file grew by 8 MB a second under the load test and every read searched an ever longer WAL index. 4,096 frames is
    /// 16 MiB of 4 KiB pages.
    /// </summary>
    /// <remarks>
    /// RESTART, not TRUNCATE: the WAL file keeps its length, so the commits after it overwrite blocks the file already
    /// has. A synced write that extends a file costs twice one that overwrites on this kind of disk (0.39–0.43 against
    /// 0.19 ms for 16 KiB, BENCHMARKS.md, "Tenth round"), and every commit is synced. The file keeps the longest length it
    /// reached (about this many frames under load, plus the commits made while the checkpoint waited), since
    /// <c>journal_size_limit</c> is left unset; the last connection's close deletes it as before.
    /// </remarks>
    internal int RestartAfterFrames { get; set; } = 4096;

    /// <summary>How long the restarting checkpoint waits for readers still in the WAL (and holds new writers back).</summary>
    private const int RestartWaitMilliseconds = 2000;

    /// <summary>
    /// How long a commit waits for another process's write lock on the log's file before it fails (and its requests
    /// withhold their data). Both SQLite's own wait and Microsoft.Data.Sqlite's command timeout, which otherwise retries a
    /// busy lock for its default 30 s on top: every request meanwhile queued behind the one waiting commit.
    /// </summary>
    internal const int LockWaitSeconds = 5;

    private readonly InsertStatement<ProcessingAction> _insertAction;
    private readonly int _recordsColumn;
    private readonly InsertStatement<ProcessingLogEntry> _insertEntry;
    private SqliteConnection? _connection;
    private SqliteCommand? _readLast;
    private SqliteRowInsert<ProcessingAction>? _insertActions;
    // The packed records of a commit's actions as UTF-8, reused from commit to commit (only under the commit gate).
    private readonly ArrayBufferWriter<byte> _packed = new(64 * 1024);
    private SqliteRowInsert<ProcessingLogEntry>? _insertEntries;
    private int _commitsSinceCheckpoint;
    // The checkpoint runs on a thread of its own, not the thread pool: a pool starved by blocked requests (a loaded hub,
    // CI running test classes side by side) started a queued checkpoint hundreds of milliseconds late, and the WAL grew
    // to 12 MB meanwhile in the durability test. Idle (set) while no checkpoint is asked for or running.
    private Thread? _checkpointThread;
    private readonly AutoResetEvent _checkpointAsked = new(false);
    private readonly ManualResetEventSlim _checkpointIdle = new(true);
    private volatile bool _disposing;
    // Held by each commit, and by the restarting checkpoint: waiting on SQLite's write lock alone (a busy handler that
    // polls), the checkpoint lost every time to commits following each other under load and gave up.
    private readonly Lock _commitGate = new();
    // Set while the restarting checkpoint waits for the gate: the lock is not fair, and commits following each other
    // without a pause (a loaded hub, a test's loop) took it back every time the one before released it, so the
    // checkpoint waited through hundreds of commits while the WAL grew. A commit lets a waiting restart go first.
    private volatile bool _restartWaiting;
    private int _restarts;
    private int _restartsBusy;
    private SqliteConnection? _checkpointConnection; // used only by the one checkpoint running at a time

    private SqliteLogWriter(string hubConnectionString, string connectionString, InsertStatement<ProcessingAction> insertAction, InsertStatement<ProcessingLogEntry> insertEntry)
    {
        HubConnectionString = hubConnectionString;
        ConnectionString = connectionString;
        LogFile = new SqliteConnectionStringBuilder(connectionString).DataSource;
        _insertAction = insertAction;
        _recordsColumn = insertAction.ColumnOf(nameof(ProcessingAction.Records));
        _insertEntry = insertEntry;
    }

    /// <summary>The connection string of the hub's database whose log this writer writes (its context's).</summary>
    public string HubConnectionString { get; }

    /// <summary>The connection string of the log's file this writer writes to.</summary>
    public string ConnectionString { get; }

    /// <summary>The log's file itself.</summary>
    private string LogFile { get; }

    /// <summary>
    /// A writer for the processing log's own file (<see cref="SqliteLogFile"/>) of this context's SQLite database; null
    /// when the context is not on a SQLite file.
    /// </summary>
    public static SqliteLogWriter? For(VeiligheidDbContext db)
    {
        return SqliteLogFile.ConnectionStringFor(db) is { } connectionString
            ? new SqliteLogWriter(db.Database.GetConnectionString()!, connectionString,
                new InsertStatement<ProcessingAction>(db, explicitKeys: true), new InsertStatement<ProcessingLogEntry>(db, explicitKeys: true))
            : null;
    }

    /// <summary>
    /// In one transaction (BEGIN IMMEDIATE: the database's write lock is taken before the chain's last record is read,
    /// so a writer in another process waits instead of reading the same one): reads the chain's end, lets
    /// <paramref name="chain"/> place the records after it, inserts their actions and entries and commits.
    /// </summary>
    /// <param name="chain">Places the records after the chain's last sequence and hash; returns the rows that store them.</param>
    /// <param name="step">Called after each step with its name (the log's profile times them); null in the hub.</param>
    public void Write(Func<long, string, LogRows> chain, Action<string>? step = null)
    {
        ArgumentNullException.ThrowIfNull(chain);
        Write((sequence, previous, _) => chain(sequence, previous), step);
    }

    /// <inheritdoc cref="Write(Func{long, string, LogRows}, Action{string}?)"/>
    /// <param name="chain">Places the records after the chain's last sequence and hash, packing them as UTF-8 into the
    /// buffer it is given (<see cref="ProcessingLog.Chain(IEnumerable{List{ProcessingRecord}}, long, string, bool, ArrayBufferWriter{byte}?)"/>);
    /// returns the rows that store them.</param>
    public void Write(Func<long, string, ArrayBufferWriter<byte>, LogRows> chain, Action<string>? step = null)
    {
        var spin = new SpinWait();
        while (_restartWaiting) spin.SpinOnce(); // yields, then sleeps: the restart takes milliseconds
        lock (_commitGate) WriteUnderGate(chain, step);
    }

    private void WriteUnderGate(Func<long, string, ArrayBufferWriter<byte>, LogRows> chain, Action<string>? step)
    {
        // A kept connection still writes to a file deleted under it (an operator's mistake, a restore gone wrong), and
        // those records would vanish with the last handle: a log whose file is gone is not written, so the request
        // withholds its data (one stat per commit, against the commit's fsync).
        if (!File.Exists(LogFile))
        {
            Close();
            throw new InvalidOperationException("The processing log's file is gone; its records cannot be kept.");
        }
        var connection = Open();
        try
        {
            using var transaction = connection.BeginTransaction(deferred: false);
            step?.Invoke("BEGIN IMMEDIATE");
            _readLast!.Transaction = transaction;
            long sequence = 0;
            var previous = ProcessingLog.GenesisHash;
            using (var reader = _readLast.ExecuteReader())
            {
                if (reader.Read()) (sequence, previous) = (reader.GetInt64(0), reader.GetString(1));
            }
            step?.Invoke("SELECT the chain's last sequence and hash (prepared)");
            _packed.ResetWrittenCount();
            var rows = chain(sequence, previous, _packed);
            step?.Invoke("SHA-256 hash chain, rows (an action per request, its records packed into it)");
            // The actions first (entries refer to them), usually one a request, their packed records bound from the UTF-8
            // the chain wrote them in. Then one row per person (only logs of the earlier form get them). Both through
            // SQLite's own API (SqliteRowInsert): a prepared 16-row statement (272 parameters, bound by name on every
            // execution) measured slower for 47 records, not faster, and one statement over a JSON array of the rows
            // slower still (0.64 against 0.39 ms).
            for (var a = 0; a < rows.Actions.Count; a++)
            {
                if (rows.TryGetPackedUtf8(a, out var records)) _insertActions!.Insert(rows.Actions[a], _recordsColumn, records);
                else _insertActions!.InsertAll([rows.Actions[a]]);
            }
            step?.Invoke("INSERT the action (prepared, 13 columns, its records among them)");
            _insertEntries!.InsertAll(rows.Entries);
            step?.Invoke("INSERT the entries (prepared single-row statement per person bound through SQLite's API, 7 columns)");
            transaction.Commit();
            step?.Invoke("COMMIT (WAL append and fsync, synchronous=FULL)");
            if (++_commitsSinceCheckpoint >= CommitsPerCheckpoint && _checkpointIdle.IsSet)
            {
                _commitsSinceCheckpoint = 0;
                AskForCheckpoint();
            }
        }
        catch
        {
            Close();
            throw;
        }
    }

    /// <summary>How many times the background checkpoint made the WAL start over (tests).</summary>
    internal int Restarts => Volatile.Read(ref _restarts);

    /// <summary>How many restarting checkpoints gave up because readers stayed in the WAL past the wait (tests).</summary>
    internal int RestartsBusy => Volatile.Read(ref _restartsBusy);

    /// <summary>Waits for the background checkpoint asked for or running now, if any (tests).</summary>
    internal void WaitForCheckpoint() => _checkpointIdle.Wait();

    private void AskForCheckpoint()
    {
        _checkpointIdle.Reset();
        _checkpointThread ??= StartCheckpointThread();
        _checkpointAsked.Set();
    }

    private Thread StartCheckpointThread()
    {
        var thread = new Thread(() =>
        {
            while (true)
            {
                _checkpointAsked.WaitOne();
                if (_disposing) return;
                try { Checkpoint(); }
                finally { _checkpointIdle.Set(); }
            }
        })
        { IsBackground = true, Name = "Veiligheid log checkpoint" };
        thread.Start();
        return thread;
    }

    /// <summary>The writer connection's synchronous setting (2 = FULL); opens the connection when it is not open.</summary>
    internal long Synchronous()
    {
        using var command = Open().CreateCommand();
        command.CommandText = "PRAGMA synchronous;";
        return (long)command.ExecuteScalar()!;
    }

    private SqliteConnection Open()
    {
        if (_connection is not null) return _connection;
        // No checkpoint inside this connection's commits: copying the WAL into the database (1,000 pages by default, with
        // an fsync of the database) would land on the request whose commit crossed the mark; Checkpoint() runs it beside
        // the requests instead. busy_timeout: another writer on the file (another host's log writer) is waited for
        // inside SQLite in short sleeps, where Microsoft.Data.Sqlite on its own retries a busy lock every 150 ms.
        var connection = SqliteOwnConnection.Open(
            new SqliteConnectionStringBuilder(ConnectionString) { DefaultTimeout = LockWaitSeconds }.ToString(),
            SqliteDurability.Synchronous + $" PRAGMA wal_autocheckpoint = 0; PRAGMA busy_timeout = {LockWaitSeconds * 1000};");
        try
        {
            SqliteOwnConnection.WithoutTriggers(connection);
            _readLast = connection.CreateCommand();
            _readLast.CommandText = ProcessingLog.LastRecordSql(sqlServer: false);
            _readLast.Prepare();
            _insertActions = new SqliteRowInsert<ProcessingAction>(_insertAction, connection);
            _insertEntries = new SqliteRowInsert<ProcessingLogEntry>(_insertEntry, connection);
        }
        catch
        {
            DisposeCommands(); // its statements before the connection they belong to
            connection.Dispose();
            throw;
        }
        return _connection = connection;
    }

    /// <summary>
    /// Copies the WAL's committed pages into the database, off any request's path. PASSIVE: it neither waits for nor
    /// blocks readers and writers (a request's commit goes on appending to the WAL meanwhile); what it cannot copy yet
    /// the next one does. The records' durability does not depend on it: they were synced in the WAL at their commit.
    /// </summary>
    private void Checkpoint()
    {
        try
        {
            _checkpointConnection ??= SqliteOwnConnection.Open(ConnectionString, $"PRAGMA busy_timeout = {RestartWaitMilliseconds};");
            using var command = _checkpointConnection.CreateCommand();
            command.CommandText = SqliteDurability.Synchronous + " PRAGMA wal_checkpoint(PASSIVE);";
            long walFrames;
            using (var reader = command.ExecuteReader())
            {
                // One row: busy, the WAL's length in frames, the frames copied back.
                walFrames = reader.Read() ? reader.GetInt64(1) : 0;
            }
            if (walFrames <= RestartAfterFrames) return;
            // Everything is copied back already but for the last commits, so this waits only for the frames since and
            // for the readers still in the WAL (a read takes milliseconds; at most RestartWaitMilliseconds). A log
            // commit arriving meanwhile waits at the gate. Not done: the next checkpoint tries again.
            command.CommandText = "PRAGMA wal_checkpoint(RESTART);";
            _restartWaiting = true; // commits hold back until this has the gate (they queue at it again meanwhile)
            lock (_commitGate)
            {
                _restartWaiting = false;
                using var restart = command.ExecuteReader();
                if (restart.Read() && restart.GetInt64(0) == 0) Interlocked.Increment(ref _restarts);
                else Interlocked.Increment(ref _restartsBusy);
            }
        }
        catch (Exception)
        {
            // Busy or failed: nothing is lost (the pages stay in the WAL) and the next checkpoint tries again. Caught
            // whatever it is: on the checkpoint's own thread an exception would end the process.
            _checkpointConnection?.Dispose();
            _checkpointConnection = null;
        }
    }

    private void Close()
    {
        DisposeCommands();
        _connection?.Dispose();
        _connection = null;
    }

    private void DisposeCommands()
    {
        _readLast?.Dispose();
        _insertActions?.Dispose();
        _insertEntries?.Dispose();
        (_readLast, _insertActions, _insertEntries) = (null, null, null);
    }

    public void Dispose()
    {
        if (_disposing) return;
        Close();
        _disposing = true;
        _checkpointAsked.Set();
        _checkpointThread?.Join(); // a checkpoint running now finishes first
        _checkpointThread = null;
        _checkpointConnection?.Dispose();
        _checkpointConnection = null;
        _checkpointAsked.Dispose();
        _checkpointIdle.Dispose();
    }
}
