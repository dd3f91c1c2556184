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
}
