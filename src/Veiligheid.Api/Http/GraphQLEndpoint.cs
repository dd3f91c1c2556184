using System.Globalization;
using System.Text;
using System.Text.Json;
using System.Text.Unicode;
using GraphQL;
using GraphQLParser.AST;
using Microsoft.Extensions.Options;
using Microsoft.Net.Http.Headers;
using Veiligheid.Access;
using Veiligheid.GraphQL;

namespace Veiligheid.Http;

/// <summary>
/// GraphQL over HTTP, as the specification's current draft and the common clients expect it: POST with a JSON body,
/// GET for queries only, application/graphql-response+json when accepted and application/json for legacy clients.
/// Every refusal is a GraphQL response with <c>errors[].extensions.code</c> and no <c>data</c>.
/// </summary>
public static class GraphQLEndpoint
{
    public const string Path = "/graphql";
    public const string GraphQLResponseMediaType = "application/graphql-response+json";
    public const string JsonMediaType = "application/json";

    public static IEndpointRouteBuilder MapGraphQLEndpoint(this IEndpointRouteBuilder endpoints)
    {
        endpoints.MapMethods(Path, [HttpMethods.Get, HttpMethods.Post], HandleAsync);
        return endpoints;
    }

    private static async Task HandleAsync(HttpContext http, CallerResolver callers, GraphQLRequestExecutor executor,
        IGraphQLTextSerializer serializer, IOptions<GraphQLLimits> limitOptions)
    {
        var ct = http.RequestAborted;
        var limits = limitOptions.Value;
        if (NegotiateResponseType(http.Request) is not { } responseType)
        {
            await WriteErrorAsync(http, serializer, JsonMediaType, StatusCodes.Status406NotAcceptable, "NOT_ACCEPTABLE",
                $"The hub answers in {GraphQLResponseMediaType} or {JsonMediaType}; the Accept header allows neither.");
            return;
        }

        var resolution = await callers.ResolveAsync(http, ct);
        if (!resolution.Succeeded)
        {
            var refusal = resolution.Refusal;
            refusal.SetHeaders(http.Response);
            await WriteErrorAsync(http, serializer, responseType, refusal.StatusCode, refusal.Code, refusal.Message);
            return;
        }

        var parsed = HttpMethods.IsGet(http.Request.Method)
            ? GraphQLRequestReader.FromQueryString(http.Request, serializer, limits)
            : await GraphQLRequestReader.FromBodyAsync(http.Request, serializer, limits, ct);
        if (parsed.Error is { } error)
        {
            if (error.Status == StatusCodes.Status405MethodNotAllowed) http.Response.Headers.Allow = HttpMethods.Post;
            await WriteErrorAsync(http, serializer, responseType, error.Status, error.Code, error.Message);
            return;
        }

        var request = parsed.Request!;
        var result = request.Query is { Length: var length } && length > limits.MaxDocumentLength
            ? NotExecuted(LimitErrorCodes.DocumentTooLong,
                $"The query document is {length} characters long; at most {limits.MaxDocumentLength} are allowed. Send a smaller document, or register it as a trusted document.")
            : await executor.ExecuteAsync(request, resolution.Caller, http.RequestServices, ct);

        // A request that never executed (syntax, validation, a limit, variable coercion) is the client's error: 400 in the
        // graphql-response+json media type, while legacy application/json clients always get 200.
        var status = !result.Executed && responseType == GraphQLResponseMediaType
            ? StatusCodes.Status400BadRequest
            : StatusCodes.Status200OK;
        await WriteResultAsync(http, serializer, responseType, status, result);
    }

    /// <summary>The media type to answer in, or null when the client accepts neither.</summary>
    internal static string? NegotiateResponseType(HttpRequest request)
    {
        var header = request.Headers.Accept;
        if (header.Count == 0 || header.All(string.IsNullOrWhiteSpace)) return JsonMediaType;
        if (!MediaTypeHeaderValue.TryParseList(header, out var accept) || accept.Count == 0) return JsonMediaType;
        string? best = null;
        double bestQuality = 0;
        foreach (var value in accept)
        {
            var quality = value.Quality ?? 1;
            if (quality <= 0) continue;
            var mediaType = value.MediaType.Value ?? "";
            string? candidate =
                mediaType.Equals(GraphQLResponseMediaType, StringComparison.OrdinalIgnoreCase) ? GraphQLResponseMediaType
                : mediaType.Equals(JsonMediaType, StringComparison.OrdinalIgnoreCase) ? JsonMediaType
                : mediaType is "*/*" || mediaType.Equals("application/*", StringComparison.OrdinalIgnoreCase) ? JsonMediaType
                : null;
            if (candidate is null) continue;
            // Higher quality wins; at equal quality graphql-response+json, named explicitly, wins (as the specification asks).
            if (best is null || quality > bestQuality || (quality == bestQuality && candidate == GraphQLResponseMediaType))
            {
                best = candidate;
                bestQuality = quality;
            }
        }
        return best;
    }

    /// <summary>A result for a request refused before execution (no <c>data</c> entry).</summary>
    internal static ExecutionResult NotExecuted(string code, string message)
        => new() { Errors = [new ExecutionError(message) { Code = code }], Executed = false };

    /// <summary>A refusal as a GraphQL response: <c>{"errors":[{"message":…,"extensions":{"code":…}}]}</c>.</summary>
    internal static Task WriteErrorAsync(HttpContext http, IGraphQLTextSerializer serializer, string responseType, int status, string code, string message)
        => WriteResultAsync(http, serializer, responseType, status, NotExecuted(code, message));

    private static async Task WriteResultAsync(HttpContext http, IGraphQLTextSerializer serializer, string responseType, int status, ExecutionResult result)
    {
        http.Response.StatusCode = status;
        http.Response.ContentType = responseType + "; charset=utf-8";
        await serializer.WriteAsync(http.Response.Body, result, http.RequestAborted);
    }
}

/// <summary>
/// Reads a GraphQL request from a GET query string or a POST body, checking every member's JSON type and the size
/// limits before anything is parsed as GraphQL.
/// </summary>
internal static class GraphQLRequestReader
{
    internal sealed record RequestError(int Status, string Code, string Message);

    internal sealed record ReadResult(GraphQLRequest? Request, RequestError? Error);

    private static ReadResult Fail(int status, string code, string message) => new(null, new RequestError(status, code, message));

    private static ReadResult Invalid(string message) => Fail(StatusCodes.Status400BadRequest, "INVALID_REQUEST", message);

    public static ReadResult FromQueryString(HttpRequest http, IGraphQLTextSerializer serializer, GraphQLLimits limits)
    {
        if (http.QueryString.Value is { Length: var length } && length > limits.MaxRequestBytes)
        {
            return Fail(StatusCodes.Status413RequestEntityTooLarge, LimitErrorCodes.RequestTooLarge,
                $"The query string is {length} characters long; at most {limits.MaxRequestBytes} are allowed.");
        }
        var query = http.Query;
        foreach (var name in (string[])["query", "operationName", "variables", "extensions", "documentId"])
        {
            if (query[name].Count > 1) return Invalid($"The URL parameter '{name}' is given more than once.");
        }
        try
        {
            var extensions = ReadInputs(query["extensions"].ToString(), "extensions", serializer, limits, out var extensionsJson);
            var request = new GraphQLRequest(
                NullIfEmpty(query["query"].ToString()),
                NullIfEmpty(query["operationName"].ToString()),
                ReadInputs(query["variables"].ToString(), "variables", serializer, limits, out _),
                extensions)
            {
                DocumentId = NullIfEmpty(query["documentId"].ToString()) ?? PersistedQueryHash(extensionsJson),
            };
            if (request.Query is null && request.DocumentId is null)
                return Fail(StatusCodes.Status400BadRequest, "MISSING_QUERY", "A GET request needs a 'query' (or 'documentId') URL parameter.");
            if (request.Query is not null && request.Query.Length <= limits.MaxDocumentLength
                && IsMutationOrSubscription(request.Query, request.OperationName, limits))
            {
                return Fail(StatusCodes.Status405MethodNotAllowed, "METHOD_NOT_ALLOWED",
                    "Mutations and subscriptions must be sent with POST; GET never changes anything.");
            }
            return new(request, null);
        }
        catch (RequestFormatException e)
        {
            return Fail(e.Status, e.Code, e.Message);
        }
    }

    public static async Task<ReadResult> FromBodyAsync(HttpRequest request, IGraphQLTextSerializer serializer, GraphQLLimits limits, CancellationToken ct)
    {
        if (!MediaTypeHeaderValue.TryParse(request.ContentType, out var contentType))
            return Fail(StatusCodes.Status415UnsupportedMediaType, "UNSUPPORTED_MEDIA_TYPE", "POST needs Content-Type: application/json.");
        if (!contentType.MediaType.Equals(GraphQLEndpoint.JsonMediaType, StringComparison.OrdinalIgnoreCase))
            return Fail(StatusCodes.Status415UnsupportedMediaType, "UNSUPPORTED_MEDIA_TYPE", $"Content-Type '{contentType.MediaType}' is not read; send application/json.");
        var charset = contentType.Charset.HasValue ? contentType.Charset.Value!.Trim('"') : null;
        if (charset is not null && !charset.Equals("utf-8", StringComparison.OrdinalIgnoreCase) && !charset.Equals("utf8", StringComparison.OrdinalIgnoreCase))
            return Fail(StatusCodes.Status415UnsupportedMediaType, "UNSUPPORTED_MEDIA_TYPE", $"Request bodies are read as utf-8 only, not '{charset}'.");

        if (request.ContentLength > limits.MaxRequestBytes) return TooLarge(limits);
        ReadOnlyMemory<byte>? body;
        try
        {
            body = await ReadBodyAsync(request.Body, request.ContentLength, limits.MaxRequestBytes, ct);
        }
        catch (BadHttpRequestException e)
        {
            // The server could not read what the client sent: a body that ended before its Content-Length, or arrived too
            // slowly. The client's doing, so a 4xx (the server's own status for it) and not an internal error.
            return Unreadable(e.StatusCode);
        }
        if (body is null) return TooLarge(limits);
        if (!Utf8.IsValid(body.Value.Span))
            return Fail(StatusCodes.Status400BadRequest, "INVALID_JSON", "The request body is not valid utf-8.");

        JsonDocument document;
        try
        {
            document = JsonDocument.Parse(body.Value, new JsonDocumentOptions { MaxDepth = limits.MaxJsonDepth });
        }
        catch (JsonException)
        {
            return Fail(StatusCodes.Status400BadRequest, "INVALID_JSON",
                $"The request body is not valid JSON, or nests deeper than {limits.MaxJsonDepth} levels.");
        }
        using (document)
        {
            var root = document.RootElement;
            if (root.ValueKind == JsonValueKind.Array)
                return Fail(StatusCodes.Status400BadRequest, "BATCH_NOT_SUPPORTED", "Batched requests (a JSON array) are not supported; send one request per POST.");
            if (root.ValueKind != JsonValueKind.Object)
                return Invalid("The request body must be a JSON object with a 'query'.");
            if (RepeatedMember(root) is { } repeated)
                return Invalid($"The member '{repeated}' appears more than once; send each member once.");
            try
            {
                var query = ReadString(root, "query");
                var operationName = ReadString(root, "operationName");
                // A mutation may carry a partner's batch (reportIncidents); queries keep the tight variables limit. Telling
                // them apart parses the document, which costs a small query as much as its execution: only variables
                // larger than a query's limit need it.
                var maxVariablesBytes = query is { Length: > 0 } && query.Length <= limits.MaxDocumentLength
                    && VariablesBytes(root) > limits.MaxVariablesBytes && IsMutationOrSubscription(query, operationName, limits)
                    ? limits.MaxMutationVariablesBytes
                    : limits.MaxVariablesBytes;
                var variables = ReadObject(root, "variables", serializer, limits, out _, maxVariablesBytes);
                var extensions = ReadObject(root, "extensions", serializer, limits, out var extensionsJson, maxVariablesBytes);
                var graphQLRequest = new GraphQLRequest(query, operationName, variables, extensions)
                {
                    DocumentId = ReadString(root, "documentId") ?? PersistedQueryHash(extensionsJson),
                };
                if (string.IsNullOrEmpty(graphQLRequest.Query) && graphQLRequest.DocumentId is null)
                    return Fail(StatusCodes.Status400BadRequest, "MISSING_QUERY", "The request has no 'query' (or 'documentId').");
                return new(graphQLRequest with { Query = NullIfEmpty(graphQLRequest.Query) }, null);
            }
            catch (RequestFormatException e)
            {
                return Fail(e.Status, e.Code, e.Message);
            }
        }
    }

    /// <summary>Code of a request whose body could not be read to its end (truncated, too slow).</summary>
    public const string UnreadableRequestCode = "UNREADABLE_REQUEST";

    private static ReadResult Unreadable(int status)
        => Fail(status is >= 400 and < 500 ? status : StatusCodes.Status400BadRequest, UnreadableRequestCode,
            status == StatusCodes.Status408RequestTimeout
                ? "The request body arrived too slowly; send it at once."
                : "The request body could not be read to its end (shorter than its Content-Length, or cut off).");

    private static ReadResult TooLarge(GraphQLLimits limits)
        => Fail(StatusCodes.Status413RequestEntityTooLarge, LimitErrorCodes.RequestTooLarge,
            $"The request body is larger than {limits.MaxRequestBytes} bytes.");

    /// <summary>
    /// The whole body, or null when it is longer than <paramref name="limit"/> (also one sent without a Content-Length,
    /// e.g. chunked). A body that announces its length is read into one array of that length and a byte (the read that
    /// finds the body's end needs room); the array grows only for a body without a length, or longer than
    /// <see cref="FirstBufferBytes"/>. A 16 KiB chunk copied into a growing stream and out again had cost a small query
    /// 22 KB a request, a tenth of what the hub allocated under the load test (BENCHMARKS.md, fourteenth round).
    /// </summary>
    private static async Task<ReadOnlyMemory<byte>?> ReadBodyAsync(Stream body, long? contentLength, int limit, CancellationToken ct)
    {
        var first = contentLength is { } announced ? Math.Min(announced, FirstBufferBytes) : 4096;
        var buffer = new byte[Math.Min(first, limit) + 1];
        var length = 0;
        while (true)
        {
            if (length == buffer.Length) Array.Resize(ref buffer, (int)Math.Min(2L * length, limit + 1L));
            var read = await body.ReadAsync(buffer.AsMemory(length), ct);
            if (read == 0) return buffer.AsMemory(0, length);
            length += read;
            if (length > limit) return null;
        }
    }

    /// <summary>
    /// The most a body's first buffer takes on the strength of its Content-Length alone: a client that announces the whole
    /// limit and sends slowly (or nothing) holds this much, not the limit; past it the buffer grows with what arrives.
    /// </summary>
    private const int FirstBufferBytes = 64 * 1024;

    // The raw UTF-8 of the request body, measured in place: a mutation's megabyte of variables is not copied to do it.
    private static int VariablesBytes(JsonElement root)
        => root.TryGetProperty("variables", out var value) && value.ValueKind == JsonValueKind.Object ? System.Runtime.InteropServices.JsonMarshal.GetRawUtf8Value(value).Length : 0;

    /// <summary>The members a request may have: the GraphQL-over-HTTP request's, and the trusted documents' id.</summary>
    private static readonly string[] RequestMembers = ["query", "operationName", "variables", "extensions", "documentId"];

    /// <summary>
    /// A request member that appears twice, or null. JSON leaves duplicate names to the reader, and ours takes the last:
    /// a gateway or a log that reads the first would see another operation than the one the hub runs (a query checked,
    /// a mutation run), so such a body is refused rather than read either way.
    /// </summary>
    private static string? RepeatedMember(JsonElement root)
    {
        Span<int> seen = stackalloc int[RequestMembers.Length];
        foreach (var property in root.EnumerateObject())
        {
            for (var i = 0; i < RequestMembers.Length; i++)
                if (property.NameEquals(RequestMembers[i]) && ++seen[i] > 1) return RequestMembers[i];
        }
        return null;
    }

    private static string? ReadString(JsonElement root, string name)
    {
        if (!root.TryGetProperty(name, out var value) || value.ValueKind == JsonValueKind.Null) return null;
        if (value.ValueKind != JsonValueKind.String) throw new RequestFormatException($"'{name}' must be a string.");
        try
        {
            return value.GetString();
        }
        catch (InvalidOperationException)
        {
            // Valid JSON syntax whose escapes make no text: a lone surrogate such as "\ud800".
            throw InvalidText(name);
        }
    }

    /// <summary>A member that is valid JSON syntax but cannot be decoded to text, e.g. a \u escape of a lone UTF-16 surrogate.</summary>
    private static RequestFormatException InvalidText(string name)
        => new($"'{name}' holds a string that cannot be decoded to text (e.g. a \\u escape of an unpaired UTF-16 surrogate such as \\ud800).", code: "INVALID_JSON");

    private static Inputs? ReadObject(JsonElement root, string name, IGraphQLTextSerializer serializer, GraphQLLimits limits, out JsonElement? json, int maxVariablesBytes)
    {
        json = null;
        if (!root.TryGetProperty(name, out var value) || value.ValueKind == JsonValueKind.Null) return null;
        if (value.ValueKind != JsonValueKind.Object) throw new RequestFormatException($"'{name}' must be a JSON object.");
        var text = value.GetRawText();
        CheckSize(name, text, maxVariablesBytes);
        json = value.Clone();
        try
        {
            return serializer.Deserialize<Inputs>(text);
        }
        catch (JsonException)
        {
            // JsonDocument accepted the syntax; what fails here is an escape that makes no text (a lone surrogate).
            throw InvalidText(name);
        }
    }

    private static Inputs? ReadInputs(string text, string name, IGraphQLTextSerializer serializer, GraphQLLimits limits, out JsonElement? json)
    {
        json = null;
        if (string.IsNullOrEmpty(text)) return null;
        CheckSize(name, text, limits.MaxVariablesBytes);
        try
        {
            using var document = JsonDocument.Parse(text, new JsonDocumentOptions { MaxDepth = limits.MaxJsonDepth });
            if (document.RootElement.ValueKind == JsonValueKind.Null) return null;
            if (document.RootElement.ValueKind != JsonValueKind.Object) throw new RequestFormatException($"'{name}' must be a JSON object.");
            json = document.RootElement.Clone();
            return serializer.Deserialize<Inputs>(text);
        }
        catch (JsonException)
        {
            throw new RequestFormatException($"'{name}' is not valid JSON, or nests deeper than {limits.MaxJsonDepth} levels.");
        }
    }

    private static void CheckSize(string name, string json, int maxVariablesBytes)
    {
        if (name != "variables") return;
        var bytes = Encoding.UTF8.GetByteCount(json);
        if (bytes > maxVariablesBytes)
        {
            throw new RequestFormatException(
                $"'variables' is {bytes.ToString(CultureInfo.InvariantCulture)} bytes of JSON; at most {maxVariablesBytes.ToString(CultureInfo.InvariantCulture)} are allowed.",
                StatusCodes.Status413RequestEntityTooLarge, LimitErrorCodes.VariablesTooLarge);
        }
    }

    /// <summary>Apollo's <c>extensions.persistedQuery.sha256Hash</c>, as a documentId.</summary>
    private static string? PersistedQueryHash(JsonElement? extensions)
        => extensions is { } e
            && e.TryGetProperty("persistedQuery", out var persisted) && persisted.ValueKind == JsonValueKind.Object
            && persisted.TryGetProperty("sha256Hash", out var hash) && hash.ValueKind == JsonValueKind.String
            ? "sha256:" + hash.GetString()
            : null;

    private static string? NullIfEmpty(string? value) => string.IsNullOrEmpty(value) ? null : value;

    /// <summary>True when the operation the request selects is a mutation or subscription; parse errors are left to the executor.</summary>
    private static bool IsMutationOrSubscription(string query, string? operationName, GraphQLLimits limits)
    {
        GraphQLDocument document;
        try
        {
            document = GraphQLParser.Parser.Parse(query, new GraphQLParser.ParserOptions { MaxDepth = limits.MaxParserDepth });
        }
        catch (GraphQLParser.Exceptions.GraphQLParserException)
        {
            return false;
        }
        var operations = document.Definitions.OfType<GraphQLOperationDefinition>().ToList();
        var selected = string.IsNullOrEmpty(operationName)
            ? (operations.Count == 1 ? operations[0] : null)
            : operations.FirstOrDefault(o => o.Name?.StringValue == operationName);
        return selected is not null && selected.Operation != OperationType.Query;
    }

    private sealed class RequestFormatException(string message, int status = StatusCodes.Status400BadRequest, string code = "INVALID_REQUEST") : Exception(message)
    {
        public int Status { get; } = status;
        public string Code { get; } = code;
    }
}
