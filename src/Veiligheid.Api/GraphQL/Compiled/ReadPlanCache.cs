using System.Collections;
using System.Collections.Concurrent;
using System.Globalization;
using System.Numerics;
using System.Text;
using Veiligheid.Access;

namespace Veiligheid.GraphQL.Compiled;

/// <summary>
/// What makes two requests the same operation for validation, the limits and the compiled statement: the caller (role,
/// organisation, purpose, user, application), the exact document text, whether it came by a registered document's id
/// (and which), the operation name, and the variables and extensions with their .NET types
/// (<see cref="ReadPlanCache.Canonical"/>). The per-host settings (limits, schemas) are the cache's: one cache per host.
/// </summary>
public sealed record ReadPlanKey(Caller Caller, string Document, string? DocumentId, string? OperationName, string Variables, string Extensions);

/// <summary>
/// The compiled plans of one host (a singleton, so hosts with other limits or data never share one). A plan is stored
/// only by <see cref="CompiledReadStrategy"/>, after the request was parsed, validated against the caller's schema and
/// limits, and its variables coerced; a request with the same <see cref="ReadPlanKey"/> would pass all of that again in
/// the same way, so a hit goes straight to the statement (<see cref="GraphQLRequestExecutor"/>). Plans hold SQL text and
/// parameter values derived only from the key: no row data, nothing that depends on the time.
/// </summary>
public sealed class ReadPlanCache
{
    // A simple bound: plans are cheap to make again.
    private const int MaxPlans = 1000;

    /// <summary>The most characters of canonical variables and extensions a cached plan's key may hold (a query's variables are at most 16 KB).</summary>
    public const int MaxKeyedInputsLength = 32 * 1024;

    private readonly ConcurrentDictionary<ReadPlanKey, ReadPlan> _plans = new();

    // The document texts that have a compiled plan under some key: a request with another text (a mutation with a
    // megabyte of variables, say) is not keyed at all before it runs.
    private readonly ConcurrentDictionary<string, byte> _documents = new(StringComparer.Ordinal);

    private long _hits;

    /// <summary>How many requests were answered from a cached plan, without GraphQL (tests and benchmarks read it).</summary>
    public long Hits => Interlocked.Read(ref _hits);

    public int Count => _plans.Count;

    /// <summary>True when some plan was compiled for this document text; only then is a request keyed before it runs.</summary>
    public bool MayHold(string document) => _documents.ContainsKey(document);

    internal bool TryGet(ReadPlanKey key, out ReadPlan plan) => _plans.TryGetValue(key, out plan!);

    internal void Add(ReadPlanKey key, ReadPlan plan)
    {
        if (_plans.Count >= MaxPlans)
        {
            _plans.Clear();
            _documents.Clear();
        }
        _plans[key] = plan;
        if (plan.Compiled) _documents.TryAdd(key.Document, 0);
    }

    internal void CountHit() => Interlocked.Increment(ref _hits);

    /// <summary>
    /// The key of a request: null when it is not cacheable (a value of a type <see cref="Canonical"/> does not know).
    /// <paramref name="document"/> is the text the request runs: its query, or the registered document its id names.
    /// </summary>
    public static ReadPlanKey? KeyOf(Caller caller, string document, string? documentId, GraphQLRequest request)
    {
        ArgumentNullException.ThrowIfNull(request);
        if (Canonical(request.Variables) is not { } variables || Canonical(request.Extensions) is not { } extensions) return null;
        // A key is kept with its plan: a request whose variables and extensions together are longer than this is not cached,
        // or 1,000 plans keyed by a megabyte of extensions each (the request size allows it) would hold gigabytes.
        if (variables.Length + extensions.Length > MaxKeyedInputsLength) return null;
        return new ReadPlanKey(caller, document, documentId, request.OperationName, variables, extensions);
    }

    /// <summary>
    /// The values of a request's variables (or extensions) as text that keeps their .NET types: 1 (int), 1.0 (double) and
    /// "1" (string) are three different keys, since coercion may accept one and refuse another. Null for a value of a
    /// type not listed here: such a request is not cached.
    /// </summary>
    public static string? Canonical(IReadOnlyDictionary<string, object?>? inputs)
    {
        if (inputs is null || inputs.Count == 0) return "";
        var text = new StringBuilder();
        return Append(text, inputs, 0) ? text.ToString() : null;
    }

    private static bool Append(StringBuilder text, object? value, int depth)
    {
        if (depth > 64) return false;
        switch (value)
        {
            case null: text.Append('n'); return true;
            case string s: Text(text, 's', s); return true;
            case bool b: text.Append(b ? 't' : 'f'); return true;
            case int i: Number(text, 'i', i.ToString(CultureInfo.InvariantCulture)); return true;
            case long l: Number(text, 'l', l.ToString(CultureInfo.InvariantCulture)); return true;
            case BigInteger n: Number(text, 'b', n.ToString(CultureInfo.InvariantCulture)); return true;
            case double d: Number(text, 'd', d.ToString("R", CultureInfo.InvariantCulture)); return true;
            case decimal m: Number(text, 'm', m.ToString(CultureInfo.InvariantCulture)); return true;
            case IReadOnlyDictionary<string, object?> members: return Members(text, members, depth);
            case IDictionary<string, object?> members: return Members(text, members, depth);
            case IList items:
                text.Append('[');
                foreach (var item in items)
                {
                    if (!Append(text, item, depth + 1)) return false;
                }
                text.Append(']');
                return true;
            default:
                return false;
        }
    }

    private static bool Members(StringBuilder text, IEnumerable<KeyValuePair<string, object?>> members, int depth)
    {
        text.Append('{');
        foreach (var (name, member) in members)
        {
            Text(text, 'k', name);
            if (!Append(text, member, depth + 1)) return false;
        }
        text.Append('}');
        return true;
    }

    // Length-prefixed, so no text can pass for the structure around it.
    private static void Text(StringBuilder text, char tag, string value)
        => text.Append(tag).Append(value.Length.ToString(CultureInfo.InvariantCulture)).Append(':').Append(value);

    private static void Number(StringBuilder text, char tag, string value) => text.Append(tag).Append(value).Append(';');
}
