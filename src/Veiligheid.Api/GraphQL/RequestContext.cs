using GraphQL;
using Veiligheid.Access;
using Veiligheid.Data;

namespace Veiligheid.GraphQL;

/// <summary>
/// What every resolver of one request shares: the caller's access, the database, and the request's batch loaders.
/// Passed as GraphQL.NET's user context; one per request, never shared.
/// </summary>
public sealed class RequestContext(CallerAccess access, VeiligheidDbContext db) : Dictionary<string, object?>
{
    private readonly Dictionary<string, object> _loaders = [];

    public CallerAccess Access { get; } = access;
    public VeiligheidDbContext Db { get; } = db;

    /// <summary>True when a query may be answered by the compiled read path (<see cref="Compiled.CompiledReadStrategy"/>).</summary>
    public bool CompiledReads { get; set; }

    /// <summary>The host's kept SQLite statements for the compiled path; null when not on SQLite or switched off.</summary>
    public Compiled.SqlitePreparedReads? PreparedReads { get; init; }

    /// <summary>
    /// Makes the key under which the compiled plan of this request's operation is cached (null: not cached). A function,
    /// so only a query that reaches the compiled path pays for it: a mutation's megabyte of variables is never keyed.
    /// </summary>
    public Func<Compiled.ReadPlanKey?>? PlanKey { get; set; }

    /// <summary>Which path answered the request's operation.</summary>
    public Compiled.ReadPath ReadPath { get; set; }

    /// <summary>True when the request was answered from a cached compiled plan, without parsing or validating it.</summary>
    public bool PlanCacheHit { get; set; }

    /// <summary>The name of the operation a cached plan answered (the processing log names the action by it).</summary>
    public string? OperationName { get; set; }

    /// <summary>
    /// The caller's organisation is in trusted-documents-only mode; read once per request (<see cref="TrustedDocumentMode"/>)
    /// before anything runs, so the plan cache and <see cref="TrustedDocumentHandler"/> judge the request on the same value.
    /// </summary>
    public bool? TrustedDocumentsOnly { get; set; }

    /// <summary>The persons this request processed, for the processing log.</summary>
    public Accountability.ProcessingCollector Processing { get; } = new();

    /// <summary>The request's loader with this name, created on first use.</summary>
    public BatchLoader<TKey, TValue> Loader<TKey, TValue>(
        string name,
        Func<IReadOnlyList<TKey>, CancellationToken, Task<IReadOnlyDictionary<TKey, TValue>>> fetch,
        TValue missing)
        where TKey : notnull
    {
        if (!_loaders.TryGetValue(name, out var loader))
        {
            loader = new BatchLoader<TKey, TValue>(fetch, missing);
            _loaders[name] = loader;
        }
        return (BatchLoader<TKey, TValue>)loader;
    }
}

/// <summary>Access to the request context from a resolver.</summary>
public static class RequestContextExtensions
{
    public static RequestContext Hub(this IResolveFieldContext context)
    {
        ArgumentNullException.ThrowIfNull(context);
        return (RequestContext)context.UserContext;
    }

    /// <summary>
    /// The Dutch calendar day it is on the hub's clock (<see cref="Data.Seeding.DutchTime.Today"/>): what a partner means by
    /// "today" in a date it writes. The hub's <see cref="TimeProvider"/> where one is registered (tests set the clock).
    /// </summary>
    public static DateOnly DutchToday(this IResolveFieldContext context)
    {
        ArgumentNullException.ThrowIfNull(context);
        return Data.Seeding.DutchTime.Today(
            (context.RequestServices?.GetService(typeof(TimeProvider)) as TimeProvider) ?? TimeProvider.System);
    }
}

/// <summary>The caller's visible rows of each entity: every read starts from one of these.</summary>
public static class VisibleRows
{
    public static IQueryable<Cases.Case> Cases(this RequestContext hub) => hub.Db.Cases.Where(hub.Access.Cases);
    public static IQueryable<Persons.Person> Persons(this RequestContext hub) => hub.Db.Persons.Where(hub.Access.Persons);
    public static IQueryable<Incidents.Incident> Incidents(this RequestContext hub) => hub.Db.Incidents.Where(hub.Access.Incidents);
    public static IQueryable<Interventions.Intervention> Interventions(this RequestContext hub) => hub.Db.Interventions.Where(hub.Access.Interventions);
    public static IQueryable<Locations.Location> Locations(this RequestContext hub) => hub.Db.Locations.Where(hub.Access.Locations);
    public static IQueryable<Persons.Tenancy> Tenancies(this RequestContext hub) => hub.Db.Tenancies.Where(hub.Access.Tenancies);
}
