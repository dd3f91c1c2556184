using System.Data.Common;
using System.Diagnostics;
using System.Globalization;
using System.Text;
using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Infrastructure;
using Microsoft.EntityFrameworkCore.Metadata;
using Microsoft.EntityFrameworkCore.Storage;
using Microsoft.EntityFrameworkCore.Storage.ValueConversion;
using Veiligheid.Incidents;

namespace Veiligheid.Data.Seeding;

/// <summary>
/// Writes a <see cref="SyntheticDataSet"/> into an empty, migrated database. It bypasses the change tracker (a million
/// tracked entities would take minutes and gigabytes) and inserts with prepared, parameterised commands in one
/// transaction. Table names, column names, value converters and parameter types all come from the EF model, so the
/// writer follows the model as it changes.
/// </summary>
public static class SeedWriter
{
    /// <summary>Incidents are written in chunks, each followed by its persons, so referenced rows always exist first.</summary>
    private const int IncidentChunk = 10_000;

    /// <summary>Writes <paramref name="data"/> into the (empty) database behind <paramref name="db"/>.</summary>
    /// <param name="log">Receives progress lines (counts and timings only, never personal data).</param>
    public static async Task WriteAsync(VeiligheidDbContext db, SyntheticDataSet data, Action<string>? log = null,
        CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(db);
        ArgumentNullException.ThrowIfNull(data);
        log ??= _ => { };

        if (await db.Organisations.AnyAsync(cancellationToken))
            throw new InvalidOperationException("The database already holds data; the seed only writes into an empty database.");

        await db.Database.OpenConnectionAsync(cancellationToken);
        try
        {
            var connection = db.Database.GetDbConnection();
            var sqlite = db.Database.IsSqlite();
            var ownTransaction = db.Database.CurrentTransaction is null;
            var restore = sqlite && ownTransaction ? await TuneSqliteAsync(connection, cancellationToken) : [];
            try
            {
                var transaction = db.Database.CurrentTransaction?.GetDbTransaction()
                    ?? await connection.BeginTransactionAsync(cancellationToken);
                try
                {
                    await WriteAllAsync(new Writer(db, connection, transaction, log), data, log, cancellationToken);
                    if (ownTransaction) await transaction.CommitAsync(cancellationToken);
                }
                finally
                {
                    if (ownTransaction) await transaction.DisposeAsync();
                }
            }
            finally
            {
                foreach (var statement in restore) await ExecuteAsync(connection, null, statement, CancellationToken.None);
            }
        }
        finally
        {
            await db.Database.CloseConnectionAsync();
        }
    }

    private static async Task WriteAllAsync(Writer writer, SyntheticDataSet data, Action<string> log, CancellationToken ct)
    {
        var total = Stopwatch.StartNew();
        await writer.WriteAsync(data.Organisations, ct);
        await writer.WriteAsync(data.Districts, ct);
        await writer.WriteAsync(data.Neighbourhoods, ct);
        await writer.WriteAsync(data.Locations, ct);
        await writer.WriteAsync(data.Persons, ct);
        await writer.WriteAsync(data.LifeDomainScores, ct);
        await writer.WriteAsync(data.PoliceSignals, ct);
        await writer.WriteAsync(data.Tenancies, ct);
        await writer.WriteAsync(data.Consents, ct);
        await WriteIncidentsAsync(writer, data, log, ct);
        await writer.WriteAsync(data.Cases, ct);
        await writer.WriteAsync(data.CaseSubjects, ct);
        await writer.WriteAsync(data.CaseLocations, ct);
        await writer.WriteAsync(data.CaseParticipants, ct);
        await writer.WriteAsync(data.CaseStatusChanges, ct);
        await writer.WriteAsync(data.CaseContributions, ct);
        await writer.WriteAsync(data.Interventions, ct);
        log(string.Create(CultureInfo.InvariantCulture, $"All rows written in {total.Elapsed.TotalSeconds:F1} s; committing."));
    }

    private static async Task WriteIncidentsAsync(Writer writer, SyntheticDataSet data, Action<string> log, CancellationToken ct)
    {
        var watch = Stopwatch.StartNew();
        await using var incidents = writer.For<Incident>();
        await using var involved = writer.For<IncidentPerson>();
        var chunk = new List<Incident>(IncidentChunk);
        var written = 0;
        var persons = 0;
        var nextReport = 100_000;
        foreach (var incident in data.Incidents)
        {
            chunk.Add(incident);
            if (chunk.Count == IncidentChunk) await FlushAsync();
        }
        await FlushAsync();
        log(string.Create(CultureInfo.InvariantCulture,
            $"  Incidents: {written:N0} rows, IncidentPersons: {persons:N0} rows ({watch.Elapsed.TotalSeconds:F1} s)"));

        async Task FlushAsync()
        {
            foreach (var incident in chunk) await incidents.AddAsync(incident, ct);
            await incidents.FlushAsync(ct);
            foreach (var incident in chunk)
            {
                foreach (var person in incident.Persons) await involved.AddAsync(person, ct);
                persons += incident.Persons.Count;
            }
            await involved.FlushAsync(ct);
            written += chunk.Count;
            chunk.Clear();
            if (written >= nextReport)
            {
                log(string.Create(CultureInfo.InvariantCulture,
                    $"  Incidents: {written:N0} of {data.IncidentCount:N0} ({watch.Elapsed.TotalSeconds:F1} s)"));
                nextReport += 100_000;
            }
        }
    }

    /// <summary>
    /// A bulk load into a fresh file needs no durability against power loss (a failed seed is simply run again), so
    /// no fsyncs and no WAL. The rollback journal stays (in memory) so that a failure midway still rolls back and does
    /// not leave a half-seeded database that a later start would take for a complete one. Returns the statements
    /// that put the connection's settings back.
    /// </summary>
    private static async Task<List<string>> TuneSqliteAsync(DbConnection connection, CancellationToken ct)
    {
        var synchronous = await ScalarAsync(connection, "PRAGMA synchronous;", ct);
        var journal = await ScalarAsync(connection, "PRAGMA journal_mode;", ct);
        var cache = await ScalarAsync(connection, "PRAGMA cache_size;", ct);
        // In-memory databases keep their own journal mode.
        var fileBacked = !string.Equals(journal, "memory", StringComparison.OrdinalIgnoreCase);
        if (fileBacked) await ExecuteAsync(connection, null, "PRAGMA journal_mode=MEMORY;", ct);
        await ExecuteAsync(connection, null, "PRAGMA synchronous=OFF;", ct);
        await ExecuteAsync(connection, null, "PRAGMA cache_size=-262144;", ct); // 256 MB: the indexes stay in memory
        var restore = new List<string>
        {
            $"PRAGMA synchronous={synchronous};",
            $"PRAGMA cache_size={cache};",
        };
        if (fileBacked) restore.Add($"PRAGMA journal_mode={journal};");
        return restore;
    }

    private static async Task<string> ScalarAsync(DbConnection connection, string sql, CancellationToken ct)
    {
        await using var command = connection.CreateCommand();
        command.CommandText = sql;
        return Convert.ToString(await command.ExecuteScalarAsync(ct), CultureInfo.InvariantCulture) ?? "";
    }

    private static async Task ExecuteAsync(DbConnection connection, DbTransaction? transaction, string sql, CancellationToken ct)
    {
        await using var command = connection.CreateCommand();
        command.Transaction = transaction;
#pragma warning disable CA2100 // Only fixed pragmas and model-derived identifiers, never input.
        command.CommandText = sql;
#pragma warning restore CA2100
        await command.ExecuteNonQueryAsync(ct);
    }

    /// <summary>Makes table inserters on one connection and transaction.</summary>
    private sealed class Writer(DbContext db, DbConnection connection, DbTransaction transaction, Action<string> log)
    {
        private readonly bool _sqlServer = db.Database.IsSqlServer();

        public TableInserter<T> For<T>() where T : class
            => new(db, connection, transaction, _sqlServer);

        public async Task WriteAsync<T>(IReadOnlyList<T> rows, CancellationToken ct) where T : class
        {
            var watch = Stopwatch.StartNew();
            await using (var inserter = For<T>())
            {
                foreach (var row in rows) await inserter.AddAsync(row, ct);
            }
            log(string.Create(CultureInfo.InvariantCulture,
                $"  {typeof(T).Name}: {rows.Count:N0} rows ({watch.Elapsed.TotalSeconds:F1} s)"));
        }
    }

    /// <summary>
    /// Inserts rows of one entity type: one prepared INSERT with a parameter per mapped column, several rows per
    /// statement where that pays (SQL Server round trips), one row per statement on SQLite (in-process, where binding
    /// cost grows with the statement).
    /// </summary>
    private sealed class TableInserter<T> : IAsyncDisposable where T : class
    {
        private readonly DbConnection _connection;
        private readonly DbTransaction _transaction;
        private readonly Column[] _columns;
        private readonly DbCommand _batchCommand;
        private readonly int _rowsPerStatement;
        private readonly string _table;
        private readonly string _columnList;
        private readonly string? _identityInsert;
        private readonly List<T> _pending;
        private readonly bool _prepare;
        private bool _started;

        private sealed record Column(IClrPropertyGetter Getter, ValueConverter? Converter, RelationalTypeMapping Mapping, bool Nullable);

        public TableInserter(DbContext db, DbConnection connection, DbTransaction transaction, bool sqlServer)
        {
            _connection = connection;
            _transaction = transaction;
            var entityType = db.Model.FindEntityType(typeof(T))
                ?? throw new InvalidOperationException($"{typeof(T).Name} is not in the model.");
            var tableName = entityType.GetTableName() ?? throw new InvalidOperationException($"{typeof(T).Name} has no table.");
            var store = StoreObjectIdentifier.Table(tableName, entityType.GetSchema());
            var sql = db.GetService<ISqlGenerationHelper>();
            _table = sql.DelimitIdentifier(tableName, entityType.GetSchema());

            var properties = entityType.GetProperties()
                .Where(p => !p.IsShadowProperty() && p.GetColumnName(store) is not null)
                .ToArray();
            _columns = properties
                .Select(p =>
                {
                    var mapping = (RelationalTypeMapping)p.GetRelationalTypeMapping();
                    return new Column(p.GetGetter(), mapping.Converter, mapping, p.IsNullable);
                })
                .ToArray();
            _columnList = string.Join(", ", properties.Select(p => sql.DelimitIdentifier(p.GetColumnName(store)!)));

            // SQL Server allows 2,100 parameters per command; keep well below it.
            _rowsPerStatement = sqlServer ? Math.Max(1, Math.Min(200, 2_000 / _columns.Length)) : 1;
            _prepare = !sqlServer;
            _pending = new List<T>(_rowsPerStatement);
            _batchCommand = CreateInsert(_columnList, _rowsPerStatement);

            // Ids are generated here, so identity columns must accept them.
            var key = entityType.FindPrimaryKey();
            if (sqlServer && key is { Properties: [{ ValueGenerated: ValueGenerated.OnAdd } _] })
                _identityInsert = _table;
        }

        private DbCommand CreateInsert(string columnList, int rows)
        {
            var command = _connection.CreateCommand();
            command.Transaction = _transaction;
            var text = new StringBuilder("INSERT INTO ").Append(_table).Append(" (").Append(columnList).Append(") VALUES ");
            for (var r = 0; r < rows; r++)
            {
                text.Append(r == 0 ? "(" : ", (");
                for (var c = 0; c < _columns.Length; c++)
                {
                    var name = string.Create(CultureInfo.InvariantCulture, $"@p{r * _columns.Length + c}");
                    text.Append(c == 0 ? "" : ", ").Append(name);
                    // The type mapping configures the parameter the way EF would (e.g. GUIDs as text on SQLite).
                    command.Parameters.Add(_columns[c].Mapping.CreateParameter(command, name, null, _columns[c].Nullable));
                }
                text.Append(')');
            }
#pragma warning disable CA2100 // Identifiers come from the EF model; every value is a parameter.
            command.CommandText = text.Append(';').ToString();
#pragma warning restore CA2100
            return command;
        }

        public async Task AddAsync(T row, CancellationToken ct)
        {
            if (!_started)
            {
                _started = true;
                if (_identityInsert is not null)
                    await ExecuteAsync(_connection, _transaction, $"SET IDENTITY_INSERT {_identityInsert} ON;", ct);
                // SQLite reuses the compiled statement; SqlClient's Prepare adds a round trip and wants explicit sizes.
                if (_prepare) await _batchCommand.PrepareAsync(ct);
            }
            _pending.Add(row);
            if (_pending.Count == _rowsPerStatement) await FlushAsync(ct);
        }

        public async Task FlushAsync(CancellationToken ct)
        {
            if (_pending.Count == 0) return;
            if (_pending.Count == _rowsPerStatement)
            {
                Bind(_batchCommand, _pending);
                await _batchCommand.ExecuteNonQueryAsync(ct);
            }
            else
            {
                // The tail of a multi-row load: one row per statement.
                await using var single = CreateInsert(_columnList, 1);
                foreach (var row in _pending)
                {
                    Bind(single, [row]);
                    await single.ExecuteNonQueryAsync(ct);
                }
            }
            _pending.Clear();
        }

        private void Bind(DbCommand command, List<T> rows)
        {
            var parameters = command.Parameters;
            for (var r = 0; r < rows.Count; r++)
            {
                var row = rows[r];
                for (var c = 0; c < _columns.Length; c++)
                {
                    var column = _columns[c];
                    var value = column.Getter.GetClrValueUsingContainingEntity(row);
                    if (value is not null && column.Converter is { } converter) value = converter.ConvertToProvider(value);
                    parameters[r * _columns.Length + c].Value = value ?? DBNull.Value;
                }
            }
        }

        public async ValueTask DisposeAsync()
        {
            await FlushAsync(CancellationToken.None);
            if (_started && _identityInsert is not null)
                await ExecuteAsync(_connection, _transaction, $"SET IDENTITY_INSERT {_identityInsert} OFF;", CancellationToken.None);
            await _batchCommand.DisposeAsync();
        }
    }
}
