using GraphQL.DataLoader;

namespace Veiligheid.GraphQL;

/// <summary>
/// Collects the keys that sibling resolvers ask for and fetches them in one query when the executor first needs a
/// result, so a nested list costs one statement per level, not one per parent. GraphQL.NET's execution strategies
/// defer every <see cref="IDataLoaderResult"/> until all fields of a level are queued; this is the loader behind it.
/// </summary>
public sealed class BatchLoader<TKey, TValue>(
    Func<IReadOnlyList<TKey>, CancellationToken, Task<IReadOnlyDictionary<TKey, TValue>>> fetch,
    TValue missing)
    where TKey : notnull
{
    private readonly Dictionary<TKey, TValue> _loaded = [];
    private readonly HashSet<TKey> _pending = [];

    public IDataLoaderResult<TValue> Load(TKey key)
    {
        if (!_loaded.ContainsKey(key)) _pending.Add(key);
        return new Result(this, key);
    }

    private async Task<TValue> GetAsync(TKey key, CancellationToken cancellationToken)
    {
        if (_pending.Count > 0)
        {
            var keys = _pending.ToList();
            _pending.Clear();
            var found = await fetch(keys, cancellationToken);
            foreach (var k in keys) _loaded[k] = found.TryGetValue(k, out var value) ? value : missing;
        }
        return _loaded.TryGetValue(key, out var result) ? result : missing;
    }

    private sealed class Result(BatchLoader<TKey, TValue> loader, TKey key) : IDataLoaderResult<TValue>
    {
        public Task<TValue> GetResultAsync(CancellationToken cancellationToken = default) => loader.GetAsync(key, cancellationToken);

        async Task<object?> IDataLoaderResult.GetResultAsync(CancellationToken cancellationToken) => await GetResultAsync(cancellationToken);
    }
}
