using System.Net.Http.Json;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using Veiligheid.Data;
using Veiligheid.Tests.Infrastructure;

namespace Veiligheid.Tests.Mutations;

/// <summary>Posting GraphQL over real HTTP and reading the database directly, for the mutation tests.</summary>
internal static class MutationClient
{
    public static async Task<JsonObject> PostAsync(this HttpClient client, string query, object? variables = null)
    {
        using var response = await client.PostAsJsonAsync("/graphql", new { query, variables });
        var body = await response.Content.ReadAsStringAsync();
        return JsonNode.Parse(body)!.AsObject();
    }

    /// <summary>The data of a response that must have no GraphQL errors.</summary>
    public static JsonObject Data(this JsonObject response, string field)
    {
        Assert.True(response["errors"] is null, response.ToJsonString());
        return response["data"]![field]!.AsObject();
    }

    public static IReadOnlyList<JsonObject> Errors(this JsonObject payload)
        => payload["errors"]!.AsArray().Select(e => e!.AsObject()).ToList();

    public static void AssertNoErrors(this JsonObject payload)
        => Assert.True(payload.Errors().Count == 0, payload.ToJsonString());

    public static void AssertSingleError(this JsonObject payload, string code, string? field)
    {
        var errors = payload.Errors();
        Assert.True(errors.Count == 1, payload.ToJsonString());
        Assert.Equal(code, (string?)errors[0]["code"]);
        Assert.Equal(field, (string?)errors[0]["field"]);
    }

    public static T Query<T>(this HubFactory hub, Func<VeiligheidDbContext, T> read)
    {
        using var scope = hub.Services.CreateScope();
        return read(scope.ServiceProvider.GetRequiredService<VeiligheidDbContext>());
    }

    /// <summary>Row counts of the written tables and a checksum over every incident and audit row: equal means nothing changed.</summary>
    public static string Fingerprint(this HubFactory hub) => hub.Query(db =>
    {
        var sb = new StringBuilder();
        sb.Append(db.Incidents.Count()).Append('|').Append(db.Set<WriteAudit>().Count()).Append('|').Append(db.Cases.Count()).Append('|')
          .Append(db.Interventions.Count()).Append('|');
        foreach (var i in db.Incidents.AsNoTracking().OrderBy(i => i.Id).Select(i => new { i.Id, i.Version, i.Category, i.OccurredAt, i.ReportedAt, i.LocationId, i.InPublicSpace, i.ExternalId }))
            sb.Append(i.Id).Append(i.Version).Append(i.Category).Append(i.OccurredAt.Ticks).Append(i.ReportedAt.Ticks).Append(i.LocationId).Append(i.InPublicSpace).Append(i.ExternalId).Append(';');
        foreach (var a in db.Set<WriteAudit>().AsNoTracking().OrderBy(a => a.Id).Select(a => new { a.Id, a.EntityId, a.Change }))
            sb.Append(a.Id).Append(a.EntityId).Append(a.Change).Append(';');
        return Convert.ToHexString(SHA256.HashData(Encoding.UTF8.GetBytes(sb.ToString())));
    });

    public static string Json(object value) => JsonSerializer.Serialize(value);
}
