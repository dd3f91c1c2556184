using System.Collections;
using System.Linq.Expressions;
using System.Reflection;
using GraphQL;
using GraphQL.Builders;
using GraphQL.DataLoader;
using GraphQL.Execution;
using GraphQL.Types;
using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Metadata;
using Veiligheid.Access;
using Veiligheid.Accountability;
using Veiligheid.Cases;
using Veiligheid.Persons;

namespace Veiligheid.GraphQL;

/// <summary>The filter, orderBy, first and after given on one nested list field; none given means the list as it always was.</summary>
public sealed record NestedListArguments(IDictionary<string, object?>? Filter, IEnumerable? OrderBy, int? First, string? After = null)
{
    public static NestedListArguments None { get; } = new(null, null, null);

    public bool Any => Filter is not null || OrderBy is not null || First is not null || After is not null;

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
        return new NestedListArguments(Value("filter") as IDictionary<string, object?>, Value("orderBy") as IEnumerable, first, Value("after") as string);
    }
}

/// <summary>
/// A list under a parent (a person's cases, a case's interventions): the visible rows, the parent they belong to, the
/// entity the element type's filter and sort definition test (the row itself, or the case or incident a link row points
/// to), and the list's documented order. One definition serves the resolvers and the compiled read path: without
/// arguments it is exactly the list as it always was; with them, the element type's own filter and sort (the same input
/// types, cut per role) are composed into the SQL after the row rules, <c>after</c> keeps the rows that sort after a
/// cursor (the keyset condition of the root lists, per parent), and <c>first</c> takes the top rows per parent in the
/// SQL (a window per parent), for all parents of a level in one statement. The list's <c>…Page</c> sibling is the same
/// rows as a connection, with the cursors to page on.
/// </summary>
public sealed class NestedList<TDefinition, TEntity, TRow> : INestedListCursor
    where TDefinition : FilterDefinition<TEntity>, new() where TEntity : class where TRow : class
{
    private readonly Func<RequestContext, IQueryable<TRow>> _visible;
    private readonly Expression<Func<TRow, TEntity>>? _through;
    private readonly Func<TRow, TEntity> _entityOf;
    private readonly (string Field, bool Descending)[] _order;
    private readonly Func<TRow, int> _parentOf;

    /// <param name="name">The list as the schema names it, e.g. "Person.incidents": its cursors carry it, so no other list takes them.</param>
    /// <param name="visible">The rows the caller may see, unordered (the row rules of the list).</param>
    /// <param name="parentKey">The parent a row belongs to.</param>
    /// <param name="through">For link rows, the linked entity the filter and sort apply to; null when the rows are the entities.</param>
    /// <param name="order">The documented order, as sort fields of the element's definition (constant-case names).</param>
    public NestedList(string name, Func<RequestContext, IQueryable<TRow>> visible, Expression<Func<TRow, int>> parentKey,
        Expression<Func<TRow, TEntity>>? through, params (string Field, bool Descending)[] order)
    {
        ArgumentNullException.ThrowIfNull(name);
        ArgumentNullException.ThrowIfNull(parentKey);
        if (through is null && typeof(TRow) != typeof(TEntity)) throw new ArgumentException("A link row needs the entity it points to.", nameof(through));
        Name = name;
        _visible = visible;
        ParentKey = parentKey;
        _through = through;
        _entityOf = through is null ? row => (TEntity)(object)row : through.Compile();
        _order = order;
        _parentOf = parentKey.Compile();
    }

    /// <summary>The list as the schema names it (Type.field).</summary>
    public string Name { get; }

    /// <summary>The list's field name, e.g. "incidents" of Person.incidents.</summary>
    public string ListField => Name[(Name.IndexOf('.', StringComparison.Ordinal) + 1)..];

    /// <summary>The name of the list's connection-shaped sibling, e.g. "incidentsPage" beside Person.incidents.</summary>
    public string PageField => ListField + "Page";

    public Expression<Func<TRow, int>> ParentKey { get; }

    /// <summary>
    /// The rows under a parent row the caller may see, where the list's rule reads less there and admits the same rows
    /// (a case's subjects: <see cref="CallerAccess.CaseSubjectsOfVisibleCase"/>); null when the list has no such form.
    /// Only <see cref="ForParent"/> reads it; the resolvers keep the whole rule, whatever their parent.
    /// </summary>
    public Func<RequestContext, IQueryable<TRow>>? VisibleUnderVisibleParent { get; init; }

    /// <summary>
    /// The list's parent is a person (a person's cases, incidents, interventions, …): whatever the list answers (rows, a
    /// count, a page's pageInfo, no rows) is that person's data, logged for them (<see cref="RevealedAboutParent"/>).
    /// </summary>
    public bool ParentIsPerson { get; init; }

    /// <summary>
    /// The list's parent is a case (a case's interventions): what it answers of a category only some persons' lists may
    /// hold (<see cref="ParentsThatMayHold"/>: care trajectories) is about the persons the case is about, as a person's own
    /// list is about that person: a count of a case's care trajectories, or none of them, says something about the care of
    /// its subjects. It is noted for each subject of the case whose own list could hold such rows
    /// (<see cref="RevealedAboutParent"/>), whatever rows the list answers. The list's other categories are the case's own
    /// data (a count of its warnings), noted for no one.
    /// </summary>
    public bool ParentIsCase { get; init; }

    /// <summary>
    /// For a category the list's rows may hold that not every person's list can (care trajectories: only a person with a
    /// consent toward the caller, or one the caller cares for, can have one among the caller's rows), the parent persons
    /// whose list can: a list that cannot hold such rows for its person says nothing of that kind about them, so it is
    /// noted only for the others (<see cref="RevealedAboutParent"/>). A category not here is noted for every parent person.
    /// Under a case (<see cref="ParentIsCase"/>) the condition is asked of the case's subjects.
    /// Each function is kept as it is given, so both read paths can tell that two fields of the list ask the same.
    /// </summary>
    public IReadOnlyDictionary<DataCategory, Func<RequestContext, Expression<Func<Person, bool>>>> ParentsThatMayHold { get; init; } =
        new Dictionary<DataCategory, Func<RequestContext, Expression<Func<Person, bool>>>>();

    /// <summary>The list without arguments: the visible rows in the documented order.</summary>
    public IQueryable<TRow> Rows(RequestContext hub) => Sort(_visible(hub), Documented(), hub);

    /// <summary>
    /// The visible rows that match the filter and follow the cursor, in the asked order (or the documented one), with the
    /// element's id as the last key so that a cut at <c>first</c> is the same on every run and on both read paths. No
    /// cut: see <see cref="Load"/>.
    /// </summary>
    public IQueryable<TRow> Rows(RequestContext hub, NestedListArguments arguments)
    {
        ArgumentNullException.ThrowIfNull(hub);
        ArgumentNullException.ThrowIfNull(arguments);
        return Sort(Filtered(hub, arguments), Order(arguments.OrderBy), hub);
    }

    /// <summary>
    /// The rows of one parent with every argument applied, first included: the compiled read path's correlated subquery
    /// (<paramref name="ofParent"/> compares the parent key with the parent row's column). Without arguments, the list as
    /// it always was. The parent must be a row the caller may see (every parent row the compiled path reads is one), so the
    /// list's <see cref="VisibleUnderVisibleParent"/> form is read where it has one.
    /// </summary>
    public IQueryable<TRow> ForParent(RequestContext hub, NestedListArguments arguments, Expression<Func<TRow, bool>> ofParent)
    {
        ArgumentNullException.ThrowIfNull(arguments);
        var visible = (VisibleUnderVisibleParent ?? _visible)(hub);
        if (!arguments.Any) return Sort(visible, Documented(), hub).Where(ofParent);
        var rows = Sort(Filtered(visible, hub, arguments).Where(ofParent), Order(arguments.OrderBy), hub);
        return arguments.First is { } first ? rows.Take(first) : rows;
    }

    /// <summary>
    /// The persons the filter of these arguments names (<see cref="NamedPersons"/>), as a filter of this list, whose field
    /// is of <paramref name="listCategory"/>. Both read paths note them once the list was read under some parent: the
    /// resolvers when its loader has read the rows, the compiled path where a parent row carries the list.
    /// </summary>
    public NamedPersons PersonsNamedBy(NestedListArguments arguments, DataCategory listCategory, CallerAccess access)
    {
        ArgumentNullException.ThrowIfNull(arguments);
        return Filters.Of<TDefinition>().PersonsNamedBy(arguments.Filter, listCategory, access);
    }

    /// <summary>
    /// What the filter of these arguments reads of the person of each row it answers (<see cref="FilterDefinition{T}.ReadOfEachPerson"/>):
    /// none unless the rows are persons or links to them (a case's subjects, an incident's persons). Both read paths note it
    /// for a row's person where they note the row: the resolvers as the row's fields resolve, the compiled path in the
    /// row's marker.
    /// </summary>
    public IReadOnlyList<DataCategory> ReadOfEachPerson(NestedListArguments arguments)
    {
        ArgumentNullException.ThrowIfNull(arguments);
        return Filters.Of<TDefinition>().ReadOfEachPerson(arguments.Filter);
    }

    /// <summary>
    /// The categories of the parent person's data that the list reveals beyond its field's own (which is noted for the
    /// parent as any of its fields is): those its rows may hold as its filter and the caller's slice leave them
    /// (<see cref="FilterDefinition{T}.CategoriesOfRows"/>), whatever rows it answers: a count of a person's care
    /// trajectories, or none of them, says something about their care. Under a case (<see cref="ParentIsCase"/>), those of
    /// them only some persons' lists may hold, as the data of the case's subjects. None for any other parent. Both read
    /// paths note them for each parent the list is read under: the resolvers as they load it (those of
    /// <see cref="ParentsThatMayHold"/> after one query for the level's parents), the compiled path with the parent row's own
    /// categories (those of <see cref="ParentsThatMayHold"/> where an EXISTS in the parent row finds it may hold them; a
    /// case's subjects it holds of, listed in the case row).
    /// </summary>
    public IReadOnlyList<RevealedCategory> RevealedAboutParent(NestedListArguments arguments, CallerAccess access)
    {
        ArgumentNullException.ThrowIfNull(arguments);
        if (!ParentIsPerson && !ParentIsCase) return [];
        var categories = Filters.Of<TDefinition>().CategoriesOfRows(arguments.Filter, access);
        return ParentIsPerson
            ? [.. categories.Select(c => new RevealedCategory(c, ParentsThatMayHold.GetValueOrDefault(c)))]
            : [.. categories.Where(ParentsThatMayHold.ContainsKey).Select(c => new RevealedCategory(c, ParentsThatMayHold[c], OfCaseSubjects: true))];
    }

    /// <summary>filter, orderBy, first and after, described for this list.</summary>
    /// <param name="which">What the filter keeps, e.g. "links to cases that match this filter (it tests the case, not the person's role in it)".</param>
    public QueryArgument[] Arguments(string which)
    {
        var definition = Filters.Of<TDefinition>();
        return
        [
            new QueryArgument<FilterInputGraphType<TDefinition, TEntity>> { Name = "filter", Description = $"Only {which}. Applied after the caller's row rules; it can test only fields the caller may read." },
            new QueryArgument<ListGraphType<NonNullGraphType<SortInputGraphType<TDefinition, TEntity>>>> { Name = "orderBy", Description = $"Sort keys on the {definition.TypeName}, most significant first; ties are broken by its id. Absent: the list's documented order." },
            new QueryArgument<IntGraphType> { Name = "first", Description = $"At most this many items (0 to {Paging.MaxPageSize}), the first in the list's order. Absent: all of them." },
            After($"an edge's cursor or pageInfo.endCursor of {PageField}, asked with the same orderBy"),
        ];
    }

    /// <summary>The arguments of the list's <c>…Page</c> sibling: those of the list, with the root connections' page size.</summary>
    public QueryArgument[] PageArguments(string which)
    {
        var arguments = Arguments(which);
        arguments[2] = new QueryArgument<IntGraphType> { Name = "first", Description = $"How many items to return per parent: {Paging.DefaultPageSize} by default, at most {Paging.MaxPageSize}." };
        arguments[3] = After("an edge's cursor or pageInfo.endCursor of the previous page of this field, asked with the same orderBy");
        return arguments;
    }

    /// <summary>
    /// Declares <paramref name="builder"/> as the list's <c>…Page</c> sibling: its description and arguments, and that it
    /// exists only where the list's cursors may (<see cref="After(string)"/>).
    /// </summary>
    public FieldBuilder<TSource, TReturn> AsPage<TSource, TReturn>(FieldBuilder<TSource, TReturn> builder, string which)
    {
        ArgumentNullException.ThrowIfNull(builder);
        var list = ListField;
        builder.FieldType.Metadata[NestedListCursors.RequiresKey] = typeof(FilterInputGraphType<TDefinition, TEntity>);
        return builder
            .Description($"The items of '{list}' (the same rows, filter, orderBy and order), a page at a time for each parent, with cursors: "
                + $"pass pageInfo.endCursor as 'after' for the next page. A connection beside the list, so queries that read '{list}' keep their shape.")
            .Arguments(PageArguments(which));
    }

    // A cursor holds the sort keys of its row, the linked entity's id among them: it exists only where the caller may
    // read that entity (where the filter exists), or a role that may list a case's subjects but not read persons would
    // learn which persons two cases share from their cursors.
    private static QueryArgument<StringGraphType> After(string what)
    {
        var argument = new QueryArgument<StringGraphType>
        {
            Name = "after",
            Description = $"Only the items after this cursor in the list's order, under each parent: {what}. Rows the caller may not see are never counted or returned.",
        };
        argument.Metadata[NestedListCursors.RequiresKey] = typeof(FilterInputGraphType<TDefinition, TEntity>);
        return argument;
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
        _ = AfterCursor(arguments); // a bad cursor is the field's error, before anything is queued or noted
        var hub = context.Hub();
        var noted = NoteParent(hub, arguments, parentId);
        if (!arguments.Any) return context.LoadMany(name, parentId, loading => include(Rows(loading)), ParentKey).After(noted);
        var category = ProcessingObserver.CategoryOf(context);
        // Each field of the operation has its own arguments, so its own loader; its parents share it.
        return hub.Loader<int, IReadOnlyList<TRow>>($"{name}#{hub.FieldNumber(context.FieldAst)}", async (ids, ct) =>
        {
            var rows = await include(Rows(hub, arguments, ids)).AsNoTracking().ToListAsync(ct);
            PersonsNamedBy(arguments, category, hub.Access).NoteIn(hub.Processing);
            hub.Processing.NoteReadByFilter(rows, ReadOfEachPerson(arguments));
            return rows.GroupBy(_parentOf).ToDictionary(g => g.Key, g => (IReadOnlyList<TRow>)g.ToList());
        }, []).Load(parentId).After(noted);
    }

    /// <summary>
    /// The page under this parent for the list's <c>…Page</c> sibling: the rows of <see cref="Load"/> cut at first + 1 per
    /// parent (to know whether more follow), with each row's cursor read off its sort keys, in one statement for all
    /// parents of the level; the totals, when a client asks for totalCount, in one more.
    /// </summary>
    public IDataLoaderResult<Page<TRow>> LoadPage(IResolveFieldContext context, string name, int parentId,
        Func<IQueryable<TRow>, IQueryable<TRow>>? include = null)
    {
        ArgumentNullException.ThrowIfNull(context);
        var given = NestedListArguments.From(context);
        var first = given.First ?? Paging.DefaultPageSize;
        var arguments = given with { First = first + 1 };
        _ = AfterCursor(arguments);
        var order = Order(arguments.OrderBy);
        var hub = context.Hub();
        var noted = NoteParent(hub, arguments, parentId);
        var category = ProcessingObserver.CategoryOf(context);
        var loaderName = $"{name}#{hub.FieldNumber(context.FieldAst)}";

        var counts = hub.Loader<int, int>(loaderName + ":count", async (ids, ct) =>
        {
            var grouped = await Filtered(hub, arguments with { After = null }).WhereKeyIn(ParentKey, ids).GroupBy(ParentKey)
                .Select(g => new KeyValuePair<int, int>(g.Key, g.Count())).ToListAsync(ct);
            return grouped.ToDictionary(g => g.Key, g => g.Value);
        }, 0);

        return hub.Loader<int, Page<TRow>>(loaderName, async (ids, ct) =>
        {
            var query = Rows(hub, arguments, ids);
            // The cursor reads the sort keys off the linked entity, so it is loaded with its link.
            if (_through is not null) query = query.Include(_through);
            if (include is not null) query = include(query);
            var rows = await query.AsNoTracking().ToListAsync(ct);
            PersonsNamedBy(arguments, category, hub.Access).NoteIn(hub.Processing);
            hub.Processing.NoteReadByFilter(rows, ReadOfEachPerson(arguments));
            var byParent = rows.GroupBy(_parentOf).ToDictionary(g => g.Key, g => g.ToList());
            var pages = new Dictionary<int, Page<TRow>>();
            foreach (var id in ids)
            {
                var list = byParent.TryGetValue(id, out var found) ? found : [];
                var hasNext = list.Count > first;
                if (hasNext) list.RemoveAt(list.Count - 1);
                // Queued now, fetched in one statement only if some totalCount is resolved.
                var count = counts.Load(id);
                pages[id] = new Page<TRow>(list, hasNext, given.After is not null, (_, row) => Keyset.Encode(order, _entityOf(row), Name), count.GetResultAsync);
            }
            return pages;
        }, new Page<TRow>([], false, false, (_, _) => "", _ => Task.FromResult(0))).Load(parentId).After(noted);
    }

    /// <summary>
    /// Notes what the list reveals about its parent (<see cref="RevealedAboutParent"/>): the resolver runs for each parent
    /// that came back, so the parent is noted as its fields are, whatever rows the list then answers. A category only some
    /// persons' lists may hold (<see cref="ParentsThatMayHold"/>) is noted once a loader has asked which of the level's
    /// parents those are, in one statement for all of them (shared by the list's fields, whatever their arguments), under a
    /// case once one has asked which of the level's cases' subjects (<see cref="NoteCaseSubjects"/>): the results to await
    /// before the field's own.
    /// </summary>
    private List<IDataLoaderResult> NoteParent(RequestContext hub, NestedListArguments arguments, int parentId)
    {
        List<IDataLoaderResult>? pending = null;
        foreach (var (category, parentsThatMayHold, ofCaseSubjects) in RevealedAboutParent(arguments, hub.Access))
        {
            if (parentsThatMayHold is null)
            {
                hub.Processing.Add(parentId, category);
                continue;
            }
            if (ofCaseSubjects)
            {
                (pending ??= []).Add(NoteCaseSubjects(hub, category, parentsThatMayHold, parentId));
                continue;
            }
            var mayHold = hub.Loader<int, bool>($"{Name}:{category}", async (ids, ct) =>
            {
                var found = await hub.Db.Persons.WhereKeyIn(p => p.Id, ids).Where(parentsThatMayHold(hub)).Select(p => p.Id).ToListAsync(ct);
                return found.ToDictionary(id => id, _ => true);
            }, false).Load(parentId);
            (pending ??= []).Add(mayHold.Then(holds =>
            {
                if (holds) hub.Processing.Add(parentId, category);
                return holds;
            }));
        }
        return pending ?? [];
    }

    /// <summary>
    /// Notes the subjects of the case <paramref name="caseId"/> that <paramref name="subjectsThatMayHold"/> holds of with
    /// <paramref name="category"/> (<see cref="ParentIsCase"/>), once a loader has read them for all of the level's cases in
    /// one statement (shared by the list's fields, whatever their arguments). Every subject of the case, seen by the caller
    /// or not: the record errs on the data subject's side, as the condition does.
    /// </summary>
    private IDataLoaderResult<IReadOnlyList<int>> NoteCaseSubjects(RequestContext hub, DataCategory category,
        Func<RequestContext, Expression<Func<Person, bool>>> subjectsThatMayHold, int caseId)
    {
        var subjects = hub.Loader<int, IReadOnlyList<int>>($"{Name}:{category}", async (ids, ct) =>
        {
            var links = await hub.Db.CaseSubjects.WhereKeyIn(s => s.CaseId, ids)
                .Where(subjectsThatMayHold(hub).Through<CaseSubject, Person>(s => s.Person))
                .Select(s => new { s.CaseId, s.PersonId }).ToListAsync(ct);
            return links.GroupBy(l => l.CaseId).ToDictionary(g => g.Key, g => (IReadOnlyList<int>)[.. g.Select(l => l.PersonId)]);
        }, []).Load(caseId);
        return subjects.Then(persons =>
        {
            foreach (var person in persons) hub.Processing.Add(person, category);
            return persons;
        });
    }

    /// <summary>
    /// The cursor a row with these sort keys would have in the list's documented order, made without a row: the
    /// differential corpus pages from arbitrary positions with it, on a database it never read.
    /// </summary>
    string INestedListCursor.DocumentedCursor(Func<Type, object?> keyOf)
    {
        var order = Order(null);
        return Keyset.Encode(order, [.. order.Select(t => keyOf(t.Field.KeyType))], Name);
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
                Sort(rows.Where(ofParent).Expression, order, hub), Expression.Constant(first));
            rows = rows.Select(ParentKey).Distinct().SelectMany(Expression.Lambda<Func<int, IEnumerable<TRow>>>(page, parent));
        }
        return Sort(rows, order, hub);
    }

    private IQueryable<TRow> Filtered(RequestContext hub, NestedListArguments arguments) => Filtered(_visible(hub), hub, arguments);

    private IQueryable<TRow> Filtered(IQueryable<TRow> visible, RequestContext hub, NestedListArguments arguments)
    {
        var rows = arguments.Filter is { } filter ? visible.Where(Predicate(filter, hub)) : visible;
        return AfterCursor(arguments) is { } after ? rows.Where(after) : rows;
    }

    /// <summary>The rows after the cursor in the asked order (keys through the link for link rows); null without one. A cursor of another list or order is an error.</summary>
    private Expression<Func<TRow, bool>>? AfterCursor(NestedListArguments arguments)
    {
        if (arguments.After is not { } cursor) return null;
        var order = Order(arguments.OrderBy);
        var after = Keyset.After(order, Keyset.Decode(order, cursor, Name));
        return _through is null ? (Expression<Func<TRow, bool>>)(object)after : after.Through(_through);
    }

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

    private IQueryable<TRow> Sort(IQueryable<TRow> rows, IReadOnlyList<SortTerm<TEntity>> order, RequestContext hub)
        => rows.Provider.CreateQuery<TRow>(Sort(rows.Expression, order, hub));

    /// <summary>
    /// OrderBy/ThenBy over the rows, each key read through the link to the entity when the rows are links; the entity's id
    /// through the link is read as the link's own foreign key (the same value), so sorting by it joins nothing: EF Core
    /// joins the entity's table for <c>link.Person.Id</c>, one look-up per row (a case's subjects: 0.1 ms of case 2's
    /// 1.1 ms statement).
    /// </summary>
    private Expression Sort(Expression source, IReadOnlyList<SortTerm<TEntity>> order, RequestContext hub)
    {
        for (var i = 0; i < order.Count; i++)
        {
            var key = order[i].Field.Key;
            if (_through is not null)
            {
                var body = new Replace(key.Parameters[0], _through.Body).Visit(key.Body);
                if (LinkKey(hub.Db.Model) is var (principalKey, foreignKey))
                    body = new Replace(Expression.Property(_through.Body, principalKey), Expression.Property(_through.Parameters[0], foreignKey)).Visit(body);
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

    /// <summary>
    /// For link rows, the entity's key property and the link's foreign key to it (EF Core's model), when both are one
    /// property of the same type; null otherwise. The model is the same for every context of the hub, so it is read once.
    /// </summary>
    private (PropertyInfo PrincipalKey, PropertyInfo ForeignKey)? LinkKey(IModel model)
    {
        if (_linkKeyRead) return _linkKey;
        if (_through?.Body is MemberExpression { Member.Name: var navigation }
            && model.FindEntityType(typeof(TRow))?.FindNavigation(navigation)?.ForeignKey is { Properties: [var foreign], PrincipalKey.Properties: [var principal] }
            && foreign.PropertyInfo is { } foreignProperty && principal.PropertyInfo is { } principalProperty
            && foreignProperty.PropertyType == principalProperty.PropertyType)
        {
            _linkKey = (principalProperty, foreignProperty);
        }
        _linkKeyRead = true;
        return _linkKey;
    }

    private (PropertyInfo PrincipalKey, PropertyInfo ForeignKey)? _linkKey;
    private volatile bool _linkKeyRead;

    /// <summary>Replaces one expression (a parameter, or a member read structurally equal to the one given) with another.</summary>
    private sealed class Replace(Expression from, Expression to) : ExpressionVisitor
    {
        [return: System.Diagnostics.CodeAnalysis.NotNullIfNotNull(nameof(node))]
        public override Expression? Visit(Expression? node) => node is not null && Same(node, from) ? to : base.Visit(node);

        private static bool Same(Expression a, Expression b) => a == b || (a, b) switch
        {
            (MemberExpression x, MemberExpression y) => x.Member == y.Member && x.Expression is { } xe && y.Expression is { } ye && Same(xe, ye),
            _ => false,
        };
    }
}

/// <summary>
/// A category of data a list under a person reveals about that person: about every parent person, or, where
/// <paramref name="ParentsThatMayHold"/> is given, only about those it holds of (<see cref="NestedList{TDefinition, TEntity, TRow}.ParentsThatMayHold"/>).
/// With <paramref name="OfCaseSubjects"/>, a list under a case reveals it about those of the case's subjects the condition
/// holds of (<see cref="NestedList{TDefinition, TEntity, TRow}.ParentIsCase"/>).
/// </summary>
public sealed record RevealedCategory(DataCategory Category, Func<RequestContext, Expression<Func<Person, bool>>>? ParentsThatMayHold = null,
    bool OfCaseSubjects = false);

/// <summary>A nested list's cursors, whatever its element types.</summary>
internal interface INestedListCursor
{
    string Name { get; }

    /// <summary>The cursor of a row whose documented sort keys are <paramref name="keyOf"/> of each key's type.</summary>
    string DocumentedCursor(Func<Type, object?> keyOf);
}

/// <summary>Where a nested list's cursors may exist.</summary>
public static class NestedListCursors
{
    /// <summary>
    /// Metadata on an <c>after</c> argument and a <c>…Page</c> field: the graph type (the list's filter input) a role's
    /// schema must have for them to exist in it (<see cref="DeclaredFields"/>).
    /// </summary>
    public const string RequiresKey = "veiligheid:cursor-requires";
}
