using Microsoft.Data.Sqlite;

namespace Veiligheid.Accountability;

/// <summary>
/// What this host's writes of the processing log came to are kept by <see cref="ProcessingLog"/> from its real commits (no
/// write of its own) as <see cref="Http.OperationOutcomes"/>, read by /health (<see cref="Http.ProcessingLogHealth"/>):
/// every request that read person data is refused while the log cannot be written. This is how a failed write is named
/// there.
/// </summary>
public static class ProcessingLogWrites
{
    /// <summary>
    /// The kind of a write's failure, fit for an unauthenticated health probe: SQLite's result code and its fixed text
    /// ("database is locked", "disk I/O error"), else the exception's type. Not the message: a database's message may
    /// quote a value (SQL Server's truncation error does) or a file path.
    /// </summary>
    internal static string KindOf(Exception exception)
        => exception is SqliteException sqlite
            ? $"SQLite error {sqlite.SqliteErrorCode}: {SQLitePCL.raw.sqlite3_errstr(sqlite.SqliteErrorCode).utf8_to_string()}"
            : exception.GetType().Name;
}
