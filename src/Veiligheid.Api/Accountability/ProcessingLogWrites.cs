using Microsoft.Data.Sqlite;

namespace Veiligheid.Accountability;

/// <summary>
/// What this host's writes of the processing log came to: the last that succeeded and, while the last one failed, since
/// when and why. Kept by <see cref="ProcessingLog"/> from its real commits (no write of its own), read by /health
/// (<see cref="Http.HealthEndpoint"/>): every request that read person data is refused while the log cannot be written.
/// Times and the kind of failure only: never a record's content, a name or a BSN.
/// </summary>
/// <param name="LastSuccessAt">When a write last committed; null before the first.</param>
/// <param name="FailingSince">When the first of the failures since the last success happened; null while the last write succeeded.</param>
/// <param name="LastFailureAt">When a write last failed; null before the first failure.</param>
/// <param name="LastFailure">Why it failed (<see cref="KindOf"/>); null before the first failure.</param>
public sealed record ProcessingLogWrites(DateTime? LastSuccessAt, DateTime? FailingSince, DateTime? LastFailureAt, string? LastFailure)
{
    /// <summary>No write yet.</summary>
    public static ProcessingLogWrites None { get; } = new(null, null, null, null);

    /// <summary>Whether the last write failed (and none has succeeded since).</summary>
    public bool Failing => FailingSince is not null;

    internal ProcessingLogWrites Succeeded(DateTime at) => this with { LastSuccessAt = at, FailingSince = null };

    internal ProcessingLogWrites Failed(DateTime at, Exception exception)
        => this with { FailingSince = FailingSince ?? at, LastFailureAt = at, LastFailure = KindOf(exception) };

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
