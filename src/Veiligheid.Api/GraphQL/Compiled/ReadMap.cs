using System.Linq.Expressions;
using Veiligheid.Access;
using Veiligheid.Accountability;
using Veiligheid.Cases;
using Veiligheid.Incidents;
using Veiligheid.Interventions;
using Veiligheid.Locations;
using Veiligheid.Organisations;
using Veiligheid.Persons;

namespace Veiligheid.GraphQL.Compiled;

/// <summary>
/// What the compiled read path can answer: per GraphQL object type, the entity behind it and, per field, how the field
/// is read from a row. It names no access rule of its own: every relation reads through the same row queries as the
/// resolvers (<see cref="CaseRelations"/>, <see cref="PersonRelations"/>, <see cref="IncidentRelations"/> and the
/// caller's visible rows), so the SQL carries exactly the predicates of the reference path. A field or type that is not
/// here (life domains, cursors, coordinates, registers, figures, …) makes the whole operation run on
/// the reference path.
/// <para>Every row the map reads is one the caller may see: the roots read the visible rows; a reference reads through
/// the target's rule, or reads the target unfiltered only from link rows whose list holds visible targets alone (said at
/// each); organisations are a register every role reads. So a nested list's parent row is always visible, and the list
/// may read its cheaper form for such a parent (<see cref="NestedList{TDefinition, TEntity, TRow}.VisibleUnderVisibleParent"/>;
/// the differential tests compare the result with the resolvers, which keep the whole rule).</para>
/// </summary>
internal static class ReadMap
{
    public static IReadOnlyDictionary<string, MappedType> Types { get; } = BuildTypes();

    /// <summary>The query fields that can start a compiled read.</summary>
    public static IReadOnlyDictionary<string, MappedRoot> Roots { get; } = BuildRoots();

    private static Dictionary<string, MappedType> BuildTypes()
    {
        var types = new List<MappedType>
        {
            new MappedType("Organisation", typeof(Organisation), ProcessedPerson.None)
                .Id().Columns(("key", "Key"), ("name", "Name"), ("kind", "Kind")),

            new MappedType("Case", typeof(Case), ProcessedPerson.None)
                .Id().Version()
                .Columns(("kind", "Kind"), ("title", "Title"), ("status", "Status"), ("outcome", "Outcome"), ("confidentiality", "Confidentiality"),
                    ("legalGround", "LegalGround"), ("openedAt", "OpenedAt"), ("escalatedAt", "EscalatedAt"), ("closedAt", "ClosedAt"))
                .One("coordinatingOrganisation", "Organisation", "CoordinatingOrganisationId", Organisations)
                .Many("subjects", "CaseSubject", CaseRelations.SubjectList)
                .Many("interventions", "Intervention", CaseRelations.InterventionList)
                .Many("participants", "CaseParticipant", CaseRelations.ParticipantList)
                .Many("statusHistory", "CaseStatusChange", CaseRelations.StatusHistoryList)
                .Many("contributions", "CaseContribution", CaseRelations.ContributionList),

            new MappedType("CaseParticipant", typeof(CaseParticipant), ProcessedPerson.None)
                .Columns(("joinedAt", "JoinedAt"))
                .One("organisation", "Organisation", "OrganisationId", Organisations),

            new MappedType("CaseStatusChange", typeof(CaseStatusChange), ProcessedPerson.None)
                .Columns(("fromStatus", "FromStatus"), ("toStatus", "ToStatus"), ("changedAt", "ChangedAt"))
                .One("by", "Organisation", "ByOrganisationId", Organisations),

            new MappedType("CaseContribution", typeof(CaseContribution), ProcessedPerson.None)
                .Columns(("text", "Text"), ("createdAt", "CreatedAt"))
                .One("organisation", "Organisation", "OrganisationId", Organisations),

            new MappedType("CaseSubject", typeof(CaseSubject), ProcessedPerson.ByPersonId(DataCategory.Casus))
                .Columns(("role", "Role"))
                // The only rows of this type are a case's subjects (CaseRelations.SubjectList), which hold only persons
                // the caller may see (the person rule, or the case's visibility where that implies it, is in that list's
                // rows); testing it again for the person cost a second correlated rule per subject in the SQL and could
                // change nothing (ReadMapTests pins the one list).
                .One("person", "Person", "PersonId", hub => hub.Db.Persons),

            new MappedType("PersonCase", typeof(CaseSubject), ProcessedPerson.ByPersonId(DataCategory.Casus))
                .Columns(("role", "Role"))
                // The list already holds only visible cases (PersonRelations.CaseList); the resolver reads the included case.
                .One("case", "Case", "CaseId", hub => hub.Db.Cases),

            new MappedType("Person", typeof(Person), ProcessedPerson.ItsOwnId)
                .Id()
                .Columns(("bsn", "Bsn"), ("givenName", "GivenName"), ("surnamePrefix", "SurnamePrefix"), ("surname", "Surname"), ("dateOfBirth", "DateOfBirth"))
                .One("address", "Location", "AddressId", hub => hub.Locations())
                .Many("cases", "PersonCase", PersonRelations.CaseList)
                .Many("incidents", "PersonIncident", PersonRelations.IncidentList)
                .Many("interventions", "Intervention", PersonRelations.InterventionList)
                .Many("policeSignals", "PoliceSignal", PersonRelations.PoliceSignalList)
                .Many("tenancies", "Tenancy", PersonRelations.TenancyList),

            new MappedType("PoliceSignal", typeof(PoliceSignal), ProcessedPerson.ByPersonId(DataCategory.Politie))
                .Columns(("kind", "Kind"), ("registeredOn", "RegisteredOn"))
                .One("organisation", "Organisation", "OrganisationId", Organisations),

            new MappedType("Tenancy", typeof(Tenancy), ProcessedPerson.ByPersonId(DataCategory.Huisvesting))
                .Columns(("startDate", "StartDate"), ("endDate", "EndDate"))
                .One("dwelling", "Location", "LocationId", hub => hub.Locations())
                .One("landlord", "Organisation", "LandlordOrganisationId", Organisations),

            new MappedType("PersonIncident", typeof(IncidentPerson), ProcessedPerson.ByPersonId(DataCategory.Politie))
                .Columns(("role", "Role"))
                // As PersonCase: the list holds only visible incidents; the resolver reads the included incident.
                .One("incident", "Incident", "IncidentId", hub => hub.Db.Incidents),

            new MappedType("IncidentPerson", typeof(IncidentPerson), ProcessedPerson.ByPersonId(DataCategory.Politie))
                .Columns(("role", "Role"))
                // As CaseSubject: the only rows of this type are an incident's persons (IncidentRelations.PersonList),
                // which hold only persons the caller may see.
                .One("person", "Person", "PersonId", hub => hub.Db.Persons),

            new MappedType("Incident", typeof(Incident), ProcessedPerson.None)
                .Id().Version()
                .Columns(("category", "Category"), ("occurredAt", "OccurredAt"), ("reportedAt", "ReportedAt"), ("inPublicSpace", "InPublicSpace"))
                .One("location", "Location", "LocationId", hub => hub.Locations())
                .One("reportingOrganisation", "Organisation", "ReportingOrganisationId", Organisations)
                .Many("persons", "IncidentPerson", IncidentRelations.PersonList),

            new MappedType("Location", typeof(Location), ProcessedPerson.None)
                .Id()
                .Columns(("bagId", "BagId"), ("street", "Street"), ("houseNumber", "HouseNumber"), ("houseNumberAddition", "HouseNumberAddition"),
                    ("postcode", "Postcode"), ("city", "City"))
                .One("owner", "Organisation", "OwnerOrganisationId", Organisations),

            new MappedType("Intervention", typeof(Intervention), ProcessedPerson.OfIntervention)
                .Id().Version()
                .Columns(("kind", "Kind"), ("status", "Status"), ("confidentiality", "Confidentiality"), ("startDate", "StartDate"), ("endDate", "EndDate"),
                    ("result", "Result"))
                .One("executingOrganisation", "Organisation", "ExecutingOrganisationId", Organisations)
                .One("case", "Case", "CaseId", hub => hub.Cases())
                .One("person", "Person", "PersonId", hub => hub.Persons())
                .One("location", "Location", "LocationId", hub => hub.Locations()),
        };
        return types.ToDictionary(t => t.Name);
    }

    private static Dictionary<string, MappedRoot> BuildRoots() => new()
    {
        ["cases"] = MappedRoot.List<CaseFilter, Case>("Case", hub => hub.Cases()),
        ["incidents"] = MappedRoot.List<IncidentFilter, Incident>("Incident", hub => hub.Incidents()),
        ["persons"] = MappedRoot.List<PersonFilter, Person>("Person", hub => hub.Persons()),
        ["interventions"] = MappedRoot.List<InterventionFilter, Intervention>("Intervention", hub => hub.Interventions()),
        ["locations"] = MappedRoot.List<LocationFilter, Location>("Location", hub => hub.Locations()),
        ["case"] = MappedRoot.ById<Case>("Case", hub => hub.Cases()),
        ["person"] = MappedRoot.ById<Person>("Person", hub => hub.Persons()),
        ["incident"] = MappedRoot.ById<Incident>("Incident", hub => hub.Incidents()),
        ["intervention"] = MappedRoot.ById<Intervention>("Intervention", hub => hub.Interventions()),
        ["location"] = MappedRoot.ById<Location>("Location", hub => hub.Locations()),
    };

    // Organisations are a register every role may read: the resolvers load them unfiltered too.
    private static IQueryable<Organisation> Organisations(RequestContext hub) => hub.Db.Organisations;
}

/// <summary>A GraphQL object type the compiled path can answer, with the entity its rows come from.</summary>
internal sealed class MappedType(string name, Type entity, ProcessedPerson processed)
{
    private readonly Dictionary<string, MappedField> _fields = [];

    public string Name { get; } = name;
    public Type Entity { get; } = entity;

    /// <summary>Which person a row of this type is the data of, for the processing log.</summary>
    public ProcessedPerson Processed { get; } = processed;

    public IReadOnlyDictionary<string, MappedField> Fields => _fields;

    public MappedType Id()
    {
        _fields["id"] = new GlobalIdField();
        return this;
    }

    public MappedType Version()
    {
        _fields["version"] = new VersionField();
        return this;
    }

    public MappedType Columns(params (string Field, string Property)[] columns)
    {
        foreach (var (field, property) in columns) _fields[field] = new ColumnField(property);
        return this;
    }

    /// <summary>A reference: the row of <paramref name="rows"/> whose id is this row's <paramref name="foreignKey"/>; null when none.</summary>
    public MappedType One<TTarget>(string field, string target, string foreignKey, Func<RequestContext, IQueryable<TTarget>> rows) where TTarget : class
    {
        _fields[field] = new RelationField(target, Many: false, foreignKey, new Correlated<TTarget>(rows, Key<TTarget>("Id")));
        return this;
    }

    /// <summary>A list under this row (its id is the list's parent key), with the list's filter, order and first when given.</summary>
    public MappedType Many<TDefinition, TEntity, TTarget>(string field, string target, NestedList<TDefinition, TEntity, TTarget> list)
        where TDefinition : FilterDefinition<TEntity>, new() where TEntity : class where TTarget : class
    {
        _fields[field] = new RelationField(target, Many: true, "Id", new CorrelatedList<TDefinition, TEntity, TTarget>(list));
        return this;
    }

    private static Expression<Func<T, int?>> Key<T>(string property)
    {
        var row = Expression.Parameter(typeof(T), "row");
        return Expression.Lambda<Func<T, int?>>(Expression.Convert(Expression.Property(row, property), typeof(int?)), row);
    }
}

internal abstract record MappedField;

/// <summary>A column of the row, formatted as the field's scalar or enum type serializes it.</summary>
internal sealed record ColumnField(string Property) : MappedField;

/// <summary>The row's id as the type's opaque global id.</summary>
internal sealed record GlobalIdField : MappedField;

/// <summary>The row's concurrency version, as the text the resolvers give.</summary>
internal sealed record VersionField : MappedField;

/// <summary>A related row or list, read through a correlated row query.</summary>
internal sealed record RelationField(string Target, bool Many, string ParentProperty, ICorrelated Rows) : MappedField;

/// <summary>A row query narrowed to the rows that belong to one parent; the parent's key is a placeholder the SQL replaces.</summary>
internal interface ICorrelated
{
    /// <summary>The rows of one parent, with a nested list's arguments applied (a reference takes none).</summary>
    IQueryable For(RequestContext hub, CorrelationPlaceholder parent, NestedListArguments arguments);

    /// <summary>The persons a nested list's filter names, for its field of <paramref name="listCategory"/>; none for a reference.</summary>
    NamedPersons PersonsNamedBy(NestedListArguments arguments, DataCategory listCategory, CallerAccess access);

    /// <summary>What a nested list reveals about its parent person beyond its field's category; none for a reference.</summary>
    IReadOnlyList<RevealedCategory> RevealedAboutParent(NestedListArguments arguments, CallerAccess access);

    /// <summary>What a nested list's filter reads of the person of each row it answers; none for a reference.</summary>
    IReadOnlyList<DataCategory> ReadOfEachPerson(NestedListArguments arguments);
}

internal sealed class Correlated<T>(Func<RequestContext, IQueryable<T>> rows, Expression<Func<T, int?>> key) : ICorrelated where T : class
{
    public IQueryable For(RequestContext hub, CorrelationPlaceholder parent, NestedListArguments arguments)
    {
        if (arguments.Any) throw new NotCompilableException("arguments on a reference");
        var value = Expression.Convert(Expression.Field(Expression.Constant(parent), nameof(CorrelationPlaceholder.Value)), typeof(int?));
        var test = Expression.Lambda<Func<T, bool>>(Expression.Equal(key.Body, value), key.Parameters);
        return rows(hub).Where(test);
    }

    public NamedPersons PersonsNamedBy(NestedListArguments arguments, DataCategory listCategory, CallerAccess access) => NamedPersons.None;

    public IReadOnlyList<RevealedCategory> RevealedAboutParent(NestedListArguments arguments, CallerAccess access) => [];

    public IReadOnlyList<DataCategory> ReadOfEachPerson(NestedListArguments arguments) => [];
}

/// <summary>A nested list's rows of one parent, through the same definition as its resolver (<see cref="NestedList{TDefinition, TEntity, TRow}"/>).</summary>
internal sealed class CorrelatedList<TDefinition, TEntity, T>(NestedList<TDefinition, TEntity, T> list) : ICorrelated
    where TDefinition : FilterDefinition<TEntity>, new() where TEntity : class where T : class
{
    public IQueryable For(RequestContext hub, CorrelationPlaceholder parent, NestedListArguments arguments)
    {
        var value = Expression.Field(Expression.Constant(parent), nameof(CorrelationPlaceholder.Value));
        var test = Expression.Lambda<Func<T, bool>>(Expression.Equal(list.ParentKey.Body, value), list.ParentKey.Parameters);
        return list.ForParent(hub, arguments, test);
    }

    public NamedPersons PersonsNamedBy(NestedListArguments arguments, DataCategory listCategory, CallerAccess access) => list.PersonsNamedBy(arguments, listCategory, access);

    public IReadOnlyList<RevealedCategory> RevealedAboutParent(NestedListArguments arguments, CallerAccess access) => list.RevealedAboutParent(arguments, access);

    public IReadOnlyList<DataCategory> ReadOfEachPerson(NestedListArguments arguments) => list.ReadOfEachPerson(arguments);
}

/// <summary>
/// Holds a value no row has; EF Core sends it as a parameter, whose name in the generated SQL the compiler then
/// replaces with the parent row's column.
/// </summary>
internal sealed class CorrelationPlaceholder(int value)
{
#pragma warning disable CA1051 // EF Core turns a field read off a constant into a SQL parameter.
    public readonly int Value = value;
#pragma warning restore CA1051
}

/// <summary>Which person a row is the data of, for the processing log (as <see cref="Accountability.ProcessingObserver"/> decides).</summary>
internal enum ProcessedPersonKind
{
    None,
    ItsOwnId,
    ByPersonId,
    OfIntervention,

    /// <summary>
    /// Not the row's own person: the marker lists persons (<c>[{"p": id}, …]</c>), each noted with the node's categories:
    /// the subjects of a case that a list under it reveals something about (<see cref="RevealedCategory.OfCaseSubjects"/>).
    /// </summary>
    Listed,
}

internal sealed record ProcessedPerson(ProcessedPersonKind Kind, DataCategory? Category = null)
{
    public static ProcessedPerson None { get; } = new(ProcessedPersonKind.None);
    public static ProcessedPerson ItsOwnId { get; } = new(ProcessedPersonKind.ItsOwnId);
    public static ProcessedPerson OfIntervention { get; } = new(ProcessedPersonKind.OfIntervention);
    public static ProcessedPerson Listed { get; } = new(ProcessedPersonKind.Listed);

    public static ProcessedPerson ByPersonId(DataCategory category) => new(ProcessedPersonKind.ByPersonId, category);
}

/// <summary>A query field the compiled path can start from.</summary>
internal abstract class MappedRoot(string typeName)
{
    public string TypeName { get; } = typeName;

    public static MappedRoot List<TDefinition, T>(string typeName, Func<RequestContext, IQueryable<T>> visible)
        where TDefinition : FilterDefinition<T>, new() where T : class
        => new ListRoot<TDefinition, T>(typeName, visible);

    public static MappedRoot ById<T>(string typeName, Func<RequestContext, IQueryable<T>> visible) where T : class
        => new ByIdRoot<T>(typeName, visible);
}

/// <summary>A connection over the caller's visible rows, with the filter, order and page of the reference path.</summary>
internal sealed class ListRoot<TDefinition, T>(string typeName, Func<RequestContext, IQueryable<T>> visible) : MappedRoot(typeName), IListRoot
    where TDefinition : FilterDefinition<T>, new() where T : class
{
    public PageQueries Queries(RequestContext hub, IDictionary<string, object?>? filter, System.Collections.IEnumerable? orderBy, int first, string? after,
        DataCategory listCategory)
    {
        var definition = Filters.Of<TDefinition>();
        var filtered = visible(hub).Where(definition.Predicate(filter, new FilterScope(hub.Access)));
        var order = ListQuerying.Order(definition, orderBy);
        var query = filtered;
        if (after is not null) query = query.Where(Keyset.After(order, Keyset.Decode(order, after)));
        var sorted = Keyset.Sort(query, order);
        return new PageQueries(sorted.Take(first), sorted.Skip(first).Take(1), filtered, definition.PersonsNamedBy(filter, listCategory, hub.Access),
            definition.ReadOfEachPerson(filter));
    }
}

internal interface IListRoot
{
    /// <summary>
    /// The page's rows, the row after the page (for hasNextPage), all matching rows (for totalCount), the persons the
    /// filter names (noted when the statement was read), for the list field of <paramref name="listCategory"/>, and what
    /// the filter reads of the person of each row it answers.
    /// </summary>
    PageQueries Queries(RequestContext hub, IDictionary<string, object?>? filter, System.Collections.IEnumerable? orderBy, int first, string? after,
        DataCategory listCategory);
}

internal sealed record PageQueries(IQueryable Page, IQueryable Next, IQueryable All, NamedPersons Named, IReadOnlyList<DataCategory> ReadOfEachPerson);

/// <summary>A lookup by id among the caller's visible rows.</summary>
internal sealed class ByIdRoot<T>(string typeName, Func<RequestContext, IQueryable<T>> visible) : MappedRoot(typeName), IByIdRoot where T : class
{
    public IQueryable Query(RequestContext hub, int id)
    {
        var row = Expression.Parameter(typeof(T), "row");
        var holder = new CorrelationPlaceholder(id);
        var test = Expression.Lambda<Func<T, bool>>(
            Expression.Equal(Expression.Property(row, "Id"), Expression.Field(Expression.Constant(holder), nameof(CorrelationPlaceholder.Value))), row);
        return visible(hub).Where(test);
    }
}

internal interface IByIdRoot
{
    IQueryable Query(RequestContext hub, int id);
}
