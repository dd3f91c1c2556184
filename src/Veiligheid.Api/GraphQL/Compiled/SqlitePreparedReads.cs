using System.Collections.Concurrent;
using System.Data.Common;
using System.Diagnostics;
using Microsoft.Data.Sqlite;
using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Diagnostics;
using Microsoft.EntityFrameworkCore.Infrastructure;
using Microsoft.EntityFrameworkCore.Storage;
using SQLitePCL;
using Veiligheid.Data;

namespace Veiligheid.GraphQL.Compiled;

/// <summary>
/// Keeps the compiled path's SQLite statements prepared across requests. Microsoft.Data.Sqlite finalizes a command's
/// statements with the command and with its connection, so a statement made per request is parsed and planned by SQLite
/// on every request (0.2–0.8 ms for the benchmark cases; BENCHMARKS.md, third round). Here a small pool of read
/// connections that outlive the request each keep a bounded set of prepared commands, keyed by SQL text; a compiled read
/// leases one connection for its statement and gives it back once its reader is done.
/// <list type="bullet">
/// <item><b>Latest data</b>: in WAL mode every statement outside a transaction starts its own read transaction, which sees
/// every commit made before it; a reader disposed resets its statement, which ends that read transaction (so the
/// connection holds no snapshot between requests, and the log writer's checkpoints are not kept from the WAL's start).</item>
/// <item><b>No other request's values</b>: every run clears the command's parameters and binds all of the plan's anew;
/// Microsoft.Data.Sqlite refuses to run a statement with a parameter left unbound.</item>
/// <item><b>No poisoned connection</b>: a statement that fails or is cancelled gives its connection back as broken; it is
/// disposed (with its statements) and a later lease opens a new one.</item>
/// <item><b>Bounded</b>: at most <see cref="MaxConnections"/> connections per database and
/// <see cref="MaxStatementsPerConnection"/> statements per connection (least recently used dropped). A request that finds
/// every connection leased does not wait: it runs on its own connection as before (<see cref="TryLease"/> returns null).</item>
/// <item><b>Which database</b>: connections are pooled per connection string, so a host (or a test host) on another file
/// never gets one of these; an in-memory database (only on the connection that made it) gets none.</item>
/// <item><b>Pragmas</b>: opened like the hub's other own connections (<see cref="SqliteOwnConnection"/>: unpooled, the
/// connection string's foreign keys) with <c>PRAGMA query_only = 1</c>, so nothing can write through them. They need no
/// <c>synchronous</c> (<see cref="SqliteDurability"/>): that setting governs how a commit of a write is synced, and these
/// connections commit no write.</item>
/// <item><b>Kept means kept</b>: the query planner's stability guarantee (<c>SQLITE_DBCONFIG_ENABLE_QPSG</c>) is on for
/// these connections. Without it SQLite plans a statement with the values bound to some of its parameters (a
/// <c>LIMIT @v</c> in the bundled SQLite 3.53) and marks it to be planned again once any of those is bound again, even to the
/// same value; and every run here binds every parameter. The load test's statement was then parsed and planned again on
/// every run, inside <c>sqlite3_step</c>, where nothing counts it but SQLite (<see cref="Reprepared"/>). With the guarantee a
/// statement keeps the plan it was prepared with, whatever is bound.</item>
/// <item><b>A database replaced or migrated under a running hub</b>: a migration that changes the schema makes SQLite
/// prepare a kept statement again by itself (SQLITE_SCHEMA); a database file replaced on disk is not followed by a kept
/// connection (it reads the file it opened), so replacing the file means restarting the hub, as for the processing log's
/// writer.</item>
/// </list>
/// One per host (a singleton); disposed with the host, which closes every idle connection and each leased one on return.
/// </summary>
public sealed class SqlitePreparedReads : IDisposable
{
    /// <summary>About the number of cores: SQLite reads are CPU work, so more concurrent statements would only wait.</summary>
    public static int MaxConnections { get; } = Math.Clamp(Environment.ProcessorCount, 2, 8);

    /// <summary>Per connection; the plan cache holds at most 1,000 plans, most of them sharing few statement texts.</summary>
    public const int MaxStatementsPerConnection = 64;

    /// <summary>Run on every connection opened here.</summary>
    public const string Pragmas = "PRAGMA query_only = 1;";

    private readonly ConcurrentDictionary<string, Pool?> _pools = new(StringComparer.Ordinal);
    private volatile bool _disposed;
    private long _prepared;
    private long _discarded;

    /// <summary>How many statements were prepared here (tests: a statement kept is not prepared again).</summary>
    public long Prepared => Interlocked.Read(ref _prepared);

    /// <summary>
    /// How many times SQLite prepared the kept statements of the idle connections again by itself, inside a run (its
    /// statement counter <c>SQLITE_STMTSTATUS_REPREPARE</c>; tests, while no request runs: a kept statement's plan
    /// stays).
    /// </summary>
    public long Reprepared => _pools.Values.Sum(p => p?.Reprepared() ?? 0);

    /// <summary>The connections open now, leased or idle, over all databases (tests: the pool is bounded).</summary>
    public int OpenConnections => _pools.Values.Sum(p => p?.Open ?? 0);

    /// <summary>How many connections were given back broken and disposed (tests: a failed statement's connection is not reused).</summary>
    public long Discarded => Interlocked.Read(ref _discarded);

    /// <summary>
    /// A connection of the pool for this SQLite connection string, with its prepared statements; null when it is not a
    /// file database, the pool is disposed, or every connection is leased (the caller then runs the statement on its own
    /// connection). Give it back with <see cref="Lease.Return"/>, always.
    /// </summary>
    internal Lease? TryLease(string connectionString)
    {
        if (_disposed) return null;
        var pool = _pools.GetOrAdd(connectionString, static s => SqliteOwnConnection.FileOf(s) is { } file ? new Pool(file) : null);
        return pool?.TryLease(this);
    }

    internal void CountPrepared() => Interlocked.Increment(ref _prepared);

    public void Dispose()
    {
        _disposed = true;
        foreach (var pool in _pools.Values) pool?.DisposeIdle();
    }

    /// <summary>One leased connection; its statements are the leaseholder's until <see cref="Return"/>.</summary>
    internal sealed class Lease(SqlitePreparedReads owner, Pool pool, PreparedConnection connection)
    {
        private bool _returned;

        /// <summary>The leased connection (tests tell connections apart by it).</summary>
        internal DbConnection Connection => connection.Connection;

        /// <summary>The command for this SQL text on the leased connection, prepared once and kept; parameters cleared.</summary>
        internal SqliteCommand Command(string sql)
        {
            ObjectDisposedException.ThrowIf(_returned, this);
            var command = connection.Command(sql, owner);
            command.Parameters.Clear();
            return command;
        }

        /// <summary>
        /// Runs the kept statement for <paramref name="sql"/> with all of these parameters bound anew, through
        /// <paramref name="db"/>'s EF Core command diagnostics as EF Core's own commands run (its interceptors, its command
        /// log, the tests' statement counters see it alike); only the command and its connection are the pool's.
        /// </summary>
        public async Task<DbDataReader> ExecuteReaderAsync(string sql, IEnumerable<(string Name, System.Data.DbType DbType, object? Value)> parameters, DbContext db, CancellationToken cancellationToken)
        {
            var command = Command(sql);
            foreach (var (name, dbType, value) in parameters)
                command.Parameters.Add(new SqliteParameter { ParameterName = name, DbType = dbType, Value = value });
            var connection = db.GetService<IRelationalConnection>();
            var logger = db.GetService<IRelationalCommandDiagnosticsLogger>();
            var commandId = Guid.NewGuid();
            var startTime = DateTimeOffset.UtcNow;
            var started = Stopwatch.GetTimestamp();
            try
            {
                var interception = await logger.CommandReaderExecutingAsync(connection, command, sql, db, commandId, connection.ConnectionId, startTime, CommandSource.FromSqlQuery, cancellationToken);
                var reader = interception.HasResult ? interception.Result : await command.ExecuteReaderAsync(cancellationToken);
                return await logger.CommandReaderExecutedAsync(connection, command, sql, db, commandId, connection.ConnectionId, reader, startTime,
                    Stopwatch.GetElapsedTime(started), CommandSource.FromSqlQuery, cancellationToken);
            }
            catch (Exception e) when (db.GetService<IExceptionDetector>().IsCancellation(e, cancellationToken))
            {
                // As EF Core's own commands: a request cancelled (its client went away) is a cancelled command, logged
                // below Error, not a failed one the operations team would be alerted to.
                await logger.CommandCanceledAsync(connection, command, sql, db, DbCommandMethod.ExecuteReader, commandId, connection.ConnectionId, startTime,
                    Stopwatch.GetElapsedTime(started), CommandSource.FromSqlQuery, CancellationToken.None);
                throw;
            }
            catch (Exception e)
            {
                await logger.CommandErrorAsync(connection, command, sql, db, DbCommandMethod.ExecuteReader, commandId, connection.ConnectionId, e, startTime,
                    Stopwatch.GetElapsedTime(started), CommandSource.FromSqlQuery, CancellationToken.None);
                throw;
            }
        }

        /// <summary>
        /// Runs the kept statement (<see cref="ExecuteReaderAsync"/>), lets <paramref name="read"/> take its result, and gives
        /// the connection back: reused only when the statement and the read completed, disposed otherwise.
        /// </summary>
        public async Task<T> ReadAsync<T>(string sql, IEnumerable<(string Name, System.Data.DbType DbType, object? Value)> parameters, DbContext db,
            Func<DbDataReader, Task<T>> read, CancellationToken cancellationToken)
        {
            ArgumentNullException.ThrowIfNull(read);
            var completed = false;
            try
            {
                T result;
                await using (var reader = await ExecuteReaderAsync(sql, parameters, db, cancellationToken)) result = await read(reader);
                completed = true;
                return result;
            }
            finally
            {
                Return(healthy: completed);
            }
        }

        /// <summary>Gives the connection back; <paramref name="healthy"/> false (the statement failed or was cancelled) disposes it.</summary>
        public void Return(bool healthy)
        {
            if (_returned) return;
            _returned = true;
            if (!healthy) Interlocked.Increment(ref owner._discarded);
            pool.Return(connection, healthy && !owner._disposed);
            if (owner._disposed) pool.DisposeIdle(); // the host stopped while this lease ran
        }
    }

    internal sealed class Pool(string connectionString)
    {
        private readonly ConcurrentStack<PreparedConnection> _idle = new();
        private int _open;

        public int Open => Volatile.Read(ref _open);

        public Lease? TryLease(SqlitePreparedReads owner)
        {
            // Last in, first out: the connection used most recently has its statements and pages warm.
            if (_idle.TryPop(out var idle)) return new Lease(owner, this, idle);
            if (Interlocked.Increment(ref _open) > MaxConnections)
            {
                Interlocked.Decrement(ref _open);
                return null;
            }
            try
            {
                return new Lease(owner, this, new PreparedConnection(OpenKept(connectionString)));
            }
            catch
            {
                Interlocked.Decrement(ref _open);
                throw;
            }
        }

        public void Return(PreparedConnection connection, bool healthy)
        {
            if (healthy)
            {
                _idle.Push(connection);
                return;
            }
            connection.Dispose();
            Interlocked.Decrement(ref _open);
        }

        /// <summary>A kept connection: <see cref="Pragmas"/> run, and the planner's stability guarantee on (see the class).</summary>
        private static SqliteConnection OpenKept(string connectionString)
        {
            var connection = SqliteOwnConnection.Open(connectionString, Pragmas);
            // SQLitePCLRaw then keeps a map of this connection's statements, so Reprepared can walk them; a kept
            // connection prepares each of its statements once.
            connection.Handle!.enable_sqlite3_next_stmt(true);
            var rc = raw.sqlite3_db_config(connection.Handle, raw.SQLITE_DBCONFIG_ENABLE_QPSG, 1, out _);
            if (rc != raw.SQLITE_OK)
            {
                connection.Dispose();
                SqliteException.ThrowExceptionForRC(rc, null);
            }
            return connection;
        }

        public long Reprepared() => _idle.Sum(c => c.Reprepared());

        public void DisposeIdle()
        {
            while (_idle.TryPop(out var connection))
            {
                connection.Dispose();
                Interlocked.Decrement(ref _open);
            }
        }
    }

    /// <summary>A kept connection and its prepared commands by SQL text, least recently used first out.</summary>
    internal sealed class PreparedConnection(SqliteConnection connection) : IDisposable
    {
        private readonly Dictionary<string, LinkedListNode<(string Sql, SqliteCommand Command)>> _commands = new(StringComparer.Ordinal);
        private readonly LinkedList<(string Sql, SqliteCommand Command)> _recency = new();

        public DbConnection Connection => connection;

        /// <summary>SQLite's count of re-preparations over this connection's statements (SQLITE_STMTSTATUS_REPREPARE).</summary>
        public long Reprepared()
        {
            const int StatusReprepare = 5; // SQLITE_STMTSTATUS_REPREPARE; SQLitePCLRaw names only 1-4
            long total = 0;
            for (var statement = raw.sqlite3_next_stmt(connection.Handle, null); statement is not null;
                 statement = raw.sqlite3_next_stmt(connection.Handle, statement))
                total += raw.sqlite3_stmt_status(statement, StatusReprepare, 0);
            return total;
        }

        public SqliteCommand Command(string sql, SqlitePreparedReads owner)
        {
            if (_commands.TryGetValue(sql, out var node))
            {
                _recency.Remove(node);
                _recency.AddFirst(node);
                return node.Value.Command;
            }
            if (_commands.Count >= MaxStatementsPerConnection)
            {
                var oldest = _recency.Last!;
                _recency.RemoveLast();
                _commands.Remove(oldest.Value.Sql);
                oldest.Value.Command.Dispose(); // finalizes its statement
            }
            var command = connection.CreateCommand();
            command.CommandText = sql;
            command.Prepare();
            owner.CountPrepared();
            _commands[sql] = _recency.AddFirst((sql, command));
            return command;
        }

        public void Dispose()
        {
            foreach (var (_, command) in _recency) command.Dispose();
            _recency.Clear();
            _commands.Clear();
            connection.Dispose();
        }
    }
}
