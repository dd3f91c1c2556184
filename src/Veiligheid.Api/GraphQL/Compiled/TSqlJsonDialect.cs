using System.Data.Common;
using System.Globalization;
using System.Linq.Expressions;
using System.Text;
using Microsoft.EntityFrameworkCore;

namespace Veiligheid.GraphQL.Compiled;

/// <summary>
/// SQL Server: every object and list is a <c>FOR JSON PATH</c> subquery, nested with <c>JSON_QUERY</c> so the enclosing
/// <c>FOR JSON</c> takes it as JSON instead of escaping it as text. T-SQL does not keep an <c>ORDER BY</c> inside a derived
/// table, so a list's order is put on the <c>FOR JSON</c> select itself (<see cref="QueryOrder"/> takes it out of the row
/// query). The formats are made equal to the reference path's scalars here, each where it is written down below; what is
/// left (FOR JSON escapes "/" as "\/", and escapes no non-ASCII) the post-pass of <see cref="CompiledData"/> rewrites as it
/// does for SQLite.
/// </summary>
internal sealed class TSqlJsonDialect : ISqlJsonDialect
{
    public static TSqlJsonDialect Instance { get; } = new();

    // Without INCLUDE_NULL_VALUES, FOR JSON leaves out a null member; GraphQL answers it as null.
    private const string ObjectOptions = " FOR JSON PATH, WITHOUT_ARRAY_WRAPPER, INCLUDE_NULL_VALUES";
    private const string ArrayOptions = " FOR JSON PATH, INCLUDE_NULL_VALUES";

    public bool OrdersOutside => true;

    public string Null => "NULL";

    // A scalar subquery: one nvarchar(max) value in one row. A top-level FOR JSON would be cut into rows of 2,033 characters.
    public string Select(IReadOnlyList<(string Key, string Json)> roots) => "SELECT (SELECT " + Members(roots) + ObjectOptions + ") AS [data]";

    // An object whose every field was skipped (@skip/@include) has no column for FOR JSON: it is written as {}.
    public string Object(IReadOnlyList<(string Key, string Json)> members)
        => members.Count == 0 ? "JSON_QUERY(N'{}')" : "JSON_QUERY((SELECT " + Members(members) + ObjectOptions + "))";

    // FOR JSON of no rows is NULL, not an empty array: COALESCE makes it []. Elements without fields are one {} per row.
    public string Array(IReadOnlyList<(string Key, string Json)> element, string from, string alias, IReadOnlyList<(string Sql, bool Descending)> order)
        => element.Count == 0
            ? $"JSON_QUERY(COALESCE(N'[' + (SELECT STRING_AGG(CAST(N'{{}}' AS nvarchar(max)), N',') FROM ({from}) AS {alias}) + N']', N'[]'))"
            : $"JSON_QUERY(COALESCE((SELECT {Members(element)} FROM ({from}) AS {alias}{OrderBy(order)}{ArrayOptions}), N'[]'))";

    // No row: FOR JSON gives NULL, which the enclosing object answers as null.
    public string First(IReadOnlyList<(string Key, string Json)> element, string from, string alias, IReadOnlyList<(string Sql, bool Descending)> order)
        => element.Count == 0
            ? $"JSON_QUERY(CASE WHEN EXISTS (SELECT 1 FROM ({from}) AS {alias}) THEN N'{{}}' END)"
            : $"JSON_QUERY((SELECT TOP (1) {Members(element)} FROM ({from}) AS {alias}{OrderBy(order)}{ObjectOptions}))";

    // A derived table needs a name in T-SQL; nothing refers to this one.
    public string Count(string from) => $"(SELECT COUNT(*) FROM ({from}) AS [n])";

    // bit is answered as true/false by FOR JSON.
    public string Exists(string from) => $"CAST(CASE WHEN EXISTS ({from}) THEN 1 ELSE 0 END AS bit)";

    // JSON_QUERY again, so FOR JSON takes the pair (or NULL) as JSON, not as text.
    public string When(string from, string pair) => $"JSON_QUERY(CASE WHEN EXISTS ({from}) THEN {pair} END)";

    public string Column(string alias, string column) => $"{alias}.{Quote(column)}";

    public string Text(string value) => "N'" + value.Replace("'", "''", StringComparison.Ordinal) + "'";

    public string Literal(object? value) => value switch
    {
        null => "NULL",
        string s => Text(s),
        int or long or short or byte => Convert.ToString(value, CultureInfo.InvariantCulture)!,
        _ => throw new NotCompilableException($"literal of {value.GetType().Name}"),
    };

    public string Boolean(bool value) => value ? "CAST(1 AS bit)" : "CAST(0 AS bit)";

    // Booleans are stored as bit, which FOR JSON answers as true/false (and NULL as null).
    public string Boolean(string column) => column;

    // datetime2: FOR JSON would give "2024-12-27T10:35:37.1234567" without a zone. The DateTime scalar answers whole seconds
    // in UTC with a Z (every stored time is UTC): style 126 is ISO 8601, and nvarchar(19) cuts it after the seconds, as the
    // scalar cuts (it does not round). NULL + 'Z' stays NULL.
    public string DateTime(string column) => $"CONVERT(nvarchar(19), {column}, 126) + N'Z'";

    // uniqueidentifier: T-SQL writes it in capitals, Guid.ToString() in lower case.
    public string Guid(string column) => $"LOWER(CONVERT(nvarchar(36), {column}))";

    // Enums are stored by name (ConfidentialityLevel as int); CASE gives the GraphQL name, as for SQLite.
    public string Case(string column, IReadOnlyList<(string Stored, string Name)> cases)
        => "CASE " + column + string.Concat(cases.Select(c => $" WHEN {c.Stored} THEN {c.Name}")) + " END";

    // [person id, text] for the post-pass. JSON_ARRAY needs SQL Server 2022 and drops NULLs by default, so the array is
    // written out: the id as a number (or null), the text (a BSN or an intervention's kind) escaped with STRING_ESCAPE.
    public string Pair(string first, string second)
        => $"JSON_QUERY(CONCAT(N'[', COALESCE(CONVERT(nvarchar(11), {first}), N'null'), N',', COALESCE(N'\"' + STRING_ESCAPE({second}, 'json') + N'\"', N'null'), N']'))";

    // nvarchar(max) text: its UTF-8 bytes for the post-pass.
    public byte[] Utf8(DbDataReader reader) => Encoding.UTF8.GetBytes(reader.GetString(0));

    private static string Members(IReadOnlyList<(string Key, string Json)> members)
    {
        var sql = new StringBuilder();
        for (var i = 0; i < members.Count; i++)
        {
            // FOR JSON PATH nests on a dot in a column alias; GraphQL names and the post-pass's marker keys have none.
            if (members[i].Key.Contains('.', StringComparison.Ordinal)) throw new NotCompilableException($"the key {members[i].Key}");
            if (i > 0) sql.Append(", ");
            sql.Append(members[i].Json).Append(" AS ").Append(Quote(members[i].Key));
        }
        return sql.ToString();
    }

    private static string OrderBy(IReadOnlyList<(string Sql, bool Descending)> order)
        => order.Count == 0 ? "" : " ORDER BY " + string.Join(", ", order.Select(o => o.Descending ? o.Sql + " DESC" : o.Sql));

    private static string Quote(string name) => "[" + name.Replace("]", "]]", StringComparison.Ordinal) + "]";
}

/// <summary>The JSON dialect of a context's provider.</summary>
internal static class SqlJsonDialects
{
    public static ISqlJsonDialect For(Data.VeiligheidDbContext db)
    {
        ArgumentNullException.ThrowIfNull(db);
        return db.OnSqlServer ? TSqlJsonDialect.Instance : SqliteJsonDialect.Instance;
    }
}

/// <summary>
/// The order of a row query, read from its own <c>OrderBy</c>/<c>ThenBy</c> calls: the one place an order is written
/// (the relations, <see cref="ListQuerying"/>) stays the only one. For a dialect whose derived tables keep no order (T-SQL),
/// <see cref="Split"/> gives the rows without those calls and the keys to order by where the JSON array is made. Under a
/// Take or Skip the calls stay (TOP/OFFSET make an ORDER BY legal there, and they choose the rows), and are read as well.
/// </summary>
internal static class QueryOrder
{
    /// <summary>One sort key: a lambda over the row type.</summary>
    public sealed record Key(LambdaExpression Selector, bool Descending);

    public static (IQueryable Rows, IReadOnlyList<Key> Order) Split(IQueryable query)
    {
        ArgumentNullException.ThrowIfNull(query);
        var state = new State();
        var rows = state.Strip(query.Expression, paged: false);
        return (ReferenceEquals(rows, query.Expression) ? query : query.Provider.CreateQuery(rows), state.Order);
    }

    /// <summary>The rows ordered again by <paramref name="order"/> (tests compare it with the query <see cref="Split"/> was given).</summary>
    public static IQueryable Reorder(IQueryable rows, IReadOnlyList<Key> order)
    {
        ArgumentNullException.ThrowIfNull(rows);
        ArgumentNullException.ThrowIfNull(order);
        var expression = rows.Expression;
        for (var i = 0; i < order.Count; i++)
        {
            var method = (i, order[i].Descending) switch
            {
                (0, false) => nameof(Queryable.OrderBy),
                (0, true) => nameof(Queryable.OrderByDescending),
                (_, false) => nameof(Queryable.ThenBy),
                (_, true) => nameof(Queryable.ThenByDescending),
            };
            expression = Expression.Call(typeof(Queryable), method, [rows.ElementType, order[i].Selector.ReturnType], expression, Expression.Quote(order[i].Selector));
        }
        return rows.Provider.CreateQuery(expression);
    }

    private sealed class State
    {
        private bool _complete;

        public List<Key> Order { get; } = [];

        public Expression Strip(Expression expression, bool paged)
        {
            if (expression is not MethodCallExpression call || call.Method.DeclaringType != typeof(Queryable)) return expression;
            switch (call.Method.Name)
            {
                case nameof(Queryable.Where):
                    var source = Strip(call.Arguments[0], paged);
                    return ReferenceEquals(source, call.Arguments[0]) ? call : call.Update(null, [source, call.Arguments[1]]);
                case nameof(Queryable.Take) or nameof(Queryable.Skip):
                    Strip(call.Arguments[0], paged: true);
                    return call;
                case nameof(Queryable.OrderBy) or nameof(Queryable.OrderByDescending) or nameof(Queryable.ThenBy) or nameof(Queryable.ThenByDescending):
                    // Read from the last ThenBy down to its OrderBy; an OrderBy further down is overridden by that one.
                    if (!_complete)
                    {
                        var selector = (LambdaExpression)((UnaryExpression)call.Arguments[1]).Operand;
                        Order.Insert(0, new Key(selector, call.Method.Name.EndsWith("Descending", StringComparison.Ordinal)));
                        _complete = call.Method.Name.StartsWith("OrderBy", StringComparison.Ordinal);
                    }
                    var inner = Strip(call.Arguments[0], paged);
                    return paged ? call : inner;
                default:
                    // Anything else (Select, Distinct, …) ends what can be read; the relations and lists use none.
                    return expression;
            }
        }
    }
}
