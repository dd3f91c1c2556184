namespace Veiligheid.Data;

/// <summary>
/// A row partners can edit. The version is the optimistic-concurrency token: the hub sets a new one on every
/// save, so an edit based on an outdated version fails instead of silently overwriting (same on SQLite and SQL Server).
/// </summary>
public interface IEditable
{
    Guid Version { get; set; }
    DateTime CreatedAt { get; set; }
    DateTime UpdatedAt { get; set; }
}

/// <summary>
/// A row that can arrive from a partner's own system. (SourceOrganisationId, ExternalId) is unique, so a replayed
/// push from that system finds its earlier row and updates it instead of inserting a duplicate.
/// </summary>
public interface ISourced
{
    int? SourceOrganisationId { get; set; }
    string? ExternalId { get; set; }
}

/// <summary>A partner's own id for a row (<see cref="ISourced.ExternalId"/>): its size, and how SQL Server compares it.</summary>
public static class ExternalIds
{
    /// <summary>The column's size, and the longest externalId a partner may send.</summary>
    public const int MaxLength = 100;

    /// <summary>
    /// The SQL Server collation of the externalId columns: binary, by code point, as SQLite's BINARY compares. BIN2
    /// rather than the older BIN (which compares all but the first character byte by byte); version 100 for the full
    /// Unicode repertoire. The columns are nvarchar (UTF-16), so the Latin1_General code page plays no part (a _UTF8
    /// collation is for varchar). In every collation SQL Server ignores trailing spaces when it compares with '=' and in
    /// a unique index (ANSI padding): <see cref="GraphQL.InputErrors.ExternalId"/> refuses them, so none is stored.
    /// </summary>
    public const string SqlServerCollation = "Latin1_General_100_BIN2";

    internal static readonly System.Reflection.MethodInfo ExactMethod = typeof(ExternalIds).GetMethod(nameof(Exact))!;

    /// <summary>
    /// In a query only: the externalId column compared by its own collation also against values that have another. On
    /// SQL Server a list sent as one JSON parameter (<c>EF.Parameter(list).Contains(...)</c>) is read with OPENJSON,
    /// whose values take the database's default collation; against the column's binary one that is a collation conflict
    /// (error 468), and the query fails. Naming the column's own collation on it settles the comparison (an explicit
    /// collation wins); being the column's own, it converts nothing (another collation named there would convert the column
    /// row by row, past its index). The model translates it
    /// (<see cref="EditableConfiguration.UseBinaryExternalIds"/>); on SQLite it is the column itself.
    /// </summary>
    public static string Exact(string externalId) => throw new InvalidOperationException($"{nameof(ExternalIds)}.{nameof(Exact)} is for LINQ queries to the database only.");
}
