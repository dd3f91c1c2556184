using Microsoft.Data.Sqlite;
using SQLitePCL;
using Veiligheid.Data;

namespace Veiligheid.Accountability;

/// <summary>
/// A single-row INSERT of <see cref="InsertStatement{T}"/> prepared once on a SQLite connection and run through SQLite's own
/// API: bind by position, step, reset. Microsoft.Data.Sqlite's <c>ExecuteNonQuery</c> on a prepared command costs about
/// 3 µs a row more (parameters looked up by name, a data reader made and disposed; 0.39 against 0.24 ms for 47 rows in
/// one interleaved run), and the processing log inserts one row per person on every request's commit.
/// </summary>
/// <remarks>
/// Only for the log's own writer connection, under its lock. Values are integers, text or NULL: the log's columns are no
/// other (<see cref="Bind"/> refuses anything else rather than guess a storage form). A failed step throws SQLite's
/// error as a <see cref="SqliteException"/>; the statement is finalized before its connection closes.
/// </remarks>
internal sealed class SqliteRowInsert<T> : IDisposable where T : class
{
    private readonly InsertStatement<T> _insert;
    private readonly SqliteConnection _connection;
    private readonly object?[] _values;
    private sqlite3_stmt? _statement;

    public SqliteRowInsert(InsertStatement<T> insert, SqliteConnection connection)
    {
        ArgumentNullException.ThrowIfNull(insert);
        ArgumentNullException.ThrowIfNull(connection);
        _insert = insert;
        _connection = connection;
        _values = new object?[insert.ColumnCount];
        using var command = insert.Create(connection, null, 1);
        var rc = raw.sqlite3_prepare_v2(connection.Handle, command.CommandText, out var statement);
        if (rc != raw.SQLITE_OK)
        {
            statement?.Dispose();
            SqliteException.ThrowExceptionForRC(rc, connection.Handle);
        }
        _statement = statement;
    }

    /// <summary>Inserts each row, in order, in the connection's current transaction.</summary>
    public void InsertAll(IReadOnlyList<T> rows)
    {
        ArgumentNullException.ThrowIfNull(rows);
        var statement = _statement ?? throw new ObjectDisposedException(nameof(SqliteRowInsert<T>));
        for (var r = 0; r < rows.Count; r++)
        {
            _insert.Values(rows[r], _values);
            for (var c = 0; c < _values.Length; c++) Bind(statement, c + 1, _values[c]);
            var rc = raw.sqlite3_step(statement);
            raw.sqlite3_reset(statement);
            if (rc != raw.SQLITE_DONE) SqliteException.ThrowExceptionForRC(rc, _connection.Handle);
        }
    }

    private void Bind(sqlite3_stmt statement, int position, object? value)
    {
        var rc = value switch
        {
            null => raw.sqlite3_bind_null(statement, position),
            string text => raw.sqlite3_bind_text(statement, position, text),
            long number => raw.sqlite3_bind_int64(statement, position, number),
            int number => raw.sqlite3_bind_int64(statement, position, number),
            short number => raw.sqlite3_bind_int64(statement, position, number),
            _ => throw new NotSupportedException($"{typeof(T).Name}: a value of type {value.GetType().Name} has no storage form here."),
        };
        if (rc != raw.SQLITE_OK) SqliteException.ThrowExceptionForRC(rc, _connection.Handle);
    }

    public void Dispose()
    {
        _statement?.Dispose(); // finalizes it
        _statement = null;
    }
}
