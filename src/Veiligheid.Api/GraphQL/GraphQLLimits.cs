using System.ComponentModel.DataAnnotations;

namespace Veiligheid.GraphQL;

/// <summary>
/// What one GraphQL request may ask of the hub (configuration section <c>GraphQL:Limits</c>). Every limit except the
/// execution timeout is checked before anything executes; the README's Limits section lists them with their defaults.
/// </summary>
public sealed class GraphQLLimits
{
    public const string Section = "GraphQL:Limits";

    /// <summary>Largest request body in bytes, GET query string included; more is answered with 413.</summary>
    /// <remarks>1 MiB: room for a bulk mutation of the documented maximum batch; queries are held to <see cref="MaxVariablesBytes"/>
    /// and <see cref="MaxDocumentLength"/> within it.</remarks>
    [Range(1024, int.MaxValue)]
    public int MaxRequestBytes { get; set; } = 1024 * 1024;

    /// <summary>Longest query document in characters.</summary>
    [Range(16, int.MaxValue)]
    public int MaxDocumentLength { get; set; } = 16 * 1024;

    /// <summary>Deepest nesting the parser follows (AST nodes within one another): stops a stack-exhausting document early.</summary>
    [Range(8, 1024)]
    public int MaxParserDepth { get; set; } = 64;

    /// <summary>Longest chain of nested fields in the operation (the leaf field included), fragments followed.</summary>
    [Range(1, 1000)]
    public int MaxDepth { get; set; } = 12;

    /// <summary>
    /// Highest cost of the operation: every field costs 1, multiplied by the page size of each list or connection above it
    /// (its <c>first</c> argument, or <see cref="DefaultListSize"/> when it has none).
    /// </summary>
    [Range(1, int.MaxValue)]
    public int MaxCost { get; set; } = 25_000;

    /// <summary>The multiplier for a list without a <c>first</c> argument: the hub's default page size.</summary>
    [Range(1, 10_000)]
    public int DefaultListSize { get; set; } = Paging.DefaultPageSize;

    /// <summary>Most aliased fields in the document.</summary>
    [Range(0, 10_000)]
    public int MaxAliases { get; set; } = 30;

    /// <summary>Most directives in the document.</summary>
    [Range(0, 10_000)]
    public int MaxDirectives { get; set; } = 20;

    /// <summary>Largest <c>variables</c> object, in bytes of its JSON text; more is answered with 413.</summary>
    [Range(2, int.MaxValue)]
    public int MaxVariablesBytes { get; set; } = 16 * 1024;

    /// <summary>Largest <c>variables</c> object of a mutation (a partner's batch of incidents), in bytes of its JSON text.</summary>
    [Range(2, int.MaxValue)]
    public int MaxMutationVariablesBytes { get; set; } = 1024 * 1024;

    /// <summary>Deepest nesting of the request's JSON (body, variables, extensions).</summary>
    [Range(4, 256)]
    public int MaxJsonDepth { get; set; } = 16;

    /// <summary>Wall-clock time one request may execute; then it is stopped and answered with a TIMEOUT error.</summary>
    public TimeSpan ExecutionTimeout { get; set; } = TimeSpan.FromSeconds(10);
}

/// <summary>The <c>extensions.code</c> of every limit; partners may program against them.</summary>
public static class LimitErrorCodes
{
    public const string RequestTooLarge = "REQUEST_TOO_LARGE";
    public const string DocumentTooLong = "DOCUMENT_TOO_LONG";
    public const string DocumentTooDeep = "DOCUMENT_TOO_DEEP";
    public const string MaxDepthExceeded = "MAX_DEPTH_EXCEEDED";
    public const string MaxCostExceeded = "MAX_COST_EXCEEDED";
    public const string MaxAliasesExceeded = "MAX_ALIASES_EXCEEDED";
    public const string MaxDirectivesExceeded = "MAX_DIRECTIVES_EXCEEDED";
    public const string VariablesTooLarge = "VARIABLES_TOO_LARGE";
    public const string Timeout = "TIMEOUT";
}
