using GraphQL;
using GraphQL.Instrumentation;
using GraphQL.Validation;
using GraphQLParser.AST;
using Veiligheid.Access;
using Veiligheid.GraphQL;

namespace Veiligheid.Accountability;

/// <summary>
/// Explains a request that failed validation only because of its purpose: a request runs on the schema of its role and
/// purpose, so a field the purpose does not cover (or, without a purpose, any person-level field) "does not exist". When
/// the same document is valid on the role's whole schema, the client gets PURPOSE_REQUIRED or PURPOSE_DOES_NOT_COVER
/// instead of a bare "cannot query field".
/// </summary>
public static class PurposeCheck
{
    public static async Task<ExecutionResult> ExplainAsync(ExecutionResult result, GraphQLRequest request, CallerAccess access,
        SchemaRegistry schemas, IServiceProvider services, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(result);
        ArgumentNullException.ThrowIfNull(request);
        ArgumentNullException.ThrowIfNull(access);
        ArgumentNullException.ThrowIfNull(schemas);
        // Only "this field/type/argument does not exist" can be the purpose's doing; limits and other mistakes keep their own error.
        if (result.Executed || result.Errors is not { Count: > 0 } errors || !errors.All(IsExistenceError)) return result;
        if (!await IsValidOnRoleSchemaAsync(request, access.Caller.Role, schemas, services, cancellationToken)) return result;

        var role = access.Caller.Role;
        var allowed = string.Join(", ", Purposes.For(role).Select(p => p.Key));
        var details = string.Join(" ", errors.Select(e => e.Message));
        ExecutionError error = access.Purpose is not { } purpose
            ? new ExecutionError(
                $"This request reads or writes person-level data, which the hub serves only for a stated purpose: name one in the {Purposes.Header} header (your role may invoke: {allowed}). Without a purpose only registers and aggregated figures are available. ({details})")
            { Code = CallerErrorCodes.PurposeRequired }
            : new ExecutionError(
                $"The purpose '{purpose.Key}' does not cover part of this request: under it your role may read {string.Join(", ", access.Categories.Order())}. Choose a purpose that covers what you ask for (your role may invoke: {allowed}). ({details})")
            { Code = CallerErrorCodes.PurposeDoesNotCover };
        return new ExecutionResult { Errors = new ExecutionErrors { error }, Executed = false };
    }

    /// <summary>
    /// An error a missing purpose or one that does not cover the request can cause: a field, type or argument that does not
    /// exist; a variable of such a type, which is then "not an input type" either; or no mutation root at all (a role's
    /// mutations exist only under a purpose).
    /// </summary>
    private static bool IsExistenceError(ExecutionError error)
        => error is global::GraphQL.Validation.Errors.FieldsOnCorrectTypeError
            or global::GraphQL.Validation.Errors.KnownTypeNamesError
            or global::GraphQL.Validation.Errors.KnownArgumentNamesError
            or global::GraphQL.Validation.Errors.VariablesAreInputTypesError
           || error.Code == DepthAndCostRule.OperationTypeNotSupportedCode;

    private static async Task<bool> IsValidOnRoleSchemaAsync(GraphQLRequest request, HubRole role, SchemaRegistry schemas, IServiceProvider services, CancellationToken cancellationToken)
    {
        if (string.IsNullOrEmpty(request.Query)) return false;
        GraphQLDocument document;
        try
        {
            document = GraphQLParser.Parser.Parse(request.Query);
        }
        catch (GraphQLParser.Exceptions.GraphQLSyntaxErrorException)
        {
            return false;
        }
        var operations = document.Definitions.OfType<GraphQLOperationDefinition>().ToList();
        var operation = request.OperationName is null
            ? (operations.Count == 1 ? operations[0] : null)
            : operations.FirstOrDefault(o => o.Name?.StringValue == request.OperationName);
        if (operation is null) return false;
        var schema = schemas.For(role);
        // The core rules do not check that the schema has the operation's root: a role without mutations stays refused as such.
        if (operation.Operation == OperationType.Mutation && schema.Mutation is null) return false;
        if (operation.Operation == OperationType.Subscription) return false;
        var validation = await new DocumentValidator().ValidateAsync(new ValidationOptions
        {
            Schema = schema,
            Document = document,
            Operation = operation,
            Rules = DocumentValidator.CoreRules,
            UserContext = new Dictionary<string, object?>(),
            Variables = request.Variables ?? Inputs.Empty,
            Extensions = request.Extensions ?? Inputs.Empty,
            RequestServices = services,
            Metrics = Metrics.None,
            CancellationToken = cancellationToken,
        });
        return validation.IsValid;
    }
}
