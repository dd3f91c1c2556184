using System.Collections;
using System.Linq.Expressions;
using System.Reflection;
using GraphQL;
using GraphQL.Types;
using Veiligheid.Access;
using Veiligheid.Accountability;
using Veiligheid.Persons;

namespace Veiligheid.GraphQL;

/// <summary>
/// What a list of one entity can be filtered and sorted on, declared once per feature (Cases/CaseFilter.cs, …). From it
/// come the GraphQL input types (<c>CaseFilter</c>, <c>CaseSort</c>, <c>CaseSortField</c>), cut per role like every
/// other type: a filter or sort field carries the data category of the field it tests, so it exists only in the
/// schemas of roles that may read that field. The predicates it builds are EF Core expressions, composed into the SQL
/// after the caller's row filter; a filter over a related entity tests only related rows the caller may see.
/// </summary>
public abstract class FilterDefinition<T> where T : class
{
    private readonly List<FilterField<T>> _fields = [];
    private readonly List<SortField<T>> _sorts = [];
    private readonly List<SortTerm<T>> _defaultOrder = [];

    protected FilterDefinition(string typeName, DataCategory category, Expression<Func<T, int>> id)
        : this(typeName, category, id, $"The {typeName}'s id: the order the hub stored them in.")
    {
        _fields.Add(new FilterField<T>("id", $"The {typeName}'s global id.", category, typeof(IdFilterType),
            (scope, value) => Operators.Ids(id, (IDictionary<string, object?>)value, typeName))
        { Names = PersonNaming.Ids(typeName), Identifies = true });
    }

    /// <summary>
    /// For rows the schema gives no global id of their own (a case's status changes, a person's police signals, …): the
    /// key that identifies a row in its list is only the tie-breaker sort <c>ID</c>; there is no <c>id</c> filter, since
    /// no client ever holds such an id.
    /// </summary>
    protected FilterDefinition(string typeName, DataCategory category, Expression<Func<T, int>> key, string keyDescription)
    {
        TypeName = typeName;
        Category = category;
        IdSort = new SortField<T>("ID", keyDescription, category, key);
    }

    /// <summary>The entity's GraphQL type name: the input types are named after it.</summary>
    public string TypeName { get; }

    /// <summary>The entity's category; the logical operators (and, or, not) carry it.</summary>
    public DataCategory Category { get; }

    public IReadOnlyList<FilterField<T>> Fields => _fields;

    /// <summary>Sort fields, the id last: it is also the tie-breaker that makes every order total.</summary>
    public IReadOnlyList<SortField<T>> Sorts => [.. _sorts, IdSort];

    public SortField<T> IdSort { get; }

    /// <summary>The order when the client gives none (without the id tie-breaker).</summary>
    public IReadOnlyList<SortTerm<T>> DefaultOrder => _defaultOrder;

    /// <summary>Equality and membership (enums, booleans).</summary>
    protected void Choice<TEnum>(string name, string description, Expression<Func<T, TEnum>> selector, DataCategory? category = null) where TEnum : struct, Enum
        => Add(name, description, category, typeof(EnumFilterType<TEnum>), selector, v => v);

    /// <summary>Equality and membership on a nullable enum, with isNull.</summary>
    protected void Choice<TEnum>(string name, string description, Expression<Func<T, TEnum?>> selector, DataCategory? category = null) where TEnum : struct, Enum
        => Add(name, description, category, typeof(EnumFilterType<TEnum>), selector, v => v);

    protected void Flag(string name, string description, Expression<Func<T, bool>> selector, DataCategory? category = null)
        => Add(name, description, category, typeof(BooleanFilterType), selector, v => v);

    /// <summary>Free text: equality, membership, contains and starts-with.</summary>
    protected void Text(string name, string description, Expression<Func<T, string?>> selector, DataCategory? category = null, bool sortable = false)
    {
        Add(name, description, category, typeof(TextFilterType), selector, v => v);
        if (sortable) Sortable(name, description, selector, category);
    }

    /// <summary>A code (postcode, CBS code, BAG id): equality, membership and starts-with, no contains.</summary>
    protected void Code(string name, string description, Expression<Func<T, string?>> selector, DataCategory? category = null, bool sortable = false)
    {
        Add(name, description, category, typeof(CodeFilterType), selector, v => v);
        if (sortable) Sortable(name, description, selector, category);
    }

    /// <summary>A BSN: equality and membership only, with the BSN scalar's check on input. It names persons (<see cref="NamedPersons"/>).</summary>
    protected void Bsn(string name, string description, Expression<Func<T, string>> selector, DataCategory? category = null)
        => Add(name, description, category, typeof(BsnFilterType), selector, v => v, PersonNaming.Bsns, identifies: true);

    protected void Number(string name, string description, Expression<Func<T, int>> selector, DataCategory? category = null, bool sortable = false)
    {
        Add(name, description, category, typeof(IntFilterType), selector, v => Convert.ToInt32(v, System.Globalization.CultureInfo.InvariantCulture));
        if (sortable) Sortable(name, description, selector, category);
    }

    protected void Date(string name, string description, Expression<Func<T, DateOnly>> selector, DataCategory? category = null, bool sortable = false)
    {
        Add(name, description, category, typeof(DateFilterType), selector, v => v);
        if (sortable) Sortable(name, description, selector, category);
    }

    protected void Date(string name, string description, Expression<Func<T, DateOnly?>> selector, DataCategory? category = null, bool sortable = false)
    {
        Add(name, description, category, typeof(DateFilterType), selector, v => v);
        if (sortable) Sortable(name, description, selector, category);
    }

    protected void Time(string name, string description, Expression<Func<T, DateTime>> selector, DataCategory? category = null, bool sortable = false)
    {
        Add(name, description, category, typeof(DateTimeFilterType), selector, v => v);
        if (sortable) Sortable(name, description, selector, category);
    }

    protected void Time(string name, string description, Expression<Func<T, DateTime?>> selector, DataCategory? category = null, bool sortable = false)
    {
        Add(name, description, category, typeof(DateTimeFilterType), selector, v => v);
        if (sortable) Sortable(name, description, selector, category);
    }

    /// <summary>A reference to another entity by its global id, testing only references the caller may see.</summary>
    protected void Reference(string name, string description, string targetTypeName, Expression<Func<T, int?>> foreignKey,
        Func<CallerAccess, Expression<Func<T, bool>>>? visible = null, DataCategory? category = null)
        => _fields.Add(new FilterField<T>(name, description, category ?? Category, typeof(IdFilterType), (scope, value) =>
        {
            var test = Operators.Ids(foreignKey, (IDictionary<string, object?>)value, targetTypeName);
            return visible is null ? test : test.And(visible(scope.Access));
        })
        { Names = PersonNaming.Ids(targetTypeName), Identifies = true });

    /// <summary>Some related row the caller may see matches the target's filter.</summary>
    protected void Some<TTargetDefinition, TTarget>(string name, string description, DataCategory category,
        Expression<Func<T, IEnumerable<TTarget>>> related, Func<CallerAccess, Expression<Func<TTarget, bool>>> visible)
        where TTargetDefinition : FilterDefinition<TTarget>, new() where TTarget : class
        => _fields.Add(new FilterField<T>(name, description, category, typeof(FilterInputGraphType<TTargetDefinition, TTarget>), (scope, value) =>
        {
            var target = Filters.Of<TTargetDefinition>().Predicate((IDictionary<string, object?>)value, scope.Deeper());
            var test = visible(scope.Access).And(target);
            var any = Expression.Call(typeof(Enumerable), nameof(Enumerable.Any), [typeof(TTarget)], related.Body, test);
            return Expression.Lambda<Func<T, bool>>(any, related.Parameters);
        })
        { Names = PersonNaming.Through<TTargetDefinition, TTarget>(visible) });

    /// <summary>The one related row exists, the caller may see it, and it matches the target's filter.</summary>
    protected void One<TTargetDefinition, TTarget>(string name, string description, DataCategory category,
        Expression<Func<T, TTarget?>> related, Func<CallerAccess, Expression<Func<TTarget, bool>>> visible)
        where TTargetDefinition : FilterDefinition<TTarget>, new() where TTarget : class
        => _fields.Add(new FilterField<T>(name, description, category, typeof(FilterInputGraphType<TTargetDefinition, TTarget>), (scope, value) =>
        {
            var target = Filters.Of<TTargetDefinition>().Predicate((IDictionary<string, object?>)value, scope.Deeper());
            var test = visible(scope.Access).And(target);
            var body = Expression.AndAlso(Expression.NotEqual(related.Body, Expression.Constant(null, typeof(TTarget))), test.Apply(related.Body));
            return Expression.Lambda<Func<T, bool>>(body, related.Parameters);
        })
        { Names = PersonNaming.Through<TTargetDefinition, TTarget>(visible) });

    /// <summary>A column to sort on (the entity's own columns only, so a cursor can be read off a loaded row).</summary>
    protected void Sortable<TKey>(string name, string description, Expression<Func<T, TKey>> key, DataCategory? category = null)
        => _sorts.Add(new SortField<T>(Casing.ToConstantCase(name), description, category ?? Category, key));

    protected void DefaultSort(string name, bool descending)
        => _defaultOrder.Add(new SortTerm<T>(Sorts.Single(s => s.Name == Casing.ToConstantCase(name)), descending));

    private void Add<TValue>(string name, string description, DataCategory? category, Type graphType, Expression<Func<T, TValue>> selector, Func<object, object?> convert,
        PersonNamer? names = null, bool identifies = false)
        => _fields.Add(new FilterField<T>(name, description, category ?? Category, graphType,
            (scope, value) => Operators.Apply(selector, (IDictionary<string, object?>)value, convert))
        { Names = names, Identifies = identifies });

    /// <summary>The predicate for one filter input object: all of its fields must hold.</summary>
    public Expression<Func<T, bool>> Predicate(IDictionary<string, object?>? filter, FilterScope scope)
    {
        ArgumentNullException.ThrowIfNull(scope);
        Expression<Func<T, bool>> result = _ => true;
        if (filter is null) return result;
        foreach (var (name, value) in filter)
        {
            if (value is null) continue;
            var term = name switch
            {
                "and" => ((IEnumerable)value).Cast<IDictionary<string, object?>>().Select(f => Predicate(f, scope.Deeper()))
                    .Aggregate((Expression<Func<T, bool>>)(_ => true), (a, b) => a.And(b)),
                "or" => Or(((IEnumerable)value).Cast<IDictionary<string, object?>>().Select(f => Predicate(f, scope.Deeper())).ToList()),
                "not" => Not(Predicate((IDictionary<string, object?>)value, scope.Deeper())),
                _ => (_fields.Find(f => f.Name == name) ?? throw new InvalidOperationException($"No filter field {TypeName}.{name}.")).Build(scope, value),
            };
            result = result.And(term);
        }
        return result;
    }

    /// <summary>
    /// The persons this filter names, with what it reveals about them (<see cref="NamedPersons"/>), as a filter of a list of
    /// <paramref name="listCategory"/> read by <paramref name="access"/>: none without a filter.
    /// </summary>
    public NamedPersons PersonsNamedBy(IDictionary<string, object?>? filter, DataCategory listCategory, CallerAccess access)
    {
        if (filter is null) return NamedPersons.None;
        var named = new List<NamedPerson>();
        Name(filter, [listCategory, Category, .. CategoriesOfRows(filter, access)], named, access);
        return named.Count == 0 ? NamedPersons.None : new NamedPersons(named);
    }

    /// <summary>
    /// Categories the list's rows may hold beyond the list's own, as this filter (null: none) and the caller's slice leave
    /// them: what an answer about a person the list is about (one its filter names, or the person whose list it is) may
    /// reveal even when no row is read (a count, an empty list). None by default.
    /// </summary>
    public virtual IEnumerable<DataCategory> CategoriesOfRows(IDictionary<string, object?>? filter, CallerAccess access) => [];

    /// <summary>Adds the persons one filter input object names; <paramref name="categories"/>: those on the way to it.</summary>
    internal void Name(IDictionary<string, object?> filter, DataCategory[] categories, List<NamedPerson> named, CallerAccess access)
    {
        foreach (var (name, value) in filter)
        {
            if (value is null) continue;
            switch (name)
            {
                // Every person named under and, or and not alike, as NamedPersons explains: the safe side.
                case "and" or "or":
                    foreach (var part in ((IEnumerable)value).Cast<IDictionary<string, object?>>()) Name(part, categories, named, access);
                    break;
                case "not":
                    Name((IDictionary<string, object?>)value, categories, named, access);
                    break;
                default:
                    // Only identifiers name someone here: text (a surname that contains, starts with or even equals some
                    // text), dates and codes do not; on a list of persons the persons they find are logged as their rows
                    // are read, with what the filter read of them (ReadOfEachPerson), and through a relation to persons as
                    // PersonNaming.Through finds them.
                    if (_fields.Find(f => f.Name == name) is { Names: { } names } field) names(value, [.. categories, field.Category], named, access);
                    break;
            }
        }
    }

    /// <summary>
    /// What this filter reads of each person it tests, as the categories of that person's data: the entity's own and those
    /// of its conditions other than identifiers (<see cref="CategoriesFound"/>: a name, a date of birth, an address). Empty
    /// when it tests identifiers alone, which name their persons instead (<see cref="NamedPersons"/>), or when its rows are
    /// not persons. The one rule for both ways a filter reads persons: through a relation, for every person it matches
    /// (<see cref="PersonNaming.Through"/>); and on a list of persons or of links to them (the persons list, a case's
    /// subjects, an incident's persons), for the person of each row it answers, beside what the row's fields read.
    /// </summary>
    public IReadOnlyList<DataCategory> ReadOfEachPerson(IDictionary<string, object?>? filter)
    {
        if (typeof(T) != typeof(Person) || filter is null || CategoriesFound(filter) is not { Count: > 0 } found) return [];
        return [.. found.Append(Category).Distinct().Order()];
    }

    /// <summary>
    /// The categories of the conditions this filter input object tests other than identifiers (<see cref="FilterField{T}.Identifies"/>),
    /// under and, or and not too: what a row that matches tells about itself. Empty when it tests identifiers alone.
    /// </summary>
    private IReadOnlyList<DataCategory> CategoriesFound(IDictionary<string, object?> filter)
    {
        var found = new HashSet<DataCategory>();
        AddCategoriesFound(filter, found);
        return [.. found.Order()];
    }

    private void AddCategoriesFound(IDictionary<string, object?> filter, HashSet<DataCategory> found)
    {
        foreach (var (name, value) in filter)
        {
            if (value is null) continue;
            switch (name)
            {
                case "and" or "or":
                    foreach (var part in ((IEnumerable)value).Cast<IDictionary<string, object?>>()) AddCategoriesFound(part, found);
                    break;
                case "not":
                    AddCategoriesFound((IDictionary<string, object?>)value, found);
                    break;
                default:
                    if (_fields.Find(f => f.Name == name) is { Identifies: false } field) found.Add(field.Category);
                    break;
            }
        }
    }

    private static Expression<Func<T, bool>> Or(List<Expression<Func<T, bool>>> alternatives)
        => alternatives.Count == 0 ? _ => false : alternatives.Aggregate((a, b) => a.Or(b));

    private static Expression<Func<T, bool>> Not(Expression<Func<T, bool>> predicate)
        => Expression.Lambda<Func<T, bool>>(Expression.Not(predicate.Body), predicate.Parameters);
}

/// <summary>One field of a filter input: its name, category, operator input type, and how it becomes a predicate.</summary>
public sealed record FilterField<T>(string Name, string Description, DataCategory Category, Type GraphType,
    Func<FilterScope, object, Expression<Func<T, bool>>> Build)
{
    /// <summary>The persons its operator input names (a BSN, a person's id, or a person filter through a relation); null when it names no one.</summary>
    internal PersonNamer? Names { get; init; }

    /// <summary>An identifier (a global id, a BSN, a reference by id): it names the rows it matches, where other conditions find them.</summary>
    internal bool Identifies { get; init; }
}

/// <summary>
/// Adds the persons a filter field's input <paramref name="value"/> names to <paramref name="named"/>, with
/// <paramref name="categories"/>: those of the list and of every filter field and entity on the way to it.
/// </summary>
internal delegate void PersonNamer(object value, DataCategory[] categories, List<NamedPerson> named, CallerAccess access);

/// <summary>The filter fields that name persons (<see cref="NamedPersons"/>): their operands as the predicates read them.</summary>
internal static class PersonNaming
{
    // The type name of a person's global id: its id filter, and references to persons, name persons.
    private const string PersonTypeName = "Person";

    // Matching a person by an identifier tells who they are, whatever the category of the field that holds it.
    private const DataCategory IdentifierCategory = DataCategory.Identiteit;

    /// <summary>Each BSN of eq and in: a BSN is always a person's.</summary>
    public static PersonNamer Bsns { get; } = (value, categories, named, _) =>
    {
        foreach (var bsn in Operators.Operands(value))
            named.Add(new NamedPerson(null, Convert.ToString(bsn, System.Globalization.CultureInfo.InvariantCulture), [.. categories, IdentifierCategory]));
    };

    /// <summary>Each person id of eq and in, when the ids are persons' (a malformed id or one of another type names no one, and matches nothing).</summary>
    public static PersonNamer? Ids(string typeName) => typeName != PersonTypeName ? null : (value, categories, named, _) =>
    {
        foreach (var operand in Operators.Operands(value))
        {
            if (Operators.DecodeId(operand, typeName) is { } id) named.Add(new NamedPerson(id, null, [.. categories, IdentifierCategory]));
        }
    };

    /// <summary>
    /// The persons the related entity's filter names, with that entity's category on the way; and where the related rows are
    /// persons (<paramref name="visible"/>: those the caller may see) tested by anything but an identifier (names, a date of
    /// birth, an address), every visible person that filter matches: the rows answered (an incident, a case, an
    /// intervention), or their count, are that person's data as much as when a BSN named them, though no row of the person
    /// is read. Matched within the same relation under and, or and not alike: the safe side, as for named persons.
    /// </summary>
    public static PersonNamer Through<TDefinition, T>(Func<CallerAccess, Expression<Func<T, bool>>> visible)
        where TDefinition : FilterDefinition<T>, new() where T : class
        => (value, categories, named, access) =>
        {
            var definition = Filters.Of<TDefinition>();
            var filter = (IDictionary<string, object?>)value;
            definition.Name(filter, [.. categories, definition.Category], named, access);
            if (definition.ReadOfEachPerson(filter) is not { Count: > 0 } read) return;
            var matching = visible(access).And(definition.Predicate(filter, new FilterScope(access)));
            named.Add(new NamedPerson(null, null, [.. categories, .. read]) { Matching = (Expression<Func<Person, bool>>)(object)matching });
        };
}

/// <summary>A column a list can be sorted on.</summary>
public sealed class SortField<T>(string name, string description, DataCategory category, LambdaExpression key)
{
    private readonly Func<T, object?> _read = Compile(key);

    public string Name { get; } = name;
    public string Description { get; } = description;
    public DataCategory Category { get; } = category;
    public LambdaExpression Key { get; } = key;
    public Type KeyType => Key.ReturnType;

    /// <summary>The key's value on a loaded row (for its cursor).</summary>
    public object? Read(T row) => _read(row);

    private static Func<T, object?> Compile(LambdaExpression key)
    {
        var parameter = key.Parameters[0];
        return Expression.Lambda<Func<T, object?>>(Expression.Convert(key.Body, typeof(object)), parameter).Compile();
    }
}

/// <summary>A sort field with its direction.</summary>
public sealed record SortTerm<T>(SortField<T> Field, bool Descending);

/// <summary>The caller's access while a filter is built, and how deep the filter nests (bounded).</summary>
public sealed class FilterScope(CallerAccess access, int depth = 0)
{
    public const int MaxDepth = 8;

    public CallerAccess Access { get; } = access;
    public int Depth { get; } = depth;

    public FilterScope Deeper() => Depth < MaxDepth
        ? new FilterScope(Access, Depth + 1)
        : throw new ExecutionError($"Argument 'filter' nests deeper than {MaxDepth} levels.") { Code = "FILTER_TOO_DEEP" };
}

/// <summary>The one instance of each filter definition.</summary>
public static class Filters
{
    public static TDefinition Of<TDefinition>() where TDefinition : new() => Instance<TDefinition>.Value;

    private static class Instance<TDefinition> where TDefinition : new()
    {
        public static readonly TDefinition Value = new();
    }
}

/// <summary>How operator inputs become expressions; values become SQL parameters, never SQL text.</summary>
internal static class Operators
{
    private static readonly MethodInfo StringContains = typeof(string).GetMethod(nameof(string.Contains), [typeof(string)])!;
    private static readonly MethodInfo StringStartsWith = typeof(string).GetMethod(nameof(string.StartsWith), [typeof(string)])!;

    public static Expression<Func<T, bool>> Apply<T, TValue>(Expression<Func<T, TValue>> selector, IDictionary<string, object?> operators, Func<object, object?> convert)
    {
        var member = selector.Body;
        Expression? result = null;
        foreach (var (op, raw) in operators)
        {
            if (raw is null) continue;
            var term = op switch
            {
                "eq" => Expression.Equal(member, Parameter(convert(raw), member.Type)),
                "in" => In(member, ((IEnumerable)raw).Cast<object?>().Where(v => v is not null).Select(v => convert(v!))),
                "gt" => Expression.GreaterThan(member, Parameter(convert(raw), member.Type)),
                "gte" => Expression.GreaterThanOrEqual(member, Parameter(convert(raw), member.Type)),
                "lt" => Expression.LessThan(member, Parameter(convert(raw), member.Type)),
                "lte" => Expression.LessThanOrEqual(member, Parameter(convert(raw), member.Type)),
                "contains" => NotNullAnd(member, Expression.Call(member, StringContains, Parameter(raw, typeof(string)))),
                "startsWith" => NotNullAnd(member, Expression.Call(member, StringStartsWith, Parameter(raw, typeof(string)))),
                "isNull" => IsNull(member, (bool)raw),
                _ => throw new InvalidOperationException($"Unknown filter operator {op}."),
            };
            result = result is null ? term : Expression.AndAlso(result, term);
        }
        return Expression.Lambda<Func<T, bool>>(result ?? Expression.Constant(true), selector.Parameters);
    }

    /// <summary>Global ids: a malformed id or an id of another type matches nothing, as a lookup by it finds nothing.</summary>
    public static Expression<Func<T, bool>> Ids<T, TKey>(Expression<Func<T, TKey>> key, IDictionary<string, object?> operators, string typeName)
    {
        object? Decode(object value) => DecodeId(value, typeName);
        var member = key.Body;
        Expression? result = null;
        foreach (var (op, raw) in operators)
        {
            if (raw is null) continue;
            var term = op switch
            {
                "eq" => Decode(raw) is { } id ? Expression.Equal(member, Parameter(id, member.Type)) : Expression.Constant(false),
                "in" => In(member, ((IEnumerable)raw).Cast<object?>().Where(v => v is not null).Select(v => Decode(v!)).Where(v => v is not null)),
                _ => throw new InvalidOperationException($"Unknown id operator {op}."),
            };
            result = result is null ? term : Expression.AndAlso(result, term);
        }
        return Expression.Lambda<Func<T, bool>>(result ?? Expression.Constant(true), key.Parameters);
    }

    /// <summary>The row id a global id of this type stands for; null when it is malformed or of another type.</summary>
    public static int? DecodeId(object value, string typeName)
        => GlobalId.TryDecode(Convert.ToString(value, System.Globalization.CultureInfo.InvariantCulture), typeName, out var id) ? id : null;

    /// <summary>The values an <c>eq</c> or <c>in</c> condition compares with (null ones left out, as the predicates leave them).</summary>
    public static IEnumerable<object> Operands(object operators)
    {
        foreach (var (op, raw) in (IDictionary<string, object?>)operators)
        {
            if (raw is null) continue;
            if (op == "eq") yield return raw;
            else if (op == "in")
            {
                foreach (var value in (IEnumerable)raw) if (value is not null) yield return value;
            }
        }
    }

    /// <summary>A closure-held value, so EF Core sends it as a parameter and reuses the statement's plan.</summary>
    public static Expression Parameter(object? value, Type type)
    {
        var holder = Activator.CreateInstance(typeof(Holder<>).MakeGenericType(type), value)!;
        return Expression.Field(Expression.Constant(holder), "Value");
    }

    /// <summary>
    /// The most values an <c>in</c> condition may list. Without a bound, 50,000 values outran SQLite's statement
    /// parameters (an internal error), and a list of made-up BSNs wrote a processing-log record for each (every value
    /// a filter names by BSN is a person processed): a mutation's megabyte of variables carried 30,000 of them.
    /// </summary>
    public const int MaxInValues = 100;

    private static Expression In(Expression member, IEnumerable<object?> values)
    {
        var list = (IList)Activator.CreateInstance(typeof(List<>).MakeGenericType(member.Type))!;
        foreach (var value in values)
        {
            if (list.Count == MaxInValues)
                throw new ExecutionError($"An 'in' condition of 'filter' lists more than {MaxInValues} values; ask in several requests.") { Code = "FILTER_TOO_LARGE" };
            list.Add(value);
        }
        if (list.Count == 0) return Expression.Constant(false);
        var holder = Activator.CreateInstance(typeof(Holder<>).MakeGenericType(list.GetType()), list)!;
        return Expression.Call(typeof(Enumerable), nameof(Enumerable.Contains), [member.Type], Expression.Field(Expression.Constant(holder), "Value"), member);
    }

    private static Expression IsNull(Expression member, bool isNull)
    {
        if (member.Type.IsValueType && Nullable.GetUnderlyingType(member.Type) is null) return Expression.Constant(!isNull);
        var test = Expression.Equal(member, Expression.Constant(null, member.Type));
        return isNull ? test : Expression.Not(test);
    }

    private static BinaryExpression NotNullAnd(Expression member, Expression test)
        => Expression.AndAlso(Expression.NotEqual(member, Expression.Constant(null, typeof(string))), test);

    private sealed class Holder<TValue>(TValue value)
    {
#pragma warning disable CA1051 // EF Core turns a field read off a constant into a SQL parameter.
        public readonly TValue Value = value;
#pragma warning restore CA1051
    }
}

/// <summary>camelCase → CONSTANT_CASE for enum value names.</summary>
internal static class Casing
{
    public static string ToConstantCase(string name)
        => string.Concat(name.Select((c, i) => char.IsUpper(c) && i > 0 ? "_" + c : char.ToUpperInvariant(c).ToString()));
}

/// <summary>The filter input of one entity, cut per role.</summary>
public sealed class FilterInputGraphType<TDefinition, T> : SlicedInputObjectGraphType<object>
    where TDefinition : FilterDefinition<T>, new() where T : class
{
    public FilterInputGraphType()
    {
        var definition = Filters.Of<TDefinition>();
        Name = definition.TypeName + "Filter";
        Description = $"Conditions on a {definition.TypeName}; all given conditions must hold. Only fields the caller may read can be tested.";
        foreach (var field in definition.Fields)
        {
            AddField(Categorised(new FieldType { Name = field.Name, Description = field.Description, Type = field.GraphType }, field.Category));
        }
        var list = typeof(ListGraphType<NonNullGraphType<FilterInputGraphType<TDefinition, T>>>);
        AddField(Categorised(new FieldType { Name = "and", Description = "Every one of these filters must hold.", Type = list }, definition.Category));
        AddField(Categorised(new FieldType { Name = "or", Description = "At least one of these filters must hold (an empty list matches nothing).", Type = list }, definition.Category));
        AddField(Categorised(new FieldType { Name = "not", Description = "This filter must not hold.", Type = typeof(FilterInputGraphType<TDefinition, T>) }, definition.Category));
    }

    private static FieldType Categorised(FieldType field, DataCategory category)
    {
        field.Metadata[DataCategoryMetadata.Key] = category;
        return field;
    }
}

/// <summary>The sort fields of one entity, cut per role: a role can only sort on what it may read.</summary>
public sealed class SortFieldGraphType<TDefinition, T> : EnumerationGraphType, ISlicedGraphType
    where TDefinition : FilterDefinition<T>, new() where T : class
{
    public SortFieldGraphType()
    {
        var definition = Filters.Of<TDefinition>();
        Name = definition.TypeName + "SortField";
        Description = $"What a list of {definition.TypeName} items can be sorted on.";
    }

    public void ApplySlice(SchemaSlice slice)
    {
        ArgumentNullException.ThrowIfNull(slice);
        foreach (var sort in Filters.Of<TDefinition>().Sorts.Where(s => slice.Categories.Contains(s.Category)))
        {
            var value = new EnumValueDefinition(sort.Name, sort) { Description = sort.Description };
            value.Metadata[DataCategoryMetadata.Key] = sort.Category;
            Add(value);
        }
    }
}

/// <summary>One sort key with its direction.</summary>
public sealed class SortInputGraphType<TDefinition, T> : InputObjectGraphType
    where TDefinition : FilterDefinition<T>, new() where T : class
{
    public SortInputGraphType()
    {
        var definition = Filters.Of<TDefinition>();
        Name = definition.TypeName + "Sort";
        Description = $"A sort key for {definition.TypeName} items. Ties are always broken by id, so every order is total and paging is stable.";
        Field<NonNullGraphType<SortFieldGraphType<TDefinition, T>>>("field").Description("What to sort on.");
        Field<SortDirectionGraphType>("direction").Description("Ascending (the default) or descending. Absent values come first when ascending.");
    }
}

/// <summary>Sort direction.</summary>
public sealed class SortDirectionGraphType : EnumerationGraphType
{
    public SortDirectionGraphType()
    {
        Name = "SortDirection";
        Description = "The direction of a sort key.";
        Add("ASC", false, "Ascending: smallest, earliest, A first.");
        Add("DESC", true, "Descending: largest, latest, Z first.");
    }
}

/// <summary>Global id conditions.</summary>
public sealed class IdFilterType : InputObjectGraphType
{
    public IdFilterType()
    {
        Name = "IdFilter";
        Description = "Conditions on a global id. An id that is malformed, of another type or of something the caller may not see matches nothing.";
        Field<IdGraphType>("eq").Description("Equal to this id.");
        Field<ListGraphType<NonNullGraphType<IdGraphType>>>("in").Description($"One of these ids. At most {Operators.MaxInValues}.");
    }
}

/// <summary>Free-text conditions.</summary>
public sealed class TextFilterType : InputObjectGraphType
{
    public TextFilterType()
    {
        Name = "TextFilter";
        Description = "Conditions on a text. Comparisons are exact (case-sensitive), as the database stores the text.";
        Field<StringGraphType>("eq").Description("Equal to this text.");
        Field<ListGraphType<NonNullGraphType<StringGraphType>>>("in").Description($"One of these texts. At most {Operators.MaxInValues}.");
        Field<StringGraphType>("contains").Description("Contains this text.");
        Field<StringGraphType>("startsWith").Description("Starts with this text.");
        Field<BooleanGraphType>("isNull").Description("True: only where the text is absent; false: only where it is present.");
    }
}

/// <summary>Code conditions.</summary>
public sealed class CodeFilterType : InputObjectGraphType
{
    public CodeFilterType()
    {
        Name = "CodeFilter";
        Description = "Conditions on a code (postcode, CBS code, BAG id): exact or by prefix.";
        Field<StringGraphType>("eq").Description("Equal to this code.");
        Field<ListGraphType<NonNullGraphType<StringGraphType>>>("in").Description($"One of these codes. At most {Operators.MaxInValues}.");
        Field<StringGraphType>("startsWith").Description("Starts with this prefix.");
        Field<BooleanGraphType>("isNull").Description("True: only where the code is absent; false: only where it is present.");
    }
}

/// <summary>BSN conditions.</summary>
public sealed class BsnFilterType : InputObjectGraphType
{
    public BsnFilterType()
    {
        Name = "BsnFilter";
        Description = "Conditions on a BSN: exact only.";
        Field<BsnScalar>("eq").Description("Equal to this BSN.");
        Field<ListGraphType<NonNullGraphType<BsnScalar>>>("in").Description($"One of these BSNs. At most {Operators.MaxInValues}.");
    }
}

/// <summary>Whole-number conditions.</summary>
public sealed class IntFilterType : InputObjectGraphType
{
    public IntFilterType()
    {
        Name = "IntFilter";
        Description = "Conditions on a whole number.";
        Field<IntGraphType>("eq").Description("Equal to this number.");
        Field<ListGraphType<NonNullGraphType<IntGraphType>>>("in").Description($"One of these numbers. At most {Operators.MaxInValues}.");
        Field<IntGraphType>("gt").Description("Greater than this number.");
        Field<IntGraphType>("gte").Description("Greater than or equal to this number.");
        Field<IntGraphType>("lt").Description("Less than this number.");
        Field<IntGraphType>("lte").Description("Less than or equal to this number.");
    }
}

/// <summary>Calendar date conditions.</summary>
public sealed class DateFilterType : InputObjectGraphType
{
    public DateFilterType()
    {
        Name = "DateFilter";
        Description = "Conditions on a calendar date.";
        Field<DateScalar>("eq").Description("On this date.");
        Field<DateScalar>("gt").Description("After this date.");
        Field<DateScalar>("gte").Description("On or after this date.");
        Field<DateScalar>("lt").Description("Before this date.");
        Field<DateScalar>("lte").Description("On or before this date.");
        Field<BooleanGraphType>("isNull").Description("True: only where the date is absent; false: only where it is present.");
    }
}

/// <summary>Moment conditions.</summary>
public sealed class DateTimeFilterType : InputObjectGraphType
{
    public DateTimeFilterType()
    {
        Name = "DateTimeFilter";
        Description = "Conditions on a moment in time (compared in UTC). A month is gte its first moment and lt the next month's.";
        Field<DateTimeScalar>("gt").Description("Later than this moment.");
        Field<DateTimeScalar>("gte").Description("At or later than this moment.");
        Field<DateTimeScalar>("lt").Description("Earlier than this moment.");
        Field<DateTimeScalar>("lte").Description("At or earlier than this moment.");
        Field<BooleanGraphType>("isNull").Description("True: only where the moment is absent; false: only where it is present.");
    }
}

/// <summary>Boolean conditions.</summary>
public sealed class BooleanFilterType : InputObjectGraphType
{
    public BooleanFilterType()
    {
        Name = "BooleanFilter";
        Description = "Conditions on a yes/no value.";
        Field<BooleanGraphType>("eq").Description("Equal to this value.");
    }
}

/// <summary>Enum conditions, one input type per domain enum.</summary>
public sealed class EnumFilterType<TEnum> : InputObjectGraphType where TEnum : struct, Enum
{
    public EnumFilterType()
    {
        Name = typeof(TEnum).Name + "Filter";
        Description = $"Conditions on a {typeof(TEnum).Name} value.";
        Field<DomainEnumType<TEnum>>("eq").Description("Equal to this value.");
        Field<ListGraphType<NonNullGraphType<DomainEnumType<TEnum>>>>("in").Description($"One of these values. At most {Operators.MaxInValues}.");
        Field<BooleanGraphType>("isNull").Description("True: only where the value is absent; false: only where it is present.");
    }
}
