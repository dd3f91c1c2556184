using GraphQL;
using GraphQL.Execution;
using Microsoft.Extensions.Options;
using Veiligheid.Access;
using Veiligheid.Accountability;
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
    IOptions<Compiled.CompiledReadOptions> compiledReads,
    ProcessingLog processingLog,
    ILogger<GraphQLRequestExecutor> logger)
{
    /// <summary>Runs the request on the schema of the caller's role and purpose; then writes the processing log before the result is returned.</summary>
    public async Task<ExecutionResult> ExecuteAsync(GraphQLRequest request, Caller caller, IServiceProvider requestServices, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(request);
        var access = AccessPolicy.For(caller);
        var context = ContextFor(request, access);
        var result = await RunAsync(request, access, context, requestServices, cancellationToken);
        if (!result.Executed) return await PurposeCheck.ExplainAsync(result, request, access, schemas, requestServices, cancellationToken);
        return await WriteProcessingLogAsync(result, request, access, context, cancellationToken);
    }

    /// <summary>The request as served, but without writing the processing log (the log's benchmarks compare against it).</summary>
    internal Task<ExecutionResult> RunWithoutLogAsync(GraphQLRequest request, Caller caller, IServiceProvider requestServices, CancellationToken cancellationToken)
    {
        var access = AccessPolicy.For(caller);
        return RunAsync(request, access, ContextFor(request, access), requestServices, cancellationToken);
    }

    /// <summary>The request's context as served: this executor's database, the compiled path where configured, the plan cache key.</summary>
    internal RequestContext ContextFor(GraphQLRequest request, CallerAccess access)
        => new(access, db) { CompiledReads = compiledReads.Value.EnabledFor(db), PlanKey = () => PlanKeyOf(request, access.Caller) };

    /// <summary>The compiled-plan cache key of a request; null for registered documents sent by id (their text is looked up later).</summary>
    private static Compiled.ReadPlanKey? PlanKeyOf(GraphQLRequest request, Caller caller)
    {
        if (request.Query is not { } query) return null;
        string variables;
        try
        {
            variables = request.Variables is { Count: > 0 } values ? System.Text.Json.JsonSerializer.Serialize(values) : "";
        }
        catch (Exception e) when (e is ArgumentException or NotSupportedException or System.Text.Json.JsonException)
        {
            return null; // values no JSON can hold (1e400): not cached; validation refuses them anyway
        }
        return new Compiled.ReadPlanKey(caller, query, request.OperationName, variables);
    }

    /// <summary>Runs the request without writing the processing log (benchmarks compare against it).</summary>
    internal Task<ExecutionResult> RunAsync(GraphQLRequest request, CallerAccess access, RequestContext context, IServiceProvider requestServices, CancellationToken cancellationToken)
        => executer.ExecuteAsync(options =>
        {
            options.Schema = schemas.For(access.Caller.Role, access.Purpose);
            options.Query = request.Query;
            options.DocumentId = request.DocumentId;
            options.OperationName = request.OperationName;
            options.Variables = request.Variables;
            options.Extensions = request.Extensions;
            options.UserContext = context;
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

    /// <summary>A request whose processing cannot be logged does not return the data.</summary>
    private async Task<ExecutionResult> WriteProcessingLogAsync(ExecutionResult result, GraphQLRequest request, CallerAccess access, RequestContext context, CancellationToken cancellationToken)
    {
        var actionName = result.Operation?.Name?.StringValue ?? request.OperationName ?? "(anonymous)";
        try
        {
            await processingLog.AppendAsync(db, access, actionName, context.Processing, cancellationToken);
            return result;
        }
        catch (Exception e) when (e is Microsoft.EntityFrameworkCore.DbUpdateException or System.Data.Common.DbException or InvalidOperationException)
        {
            var traceId = System.Diagnostics.Activity.Current?.TraceId.ToString() ?? Guid.NewGuid().ToString("N");
            logger.LogError(e, "The processing log could not be written; the response is withheld. Trace id {TraceId}", traceId);
            return new ExecutionResult
            {
                Executed = true,
                Errors = new ExecutionErrors
                {
                    new ExecutionError($"The processing log could not be written, so the data is withheld. Quote trace id {traceId} when reporting it.")
                    { Code = ProcessingLogErrorCodes.Unavailable },
                },
            };
        }
    }
}
