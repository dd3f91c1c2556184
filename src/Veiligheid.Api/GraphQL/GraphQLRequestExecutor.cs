using GraphQL;
using GraphQL.Execution;
using Microsoft.Extensions.Options;
using Veiligheid.Access;
using Veiligheid.Data;

namespace Veiligheid.GraphQL;

/// <summary>A parsed GraphQL-over-HTTP request.</summary>
public sealed record GraphQLRequest(string? Query, string? OperationName, Inputs? Variables, Inputs? Extensions)
{
    /// <summary>A registered operation's id ("sha256:&lt;hex&gt;"), instead of a query; see <see cref="TrustedDocumentHandler"/>.</summary>
    public string? DocumentId { get; init; }
}

/// <summary>Runs one request against the caller's role schema with the caller's row rules.</summary>
public sealed class GraphQLRequestExecutor(
    IDocumentExecuter executer,
    SchemaRegistry schemas,
    VeiligheidDbContext db,
    IOptions<GraphQLLimits> limits,
    ILogger<GraphQLRequestExecutor> logger)
{
    public Task<ExecutionResult> ExecuteAsync(GraphQLRequest request, Caller caller, IServiceProvider requestServices, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(request);
        var access = AccessPolicy.For(caller);
        return executer.ExecuteAsync(options =>
        {
            options.Schema = schemas.For(caller.Role);
            options.Query = request.Query;
            options.DocumentId = request.DocumentId;
            options.OperationName = request.OperationName;
            options.Variables = request.Variables;
            options.Extensions = request.Extensions;
            options.UserContext = new RequestContext(access, db);
            options.RequestServices = requestServices;
            options.CancellationToken = cancellationToken;
            options.ThrowOnUnhandledException = false;
            options.ValidationRules = LimitRules.With(limits.Value);
            options.Timeout = limits.Value.ExecutionTimeout;
            options.TimeoutAction = TimeoutAction.ReturnTimeoutError;
            options.UnhandledExceptionDelegate = context =>
            {
                // The client gets a generic message and this trace id; the details stay in the log.
                var traceId = System.Diagnostics.Activity.Current?.TraceId.ToString() ?? Guid.NewGuid().ToString("N");
                logger.LogError(context.OriginalException, "Unhandled error in GraphQL execution, trace id {TraceId}", traceId);
                context.ErrorMessage = $"An internal error occurred. Quote trace id {traceId} when reporting it.";
                context.Exception.Data[HubErrorInfoProvider.TraceIdKey] = traceId;
                return Task.CompletedTask;
            };
        });
    }
}
