using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using System.Text.Json.Nodes;

namespace Veiligheid.Tests.Infrastructure;

/// <summary>A GraphQL response as the client received it.</summary>
public sealed record GraphQLResponse(HttpStatusCode Status, string? ContentType, JsonNode? Body)
{
    public JsonNode? Data => Body?["data"];
    public JsonArray Errors => Body?["errors"] as JsonArray ?? [];
    public bool HasData => Body is JsonObject o && o.ContainsKey("data");

    public IEnumerable<string?> ErrorCodes => Errors.Select(e => e?["extensions"]?["code"]?.GetValue<string>());

    public JsonNode Required(string path)
    {
        JsonNode? node = Data;
        foreach (var part in path.Split('.'))
        {
            node = int.TryParse(part, out var index) ? node?[index] : node?[part];
        }
        return node ?? throw new Xunit.Sdk.XunitException($"No value at data.{path} in {Body?.ToJsonString()}");
    }
}

/// <summary>Posting GraphQL requests over real HTTP.</summary>
public static class GraphQLHttp
{
    public static async Task<GraphQLResponse> PostGraphQLAsync(this HttpClient client, string query, object? variables = null,
        string accept = "application/graphql-response+json")
    {
        using var request = new HttpRequestMessage(HttpMethod.Post, "/graphql")
        {
            Content = JsonContent.Create(new { query, variables }),
        };
        request.Headers.Accept.ParseAdd(accept);
        using var response = await client.SendAsync(request);
        var text = await response.Content.ReadAsStringAsync();
        JsonNode? body = null;
        try
        {
            body = string.IsNullOrEmpty(text) ? null : JsonNode.Parse(text);
        }
        catch (JsonException)
        {
            // Left null: the test asserts on what it expected.
        }
        return new GraphQLResponse(response.StatusCode, response.Content.Headers.ContentType?.MediaType, body);
    }

    /// <summary>POSTs and fails the test unless the response is 200 without errors.</summary>
    public static async Task<GraphQLResponse> QueryOkAsync(this HttpClient client, string query, object? variables = null)
    {
        var response = await client.PostGraphQLAsync(query, variables);
        if (response.Status != HttpStatusCode.OK || response.Errors.Count > 0)
            throw new Xunit.Sdk.XunitException($"Expected 200 without errors, got {(int)response.Status}: {response.Body?.ToJsonString()}");
        return response;
    }
}
