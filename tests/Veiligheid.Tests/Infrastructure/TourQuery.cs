using System.Text;
using GraphQL;
using GraphQL.Types;

namespace Veiligheid.Tests.Infrastructure;

/// <summary>
/// Generates, from a role's schema, one query that selects every field reachable from the root lists up to a depth:
/// a walk through everything the role can ask, so tests can run every resolver (and every SQL statement behind it).
/// </summary>
public static class TourQuery
{
    /// <summary>Host settings that let a walk through as request: it is far larger than any partner's request may be.</summary>
    public static IReadOnlyDictionary<string, string> HostLimits { get; } = new Dictionary<string, string>
    {
        ["GraphQL:Limits:MaxRequestBytes"] = "1000000",
        ["GraphQL:Limits:MaxDocumentLength"] = "1000000",
        ["GraphQL:Limits:MaxCost"] = "100000000",
        ["GraphQL:Limits:MaxDepth"] = "40",
        ["RateLimits:PerOrganisation"] = "100000",
    };

    /// <param name="nestedArguments">Optional arguments for fields below the root (null: none), e.g. a filter on every nested list.</param>
    public static string For(ISchema schema, int maxDepth, IReadOnlyDictionary<string, string> rootArguments, Func<FieldType, string?>? nestedArguments = null)
    {
        ArgumentNullException.ThrowIfNull(schema);
        var sb = new StringBuilder("query Tour {\n");
        foreach (var field in schema.Query.Fields.OrderBy(f => f.Name, StringComparer.Ordinal))
        {
            var required = field.Arguments?.Where(a => a.ResolvedType is NonNullGraphType).ToList() ?? [];
            string? arguments = null;
            if (required.Count > 0)
            {
                if (!rootArguments.TryGetValue(field.Name, out arguments)) continue;
            }
            else if (rootArguments.TryGetValue(field.Name, out var optional))
            {
                arguments = optional;
            }
            sb.Append("  ").Append(field.Name);
            if (arguments is not null) sb.Append('(').Append(arguments).Append(')');
            AppendSelection(sb, field.ResolvedType!, 1, maxDepth, "  ", nestedArguments);
            sb.Append('\n');
        }
        return sb.Append('}').ToString();
    }

    private static void AppendSelection(StringBuilder sb, IGraphType type, int depth, int maxDepth, string indent, Func<FieldType, string?>? nestedArguments)
    {
        var named = type.GetNamedType();
        if (named is not IComplexGraphType complex) return;
        // __typename keeps the selection valid when every field is beyond the depth.
        sb.Append(" {\n").Append(indent).Append("  __typename\n");
        foreach (var field in complex.Fields.OrderBy(f => f.Name, StringComparer.Ordinal))
        {
            if (field.Arguments?.Any(a => a.ResolvedType is NonNullGraphType) == true) continue;
            var fieldNamed = field.ResolvedType!.GetNamedType();
            var isLeaf = fieldNamed is ScalarGraphType or EnumerationGraphType;
            if (!isLeaf && depth >= maxDepth) continue;
            sb.Append(indent).Append("  ").Append(field.Name);
            if (nestedArguments?.Invoke(field) is { } arguments) sb.Append('(').Append(arguments).Append(')');
            if (!isLeaf) AppendSelection(sb, field.ResolvedType!, depth + (IsWrapper(fieldNamed) ? 0 : 1), maxDepth, indent + "  ", nestedArguments);
            sb.Append('\n');
        }
        sb.Append(indent).Append('}');
    }

    // Paging wrappers add nesting but no data: they do not count towards the depth.
    private static bool IsWrapper(IGraphType type) => type.Name.EndsWith("Connection", StringComparison.Ordinal)
        || type.Name.EndsWith("Edge", StringComparison.Ordinal) || type.Name == "PageInfo";
}
