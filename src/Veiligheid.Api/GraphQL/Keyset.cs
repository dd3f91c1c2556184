using System.Buffers.Text;
using System.Collections;
using System.Linq.Expressions;
using System.Text.Json;
using GraphQL;
using GraphQL.DataLoader;
using GraphQL.Types;
using GraphQLParser.AST;
using Microsoft.EntityFrameworkCore;
using Veiligheid.Accountability;

namespace Veiligheid.GraphQL;

/// <summary>
/// Filtered, sorted lists with keyset cursors: a cursor holds the sort keys of its row (and the order it was made for),
/// and the next page is "rows after these keys" in the SQL, so a page costs the same at any depth of the list and rows
/// inserted before the cursor do not shift it. Absent values sort first ascending, last descending (SQLite and SQL
/// Server agree); the id tie-breaker makes every order total.
/// </summary>
public static class ListQuerying
{
    /// <summary>filter, orderBy, first, after.</summary>
    public static QueryArgument[] Arguments<TDefinition, T>() where TDefinition : FilterDefinition<T>, new() where T : class =>
    [
        new QueryArgument<FilterInputGraphType<TDefinition, T>> { Name = "filter", Description = "Only items matching this filter. Applied after the caller's row rules; it can test only fields the caller may read." },
        new QueryArgument<ListGraphType<NonNullGraphType<SortInputGraphType<TDefinition, T>>>> { Name = "orderBy", Description = "Sort keys, most significant first; ties are broken by id. Absent: the list's documented order." },
        .. Paging.Arguments(),
    ];

    /// <summary>
    /// The page the arguments ask for of an already access-filtered query; once it is read, the persons its filter names
    /// are noted for the processing log (<see cref="NamedPersons"/>), and on a list of persons what it read of each person
    /// it answers (<see cref="FilterDefinition{T}.ReadOfEachPerson"/>), noted as that person's row is.
    /// </summary>
    public static async Task<Page<T>> ToFilteredPageAsync<TDefinition, T>(this IQueryable<T> visible, IResolveFieldContext context)
        where TDefinition : FilterDefinition<T>, new() where T : class
    {
        ArgumentNullException.ThrowIfNull(context);
        var definition = Filters.Of<TDefinition>();
        var hub = context.Hub();
        var filter = Argument(context, "filter") as IDictionary<string, object?>;
        var filtered = visible.Where(definition.Predicate(filter, new FilterScope(hub.Access)));
        var page = await filtered.ToKeysetPageAsync(Order(definition, Argument(context, "orderBy") as IEnumerable), context);
        definition.PersonsNamedBy(filter, ProcessingObserver.CategoryOf(context), hub.Access).NoteIn(hub.Processing);
        hub.Processing.NoteReadByFilter(page.Nodes, definition.ReadOfEachPerson(filter));
        return page;
    }

    /// <summary>The sort terms asked for (or the default), with the id tie-breaker appended.</summary>
    public static IReadOnlyList<SortTerm<T>> Order<T>(FilterDefinition<T> definition, IEnumerable? orderBy) where T : class
    {
        ArgumentNullException.ThrowIfNull(definition);
        var terms = orderBy?.Cast<IDictionary<string, object?>>()
            .Select(t => new SortTerm<T>((SortField<T>)t["field"]!, t.TryGetValue("direction", out var d) && d is true))
            .ToList() ?? [];
        if (terms.Count == 0) terms = [.. definition.DefaultOrder];
        if (terms.Select(t => t.Field.Name).Distinct().Count() != terms.Count)
            throw new ExecutionError("Argument 'orderBy' names a field more than once.") { Code = "INVALID_ORDER" };
        if (!terms.Any(t => t.Field == definition.IdSort))
            terms.Add(new SortTerm<T>(definition.IdSort, terms.Count > 0 && terms[0].Descending));
        return terms;
    }

    /// <summary>Orders, applies the 'after' cursor and takes one row more than 'first' to know whether more follow.</summary>
    /// <param name="list">The list named in its cursors, as for <see cref="Keyset.Encode{T}(IReadOnlyList{SortTerm{T}}, T, string?)"/>.</param>
    /// <param name="afterKeys">The keys of the 'after' cursor when the caller decoded it (a cursor that holds more than them); null to decode it here.</param>
    /// <param name="paged">The rows the page is read from, when the caller narrowed <paramref name="filtered"/> to a range
    /// that holds the page (the processing log's, whose packed records no index seeks); <paramref name="filtered"/> is
    /// still what totalCount counts. Null to read the page from <paramref name="filtered"/>.</param>
    public static async Task<Page<T>> ToKeysetPageAsync<T>(this IQueryable<T> filtered, IReadOnlyList<SortTerm<T>> order, IResolveFieldContext context, string? list = null,
        IReadOnlyList<object?>? afterKeys = null, IQueryable<T>? paged = null)
    {
        ArgumentNullException.ThrowIfNull(context);
        ArgumentNullException.ThrowIfNull(order);
        var first = PageSize(context);
        var after = context.GetArgument<string?>("after");
        var query = paged ?? filtered;
        if (after is not null) query = query.Where(Keyset.After(order, afterKeys ?? Keyset.Decode(order, after, list)));
        var rows = await Keyset.Sort(query, order).Take(first + 1).ToListAsync(context.CancellationToken);
        var hasNext = rows.Count > first;
        if (hasNext) rows.RemoveAt(rows.Count - 1);
        return new Page<T>(rows, hasNext, after is not null, (_, row) => Keyset.Encode(order, row, list), ct => filtered.CountAsync(ct));
    }

    /// <summary>
    /// The page the arguments ask for under each parent, for all parents of a level in one statement (a window over
    /// the filtered, sorted children, cut at first + 1 per parent), and their totals in one more statement when a
    /// client asks for totalCount. Parents at the same level share the field's arguments, so one loader per field
    /// of the operation serves them all.
    /// </summary>
    public static IDataLoaderResult<Page<T>> LoadFilteredPage<TDefinition, T, TParent>(this IResolveFieldContext context, string name, int parentId,
        Func<RequestContext, IQueryable<TParent>> parents, Expression<Func<TParent, int>> parentKey,
        Func<RequestContext, IQueryable<T>> visible, Expression<Func<T, int>> childKey)
        where TDefinition : FilterDefinition<T>, new() where T : class where TParent : class
    {
        ArgumentNullException.ThrowIfNull(context);
        ArgumentNullException.ThrowIfNull(parentKey);
        ArgumentNullException.ThrowIfNull(childKey);
        var hub = context.Hub();
        var definition = Filters.Of<TDefinition>();
        var filterArgument = Argument(context, "filter") as IDictionary<string, object?>;
        var filter = definition.Predicate(filterArgument, new FilterScope(hub.Access));
        var named = definition.PersonsNamedBy(filterArgument, ProcessingObserver.CategoryOf(context), hub.Access);
        var order = Order(definition, Argument(context, "orderBy") as IEnumerable);
        var first = PageSize(context);
        var after = context.GetArgument<string?>("after");
        var afterKeys = after is null ? null : Keyset.After(order, Keyset.Decode(order, after));
        var loaderName = $"{name}#{hub.FieldNumber(context.FieldAst)}";

        var counts = hub.Loader<int, int>(loaderName + ":count", async (ids, ct) =>
        {
            var grouped = await visible(hub).Where(filter).WhereKeyIn(childKey, ids).GroupBy(childKey)
                .Select(g => new KeyValuePair<int, int>(g.Key, g.Count())).ToListAsync(ct);
            return grouped.ToDictionary(g => g.Key, g => g.Value);
        }, 0);

        return hub.Loader<int, Page<T>>(loaderName, async (ids, ct) =>
        {
            var children = visible(hub).Where(filter);
            if (afterKeys is not null) children = children.Where(afterKeys);
            // parent => new ParentRows { ParentId = key(parent), Rows = children.Where(c => childKey(c) == key(parent)).OrderBy(…).Take(first + 1).ToList() }
            var parent = parentKey.Parameters[0];
            var correlated = Expression.Lambda<Func<T, bool>>(Expression.Equal(childKey.Body, parentKey.Body), childKey.Parameters);
            var rows = Expression.Call(typeof(Queryable), nameof(Queryable.Where), [typeof(T)], children.Expression, Expression.Quote(correlated));
            var page = Expression.Call(typeof(Queryable), nameof(Queryable.Take), [typeof(T)], Keyset.Sort(rows, order), Expression.Constant(first + 1));
            var selector = Expression.Lambda<Func<TParent, ParentRows<T>>>(Expression.MemberInit(Expression.New(typeof(ParentRows<T>)),
                Expression.Bind(typeof(ParentRows<T>).GetProperty(nameof(ParentRows<T>.ParentId))!, parentKey.Body),
                Expression.Bind(typeof(ParentRows<T>).GetProperty(nameof(ParentRows<T>.Rows))!,
                    Expression.Call(typeof(Enumerable), nameof(Enumerable.ToList), [typeof(T)], page))), parent);
            var loaded = await parents(hub).AsNoTracking().WhereKeyIn(parentKey, ids).Select(selector).ToListAsync(ct);
            named.NoteIn(hub.Processing); // once read, as for the root lists
            var pages = new Dictionary<int, Page<T>>();
            foreach (var id in ids)
            {
                var list = loaded.Find(l => l.ParentId == id)?.Rows ?? [];
                var hasNext = list.Count > first;
                if (hasNext) list.RemoveAt(list.Count - 1);
                // Queued now, fetched in one statement only if some totalCount is resolved.
                var count = counts.Load(id);
                pages[id] = new Page<T>(list, hasNext, after is not null, (_, row) => Keyset.Encode(order, row), count.GetResultAsync);
            }
            return pages;
        }, new Page<T>([], false, false, (_, _) => "", _ => Task.FromResult(0))).Load(parentId);
    }

    /// <summary>A parent's key with its page of children, as one row of the batched query.</summary>
    public sealed class ParentRows<T>
    {
        public int ParentId { get; set; }
        public List<T> Rows { get; set; } = [];
    }

    public static int PageSize(IResolveFieldContext context)
    {
        ArgumentNullException.ThrowIfNull(context);
        var first = context.GetArgument<int?>("first") ?? Paging.DefaultPageSize;
        return first is < 0 or > Paging.MaxPageSize
            ? throw new ExecutionError($"Argument 'first' must be between 0 and {Paging.MaxPageSize}.") { Code = "INVALID_PAGE_SIZE" }
            : first;
    }

    private static object? Argument(IResolveFieldContext context, string name)
        => context.Arguments is { } arguments && arguments.TryGetValue(name, out var value) ? value.Value : null;
}

/// <summary>Keyset cursors: encoding, decoding, ordering and the "after" predicate.</summary>
public static class Keyset
{
    public static IQueryable<T> Sort<T>(IQueryable<T> query, IReadOnlyList<SortTerm<T>> order)
    {
        ArgumentNullException.ThrowIfNull(query);
        return query.Provider.CreateQuery<T>(Sort(query.Expression, order));
    }

    /// <summary>OrderBy/ThenBy calls over a query expression (also used inside a correlated subquery).</summary>
    public static Expression Sort<T>(Expression source, IReadOnlyList<SortTerm<T>> order)
    {
        ArgumentNullException.ThrowIfNull(order);
        for (var i = 0; i < order.Count; i++)
        {
            var (field, descending) = (order[i].Field, order[i].Descending);
            var method = (i, descending) switch
            {
                (0, false) => nameof(Queryable.OrderBy),
                (0, true) => nameof(Queryable.OrderByDescending),
                (_, false) => nameof(Queryable.ThenBy),
                (_, true) => nameof(Queryable.ThenByDescending),
            };
            source = Expression.Call(typeof(Queryable), method, [typeof(T), field.KeyType], source, Expression.Quote(field.Key));
        }
        return source;
    }

    /// <param name="list">The nested list the cursor is for (e.g. "Person.incidents") or a root list with a fixed order of its own (e.g. "Query.processingLog"), so it is refused by any other list; null for the filtered root lists.</param>
    public static string Encode<T>(IReadOnlyList<SortTerm<T>> order, T row, string? list = null)
    {
        ArgumentNullException.ThrowIfNull(order);
        return Encode(order, [.. order.Select(t => t.Field.Read(row))], list);
    }

    /// <summary>The cursor of a row with these sort keys, one per term of <paramref name="order"/>.</summary>
    public static string Encode<T>(IReadOnlyList<SortTerm<T>> order, IReadOnlyList<object?> keys, string? list = null)
    {
        ArgumentNullException.ThrowIfNull(order);
        ArgumentNullException.ThrowIfNull(keys);
        var values = new object?[order.Count + 1];
        values[0] = Signature(order, list);
        for (var i = 0; i < order.Count; i++) values[i + 1] = keys[i];
        return Base64Url.EncodeToString(JsonSerializer.SerializeToUtf8Bytes(values));
    }

    public static IReadOnlyList<object?> Decode<T>(IReadOnlyList<SortTerm<T>> order, string cursor, string? list = null)
    {
        ArgumentNullException.ThrowIfNull(order);
        try
        {
            using var document = JsonDocument.Parse(Base64Url.DecodeFromChars(cursor));
            var items = document.RootElement;
            if (items.ValueKind == JsonValueKind.Array && items.GetArrayLength() == order.Count + 1
                && items[0].ValueKind == JsonValueKind.String && items[0].GetString() == Signature(order, list))
            {
                return [.. order.Select((term, i) => items[i + 1].Deserialize(term.Field.KeyType))];
            }
        }
        catch (Exception e) when (e is FormatException or JsonException or NotSupportedException or InvalidOperationException)
        {
            // Falls through: a cursor is opaque, and anything else is the client's mistake.
        }
        throw new ExecutionError("Argument 'after' is not a cursor this hub issued for this list in this order.") { Code = "INVALID_CURSOR" };
    }

    /// <summary>Rows strictly after the cursor's keys in this order: OR over i of (keys before i equal, key i after).</summary>
    public static Expression<Func<T, bool>> After<T>(IReadOnlyList<SortTerm<T>> order, IReadOnlyList<object?> values)
    {
        ArgumentNullException.ThrowIfNull(order);
        ArgumentNullException.ThrowIfNull(values);
        var row = Expression.Parameter(typeof(T), "row");
        var keys = order.Select(t => new Replace(t.Field.Key.Parameters[0], row).Visit(t.Field.Key.Body)).ToList();
        Expression? result = null;
        for (var i = 0; i < order.Count; i++)
        {
            Expression term = StrictlyAfter(keys[i], values[i], order[i].Descending);
            for (var j = i - 1; j >= 0; j--) term = Expression.AndAlso(Same(keys[j], values[j]), term);
            result = result is null ? term : Expression.OrElse(result, term);
        }
        return Expression.Lambda<Func<T, bool>>(result ?? Expression.Constant(true), row);
    }

    // The order the cursor was made for, and for a nested list the list: a cursor of Case.interventions has the same
    // order as one of Person.interventions but another meaning, so each list refuses the other's.
    private static string Signature<T>(IReadOnlyList<SortTerm<T>> order, string? list)
        => (list is null ? "" : list + ":") + string.Join(",", order.Select(t => t.Field.Name + (t.Descending ? " DESC" : "")));

    private static bool IsNullable(Type type) => !type.IsValueType || Nullable.GetUnderlyingType(type) is not null;

    private static BinaryExpression Same(Expression key, object? value)
        => Expression.Equal(key, value is null ? Expression.Constant(null, key.Type) : Operators.Parameter(value, key.Type));

    private static Expression StrictlyAfter(Expression key, object? value, bool descending)
    {
        var nullable = IsNullable(key.Type);
        if (value is null)
        {
            // Absent values come first ascending: everything present follows; descending they come last: nothing follows.
            return descending || !nullable ? Expression.Constant(false) : Expression.NotEqual(key, Expression.Constant(null, key.Type));
        }
        var parameter = Operators.Parameter(value, key.Type);
        Expression compare;
        if (key.Type == typeof(string))
        {
            var call = Expression.Call(typeof(string).GetMethod(nameof(string.Compare), [typeof(string), typeof(string)])!, key, parameter);
            compare = descending ? Expression.LessThan(call, Expression.Constant(0)) : Expression.GreaterThan(call, Expression.Constant(0));
        }
        else
        {
            compare = descending ? Expression.LessThan(key, parameter) : Expression.GreaterThan(key, parameter);
        }
        return descending && nullable ? Expression.OrElse(compare, Expression.Equal(key, Expression.Constant(null, key.Type))) : compare;
    }

    private sealed class Replace(ParameterExpression from, Expression to) : ExpressionVisitor
    {
        protected override Expression VisitParameter(ParameterExpression node) => node == from ? to : node;
    }
}

/// <summary>Numbers the fields of an operation within a request, so each field (alias) gets its own loader.</summary>
public static class FieldNumbering
{
    private const string Key = "veiligheid:field-numbers";

    public static int FieldNumber(this RequestContext hub, GraphQLField field)
    {
        ArgumentNullException.ThrowIfNull(hub);
        if (!hub.TryGetValue(Key, out var value) || value is not Dictionary<GraphQLField, int> numbers)
        {
            numbers = new Dictionary<GraphQLField, int>(ReferenceEqualityComparer.Instance);
            hub[Key] = numbers;
        }
        if (!numbers.TryGetValue(field, out var number))
        {
            number = numbers.Count;
            numbers[field] = number;
        }
        return number;
    }
}
