using System.Collections;
using System.Linq.Expressions;
using GraphQL;
using GraphQL.DataLoader;
using GraphQL.Execution;
using GraphQL.Types;
using Microsoft.EntityFrameworkCore;
using Veiligheid.Access;

namespace Veiligheid.GraphQL;

/// <summary>The filter, orderBy and first given on one nested list field; none given means the list as it always was.</summary>
public sealed record NestedListArguments(IDictionary<string, object?>? Filter, IEnumerable? OrderBy, int? First)
{
    public static NestedListArguments None { get; } = new(null, null, null);

    public bool Any => Filter is not null || OrderBy is not null || First is not null;

    public static NestedListArguments From(IResolveFieldContext context)
    {
        ArgumentNullException.ThrowIfNull(context);
        return From(context.Arguments);
    }

    /// <summary>From the arguments as GraphQL.NET coerced them (resolvers and the compiled path alike).</summary>
    public static NestedListArguments From(IDictionary<string, ArgumentValue>? arguments)
    {
        if (arguments is null) return None;
        object? Value(string name) => arguments.TryGetValue(name, out var value) ? value.Value : null;
        var first = Value("first") is { } f ? Convert.ToInt32(f, System.Globalization.CultureInfo.InvariantCulture) : (int?)null;
        if (first is < 0 or > Paging.MaxPageSize)
            throw new ExecutionError($"Argument 'first' must be between 0 and {Paging.MaxPageSize}.") { Code = "INVALID_PAGE_SIZE" };
        return new NestedListArguments(Value("filter") as IDictionary<string, object?>, Value("orderBy") as IEnumerable, first);
    }
}

/// <summary>
/// A list under a parent (a person's cases, a case's interventions): the visible rows, the parent they belong to, the
/// entity the element type's filter and sort definition test (the row itself, or the case or incident a link row points
/// to), and the list's documented order. One definition serves the resolvers and the compiled read path: without
/// arguments it is exactly the list as it always was; with them, the element type's own filter and sort (the same input
/// types, cut per role) are composed into the SQL after the row rules, and <c>first</c> takes the top rows per parent in
/// the SQL (a window per parent), for all parents of a level in one statement.
/// </summary>
public sealed class NestedList<TDefinition, TEntity, TRow>
    where TDefinition : FilterDefinition<TEntity>, new() where TEntity : class where TRow : class
{
    private readonly Func<RequestContext, IQueryable<TRow>> _visible;
    private readonly Expression<Func<TRow, TEntity>>? _through;
    private readonly (string Field, bool Descending)[] _order;
    private readonly Func<TRow, int> _parentOf;

    /// <param name="visible">The rows the caller may see, unordered (the row rules of the list).</param>
    /// <param name="parentKey">The parent a row belongs to.</param>
    /// <param name="through">For link rows, the linked entity the filter and sort apply to; null when the rows are the entities.</param>
    /// <param name="order">The documented order, as sort fields of the element's definition (constant-case names).</param>
    public NestedList(Func<RequestContext, IQueryable<TRow>> visible, Expression<Func<TRow, int>> parentKey,
        Expression<Func<TRow, TEntity>>? through, params (string Field, bool Descending)[] order)
    {
        ArgumentNullException.ThrowIfNull(parentKey);
        if (through is null && typeof(TRow) != typeof(TEntity)) throw new ArgumentException("A link row needs the entity it points to.", nameof(through));
        _visible = visible;
        ParentKey = parentKey;
        _through = through;
        _order = order;
        _parentOf = parentKey.Compile();
    }

    public Expression<Func<TRow, int>> ParentKey { get; }

    /// <summary>The list without arguments: the visible rows in the documented order.</summary>
    public IQueryable<TRow> Rows(RequestContext hub) => Sort(_visible(hub), Documented());

    /// <summary>
    /// The visible rows that match the filter, in the asked order (or the documented one), with the element's id as the
    /// last key so that a cut at <c>first</c> is the same on every run and on both read paths. No cut: see <see cref="Load"/>.
    /// </summary>
    public IQueryable<TRow> Rows(RequestContext hub, NestedListArguments arguments)
    {
        ArgumentNullException.ThrowIfNull(hub);
        ArgumentNullException.ThrowIfNull(arguments);
        return Sort(Filtered(hub, arguments), Order(arguments.OrderBy));
    }

    /// <summary>
    /// The rows of one parent with every argument applied, first included: the compiled read path's correlated subquery
    /// (<paramref name="ofParent"/> compares the parent key with the parent row's column). Without arguments, the list as
    /// it always was.
    /// </summary>
    public IQueryable<TRow> ForParent(RequestContext hub, NestedListArguments arguments, Expression<Func<TRow, bool>> ofParent)
    {
        ArgumentNullException.ThrowIfNull(arguments);
        if (!arguments.Any) return Rows(hub).Where(ofParent);
        var rows = Sort(Filtered(hub, arguments).Where(ofParent), Order(arguments.OrderBy));
        return arguments.First is { } first ? rows.Take(first) : rows;
    }

    /// <summary>filter, orderBy and first, described for this list.</summary>
    /// <param name="which">What the filter keeps, e.g. "links to cases that match this filter (it tests the case, not the person's role in it)".</param>
    public QueryArgument[] Arguments(string which)
    {
        var definition = Filters.Of<TDefinition>();
        return
        [
            new QueryArgument<FilterInputGraphType<TDefinition, TEntity>> { Name = "filter", Description = $"Only {which}. Applied after the caller's row rules; it can test only fields the caller may read." },
            new QueryArgument<ListGraphType<NonNullGraphType<SortInputGraphType<TDefinition, TEntity>>>> { Name = "orderBy", Description = $"Sort keys on the {definition.TypeName}, most significant first; ties are broken by its id. Absent: the list's documented order." },
            new QueryArgument<IntGraphType> { Name = "first", Description = $"At most this many items (0 to {Paging.MaxPageSize}), the first in the list's order. Absent: all of them." },
        ];
    }

    /// <summary>
    /// The rows under this parent, batched with the other parents of the level: one statement per field of the operation,
    /// however many parents. Without arguments this is the list's loader as it always was.
    /// </summary>
    public IDataLoaderResult<IReadOnlyList<TRow>> Load(IResolveFieldContext context, string name, int parentId,
        Func<IQueryable<TRow>, IQueryable<TRow>>? include = null)
    {
        ArgumentNullException.ThrowIfNull(context);
        var arguments = NestedListArguments.From(context);
        include ??= rows => rows;
        if (!arguments.Any) return context.LoadMany(name, parentId, hub => include(Rows(hub)), ParentKey);
        var hub = context.Hub();
        // Each field of the operation has its own arguments, so its own loader; its parents share it.
        return hub.Loader<int, IReadOnlyList<TRow>>($"{name}#{hub.FieldNumber(context.FieldAst)}", async (ids, ct) =>
        {
            var rows = await include(Rows(hub, arguments, ids)).AsNoTracking().ToListAsync(ct);
            return rows.GroupBy(_parentOf).ToDictionary(g => g.Key, g => (IReadOnlyList<TRow>)g.ToList());
        }, []).Load(parentId);
    }

    /// <summary>
    /// The rows of these parents with every argument applied: for each parent that has rows, its rows sorted and cut at
    /// first (EF Core makes this a join with ROW_NUMBER() OVER (PARTITION BY parent ORDER BY …) ≤ first, for every
    /// parent in one statement), then sorted again so every parent's rows come in order.
    /// </summary>
    private IQueryable<TRow> Rows(RequestContext hub, NestedListArguments arguments, IReadOnlyList<int> parents)
    {
        var order = Order(arguments.OrderBy);
        var rows = Filtered(hub, arguments).WhereKeyIn(ParentKey, parents);
        if (arguments.First is { } first)
        {
            // rows.Select(parentKey).Distinct().SelectMany(k => rows.Where(r => parentKey(r) == k).OrderBy(…).ThenBy(…).Take(first))
            var parent = Expression.Parameter(typeof(int), "parent");
            var ofParent = Expression.Lambda<Func<TRow, bool>>(Expression.Equal(ParentKey.Body, parent), ParentKey.Parameters);
            var page = Expression.Call(typeof(Queryable), nameof(Queryable.Take), [typeof(TRow)],
                Sort(rows.Where(ofParent).Expression, order), Expression.Constant(first));
            rows = rows.Select(ParentKey).Distinct().SelectMany(Expression.Lambda<Func<int, IEnumerable<TRow>>>(page, parent));
        }
        return Sort(rows, order);
    }

    private IQueryable<TRow> Filtered(RequestContext hub, NestedListArguments arguments)
        => arguments.Filter is { } filter ? _visible(hub).Where(Predicate(filter, hub)) : _visible(hub);

    private Expression<Func<TRow, bool>> Predicate(IDictionary<string, object?> filter, RequestContext hub)
    {
        var predicate = Filters.Of<TDefinition>().Predicate(filter, new FilterScope(hub.Access));
        return _through is null ? (Expression<Func<TRow, bool>>)(object)predicate : predicate.Through(_through);
    }

    private List<SortTerm<TEntity>> Documented()
    {
        var definition = Filters.Of<TDefinition>();
        return [.. _order.Select(o => new SortTerm<TEntity>(definition.Sorts.Single(s => s.Name == o.Field), o.Descending))];
    }

    /// <summary>The asked order with the id tie-breaker (as on the root lists), or the documented order with it.</summary>
    private IReadOnlyList<SortTerm<TEntity>> Order(IEnumerable? orderBy)
    {
        var definition = Filters.Of<TDefinition>();
        if (orderBy is not null && orderBy.Cast<object>().Any()) return ListQuerying.Order(definition, orderBy);
        var terms = Documented();
        if (!terms.Exists(t => t.Field == definition.IdSort)) terms.Add(new SortTerm<TEntity>(definition.IdSort, terms.Count > 0 && terms[0].Descending));
        return terms;
    }

    private IQueryable<TRow> Sort(IQueryable<TRow> rows, IReadOnlyList<SortTerm<TEntity>> order)
        => rows.Provider.CreateQuery<TRow>(Sort(rows.Expression, order));

    /// <summary>OrderBy/ThenBy over the rows, each key read through the link to the entity when the rows are links.</summary>
    private Expression Sort(Expression source, IReadOnlyList<SortTerm<TEntity>> order)
    {
        for (var i = 0; i < order.Count; i++)
        {
            var key = order[i].Field.Key;
            if (_through is not null)
            {
                var body = new Replace(key.Parameters[0], _through.Body).Visit(key.Body);
                key = Expression.Lambda(body, _through.Parameters);
            }
            var method = (i, order[i].Descending) switch
            {
                (0, false) => nameof(Queryable.OrderBy),
                (0, true) => nameof(Queryable.OrderByDescending),
                (_, false) => nameof(Queryable.ThenBy),
                (_, true) => nameof(Queryable.ThenByDescending),
            };
            source = Expression.Call(typeof(Queryable), method, [typeof(TRow), key.ReturnType], source, Expression.Quote(key));
        }
        return source;
    }

    private sealed class Replace(ParameterExpression from, Expression to) : ExpressionVisitor
    {
        protected override Expression VisitParameter(ParameterExpression node) => node == from ? to : node;
    }
}
