using Microsoft.EntityFrameworkCore;
using Veiligheid.Data;

namespace Veiligheid.GraphQL.Compiled;

/// <summary>
/// The switch of the compiled read path per database provider (<c>GraphQL:CompiledReads</c>). SQLite: on by default;
/// the differential suite proves it against the reference path in every CI run. SQL Server: off by default; its T-SQL
/// statements are only parsed here (no SQL Server runs in CI), and the Azure pipeline's SQL Server job switches it on to
/// run the differential suite against a real server (see README, "How reads are answered").
/// </summary>
public sealed class CompiledReadOptions
{
    public const string Section = "GraphQL:CompiledReads";

    /// <summary>Answer queries on SQLite with the compiled path where it can.</summary>
    public bool Sqlite { get; set; } = true;

    /// <summary>Answer queries on SQL Server with the compiled path where it can (T-SQL dialect, <see cref="TSqlJsonDialect"/>).</summary>
    public bool SqlServer { get; set; }

    /// <summary>
    /// On SQLite, keep compiled statements prepared on read connections that outlive the request
    /// (<see cref="SqlitePreparedReads"/>); off: each request prepares its statement on its own connection, as before.
    /// SQL Server has no such switch: its server caches the plan of a parameterized statement by its text.
    /// </summary>
    public bool SqlitePrepared { get; set; } = true;

    public bool EnabledFor(VeiligheidDbContext db)
    {
        ArgumentNullException.ThrowIfNull(db);
        return (Sqlite && db.OnSqlite) || (SqlServer && db.OnSqlServer);
    }
}
