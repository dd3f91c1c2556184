using Microsoft.EntityFrameworkCore;
using Veiligheid.Data;

namespace Veiligheid.GraphQL.Compiled;

/// <summary>
/// The switch of the compiled read path per database provider (<c>GraphQL:CompiledReads</c>). SQLite: on by default;
/// the differential suite proves it against the reference path in every CI run. SQL Server: the path has no T-SQL
/// dialect yet, so SQL Server always answers with the reference path (see README, "What was verified where").
/// </summary>
public sealed class CompiledReadOptions
{
    public const string Section = "GraphQL:CompiledReads";

    /// <summary>Answer queries on SQLite with the compiled path where it can.</summary>
    public bool Sqlite { get; set; } = true;

    public bool EnabledFor(VeiligheidDbContext db)
    {
        ArgumentNullException.ThrowIfNull(db);
        return db.Database.IsSqlite() && Sqlite;
    }
}
