using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using Veiligheid.Access;
using Veiligheid.Data;
using Veiligheid.Tests.Infrastructure;

namespace Veiligheid.Tests.Query;

/// <summary>Posting GraphQL over real HTTP and deriving expectations straight from the database.</summary>
internal static class GraphQLClient
{
    public static async Task<(HttpStatusCode Status, JsonElement Body)> PostAsync(this HttpClient client, string query, object? variables = null)
    {
        using var request = new HttpRequestMessage(HttpMethod.Post, "/graphql") { Content = JsonContent.Create(new { query, variables }) };
        request.Headers.Accept.ParseAdd("application/graphql-response+json");
        using var response = await client.SendAsync(request);
        var body = await response.Content.ReadFromJsonAsync<JsonElement>();
        return (response.StatusCode, body);
    }

    /// <summary>The data of a request that must succeed without errors.</summary>
    public static async Task<JsonElement> DataAsync(this HttpClient client, string query, object? variables = null)
    {
        var (status, body) = await client.PostAsync(query, variables);
        Assert.True(status == HttpStatusCode.OK && !body.TryGetProperty("errors", out _), $"{status}: {body}");
        return body.GetProperty("data");
    }

    /// <summary>The error codes of a request's errors.</summary>
    public static IEnumerable<string?> ErrorCodes(this JsonElement body)
        => body.GetProperty("errors").EnumerateArray()
            .Select(e => e.TryGetProperty("extensions", out var x) && x.TryGetProperty("code", out var c) ? c.GetString() : null);

    public static List<string> Ids(this JsonElement connection)
        => [.. connection.GetProperty("nodes").EnumerateArray().Select(n => n.GetProperty("id").GetString()!)];

    /// <summary>The access the hub gives a caller of this role and organisation, built the way the hub builds it.</summary>
    public static CallerAccess AccessOf(this HubFactory hub, HubRole role, string organisationKey)
    {
        using var scope = hub.Services.CreateScope();
        var db = scope.ServiceProvider.GetRequiredService<VeiligheidDbContext>();
        var org = db.Organisations.AsNoTracking().Single(o => o.Key == organisationKey);
        // Under the purpose HubFactory.CreateClient states, so the rows expected here are those its requests are served.
        return AccessPolicy.For(new Caller(role, org.Id, org.Key, org.Kind, org.ClientAppId ?? "", null, HubFactory.DefaultPurposeOf(role)));
    }

    /// <summary>Runs a query on a fresh context of the test host's database.</summary>
    public static T Db<T>(this HubFactory hub, Func<VeiligheidDbContext, T> query)
    {
        using var scope = hub.Services.CreateScope();
        return query(scope.ServiceProvider.GetRequiredService<VeiligheidDbContext>());
    }
}
