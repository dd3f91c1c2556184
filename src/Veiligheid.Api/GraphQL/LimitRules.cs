using System.Globalization;
using GraphQL.Validation;
using GraphQL.Validation.Complexity;
using GraphQL.Validation.Rules.Custom;
using GraphQLParser.AST;
using GraphQLParser.Visitors;

namespace Veiligheid.GraphQL;

/// <summary>The validation rules that enforce <see cref="GraphQLLimits"/> on a parsed document, before it executes.</summary>
public static class LimitRules
{
    /// <summary>GraphQL.NET's own rules followed by the hub's limits.</summary>
    public static IEnumerable<IValidationRule> With(GraphQLLimits limits)
        => DocumentValidator.CoreRules.Concat<IValidationRule>([new DocumentShapeRule(limits), new DepthAndCostRule(limits)]);
}

/// <summary>Counts aliases and directives over the whole document (fragments included), so a small text cannot fan out.</summary>
public sealed class DocumentShapeRule(GraphQLLimits limits) : ValidationRuleBase
{
    public override async ValueTask<INodeVisitor?> GetPreNodeVisitorAsync(ValidationContext context)
    {
        ArgumentNullException.ThrowIfNull(context);
        var counts = new ShapeCounter.Counts { CancellationToken = context.CancellationToken };
        await ShapeCounter.Instance.VisitAsync(context.Document, counts);
        if (counts.Aliases > limits.MaxAliases)
        {
            context.ReportError(Error(LimitErrorCodes.MaxAliasesExceeded,
                $"The document uses {counts.Aliases} aliases; at most {limits.MaxAliases} are allowed. Page with 'first'/'after' instead of repeating a field under aliases."));
        }
        if (counts.Directives > limits.MaxDirectives)
        {
            context.ReportError(Error(LimitErrorCodes.MaxDirectivesExceeded,
                $"The document uses {counts.Directives} directives; at most {limits.MaxDirectives} are allowed."));
        }
        return null;
    }

    internal static ValidationError Error(string code, string message) => new(message) { Code = code };

    private sealed class ShapeCounter : ASTVisitor<ShapeCounter.Counts>
    {
        public static readonly ShapeCounter Instance = new();

        public sealed class Counts : IASTVisitorContext
        {
            public CancellationToken CancellationToken { get; init; }
            public int Aliases { get; set; }
            public int Directives { get; set; }
        }

        protected override ValueTask VisitFieldAsync(GraphQLField field, Counts context)
        {
            if (field.Alias is not null) context.Aliases++;
            return base.VisitFieldAsync(field, context);
        }

        protected override ValueTask VisitDirectiveAsync(GraphQLDirective directive, Counts context)
        {
            context.Directives++;
            return base.VisitDirectiveAsync(directive, context);
        }
    }
}

/// <summary>
/// Depth and cost of the operation, by GraphQL.NET's complexity analysis: every field costs 1, multiplied by the page size
/// of each list above it (its <c>first</c> argument or that of the connection it belongs to, else the default page size).
/// </summary>
public sealed class DepthAndCostRule(GraphQLLimits limits) : ComplexityValidationRule(new ComplexityOptions
{
    MaxDepth = limits.MaxDepth,
    MaxComplexity = limits.MaxCost,
    DefaultScalarImpact = 1,
    DefaultObjectImpact = 1,
    DefaultListImpactMultiplier = limits.DefaultListSize,
})
{
    public const string OperationTypeNotSupportedCode = "OPERATION_TYPE_NOT_SUPPORTED";

    protected override ValueTask<(double TotalComplexity, int MaximumDepth)> CalculateComplexityAsync(ValidationContext context)
    {
        ArgumentNullException.ThrowIfNull(context);
        // GraphQL.NET's analysis throws on an operation type the schema lacks (e.g. a mutation here): refuse it instead.
        var operation = context.Operation.Operation;
        var root = operation switch
        {
            OperationType.Query => (object?)context.Schema.Query,
            OperationType.Mutation => context.Schema.Mutation,
            _ => context.Schema.Subscription,
        };
        if (root is null)
        {
            context.ReportError(DocumentShapeRule.Error(OperationTypeNotSupportedCode,
                $"The hub's schema for your role has no {operation.ToString().ToLowerInvariant()} operations."));
            return ValueTask.FromResult((0d, 0));
        }
        return base.CalculateComplexityAsync(context);
    }

    protected override ValueTask ValidateComplexityAsync(ValidationContext context, double totalComplexity, int maxDepth)
    {
        ArgumentNullException.ThrowIfNull(context);
        if (maxDepth > limits.MaxDepth)
        {
            context.ReportError(DocumentShapeRule.Error(LimitErrorCodes.MaxDepthExceeded,
                $"The operation nests {maxDepth} levels deep; at most {limits.MaxDepth} are allowed."));
        }
        if (totalComplexity > limits.MaxCost)
        {
            context.ReportError(DocumentShapeRule.Error(LimitErrorCodes.MaxCostExceeded,
                $"The operation's cost is {totalComplexity.ToString("0", CultureInfo.InvariantCulture)}; at most {limits.MaxCost} is allowed. "
                + "Every field costs 1 times the page sizes of the lists above it: ask for smaller pages ('first') or fewer fields."));
        }
        return ValueTask.CompletedTask;
    }
}
