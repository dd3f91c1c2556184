using System.Text.Json.Nodes;
using Microsoft.AspNetCore.Hosting;
using Microsoft.Extensions.DependencyInjection;
using Veiligheid.Access;
using Veiligheid.GraphQL;
using Veiligheid.Tests.Infrastructure;

namespace Veiligheid.Tests.Data;

/// <summary>
/// Against a real SQL Server (the Azure pipeline's service container; VEILIGHEID_TEST_SQLSERVER holds its connection
/// string): migrations apply, the demo seed loads, and a walk through every role's whole schema gives the same data as
/// on SQLite. Skipped where no SQL Server is configured, as on the development machines and in .ci/run.
/// </summary>
[Trait("Category", "SqlServer")]
public sealed class SqlServerDifferentialTests
{
    /// <summary>The hub with limits that let the walk through.</summary>
    private sealed class WalkHub : HubFactory
    {
        protected override void ConfigureWebHost(IWebHostBuilder builder)
        {
            base.ConfigureWebHost(builder);
            foreach (var (key, value) in TourQuery.HostLimits) builder.UseSetting(key, value);
        }
    }

    [SkippableFact]
    public async Task Every_role_reads_the_same_data_from_SQL_Server_as_from_SQLite()
    {
        Skip.If(string.IsNullOrEmpty(SqlServerHub.ConnectionString), "VEILIGHEID_TEST_SQLSERVER is not set: no SQL Server to test against.");

        await using var sqlite = new WalkHub();
        await using var sqlServer = new SqlServerHub(SqlServerHub.ConnectionString!, TourQuery.HostLimits);
        var schemas = sqlite.Services.GetRequiredService<SchemaRegistry>();
        var arguments = new Dictionary<string, string>
        {
            ["persons"] = "first: 20",
            ["cases"] = "first: 20",
            ["incidents"] = "first: 20",
            ["interventions"] = "first: 20",
            ["locations"] = "first: 20",
        };
        foreach (var (role, organisation) in RoleOrganisations.All)
            foreach (var purpose in Purposes.For(role).Append(null))
            {
                var query = TourQuery.For(schemas.For(role, purpose), maxDepth: 3, arguments);
                var onSqlite = await sqlite.CreateClientWithPurpose(role, organisation, purpose?.Key).PostGraphQLAsync(query);
                var onSqlServer = await sqlServer.CreateClientWithPurpose(role, organisation, purpose?.Key).PostGraphQLAsync(query);
                Assert.Equal(Normalise(onSqlite.Body), Normalise(onSqlServer.Body));
            }
    }

    /// <summary>Arrays compared as multisets: collations order equal-looking strings differently across engines.</summary>
    private static string Normalise(JsonNode? node) => node switch
    {
        JsonArray array => "[" + string.Join(",", array.Select(Normalise).Order(StringComparer.Ordinal)) + "]",
        JsonObject obj => "{" + string.Join(",", obj.OrderBy(p => p.Key, StringComparer.Ordinal).Select(p => $"\"{p.Key}\":{Normalise(p.Value)}")) + "}",
        null => "null",
        _ => node.ToJsonString(),
    };
}
