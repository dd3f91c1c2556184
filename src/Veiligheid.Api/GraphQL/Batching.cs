using System.Collections.Concurrent;
using System.Linq.Expressions;
using GraphQL;
using GraphQL.DataLoader;
using Microsoft.EntityFrameworkCore;

namespace Veiligheid.GraphQL;

/// <summary>The two shapes of batch loading every feature uses: one row by id, and the rows under each parent.</summary>
public static class Batching
{
    // A loader's key selector compiled once per process: compiling it per resolved field cost more than the SQL did.
    private static readonly ConcurrentDictionary<(string Name, Type Row), Delegate> CompiledKeys = new();

    private static Func<T, int> CompiledKey<T>(string loaderName, Expression<Func<T, int>> key)
        => (Func<T, int>)CompiledKeys.GetOrAdd((loaderName, typeof(T)), _ => key.Compile());

    /// <summary>Rows whose key is among <paramref name="ids"/>, as one IN (…) in the SQL.</summary>
    public static IQueryable<T> WhereKeyIn<T>(this IQueryable<T> source, Expression<Func<T, int>> key, IReadOnlyList<int> ids)
    {
        // Held in a closure-like field, not a constant: EF Core then sends the ids as a parameter and reuses the compiled
        // query, where a constant list would make new SQL (and a new query compilation) for every set of ids.
        var list = Operators.Parameter(ids.ToList(), typeof(List<int>));
        var contains = Expression.Call(typeof(Enumerable), nameof(Enumerable.Contains), [typeof(int)], list, key.Body);
        return source.Where(Expression.Lambda<Func<T, bool>>(contains, key.Parameters));
    }

    /// <summary>
    /// The row with this id from an already access-filtered query, batched with its siblings; null when the caller may not
    /// see it, exactly as when it does not exist.
    /// </summary>
    public static IDataLoaderResult<T?> LoadOne<T>(this IResolveFieldContext context, string name, int id,
        Func<RequestContext, IQueryable<T>> visible, Expression<Func<T, int>> key) where T : class
    {
        var hub = context.Hub();
        return hub.Loader<int, T?>(name, async (ids, ct) =>
        {
            var compiledKey = CompiledKey(name, key);
            var rows = await visible(hub).AsNoTracking().WhereKeyIn(key, ids).ToListAsync(ct);
            return rows.ToDictionary(compiledKey, r => (T?)r);
        }, null).Load(id);
    }

    /// <summary>The rows under this parent from an already access-filtered query, batched with the other parents.</summary>
    public static IDataLoaderResult<IReadOnlyList<T>> LoadMany<T>(this IResolveFieldContext context, string name, int parentId,
        Func<RequestContext, IQueryable<T>> visible, Expression<Func<T, int>> parentKey) where T : class
    {
        var hub = context.Hub();
        return hub.Loader<int, IReadOnlyList<T>>(name, async (ids, ct) =>
        {
            var compiledKey = CompiledKey(name, parentKey);
            var rows = await visible(hub).AsNoTracking().WhereKeyIn(parentKey, ids).ToListAsync(ct);
            return rows.GroupBy(compiledKey).ToDictionary(g => g.Key, g => (IReadOnlyList<T>)g.ToList());
        }, []).Load(parentId);
    }

    /// <summary>A nullable reference resolved through <see cref="LoadOne{T}"/>.</summary>
    public static IDataLoaderResult<T?>? LoadOptional<T>(this IResolveFieldContext context, string name, int? id,
        Func<RequestContext, IQueryable<T>> visible, Expression<Func<T, int>> key) where T : class
        => id is { } value ? context.LoadOne(name, value, visible, key) : null;
}

/// <summary>Maps a pending loader result without resolving it early.</summary>
public static class DataLoaderResultExtensions
{
    public static IDataLoaderResult<TOut> Then<TIn, TOut>(this IDataLoaderResult<TIn> result, Func<TIn, TOut> map)
        => new Mapped<TIn, TOut>(result, map);

    /// <summary>
    /// The result, once <paramref name="others"/> are resolved too (after it, so each loader has every key of the level
    /// queued when the executor first asks): for work that must be done before the field is answered, whatever it answers.
    /// </summary>
    public static IDataLoaderResult<T> After<T>(this IDataLoaderResult<T> result, IReadOnlyList<IDataLoaderResult> others)
        => others.Count == 0 ? result : new Awaiting<T>(result, others);

    private sealed class Awaiting<T>(IDataLoaderResult<T> inner, IReadOnlyList<IDataLoaderResult> others) : IDataLoaderResult<T>
    {
        public async Task<T> GetResultAsync(CancellationToken cancellationToken = default)
        {
            var result = await inner.GetResultAsync(cancellationToken);
            foreach (var other in others) await other.GetResultAsync(cancellationToken);
            return result;
        }

        async Task<object?> IDataLoaderResult.GetResultAsync(CancellationToken cancellationToken) => await GetResultAsync(cancellationToken);
    }

    private sealed class Mapped<TIn, TOut>(IDataLoaderResult<TIn> inner, Func<TIn, TOut> map) : IDataLoaderResult<TOut>
    {
        public async Task<TOut> GetResultAsync(CancellationToken cancellationToken = default) => map(await inner.GetResultAsync(cancellationToken));

        async Task<object?> IDataLoaderResult.GetResultAsync(CancellationToken cancellationToken) => await GetResultAsync(cancellationToken);
    }
}
