using System.Text;
using System.Text.Json;
using GraphQL;
using GraphQLParser.AST;
using Microsoft.Net.Http.Headers;
using Veiligheid.Access;
using Veiligheid.GraphQL;

namespace Veiligheid.Http;

/// <summary>
/// GraphQL over HTTP, as the specification's current draft and the common clients expect it: POST with a JSON body,
/// GET for queries only, application/graphql-response+json by default and application/json for legacy clients.
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

    private static async Task HandleAsync(HttpContext http, CallerResolver callers, GraphQLRequestExecutor executor, IGraphQLTextSerializer serializer)
    {
        var ct = http.RequestAborted;
        if (NegotiateResponseType(http.Request) is not { } responseType)
        {
            await HubError.WriteAsync(http, StatusCodes.Status406NotAcceptable, "NOT_ACCEPTABLE",
                $"The hub answers in {GraphQLResponseMediaType} or {JsonMediaType}; the Accept header allows neither.");
            return;
        }

        var resolution = await callers.ResolveAsync(http, ct);
        if (!resolution.Succeeded)
        {
            await resolution.Refusal.WriteAsync(http);
            return;
        }

        var parsed = HttpMethods.IsGet(http.Request.Method)
            ? GraphQLRequestReader.FromQueryString(http.Request.Query, serializer)
            : await GraphQLRequestReader.FromBodyAsync(http.Request, serializer, ct);
        if (parsed.Error is { } error)
        {
            if (error.Status == StatusCodes.Status405MethodNotAllowed) http.Response.Headers.Allow = "POST";
            await HubError.WriteAsync(http, error.Status, error.Code, error.Message);
            return;
        }

        var result = await executor.ExecuteAsync(parsed.Request!, resolution.Caller, http.RequestServices, ct);

        // A request that never executed (syntax, validation, variable coercion) is the client's error: 400 in the
        // graphql-response+json media type, while legacy application/json clients always get 200.
        http.Response.StatusCode = !result.Executed && responseType == GraphQLResponseMediaType
            ? StatusCodes.Status400BadRequest
            : StatusCodes.Status200OK;
        http.Response.ContentType = responseType + "; charset=utf-8";
        await serializer.WriteAsync(http.Response.Body, result, ct);
    }

    /// <summary>The media type to answer in, or null when the client accepts neither.</summary>
    internal static string? NegotiateResponseType(HttpRequest request)
    {
        var accept = request.GetTypedHeaders().Accept;
        if (accept is null || accept.Count == 0) return JsonMediaType;
        string? best = null;
        double bestQuality = 0;
        foreach (var value in accept.OrderByDescending(v => v.Quality ?? 1))
        {
            var quality = value.Quality ?? 1;
            if (quality <= 0) continue;
            var candidate = value.MediaType.Value switch
            {
                GraphQLResponseMediaType => GraphQLResponseMediaType,
                JsonMediaType => JsonMediaType,
                "application/*" or "*/*" => JsonMediaType,
                _ => null,
            };
            if (candidate is null) continue;
            // Prefer graphql-response+json at equal quality, as the specification asks.
            if (best is null || quality > bestQuality || (quality == bestQuality && candidate == GraphQLResponseMediaType && value.MediaType.Value == GraphQLResponseMediaType))
            {
                best = candidate;
                bestQuality = quality;
            }
        }
        return best;
    }
}

/// <summary>Reads a GraphQL request from a GET query string or a POST body, checking every member's JSON type.</summary>
internal static class GraphQLRequestReader
{
    internal sealed record RequestError(int Status, string Code, string Message);

    internal sealed record ReadResult(GraphQLRequest? Request, RequestError? Error);

    private static ReadResult Fail(int status, string code, string message) => new(null, new RequestError(status, code, message));

    public static ReadResult FromQueryString(IQueryCollection query, IGraphQLTextSerializer serializer)
    {
        var text = query["query"].ToString();
        if (string.IsNullOrEmpty(text))
            return Fail(StatusCodes.Status400BadRequest, "MISSING_QUERY", "A GET request needs a 'query' URL parameter.");
        if (IsMutationOrSubscription(text, query["operationName"].ToString()))
            return Fail(StatusCodes.Status405MethodNotAllowed, "METHOD_NOT_ALLOWED", "Mutations and subscriptions must be sent with POST; GET never changes anything.");
        try
        {
            return new(new GraphQLRequest(
                text,
                NullIfEmpty(query["operationName"].ToString()),
                ReadInputs(query["variables"].ToString(), "variables", serializer),
                ReadInputs(query["extensions"].ToString(), "extensions", serializer)), null);
        }
        catch (RequestFormatException e)
        {
            return Fail(StatusCodes.Status400BadRequest, "INVALID_REQUEST", e.Message);
        }
    }

    public static async Task<ReadResult> FromBodyAsync(HttpRequest request, IGraphQLTextSerializer serializer, CancellationToken ct)
    {
        if (!MediaTypeHeaderValue.TryParse(request.ContentType, out var contentType))
            return Fail(StatusCodes.Status415UnsupportedMediaType, "UNSUPPORTED_MEDIA_TYPE", "POST needs Content-Type: application/json.");
        if (!contentType.MediaType.Equals(GraphQLEndpoint.JsonMediaType, StringComparison.OrdinalIgnoreCase))
            return Fail(StatusCodes.Status415UnsupportedMediaType, "UNSUPPORTED_MEDIA_TYPE", $"Content-Type '{contentType.MediaType}' is not read; send application/json.");
        if (contentType.Charset.HasValue && !contentType.Charset.Equals("utf-8", StringComparison.OrdinalIgnoreCase))
            return Fail(StatusCodes.Status415UnsupportedMediaType, "UNSUPPORTED_MEDIA_TYPE", "Only utf-8 request bodies are read.");

        JsonDocument document;
        try
        {
            document = await JsonDocument.ParseAsync(request.Body, default, ct);
        }
        catch (JsonException)
        {
            return Fail(StatusCodes.Status400BadRequest, "INVALID_JSON", "The request body is not valid JSON (utf-8).");
        }
        using (document)
        {
            var root = document.RootElement;
            if (root.ValueKind == JsonValueKind.Array)
                return Fail(StatusCodes.Status400BadRequest, "BATCH_NOT_SUPPORTED", "Batched requests (a JSON array) are not supported; send one request per POST.");
            if (root.ValueKind != JsonValueKind.Object)
                return Fail(StatusCodes.Status400BadRequest, "INVALID_REQUEST", "The request body must be a JSON object with a 'query'.");
            try
            {
                var query = ReadString(root, "query");
                if (string.IsNullOrEmpty(query))
                    return Fail(StatusCodes.Status400BadRequest, "MISSING_QUERY", "The request has no 'query'.");
                return new(new GraphQLRequest(
                    query,
                    ReadString(root, "operationName"),
                    ReadObject(root, "variables", serializer),
                    ReadObject(root, "extensions", serializer)), null);
            }
            catch (RequestFormatException e)
            {
                return Fail(StatusCodes.Status400BadRequest, "INVALID_REQUEST", e.Message);
            }
        }
    }

    private static string? ReadString(JsonElement root, string name)
    {
        if (!root.TryGetProperty(name, out var value) || value.ValueKind == JsonValueKind.Null) return null;
        if (value.ValueKind != JsonValueKind.String) throw new RequestFormatException($"'{name}' must be a string.");
        return value.GetString();
    }

    private static Inputs? ReadObject(JsonElement root, string name, IGraphQLTextSerializer serializer)
    {
        if (!root.TryGetProperty(name, out var value) || value.ValueKind == JsonValueKind.Null) return null;
        if (value.ValueKind != JsonValueKind.Object) throw new RequestFormatException($"'{name}' must be a JSON object.");
        return serializer.Deserialize<Inputs>(value.GetRawText());
    }

    private static Inputs? ReadInputs(string text, string name, IGraphQLTextSerializer serializer)
    {
        if (string.IsNullOrEmpty(text)) return null;
        try
        {
            using var document = JsonDocument.Parse(text);
            if (document.RootElement.ValueKind == JsonValueKind.Null) return null;
            if (document.RootElement.ValueKind != JsonValueKind.Object) throw new RequestFormatException($"'{name}' must be a JSON object.");
            return serializer.Deserialize<Inputs>(text);
        }
        catch (JsonException)
        {
            throw new RequestFormatException($"'{name}' is not valid JSON.");
        }
    }

    private static string? NullIfEmpty(string value) => string.IsNullOrEmpty(value) ? null : value;

    /// <summary>True when the operation GET would run is a mutation or subscription; parse errors are left to the executor.</summary>
    private static bool IsMutationOrSubscription(string query, string operationName)
    {
        GraphQLDocument document;
        try
        {
            document = GraphQLParser.Parser.Parse(query);
        }
        catch (GraphQLParser.Exceptions.GraphQLSyntaxErrorException)
        {
            return false;
        }
        var operations = document.Definitions.OfType<GraphQLOperationDefinition>().ToList();
        var selected = string.IsNullOrEmpty(operationName)
            ? (operations.Count == 1 ? operations[0] : null)
            : operations.FirstOrDefault(o => o.Name?.StringValue == operationName);
        return selected is not null && selected.Operation != OperationType.Query;
    }

    private sealed class RequestFormatException(string message) : Exception(message);
}
