using System.Data.Common;
using System.Globalization;
using System.Linq.Expressions;
using System.Text;
using System.Text.RegularExpressions;
using GraphQL;
using GraphQL.Execution;
using GraphQL.Types;
using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Metadata;
using Veiligheid.Access;
using Veiligheid.Accountability;

namespace Veiligheid.GraphQL.Compiled;

/// <summary>
/// One read operation compiled into one SQL statement that builds the response's data as JSON in the database. The
/// rows of every level come from EF Core's own translation of the same row queries the resolvers use (caller's row
/// rules, filter, order, page); this class only wraps them in the dialect's JSON functions and correlates each level
/// with its parent. Made once per caller, operation and variables (<see cref="ReadPlan"/> in the plan cache).
/// </summary>
internal sealed partial class CompiledRead
{
    // A key no row has: the placeholder parameter is found by this value and replaced by the parent's column. A client
    // can send the same number (a filter's houseNumber, a cursor's id key), so a value is taken for a placeholder only
    // once, in the one level whose query holds it (_placeholdersUsed).
    private const int PlaceholderBase = -1_900_000_000;

    private readonly RequestContext _hub;
    private readonly ISqlJsonDialect _dialect;
    private readonly IModel _model;
    private readonly List<(string Name, DbParameter Parameter)> _parameters = [];
    private readonly List<NodeProcessing> _processing = [];
    private readonly List<NamedPersons> _named = [];
    private readonly List<(string Key, string Json)> _roots = [];
    private readonly Dictionary<int, (string Alias, string Column)> _placeholderColumns = [];
    private readonly HashSet<int> _placeholdersUsed = [];
    private readonly List<CompiledLevel> _levels = [];
    private int _aliases;
    private int _placeholders;

    public CompiledRead(RequestContext hub, ISqlJsonDialect dialect)
    {
        _hub = hub;
        _dialect = dialect;
        _model = hub.Db.Model;
    }

    /// <summary>
    /// The statement with its parameter values, detached from EF Core's commands; complete once a Root… method was called
    /// for every root field. Its processing list says, per marked node, which categories of person data it reads; its
    /// named list, per marked list, the persons the list's filter names.
    /// </summary>
    public ReadPlan ToPlan(string? operationName)
        => new(true, _dialect.Select(_roots), [.. _parameters.Select(p => (p.Name, p.Parameter.DbType, p.Parameter.Value))], _processing, operationName, _named);

    public void RootNull(string responseKey) => _roots.Add((responseKey, _dialect.Null));

    public void RootConnection(string responseKey, PageQueries queries, Selection connection, bool hasPreviousPage, MappedType node)
    {
        var members = new List<(string Key, string Json)>();
        foreach (var field in connection.Fields)
        {
            switch (field.Name)
            {
                case "__typename":
                    members.Add((field.Key, _dialect.Text(connection.TypeName)));
                    break;
                case "totalCount":
                    members.Add((field.Key, _dialect.Count(Source(queries.All, null, "").Sql)));
                    break;
                case "nodes":
                    members.Add((field.Key, Rows(queries.Page, node, field.Selection!, edges: false, queries.ReadOfEachPerson)));
                    break;
                case "edges":
                    members.Add((field.Key, Rows(queries.Page, node, field.Selection!, edges: true, queries.ReadOfEachPerson)));
                    break;
                case "pageInfo":
                    var info = new List<(string Key, string Json)>();
                    foreach (var item in field.Selection!.Fields)
                    {
                        info.Add((item.Key, item.Name switch
                        {
                            "__typename" => _dialect.Text(field.Selection.TypeName),
                            "hasNextPage" => _dialect.Exists(Source(queries.Next, null, "").Sql),
                            "hasPreviousPage" => _dialect.Boolean(hasPreviousPage),
                            _ => throw new NotCompilableException($"PageInfo.{item.Name}"),
                        }));
                    }
                    members.Add((field.Key, _dialect.Object(info)));
                    break;
                default:
                    throw new NotCompilableException($"{connection.TypeName}.{field.Name}");
            }
        }
        _roots.Add((responseKey, _dialect.Object(members)));
        // A root list is read whenever the statement is: its mark sits beside it in the data.
        if (NamedMark(queries.Named) is { } mark) _roots.Add(mark);
    }

    public void RootSingle(string responseKey, IQueryable rows, MappedType type, Selection selection)
        => _roots.Add((responseKey, SingleRow(rows, type, selection, null)));

    /// <summary>
    /// A list of rows as a JSON array (nodes), or of {node} objects (edges); <paramref name="readOfEachPerson"/>: what the
    /// list's filter read of each row's person.
    /// </summary>
    private string Rows(IQueryable rows, MappedType type, Selection selection, bool edges, IReadOnlyList<DataCategory> readOfEachPerson,
        (string Alias, string Column)? parent = null)
    {
        var alias = NextAlias();
        var (from, order) = Source(rows, parent, alias);
        List<(string Key, string Json)> element;
        if (!edges)
        {
            element = Members(type, selection, alias, readOfEachPerson);
        }
        else
        {
            element = [];
            foreach (var field in selection.Fields)
            {
                element.Add((field.Key, field.Name switch
                {
                    "__typename" => _dialect.Text(selection.TypeName),
                    "node" => _dialect.Object(Members(type, field.Selection!, alias, readOfEachPerson)),
                    _ => throw new NotCompilableException($"{selection.TypeName}.{field.Name}"),
                }));
            }
        }
        return _dialect.Array(element, from, alias, order);
    }

    private string SingleRow(IQueryable rows, MappedType type, Selection selection, (string Alias, string Column)? parent)
    {
        var alias = NextAlias();
        var (from, order) = Source(rows, parent, alias);
        return _dialect.First(Members(type, selection, alias, []), from, alias, order);
    }

    /// <summary>
    /// The members of the JSON object of one row under <paramref name="alias"/>, with the selected fields in order;
    /// <paramref name="readOfEachPerson"/>: what the filter of the list the row is in read of the row's person.
    /// </summary>
    private List<(string Key, string Json)> Members(MappedType type, Selection selection, string alias, IReadOnlyList<DataCategory> readOfEachPerson)
    {
        var entity = _model.FindEntityType(type.Entity) ?? throw new NotCompilableException($"no entity for {type.Name}");
        var members = new List<(string Key, string Json)>();
        var categories = new SortedSet<DataCategory>();
        var conditional = new List<RevealedCategory>(); // categories only some rows' persons are noted with
        foreach (var field in selection.Fields)
        {
            if (field.Name == "__typename")
            {
                members.Add((field.Key, _dialect.Text(type.Name)));
                continue;
            }
            if (!type.Fields.TryGetValue(field.Name, out var mapped)) throw new NotCompilableException($"{type.Name}.{field.Name}");
            if (field.Arguments is { Any: true } && mapped is not RelationField { Many: true }) throw new NotCompilableException($"arguments on {type.Name}.{field.Name}");
            var category = SchemaSlice.CategoryOf(selection.GraphType, field.Definition);
            categories.Add(category);
            switch (mapped)
            {
                case GlobalIdField:
                    members.Add((GlobalIdKey(type.Name, field.Key), _dialect.Column(alias, Column(entity, "Id"))));
                    break;
                case VersionField:
                    members.Add((field.Key, _dialect.Guid(_dialect.Column(alias, Column(entity, "Version")))));
                    break;
                case ColumnField column:
                    members.Add((field.Key, Scalar(entity, column.Property, alias, field.Definition)));
                    break;
                case RelationField relation:
                    var target = ReadMap.Types[relation.Target];
                    var placeholder = new CorrelationPlaceholder(PlaceholderBase - _placeholders++);
                    var arguments = field.Arguments ?? NestedListArguments.None;
                    var rows = relation.Rows.For(_hub, placeholder, arguments);
                    var parent = (alias, Column(entity, relation.ParentProperty));
                    RegisterPlaceholder(placeholder, parent);
                    members.Add((field.Key, relation.Many
                        ? Rows(rows, target, field.Selection!, edges: false, relation.Rows.ReadOfEachPerson(arguments), parent)
                        : SingleRow(rows, target, field.Selection!, parent)));
                    // A nested list is read under each parent row there is, as its resolver runs for each parent object:
                    // its mark goes in the parent row, so the persons its filter names are noted when some parent came back.
                    if (NamedMark(relation.Rows.PersonsNamedBy(arguments, category, _hub.Access)) is { } mark) members.Add(mark);
                    // What it reveals about a parent person (a list of care trajectories, empty or not) is noted with the
                    // parent row's person, as its resolver notes it for each parent person; what only some persons' lists
                    // may hold, with those persons alone (below).
                    foreach (var revealed in relation.Rows.RevealedAboutParent(arguments, _hub.Access))
                    {
                        if (revealed.ParentsThatMayHold is null) categories.Add(revealed.Category);
                        else conditional.Add(revealed);
                    }
                    break;
                default:
                    throw new NotCompilableException($"{type.Name}.{field.Name}");
            }
        }
        if (type.Processed.Kind != ProcessedPersonKind.None && (categories.Count > 0 || conditional.Count > 0))
        {
            var person = type.Processed.Kind == ProcessedPersonKind.ItsOwnId ? Column(entity, "Id") : Column(entity, "PersonId");
            // A person's own row carries its BSN too: the log keeps it in protected form, as for the reference path.
            var value = type.Processed.Kind switch
            {
                ProcessedPersonKind.OfIntervention => _dialect.Pair(_dialect.Column(alias, person), _dialect.Column(alias, Column(entity, "Kind"))),
                ProcessedPersonKind.ItsOwnId => _dialect.Pair(_dialect.Column(alias, person), _dialect.Column(alias, Column(entity, "Bsn"))),
                _ => _dialect.Column(alias, person),
            };
            if (categories.Count > 0)
            {
                _processing.Add(new NodeProcessing(type.Processed, NotedOfRow(type.Processed, categories, readOfEachPerson)));
                members.Add((ProcessingKey(_processing.Count - 1), value));
            }
            // A category only some persons' lists may hold gets a marker of its own, whose value is the person only where
            // an EXISTS finds the row's person among them (null, so nothing noted, elsewhere): one test per condition,
            // however many fields of the row ask it, in the same statement.
            var pair = type.Processed.Kind == ProcessedPersonKind.ByPersonId ? _dialect.Pair(value, _dialect.Null) : value;
            foreach (var group in conditional.Where(r => !r.OfCaseSubjects && !categories.Contains(r.Category)).GroupBy(r => r.ParentsThatMayHold))
            {
                _processing.Add(new NodeProcessing(type.Processed, [.. group.Select(r => r.Category).Distinct().Order()]));
                members.Add((ProcessingKey(_processing.Count - 1), _dialect.When(PersonsOf(group.Key!, (alias, person)), pair)));
            }
        }
        // What a list under a case reveals about the case's subjects (a list of its care trajectories, empty or not) is noted
        // for those the condition holds of, as its resolver notes them for each case: a marker whose value lists them, one
        // per condition however many fields of the row ask it, in the same statement.
        foreach (var group in conditional.Where(r => r.OfCaseSubjects).GroupBy(r => r.ParentsThatMayHold))
        {
            _processing.Add(new NodeProcessing(ProcessedPerson.Listed, [.. group.Select(r => r.Category).Distinct().Order()]));
            members.Add((ProcessingKey(_processing.Count - 1), CaseSubjectsOf(group.Key!, (alias, Column(entity, "Id")))));
        }
        return members;
    }

    /// <summary>
    /// The categories a row's marker notes its person with, as <see cref="ProcessingObserver"/> notes a row whose fields
    /// resolve: a link row's own category whichever of its fields were read (a case's subject is Casus, its <c>person</c>
    /// field too), another row's those of its fields; with either, what the filter of the list the row is in read of that
    /// person (a case's subjects filtered on a surname read each one's identity).
    /// </summary>
    private static DataCategory[] NotedOfRow(ProcessedPerson processed, SortedSet<DataCategory> fields, IReadOnlyList<DataCategory> readOfEachPerson)
    {
        SortedSet<DataCategory> noted = processed.Kind == ProcessedPersonKind.ByPersonId ? [processed.Category!.Value] : [.. fields];
        noted.UnionWith(readOfEachPerson);
        return [.. noted];
    }

    /// <summary>
    /// The JSON list (<c>[{"p": id}, …]</c>, <see cref="ProcessedPersonKind.Listed"/>) of the subjects of the case in the
    /// parent row's column that <paramref name="condition"/> holds of: every subject, as the resolvers read them.
    /// </summary>
    private string CaseSubjectsOf(Func<RequestContext, Expression<Func<Persons.Person, bool>>> condition, (string Alias, string Column) @case)
    {
        var placeholder = new CorrelationPlaceholder(PlaceholderBase - _placeholders++);
        RegisterPlaceholder(placeholder, @case);
        var subjects = _hub.Db.CaseSubjects.Where(s => s.CaseId == placeholder.Value)
            .Where(condition(_hub).Through<Cases.CaseSubject, Persons.Person>(s => s.Person));
        var link = _model.FindEntityType(typeof(Cases.CaseSubject)) ?? throw new NotCompilableException("no entity for CaseSubject");
        var alias = NextAlias();
        var person = _dialect.Column(alias, Column(link, "PersonId"));
        // Ordered, as every list is (T-SQL's would otherwise be the engine's choice), though the log reads it as a set.
        return _dialect.Array([(ListedPersonKey, person)], Translate(subjects, @case), alias, [(person, false)]);
    }

    /// <summary>The member of each element of a <see cref="ProcessedPersonKind.Listed"/> marker's list: the person's id.</summary>
    private const string ListedPersonKey = "p";

    /// <summary>The SQL of the persons <paramref name="condition"/> holds of, narrowed to the person in the parent row's column.</summary>
    private string PersonsOf(Func<RequestContext, Expression<Func<Persons.Person, bool>>> condition, (string Alias, string Column) parent)
    {
        var placeholder = new CorrelationPlaceholder(PlaceholderBase - _placeholders++);
        RegisterPlaceholder(placeholder, parent);
        return Translate(_hub.Db.Persons.Where(p => p.Id == placeholder.Value).Where(condition(_hub)).Select(p => p.Id), parent);
    }

    private string Scalar(IEntityType entity, string propertyName, string alias, FieldType field)
    {
        var property = entity.FindProperty(propertyName) ?? throw new NotCompilableException($"{entity.ClrType.Name}.{propertyName}");
        var column = _dialect.Column(alias, property.GetColumnName());
        var type = Nullable.GetUnderlyingType(property.ClrType) ?? property.ClrType;
        if (type.IsEnum)
        {
            var graphType = Unwrap(field.ResolvedType) as EnumerationGraphType ?? throw new NotCompilableException($"enum field {field.Name}");
            var converter = property.GetValueConverter() ?? property.GetTypeMapping().Converter;
            var cases = graphType.Values.Select(v => (Stored: converter is null ? v.Value : converter.ConvertToProvider(v.Value), v.Name))
                .Select(v => (_dialect.Literal(v.Stored), _dialect.Text(v.Name))).ToList();
            return _dialect.Case(column, cases);
        }
        // Text, numbers and dates (stored as yyyy-MM-dd, as the Date scalar answers) need no conversion.
        if (type == typeof(string) || type == typeof(int) || type == typeof(DateOnly)) return column;
        if (type == typeof(bool)) return _dialect.Boolean(column);
        if (type == typeof(DateTime)) return _dialect.DateTime(column);
        throw new NotCompilableException($"{entity.ClrType.Name}.{propertyName} of type {type.Name}");
    }

    private static IGraphType? Unwrap(IGraphType? type) => type switch
    {
        NonNullGraphType nonNull => Unwrap(nonNull.ResolvedType),
        ListGraphType list => Unwrap(list.ResolvedType),
        _ => type,
    };

    private static string Column(IEntityType entity, string property)
        => (entity.FindProperty(property) ?? throw new NotCompilableException($"{entity.ClrType.Name}.{property}")).GetColumnName();

    private void RegisterPlaceholder(CorrelationPlaceholder placeholder, (string Alias, string Column) parent) => _placeholderColumns[placeholder.Value] = parent;

    /// <summary>
    /// The SQL of a level's rows (under <paramref name="alias"/>) and, for a dialect whose derived tables keep no order,
    /// the order to put where the level's JSON is made: the rows' own OrderBy/ThenBy, taken out of the row query
    /// (<see cref="QueryOrder"/>). Either way the rows are EF Core's translation of the same row query.
    /// </summary>
    private (string Sql, IReadOnlyList<(string Sql, bool Descending)> Order) Source(IQueryable rows, (string Alias, string Column)? parent, string alias)
    {
        if (!_dialect.OrdersOutside) return (Translate(rows, parent), []);
        var (unordered, order) = QueryOrder.Split(rows);
        _levels.Add(new CompiledLevel(rows, unordered, order));
        var sql = Translate(unordered, parent);
        if (alias.Length == 0) return (sql, []); // a count or an existence test: no order needed
        var entity = _model.FindEntityType(unordered.ElementType) ?? throw new NotCompilableException($"no entity for {unordered.ElementType.Name}");
        return (sql, [.. order.Select(k => (OrderKey(k.Selector, entity, alias), k.Descending))]);
    }

    /// <summary>
    /// A sort key over the level's row under <paramref name="alias"/>: its column, or, for a key through a navigation (a
    /// person's cases by the case's opening), EF Core's translation of the key for the row with the same primary key.
    /// </summary>
    private string OrderKey(LambdaExpression key, IEntityType entity, string alias)
    {
        var body = key.Body;
        while (body is UnaryExpression { NodeType: ExpressionType.Convert } convert) body = convert.Operand;
        if (body is MemberExpression { Expression: ParameterExpression row } member && row == key.Parameters[0]
            && entity.FindProperty(member.Member.Name) is { } property)
        {
            return _dialect.Column(alias, property.GetColumnName());
        }
        var parameter = Expression.Parameter(entity.ClrType, "row");
        Expression? same = null;
        foreach (var keyProperty in entity.FindPrimaryKey()?.Properties ?? [])
        {
            if (keyProperty.ClrType != typeof(int) || keyProperty.PropertyInfo is null) throw new NotCompilableException($"the key of {entity.ClrType.Name}");
            var placeholder = new CorrelationPlaceholder(PlaceholderBase - _placeholders++);
            RegisterPlaceholder(placeholder, (alias, keyProperty.GetColumnName()));
            var equal = Expression.Equal(Expression.Property(parameter, keyProperty.PropertyInfo),
                Expression.Field(Expression.Constant(placeholder), nameof(CorrelationPlaceholder.Value)));
            same = same is null ? equal : Expression.AndAlso(same, equal);
        }
        if (same is null) throw new NotCompilableException($"the key of {entity.ClrType.Name}");
        var set = (IQueryable)SetMethod.MakeGenericMethod(entity.ClrType).Invoke(_hub.Db, null)!;
        var where = Expression.Call(typeof(Queryable), nameof(Queryable.Where), [entity.ClrType], set.Expression,
            Expression.Quote(Expression.Lambda(same, parameter)));
        var select = Expression.Call(typeof(Queryable), nameof(Queryable.Select), [entity.ClrType, key.ReturnType], where, Expression.Quote(key));
        return "(" + Translate(set.Provider.CreateQuery(select), null) + ")";
    }

    private static readonly System.Reflection.MethodInfo SetMethod = typeof(DbContext).GetMethod(nameof(DbContext.Set), Type.EmptyTypes)!;

    /// <summary>The levels whose order was taken out of the row query (tests check that nothing else was).</summary>
    internal IReadOnlyList<CompiledLevel> Levels => _levels;

    /// <summary>
    /// EF Core's SQL for the rows, with its parameters renamed apart from every other level's and the parent
    /// placeholder replaced by the parent row's column.
    /// </summary>
    private string Translate(IQueryable rows, (string Alias, string Column)? parent)
    {
        using var command = rows.CreateDbCommand();
        var renames = new Dictionary<string, string>(StringComparer.Ordinal);
        foreach (DbParameter parameter in command.Parameters)
        {
            var name = parameter.ParameterName.StartsWith('@') ? parameter.ParameterName : "@" + parameter.ParameterName;
            if (parameter.Value is int value && _placeholderColumns.TryGetValue(value, out var column))
            {
                // Each placeholder is in exactly one level's query, once, and is translated right after it is registered:
                // a second parameter with its value is a client's value, which must stay a value. Not for this path.
                if (!_placeholdersUsed.Add(value)) throw new NotCompilableException("a parameter value equal to a correlation placeholder");
                renames[name] = _dialect.Column(column.Alias, column.Column);
                continue;
            }
            var renamed = "@v" + _parameters.Count.ToString(CultureInfo.InvariantCulture);
            renames[name] = renamed;
            _parameters.Add((renamed, parameter));
        }
        return ParameterName().Replace(command.CommandText, m => renames.TryGetValue(m.Value, out var r) ? r : m.Value);
    }

    private string NextAlias() => "r" + (_aliases++).ToString(CultureInfo.InvariantCulture);

    /// <summary>A response key that carries a global id to encode: the SQL gives the number, the response the opaque id.</summary>
    public static string GlobalIdKey(string typeName, string responseKey) => "$id:" + typeName + ":" + responseKey;

    /// <summary>A key that carries the person a node processed; it is removed from the response.</summary>
    public static string ProcessingKey(int index) => "$p:" + index.ToString(CultureInfo.InvariantCulture);

    /// <summary>A key that says a list whose filter names persons was read (<see cref="ReadPlan.Named"/>); it is removed from the response.</summary>
    public static string NamedKey(int index) => "$n:" + index.ToString(CultureInfo.InvariantCulture);

    /// <summary>The member that marks where a list whose filter names these persons is read; null when it names no one.</summary>
    private (string Key, string Json)? NamedMark(NamedPersons named)
    {
        if (named.IsEmpty) return null;
        _named.Add(named);
        return (NamedKey(_named.Count - 1), _dialect.Literal(1));
    }

    [GeneratedRegex("@[A-Za-z_][A-Za-z0-9_]*")]
    private static partial Regex ParameterName();
}

/// <summary>A level of a compiled read: the row query it was given, and the rows and order it was sent as.</summary>
internal sealed record CompiledLevel(IQueryable Given, IQueryable Rows, IReadOnlyList<QueryOrder.Key> Order);

/// <summary>The categories of person data one node of the operation reads (in their declared order), and whose data that is.</summary>
/// <remarks>An array: the JSON pass goes through it for every row of the node, and a sorted set's enumerator allocated each time.</remarks>
internal sealed record NodeProcessing(ProcessedPerson Person, DataCategory[] Categories);

/// <summary>The operation uses something the compiled path does not answer; it runs on the reference path.</summary>
internal sealed class NotCompilableException(string what) : Exception($"Not compilable: {what}");

/// <summary>A field of a selection set, after fragments, @skip and @include are resolved.</summary>
internal sealed record SelectedField(string Key, string Name, FieldType Definition, Selection? Selection, NestedListArguments? Arguments = null);

/// <summary>A resolved selection set on one object type.</summary>
internal sealed record Selection(string TypeName, IGraphType GraphType, IReadOnlyList<SelectedField> Fields);

/// <summary>How one SQL dialect builds JSON.</summary>
internal interface ISqlJsonDialect
{
    /// <summary>True when a subquery's ORDER BY does not carry to the JSON made from it: the order goes to <see cref="Array"/>.</summary>
    bool OrdersOutside { get; }
    string Null { get; }
    string Select(IReadOnlyList<(string Key, string Json)> roots);
    string Object(IReadOnlyList<(string Key, string Json)> members);
    string Array(IReadOnlyList<(string Key, string Json)> element, string from, string alias, IReadOnlyList<(string Sql, bool Descending)> order);
    string First(IReadOnlyList<(string Key, string Json)> element, string from, string alias, IReadOnlyList<(string Sql, bool Descending)> order);
    string Count(string from);
    string Exists(string from);

    /// <summary><paramref name="pair"/> (a <see cref="Pair"/>) where the rows of <paramref name="from"/> exist, NULL otherwise.</summary>
    string When(string from, string pair);
    string Column(string alias, string column);
    string Text(string value);
    string Literal(object? value);
    string Boolean(bool value);
    string Boolean(string column);
    string DateTime(string column);
    string Guid(string column);
    string Case(string column, IReadOnlyList<(string Stored, string Name)> cases);
    string Pair(string first, string second);

    /// <summary>The statement's one value as UTF-8 JSON.</summary>
    byte[] Utf8(DbDataReader reader);
}

/// <summary>SQLite: json_object / json_group_array; nested JSON kept as JSON with json().</summary>
internal sealed class SqliteJsonDialect : ISqlJsonDialect
{
    public static SqliteJsonDialect Instance { get; } = new();

    // json_group_array takes the rows in the order of the subquery it reads.
    public bool OrdersOutside => false;

    public string Null => "NULL";

    public string Select(IReadOnlyList<(string Key, string Json)> roots) => "SELECT " + Object(roots);

    public string Object(IReadOnlyList<(string Key, string Json)> members)
    {
        var sql = new StringBuilder("json_object(");
        for (var i = 0; i < members.Count; i++)
        {
            if (i > 0) sql.Append(", ");
            sql.Append(Text(members[i].Key)).Append(", ").Append(members[i].Json);
        }
        return sql.Append(')').ToString();
    }

    // A subquery's value loses SQLite's JSON subtype, so json() marks it as JSON again for the enclosing object.
    public string Array(IReadOnlyList<(string Key, string Json)> element, string from, string alias, IReadOnlyList<(string Sql, bool Descending)> order)
        => $"json((SELECT json_group_array({Object(element)}) FROM ({from}) AS {alias}))";

    public string First(IReadOnlyList<(string Key, string Json)> element, string from, string alias, IReadOnlyList<(string Sql, bool Descending)> order)
        => $"json((SELECT {Object(element)} FROM ({from}) AS {alias} LIMIT 1))";

    public string Count(string from) => $"(SELECT count(*) FROM ({from}))";

    public string Exists(string from) => $"json(CASE WHEN EXISTS ({from}) THEN 'true' ELSE 'false' END)";

    // json() keeps the pair JSON for the enclosing object (NULL stays NULL).
    public string When(string from, string pair) => $"json(CASE WHEN EXISTS ({from}) THEN {pair} END)";

    public string Column(string alias, string column) => $"{alias}.\"{column.Replace("\"", "\"\"", StringComparison.Ordinal)}\"";

    public string Text(string value) => "'" + value.Replace("'", "''", StringComparison.Ordinal) + "'";

    public string Literal(object? value) => value switch
    {
        null => "NULL",
        string s => Text(s),
        int or long or short or byte => Convert.ToString(value, CultureInfo.InvariantCulture)!,
        _ => throw new NotCompilableException($"literal of {value.GetType().Name}"),
    };

    public string Boolean(bool value) => value ? "json('true')" : "json('false')";

    public string Boolean(string column) => $"json(CASE WHEN {column} IS NULL THEN NULL WHEN {column} THEN 'true' ELSE 'false' END)";

    // Stored as text with fractions; the DateTime scalar gives whole seconds in UTC with a Z.
    public string DateTime(string column) => $"strftime('%Y-%m-%dT%H:%M:%SZ', {column})";

    public string Guid(string column) => $"lower({column})";

    public string Case(string column, IReadOnlyList<(string Stored, string Name)> cases)
        => "CASE " + column + string.Concat(cases.Select(c => $" WHEN {c.Stored} THEN {c.Name}")) + " END";

    public string Pair(string first, string second) => $"json_array({first}, {second})";

    // Text as SQLite holds it: its UTF-8 bytes, without a detour through a .NET string.
    public byte[] Utf8(DbDataReader reader) => reader.GetFieldValue<byte[]>(0);
}
