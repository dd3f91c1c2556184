using System.Text.Json.Nodes;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.TestHost;
using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Infrastructure;
using Microsoft.EntityFrameworkCore.Migrations;
#pragma warning disable EF1001 // IQueryCompiler is internal API; the test decorates it.
using Microsoft.EntityFrameworkCore.Query;
using Microsoft.EntityFrameworkCore.Query.Internal;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.SqlServer.TransactSql.ScriptDom;
using Veiligheid.Access;
using Veiligheid.Data;
using Veiligheid.Data.Seeding;
using Veiligheid.GraphQL;
using Veiligheid.Tests.Infrastructure;

namespace Veiligheid.Tests.Data;

/// <summary>
/// SQL Server is the production database but cannot run here, so its support is proven without a server: the
/// migration script parses as T-SQL, and every query the API ran on SQLite during a walk through each role's whole
/// schema translates on the SQL Server provider (ToQueryString throws on anything it cannot translate).
/// </summary>
public sealed class SqlServerSupportTests(SqlServerSupportTests.CapturingHub hub) : IClassFixture<SqlServerSupportTests.CapturingHub>
{
    /// <summary>The hub with every LINQ query recorded.</summary>
    public sealed class CapturingHub : HubFactory
    {
        protected override void ConfigureWebHost(IWebHostBuilder builder)
        {
            base.ConfigureWebHost(builder);
            // The walk asks for everything at once: far past the limits a partner's request gets.
            foreach (var (key, value) in TourQuery.HostLimits) builder.UseSetting(key, value);
            builder.ConfigureTestServices(services => services.ConfigureDbContext<SqliteVeiligheidDbContext>(
                o => o.ReplaceService<IQueryCompiler, CapturingQueryCompiler>()));
        }
    }

    [Fact]
    public void Idempotent_migration_script_parses_as_TSql_without_errors()
    {
        using var db = new SqlServerDesignTimeFactory().CreateDbContext([]);
        var script = db.GetService<IMigrator>().GenerateScript(options: MigrationsSqlGenerationOptions.Idempotent);

        var parser = new TSql160Parser(initialQuotedIdentifiers: true);
        var fragment = parser.Parse(new StringReader(script), out var errors);

        Assert.Empty(errors.Select(e => $"line {e.Line}: {e.Message}"));
        var statements = ((TSqlScript)fragment).Batches.Sum(b => b.Statements.Count);
        Assert.True(statements > 50, $"Expected the whole schema in the script, parsed {statements} statements.");
        Assert.Contains("CREATE TABLE [Cases]", script, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Every_query_of_a_walk_through_every_role_schema_translates_on_SQL_Server()
    {
        var schemas = hub.Services.GetRequiredService<SchemaRegistry>();
        string bsn, bagId;
        using (var scope = hub.Services.CreateScope())
        {
            var db = scope.ServiceProvider.GetRequiredService<VeiligheidDbContext>();
            bsn = await db.Persons.OrderBy(p => p.Id).Select(p => p.Bsn).FirstAsync();
            bagId = await db.Locations.OrderBy(l => l.Id).Select(l => l.BagId).FirstAsync();
        }
        var arguments = new Dictionary<string, string>
        {
            ["personByBsn"] = $"bsn: \"{bsn}\"",
            ["locationByBagId"] = $"bagId: \"{bagId}\"",
            ["persons"] = "first: 5",
            ["cases"] = "first: 5",
            ["incidents"] = "first: 5",
            ["interventions"] = "first: 5",
            ["locations"] = "first: 5",
        };

        foreach (var (role, organisation) in RoleOrganisations.All)
            foreach (var purpose in Purposes.For(role).Append(null))
                // Twice: as the lists are, and with a filter, a sort and a cut on every nested list that takes them.
                foreach (var nested in new Func<global::GraphQL.Types.FieldType, string?>?[] { null, NestedListArguments })
                {
                    var query = TourQuery.For(schemas.For(role, purpose), maxDepth: 3, arguments, nested);
                    var response = await hub.CreateClientWithPurpose(role, organisation, purpose?.Key).PostGraphQLAsync(query);
                    Assert.True(response.Status == System.Net.HttpStatusCode.OK, $"{role}: {(int)response.Status} {response.Body?.ToJsonString()[..Math.Min(2000, response.Body.ToJsonString().Length)]}");
                    var unexpected = response.Errors.Where(e => e?["extensions"]?["code"]?.GetValue<string>() != "CARE_DATA_WITHHELD").ToList();
                    Assert.True(unexpected.Count == 0, $"{role}: {new JsonArray([.. unexpected.Select(e => e?.DeepClone())]).ToJsonString()}");
                }

        var captured = CapturingQueryCompiler.Captured.ToArray();
        var distinct = captured.Select(e => e.ToString()).Distinct().Count();
        Assert.True(distinct >= 30, $"The walk ran only {distinct} distinct queries.");

        using var sqlServer = new SqlServerDesignTimeFactory().CreateDbContext([]);
        var failures = new List<string>();
        foreach (var expression in captured.DistinctBy(e => e.ToString()))
        {
            try
            {
                var sql = QueryRetargeting.ToQueryString(expression, sqlServer);
                Assert.Contains("SELECT", sql, StringComparison.Ordinal);
            }
            catch (InvalidOperationException e)
            {
                failures.Add($"{expression}\n  → {e.Message}");
            }
        }
        Assert.True(failures.Count == 0, string.Join("\n\n", failures));
        Assert.Contains(captured, e => e.ToString().Contains("SelectMany", StringComparison.Ordinal)); // a nested list cut at first
    }

    /// <summary>A filter that holds for every row, a sort and a cut, on a nested list (not a connection) that takes them.</summary>
    private static string? NestedListArguments(global::GraphQL.Types.FieldType field)
    {
        if (field.Arguments?.Find("first") is null || field.Arguments.Find("after") is not null) return null;
        if (field.Arguments.Find("filter") is not { } filter) return "first: 2";
        // Rows without a global id of their own (status changes, police signals, …) have no id filter: not (or []) holds too.
        return (filter.ResolvedType as global::GraphQL.Types.IInputObjectGraphType)?.GetField("id") is null
            ? """first: 2, orderBy: [{ field: ID, direction: DESC }], filter: { not: { or: [] } }"""
            : """first: 2, orderBy: [{ field: ID, direction: DESC }], filter: { not: { id: { eq: "x" } } }""";
    }
}
