using System.Data.Common;
using System.Globalization;
using System.Text;
using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Infrastructure;
using Microsoft.EntityFrameworkCore.Metadata;
using Microsoft.EntityFrameworkCore.Storage;
using Microsoft.EntityFrameworkCore.Storage.ValueConversion;

namespace Veiligheid.Data;

/// <summary>
/// Inserts rows of one entity type with plain parameterised INSERTs built from the EF model (table, columns, type
/// mappings and value converters), bypassing change tracking: the seed's bulk load and the processing log's batch.
/// Up to <c>rowsPerStatement</c> rows go in one statement (capped so a statement stays under SQL Server's 2,100
/// parameters); with <c>explicitKeys</c> the caller's ids are written, else the database generates them.
/// The full-size statement is built and prepared only when a full batch is reached: a few rows never pay for it (the
/// processing log measured 15 ms to prepare a 100-row, 1,700-parameter statement on SQLite for a single record).
/// </summary>
public sealed class TableInserter<T> : IAsyncDisposable where T : class
{
    private readonly DbConnection _connection;
    private readonly DbTransaction _transaction;
    private readonly InsertStatement<T> _statement;
    private DbCommand? _batchCommand;
    private readonly int _rowsPerStatement;
    private readonly string? _identityInsert;
    private readonly List<T> _pending;
    private readonly bool _prepare;
    private bool _started;

    public TableInserter(DbContext db, DbConnection connection, DbTransaction transaction, int rowsPerStatement, bool explicitKeys)
    {
        ArgumentNullException.ThrowIfNull(db);
        _connection = connection;
        _transaction = transaction;
        var sqlServer = db.Database.IsSqlServer();
        _statement = new InsertStatement<T>(db, explicitKeys);
        _rowsPerStatement = Math.Clamp(rowsPerStatement, 1, _statement.MaxRowsPerStatement);
        // SQLite reuses the compiled statement; SqlClient's Prepare adds a round trip and wants explicit sizes.
        _prepare = !sqlServer;
        _pending = new List<T>(_rowsPerStatement);

        // Ids written by the caller must be accepted by an identity column.
        if (sqlServer && explicitKeys && _statement.HasGeneratedKey) _identityInsert = _statement.Table;
    }

    public async Task AddAsync(T row, CancellationToken ct)
    {
        if (!_started)
        {
            _started = true;
            if (_identityInsert is not null) await ExecuteAsync($"SET IDENTITY_INSERT {_identityInsert} ON;", ct);
        }
        _pending.Add(row);
        if (_pending.Count == _rowsPerStatement) await FlushAsync(ct);
    }

    public async Task FlushAsync(CancellationToken ct)
    {
        if (_pending.Count == 0) return;
        if (_pending.Count == _rowsPerStatement)
        {
            if (_batchCommand is null)
            {
                _batchCommand = _statement.Create(_connection, _transaction, _rowsPerStatement);
                if (_prepare) await _batchCommand.PrepareAsync(ct);
            }
            _statement.Bind(_batchCommand, _pending);
            await _batchCommand.ExecuteNonQueryAsync(ct);
        }
        else
        {
            // The tail: one statement of its own size.
            await using var tail = _statement.Create(_connection, _transaction, _pending.Count);
            _statement.Bind(tail, _pending);
            await tail.ExecuteNonQueryAsync(ct);
        }
        _pending.Clear();
    }

    private async Task ExecuteAsync(string sql, CancellationToken ct)
    {
        await using var command = _connection.CreateCommand();
        command.Transaction = _transaction;
#pragma warning disable CA2100 // Only the fixed IDENTITY_INSERT statements with a model-derived table name.
        command.CommandText = sql;
#pragma warning restore CA2100
        await command.ExecuteNonQueryAsync(ct);
    }

    public async ValueTask DisposeAsync()
    {
        await FlushAsync(CancellationToken.None);
        if (_started && _identityInsert is not null) await ExecuteAsync($"SET IDENTITY_INSERT {_identityInsert} OFF;", CancellationToken.None);
        if (_batchCommand is not null) await _batchCommand.DisposeAsync();
    }
}

/// <summary>
/// A parameterised INSERT of one entity type, read from the EF model once (table, columns, type mappings, value
/// converters): builds commands of n rows and binds rows to them. Kept apart from <see cref="TableInserter{T}"/> so a
/// long-lived writer (the processing log's, on SQLite) can build its commands once and bind many times.
/// </summary>
public sealed class InsertStatement<T> where T : class
{
    private readonly Column[] _columns;
    private readonly string _columnList;

    private sealed record Column(string Property, IClrPropertyGetter Getter, ValueConverter? Converter, RelationalTypeMapping Mapping, bool Nullable);

    public InsertStatement(DbContext db, bool explicitKeys)
    {
        ArgumentNullException.ThrowIfNull(db);
        var entityType = db.Model.FindEntityType(typeof(T))
            ?? throw new InvalidOperationException($"{typeof(T).Name} is not in the model.");
        var tableName = entityType.GetTableName() ?? throw new InvalidOperationException($"{typeof(T).Name} has no table.");
        var store = StoreObjectIdentifier.Table(tableName, entityType.GetSchema());
        var sql = db.GetService<ISqlGenerationHelper>();
        Table = sql.DelimitIdentifier(tableName, entityType.GetSchema());

        var generatedKey = entityType.FindPrimaryKey() is { Properties: [{ ValueGenerated: ValueGenerated.OnAdd } keyProperty] } ? keyProperty : null;
        HasGeneratedKey = generatedKey is not null;
        var properties = entityType.GetProperties()
            .Where(p => !p.IsShadowProperty() && p.GetColumnName(store) is not null)
            .Where(p => explicitKeys || p != generatedKey)
            .ToArray();
        _columns = properties
            .Select(p =>
            {
                var mapping = (RelationalTypeMapping)p.GetRelationalTypeMapping();
                return new Column(p.Name, p.GetGetter(), mapping.Converter, mapping, p.IsNullable);
            })
            .ToArray();
        _columnList = string.Join(", ", properties.Select(p => sql.DelimitIdentifier(p.GetColumnName(store)!)));
    }

    /// <summary>The delimited table name.</summary>
    public string Table { get; }

    /// <summary>Whether the table's key is generated by the database (an identity or autoincrement column).</summary>
    public bool HasGeneratedKey { get; }

    /// <summary>The most rows one statement may carry: under SQL Server's 2,100 parameters.</summary>
    public int MaxRowsPerStatement => Math.Max(1, 2_000 / _columns.Length);

    /// <summary>A command inserting <paramref name="rows"/> rows, its parameters typed as EF would type them.</summary>
    public DbCommand Create(DbConnection connection, DbTransaction? transaction, int rows)
    {
        ArgumentNullException.ThrowIfNull(connection);
        var command = connection.CreateCommand();
        command.Transaction = transaction;
        var text = new StringBuilder("INSERT INTO ").Append(Table).Append(" (").Append(_columnList).Append(") VALUES ");
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

    /// <summary>The place of a property's column in <see cref="Values"/> (from 0).</summary>
    public int ColumnOf(string property)
    {
        var column = Array.FindIndex(_columns, c => c.Property == property);
        return column >= 0 ? column : throw new ArgumentException($"{typeof(T).Name}.{property} is not a column of this statement.", nameof(property));
    }

    /// <summary>How many columns a row has (the length <see cref="Values"/> fills).</summary>
    public int ColumnCount => _columns.Length;

    /// <summary>One row's values in the statement's column order, converted to the provider's types as EF would (null for NULL).</summary>
    public void Values(T row, object?[] values)
    {
        ArgumentNullException.ThrowIfNull(row);
        ArgumentNullException.ThrowIfNull(values);
        for (var c = 0; c < _columns.Length; c++) values[c] = ProviderValue(_columns[c], row);
    }

    /// <summary>A column's value of a row as the provider stores it: read from the entity, through the column's converter.</summary>
    private static object? ProviderValue(Column column, T row)
    {
        var value = column.Getter.GetClrValueUsingContainingEntity(row);
        return value is not null && column.Converter is { } converter ? converter.ConvertToProvider(value) : value;
    }

    /// <summary>Sets the parameters of a command of <see cref="Create"/> to these rows' values (as many rows as it has).</summary>
    public void Bind(DbCommand command, IReadOnlyList<T> rows, int offset = 0, int count = -1)
    {
        ArgumentNullException.ThrowIfNull(command);
        ArgumentNullException.ThrowIfNull(rows);
        if (count < 0) count = rows.Count - offset;
        var parameters = command.Parameters;
        for (var r = 0; r < count; r++)
        {
            var row = rows[offset + r];
            for (var c = 0; c < _columns.Length; c++) parameters[r * _columns.Length + c].Value = ProviderValue(_columns[c], row) ?? DBNull.Value;
        }
    }
}
