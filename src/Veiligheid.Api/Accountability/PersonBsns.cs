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
    private static readonly ConditionalWeakTable<IModel, string> ById = [];
    private static readonly ConditionalWeakTable<IModel, string> ByBsn = [];

    /// <summary>The BSN of each of these persons the hub holds, by id; a person no longer held is left out.</summary>
    public static async Task<Dictionary<int, string>> ReadAsync(VeiligheidDbContext db, IReadOnlyCollection<int> ids,
        GraphQL.Compiled.SqlitePreparedReads? prepared, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(ids);
        var bsns = new Dictionary<int, string>(ids.Count);
        await LookUpAsync(db, ids, nameof(Person.Id), ById, persons => persons.Where(p => ids.Contains(p.Id)), (id, bsn) => bsns[id] = bsn, prepared, cancellationToken);
        return bsns;
    }

    /// <summary>
    /// The id of each person with one of these BSNs that the hub holds (whoever may see them), by BSN; a BSN the hub does
    /// not hold is left out. On a kept statement as <see cref="ReadAsync"/>, so a request answered from a cached plan
    /// still opens no connection of its own.
    /// </summary>
    public static async Task<Dictionary<string, int>> IdsAsync(VeiligheidDbContext db, IReadOnlyCollection<string> bsns,
        GraphQL.Compiled.SqlitePreparedReads? prepared, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(bsns);
        var ids = new Dictionary<string, int>(bsns.Count, StringComparer.Ordinal);
        await LookUpAsync(db, bsns, nameof(Person.Bsn), ByBsn, persons => persons.Where(p => bsns.Contains(p.Bsn)), (id, bsn) => ids[bsn] = id, prepared, cancellationToken);
        return ids;
    }

    /// <summary>
    /// The id and BSN of each person <paramref name="matching"/> holds for (a filter's condition, within the persons the
    /// caller may see): through the context, as its condition is the caller's own. Throws
    /// <see cref="TooManyPersonsMatchedException"/> past <paramref name="most"/> persons.
    /// </summary>
    public static async Task<List<(int Id, string Bsn)>> MatchingAsync(VeiligheidDbContext db, System.Linq.Expressions.Expression<Func<Person, bool>> matching,
        int most, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(db);
        // One more than allowed, so a condition that matches too many is known without reading them all.
        var persons = await db.Persons.AsNoTracking().Where(matching).Select(p => new { p.Id, p.Bsn }).Take(most + 1).ToListAsync(cancellationToken);
        if (persons.Count > most) throw new TooManyPersonsMatchedException(most);
        return [.. persons.Select(p => (p.Id, p.Bsn))];
    }

    /// <summary>
    /// Hands <paramref name="found"/> the id and BSN of each person whose <paramref name="column"/> is one of
    /// <paramref name="values"/>: on a kept statement (<paramref name="statements"/>, one per model) with the values as one
    /// JSON array, or else through <paramref name="fallback"/>, the same condition in LINQ (a function, so its expression is
    /// built only when it runs: the kept statement is the hot path).
    /// </summary>
    private static async Task LookUpAsync<T>(VeiligheidDbContext db, IReadOnlyCollection<T> values, string column,
        ConditionalWeakTable<IModel, string> statements, Func<IQueryable<Person>, IQueryable<Person>> fallback, Action<int, string> found,
        GraphQL.Compiled.SqlitePreparedReads? prepared, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(db);
        if (prepared is not null && db.OnSqlite && db.Database.GetConnectionString() is { } connectionString
            && prepared.TryLease(connectionString) is { } lease)
        {
            var sql = statements.GetValue(db.Model, _ => StatementFor(db, column));
            await lease.ReadAsync(sql, [("@values", System.Data.DbType.String, JsonSerializer.Serialize(values))], db, async reader =>
            {
                while (await reader.ReadAsync(cancellationToken)) found(reader.GetInt32(0), reader.GetString(1));
                return true;
            }, cancellationToken);
            return;
        }
        await foreach (var person in fallback(db.Persons.AsNoTracking()).Select(p => new { p.Id, p.Bsn }).AsAsyncEnumerable().WithCancellation(cancellationToken))
            found(person.Id, person.Bsn);
    }

    /// <summary>The statement in SQLite's dialect, with the table and column names from EF Core's model: id and BSN by <paramref name="column"/>.</summary>
    private static string StatementFor(VeiligheidDbContext db, string column)
    {
        var persons = StoreNames.Of<Person>(db);
        return $"SELECT {persons.Column(nameof(Person.Id))}, {persons.Column(nameof(Person.Bsn))} FROM {persons.Table} "
               + $"WHERE {persons.Column(column)} IN (SELECT value FROM json_each(@values))";
    }
}
