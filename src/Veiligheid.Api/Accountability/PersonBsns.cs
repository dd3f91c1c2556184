using System.Runtime.CompilerServices;
using System.Text.Json;
using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Metadata;
using Veiligheid.Data;
using Veiligheid.Persons;

namespace Veiligheid.Accountability;

/// <summary>
/// The BSNs of persons a request reached through a link only (a case's subject, say), which the processing log needs in
/// protected form: one statement per request, whatever the number of persons. And the other way round, the ids of
/// persons a request named by BSN only (a filter's BSN, a privacy officer's inzage), so that their records name the
/// person as well wherever the hub holds them.
/// </summary>
/// <remarks>
/// With the compiled path's kept SQLite statements (the <c>prepared</c> argument of <see cref="ReadAsync"/>) the
/// statement is kept prepared on one of its read connections, as the trusted-documents flag is, and the ids go in as one
/// JSON array. The LINQ query it replaces (EF Core 10 sends one parameter per id, and Microsoft.Data.Sqlite prepares the
/// statement anew each time) took 0.62 ms for one person and 0.98 ms for 47; the kept statement 0.09 and 0.20 ms
/// (BENCHMARKS.md, ninth round). Without kept statements (SQL Server), or when every kept connection is leased, the LINQ
/// query runs on the context's connection.
/// </remarks>
internal static class PersonBsns
{
    private static readonly ConditionalWeakTable<IModel, string> Statements = [];
    private static readonly ConditionalWeakTable<IModel, string> IdStatements = [];

    /// <summary>The BSN of each of these persons the hub holds, by id; a person no longer held is left out.</summary>
    public static async Task<Dictionary<int, string>> ReadAsync(VeiligheidDbContext db, IReadOnlyCollection<int> ids,
        GraphQL.Compiled.SqlitePreparedReads? prepared, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(db);
        ArgumentNullException.ThrowIfNull(ids);
        if (prepared is not null && db.OnSqlite && db.Database.GetConnectionString() is { } connectionString
            && prepared.TryLease(connectionString) is { } lease)
        {
            var sql = Statements.GetValue(db.Model, _ => StatementFor(db));
            return await lease.ReadAsync(sql, [("@ids", System.Data.DbType.String, JsonSerializer.Serialize(ids))], db, async reader =>
            {
                var bsns = new Dictionary<int, string>(ids.Count);
                while (await reader.ReadAsync(cancellationToken)) bsns[reader.GetInt32(0)] = reader.GetString(1);
                return bsns;
            }, cancellationToken);
        }
        return await db.Persons.AsNoTracking().Where(p => ids.Contains(p.Id)).Select(p => new { p.Id, p.Bsn })
            .ToDictionaryAsync(p => p.Id, p => p.Bsn, cancellationToken);
    }

    /// <summary>
    /// The id of each person with one of these BSNs that the hub holds (whoever may see them), by BSN; a BSN the hub does
    /// not hold is left out. On a kept statement as <see cref="ReadAsync"/>, so a request answered from a cached plan
    /// still opens no connection of its own.
    /// </summary>
    public static async Task<Dictionary<string, int>> IdsAsync(VeiligheidDbContext db, IReadOnlyCollection<string> bsns,
        GraphQL.Compiled.SqlitePreparedReads? prepared, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(db);
        ArgumentNullException.ThrowIfNull(bsns);
        if (prepared is not null && db.OnSqlite && db.Database.GetConnectionString() is { } connectionString
            && prepared.TryLease(connectionString) is { } lease)
        {
            var sql = IdStatements.GetValue(db.Model, _ => IdStatementFor(db));
            return await lease.ReadAsync(sql, [("@bsns", System.Data.DbType.String, JsonSerializer.Serialize(bsns))], db, async reader =>
            {
                var ids = new Dictionary<string, int>(bsns.Count, StringComparer.Ordinal);
                while (await reader.ReadAsync(cancellationToken)) ids[reader.GetString(1)] = reader.GetInt32(0);
                return ids;
            }, cancellationToken);
        }
        return await db.Persons.AsNoTracking().Where(p => bsns.Contains(p.Bsn)).Select(p => new { p.Id, p.Bsn })
            .ToDictionaryAsync(p => p.Bsn, p => p.Id, StringComparer.Ordinal, cancellationToken);
    }

    /// <summary>The statement in SQLite's dialect, with the table and column names from EF Core's model.</summary>
    private static string StatementFor(VeiligheidDbContext db)
    {
        var persons = StoreNames.Of<Person>(db);
        return $"SELECT {persons.Column(nameof(Person.Id))}, {persons.Column(nameof(Person.Bsn))} FROM {persons.Table} "
               + $"WHERE {persons.Column(nameof(Person.Id))} IN (SELECT value FROM json_each(@ids))";
    }

    /// <summary>As <see cref="StatementFor"/>, by BSN.</summary>
    private static string IdStatementFor(VeiligheidDbContext db)
    {
        var persons = StoreNames.Of<Person>(db);
        return $"SELECT {persons.Column(nameof(Person.Id))}, {persons.Column(nameof(Person.Bsn))} FROM {persons.Table} "
               + $"WHERE {persons.Column(nameof(Person.Bsn))} IN (SELECT value FROM json_each(@bsns))";
    }
}
