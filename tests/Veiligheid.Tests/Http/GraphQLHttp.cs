using System.Net;
using System.Net.Http.Headers;
using System.Text;
using System.Text.Json;
using Veiligheid.Http;

namespace Veiligheid.Tests.Http;

/// <summary>Raw GraphQL-over-HTTP requests and what the tests read from the answers.</summary>
internal static class GraphQLHttp
{
    public const string GraphQLResponse = GraphQLEndpoint.GraphQLResponseMediaType;
    public const string Json = GraphQLEndpoint.JsonMediaType;

    public static HttpRequestMessage Post(string body, string? contentType = "application/json", string? accept = GraphQLResponse)
    {
        var content = new ByteArrayContent(Encoding.UTF8.GetBytes(body));
        if (contentType is not null) content.Headers.TryAddWithoutValidation("Content-Type", contentType);
        return Post(content, accept);
    }

    public static HttpRequestMessage Post(HttpContent content, string? accept = GraphQLResponse)
    {
        var request = new HttpRequestMessage(HttpMethod.Post, GraphQLEndpoint.Path) { Content = content };
        if (accept is not null) request.Headers.TryAddWithoutValidation("Accept", accept);
        return request;
    }

    public static HttpRequestMessage PostQuery(string query, object? variables = null, string? operationName = null, string? accept = GraphQLResponse)
        => Post(JsonSerializer.Serialize(new { query, variables, operationName }), accept: accept);

    public static HttpRequestMessage Get(string queryString, string? accept = GraphQLResponse)
    {
        var request = new HttpRequestMessage(HttpMethod.Get, GraphQLEndpoint.Path + "?" + queryString);
        if (accept is not null) request.Headers.TryAddWithoutValidation("Accept", accept);
        return request;
    }

    public static string Q(string value) => Uri.EscapeDataString(value);

    /// <summary>The status, the response's media type and its body as JSON (null when it is not JSON).</summary>
    public static async Task<Answer> SendAsync(this HttpClient client, Func<HttpRequestMessage> request)
    {
        using var message = request();
        using var response = await client.SendAsync(message);
        var text = await response.Content.ReadAsStringAsync();
        JsonElement? body = null;
        try
        {
            body = JsonDocument.Parse(text).RootElement.Clone();
        }
        catch (JsonException)
        {
            // Left null: the assertions say what was expected.
        }
        return new Answer(response.StatusCode, response.Content.Headers.ContentType, response.Headers, body, text) { Allow = [.. response.Content.Headers.Allow] };
    }

    public sealed record Answer(HttpStatusCode Status, MediaTypeHeaderValue? ContentType, HttpResponseHeaders Headers, JsonElement? Body, string Text)
    {
        public string? MediaType => ContentType?.MediaType;

        /// <summary>The Allow header (a content header to HttpClient).</summary>
        public IReadOnlyList<string> Allow { get; init; } = [];

        public bool HasData => Body is { ValueKind: JsonValueKind.Object } b && b.TryGetProperty("data", out _);

        public JsonElement Data => Body!.Value.GetProperty("data");

        public IReadOnlyList<JsonElement> Errors
            => Body is { ValueKind: JsonValueKind.Object } b && b.TryGetProperty("errors", out var errors) ? [.. errors.EnumerateArray()] : [];

        public IReadOnlyList<string?> Codes
            => [.. Errors.Select(e => e.TryGetProperty("extensions", out var x) && x.TryGetProperty("code", out var c) ? c.GetString() : null)];

        public override string ToString() => $"{(int)Status} {ContentType}: {(Text.Length > 600 ? Text[..600] + "…" : Text)}";
    }
}
