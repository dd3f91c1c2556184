using GraphQL;
using GraphQL.Execution;
using Microsoft.EntityFrameworkCore;
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
    Compiled.ReadPlanCache plans,
    Compiled.SqlitePreparedReads preparedReads,
    TrustedDocumentStore trustedDocuments,
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

    /// <summary>The request's context as served: this executor's database, the compiled path where configured.</summary>
    internal RequestContext ContextFor(GraphQLRequest request, CallerAccess access)
    {
        var options = compiledReads.Value;
        return new(access, db)
        {
            CompiledReads = options.EnabledFor(db),
            PreparedReads = options.SqlitePrepared && db.OnSqlite ? preparedReads : null,
        };
    }

    /// <summary>
    /// Runs the request without writing the processing log (benchmarks compare against it). A request that the same
    /// caller sent before in exactly this form (<see cref="Compiled.ReadPlanKey"/>), and that was then answered by the
    /// compiled path, is answered from its cached plan without parsing, validating or building an execution context;
    /// the trusted-document mode is read and applied first, as for every request.
    /// </summary>
    internal async Task<ExecutionResult> RunAsync(GraphQLRequest request, CallerAccess access, RequestContext context, IServiceProvider requestServices, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(request);
        ArgumentNullException.ThrowIfNull(access);
        ArgumentNullException.ThrowIfNull(context);
        // One connection for the whole request (mode, statement, processing log), opened once: every open of a pooled
        // SQLite connection also sets its durability pragma. The scope's DbContext closes it. With the compiled path's
        // kept SQLite statements (context.PreparedReads) the mode and a cached plan's statement run on its read
        // connections instead, so the request's own connection is opened only when something else needs it.
        if (context.PreparedReads is null) await context.Db.Database.OpenConnectionAsync(cancellationToken);
        context.TrustedDocumentsOnly ??= await TrustedDocumentMode.ReadAsync(context.Db, access.Caller.OrganisationId, cancellationToken, context.PreparedReads);
        if (context.CompiledReads
            && TrustedDocumentHandler.AdmittedText(trustedDocuments, request, access.Caller.OrganisationKey, context.TrustedDocumentsOnly.Value) is var (document, documentId))
        {
            // Keyed before it runs only when some plan was compiled for this text; otherwise only once the strategy
            // knows it is a query (a mutation's megabyte of variables is never keyed).
            Compiled.ReadPlanKey? key = null;
            if (plans.MayHold(document))
            {
                key = Compiled.ReadPlanCache.KeyOf(access.Caller, document, documentId, request);
                if (key is not null && plans.TryGet(key, out var plan) && plan.Compiled
                    && await FromPlanAsync(plan, context, cancellationToken) is { } served)
                {
                    plans.CountHit();
                    return served;
                }
            }
            context.PlanKey ??= () => key ?? Compiled.ReadPlanCache.KeyOf(access.Caller, document, documentId, request);
        }
        if (context.PreparedReads is not null) await context.Db.Database.OpenConnectionAsync(cancellationToken);
        return await executer.ExecuteAsync(options =>
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
    }

    /// <summary>
    /// The answer of a cached plan, under the same execution timeout as the pipeline; null when its statement failed,
    /// and the pipeline then answers on the reference path, as a request whose compiled statement fails always does.
    /// </summary>
    private async Task<ExecutionResult?> FromPlanAsync(Compiled.ReadPlan plan, RequestContext context, CancellationToken cancellationToken)
    {
        using var timeout = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        timeout.CancelAfter(limits.Value.ExecutionTimeout);
        try
        {
            var result = await Compiled.CompiledReadStrategy.ServeAsync(plan, context, timeout.Token);
            context.PlanCacheHit = true;
            context.OperationName = plan.OperationName;
            return result;
        }
        catch (OperationCanceledException) when (timeout.IsCancellationRequested && !cancellationToken.IsCancellationRequested)
        {
            // As GraphQL.NET answers a request past its timeout: no data, one timeout error.
            var timedOut = new ExecutionResult { Executed = false };
            timedOut.AddError(new TimeoutError());
            return timedOut;
        }
        catch (Exception e) when (e is not OperationCanceledException)
        {
            logger.LogWarning(e, "The compiled read failed; the reference path answers instead.");
            context.CompiledReads = false;
            return null;
        }
    }

    /// <summary>A request whose processing cannot be logged does not return the data.</summary>
    private async Task<ExecutionResult> WriteProcessingLogAsync(ExecutionResult result, GraphQLRequest request, CallerAccess access, RequestContext context, CancellationToken cancellationToken)
    {
        var actionName = result.Operation?.Name?.StringValue ?? context.OperationName ?? request.OperationName ?? "(anonymous)";
        var mutation = result.Operation?.Operation == GraphQLParser.AST.OperationType.Mutation;
        try
        {
            // Without kept statements, opened once for the log's statements; a no-op when open. With them (SQLite) the
            // log needs none of the request's own: its look-up runs on a kept connection, its write on the log's writer.
            if (!context.Processing.IsEmpty && context.PreparedReads is null) await db.Database.OpenConnectionAsync(cancellationToken);
            try
            {
                await processingLog.AppendAsync(db, access, actionName, context.Processing, cancellationToken, context.PreparedReads);
                return result;
            }
            catch (TooManyPersonsMatchedException e)
            {
                // Refused before anything was written to the log: the answer goes nowhere. A mutation's writes committed as it
                // ran, so the persons they are about are logged all the same, without the refused conditions' matches (the
                // response that asked for them is withheld); otherwise a broad filter in its response wrote unlogged.
                if (mutation)
                {
                    context.Processing.ForgetMatching();
                    await processingLog.AppendAsync(db, access, actionName, context.Processing, cancellationToken, context.PreparedReads);
                }
                return new ExecutionResult
                {
                    // A query's refusal is the request's (400 under application/graphql-response+json); a mutation's writes stand.
                    Executed = mutation,
                    Errors = new ExecutionErrors
                    {
                        new ExecutionError(mutation ? e.Message + " The writes this request made were saved: read them back." : e.Message)
                        { Code = ProcessingLogErrorCodes.TooManyPersonsMatched },
                    },
                };
            }
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
                    new ExecutionError(mutation
                        // A mutation's writes commit as it runs, before the log is written after it: say that they stand.
                        ? $"The processing log could not be written, so the response is withheld. The writes this request made were saved: read them back, or send it again (a write with an externalId answers UNCHANGED). Quote trace id {traceId} when reporting it."
                        : $"The processing log could not be written, so the data is withheld. Quote trace id {traceId} when reporting it.")
                    { Code = ProcessingLogErrorCodes.Unavailable },
                },
            };
        }
    }
}
