using GraphQL;
using GraphQL.Execution;

namespace Veiligheid.GraphQL;

/// <summary>
/// What an error tells the client: its message and <c>extensions.code</c>, never exception types, data or stack traces.
/// An unhandled error keeps only a generic message, the code INTERNAL_ERROR and <c>extensions.traceId</c>, the key to
/// the log line that has the details.
/// </summary>
public sealed class HubErrorInfoProvider() : ErrorInfoProvider(new ErrorInfoProviderOptions
{
    ExposeCode = true,
    // The list of codes is derived from the inner exceptions' type names: internals.
    ExposeCodes = false,
    ExposeData = false,
    ExposeExceptionDetails = false,
    ExposeExtensions = true,
})
{
    /// <summary>The key under which the unhandled-exception handler leaves the trace id in the exception's Data.</summary>
    public const string TraceIdKey = "veiligheid.traceId";

    public const string InternalErrorCode = "INTERNAL_ERROR";

    public override ErrorInfo GetInfo(ExecutionError executionError)
    {
        ArgumentNullException.ThrowIfNull(executionError);
        var info = base.GetInfo(executionError);
        if (executionError is TimeoutError)
        {
            info.Message = "The request ran longer than the hub allows (GraphQL:Limits:ExecutionTimeout) and was stopped; ask for less (smaller pages, fewer fields) and try again.";
        }
        if (executionError is UnhandledError)
        {
            info.Extensions ??= new Dictionary<string, object?>();
            info.Extensions["code"] = InternalErrorCode;
        }
        if (executionError.Data[TraceIdKey] is string traceId)
        {
            info.Extensions ??= new Dictionary<string, object?>();
            info.Extensions["traceId"] = traceId;
        }
        return info;
    }
}
