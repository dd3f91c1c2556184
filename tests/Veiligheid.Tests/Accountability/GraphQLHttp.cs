using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using Veiligheid.Accountability;
using Veiligheid.Data;
using Veiligheid.Tests.Infrastructure;

namespace Veiligheid.Tests.Accountability;

/// <summary>A GraphQL response as the tests read it.</summary>
public sealed record GraphQLResponse(HttpStatusCode Status, JsonElement Body)
{
    public JsonElement Data => Body.GetProperty("data");

    public bool HasData => Body.TryGetProperty("data", out var data) && data.ValueKind != JsonValueKind.Null;

    public IReadOnlyList<JsonElement> Errors => Body.TryGetProperty("errors", out var errors) ? [.. errors.EnumerateArray()] : [];

    public IReadOnlyList<string> ErrorCodes => [.. Errors.Select(e => e.TryGetProperty("extensions", out var x) && x.TryGetProperty("code", out var c) ? c.GetString() ?? "" : "")];
}

public static class GraphQLHttp
{
    public static async Task<GraphQLResponse> GraphQLAsync(this HttpClient client, string query, object? variables = null, string? operationName = null)
    {
        using var request = new HttpRequestMessage(HttpMethod.Post, "/graphql")
        {
            Content = JsonContent.Create(new { query, variables, operationName }),
        };
        request.Headers.Accept.ParseAdd("application/graphql-response+json");
        using var response = await client.SendAsync(request);
        var text = await response.Content.ReadAsStringAsync();
        using var document = JsonDocument.Parse(text);
        return new GraphQLResponse(response.StatusCode, document.RootElement.Clone());
    }

    /// <summary>The processing log as stored, in sequence order.</summary>
    public static List<ProcessingRecord> LogRecords(this HubFactory factory)
    {
        using var scope = factory.Services.CreateScope();
        var db = scope.ServiceProvider.GetRequiredService<VeiligheidDbContext>();
        return [.. db.Set<ProcessingRecord>().AsNoTracking().OrderBy(r => r.Sequence)];
    }

    public static T WithDb<T>(this HubFactory factory, Func<VeiligheidDbContext, T> read)
    {
        using var scope = factory.Services.CreateScope();
        return read(scope.ServiceProvider.GetRequiredService<VeiligheidDbContext>());
    }

    public static async Task<T> WithDbAsync<T>(this HubFactory factory, Func<VeiligheidDbContext, Task<T>> read)
    {
        await using var scope = factory.Services.CreateAsyncScope();
        return await read(scope.ServiceProvider.GetRequiredService<VeiligheidDbContext>());
    }
}
