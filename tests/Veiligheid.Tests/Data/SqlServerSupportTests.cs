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
using Veiligheid.Tests.Mutations;

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
    public void Both_migration_sets_hold_the_whole_model()
    {
        // The SQL Server model differs from SQLite's (externalIds' collation): each set must follow its own provider's.
        using var sqlServer = new SqlServerDesignTimeFactory().CreateDbContext([]);
        var sqliteOptions = new DbContextOptionsBuilder<SqliteVeiligheidDbContext>();
        DatabaseSetup.ConfigureSqlite(sqliteOptions, "Data Source=:memory:"); // the model and its migrations only: nothing is opened
        using var sqlite = new SqliteVeiligheidDbContext(sqliteOptions.Options);

        Assert.False(sqlServer.Database.HasPendingModelChanges(), "The SQL Server model has changes without a migration.");
        Assert.False(sqlite.Database.HasPendingModelChanges(), "The SQLite model has changes without a migration.");
    }

    [Fact]
    public void The_migrations_leave_every_externalId_column_binary_under_its_unique_index()
    {
        // SQLite's default collation (BINARY) keeps 'abc' and 'ABC' apart; SQL Server's default would make them one key.
        using var db = new SqlServerDesignTimeFactory().CreateDbContext([]);
        var schema = MigratedSchema.Of(db.GetService<IMigrator>().GenerateScript(options: MigrationsSqlGenerationOptions.Idempotent));

        var tables = SourcedTables(db);
        Assert.Equal(["CaseContributions", "Cases", "Incidents", "Interventions", "Locations", "Persons"], tables);
        Assert.All(tables, table => Assert.Equal(BinaryCollation, schema.CollationOf(table, nameof(ISourced.ExternalId))));
        Assert.All(tables, table => Assert.True(schema.HasUniqueIndex(table, nameof(ISourced.SourceOrganisationId), nameof(ISourced.ExternalId)), table));
        Assert.Empty(schema.AlteredUnderAnIndex); // the script runs: each index is dropped before its column changes
    }

    [Fact]
    public async Task Writes_that_look_up_externalIds_compare_them_binary_on_SQL_Server()
    {
        // A batch looks its externalIds up as one JSON parameter. OPENJSON's values have the database's default collation:
        // compared with the column's binary one, SQL Server refuses the query (collation conflict, error 468) unless the
        // comparison names the column's own collation.
        using var police = hub.CreateClient(HubRole.Politie, DemoOrganisations.PolitieNoord);
        string bagId;
        using (var scope = hub.Services.CreateScope())
            bagId = await scope.ServiceProvider.GetRequiredService<VeiligheidDbContext>().Locations.OrderBy(l => l.Id).Select(l => l.BagId).FirstAsync();
        var batch = new { input = new { items = BatchExternalIds.Select(externalId => new { externalId, category = "GELUIDSOVERLAST", occurredAt = "2026-03-01T21:15:00Z", bagId, inPublicSpace = true }) } };
        const string report = "mutation($input: ReportIncidentsInput!) { reportIncidents(input: $input) { created unchanged errors { message } } }";
        const string open = "mutation($input: OpenCaseInput!) { openCase(input: $input) { errors { message } } }";
        var openCase = new { input = new { kind = "WOONOVERLAST", title = "x", legalGround = "GEMEENTEWET_OPENBARE_ORDE", externalId = "SQLSRV-CASE" } };
        foreach (var (mutation, field, variables) in new (string, string, object)[] { (report, "reportIncidents", batch), (report, "reportIncidents", batch), (open, "openCase", openCase), (open, "openCase", openCase) })
            (await police.PostAsync(mutation, variables)).Data(field).AssertNoErrors();
        // A note sent twice with its externalId: the replay's look-up of the earlier note, through the case's visibility.
        var caseId = GlobalId.Encode("Case", hub.Query(db => db.Cases.Single(c => c.ExternalId == "SQLSRV-CASE").Id));
        const string contribute = "mutation($input: AddCaseContributionInput!) { addCaseContribution(input: $input) { errors { message } } }";
        for (var i = 0; i < 2; i++)
            (await police.PostAsync(contribute, new { input = new { caseId, text = "x", externalId = "SQLSRV-NOTE" } })).Data("addCaseContribution").AssertNoErrors();

        using var sqlServer = new SqlServerDesignTimeFactory().CreateDbContext([]);
        var comparisons = CapturingQueryCompiler.Captured.ToArray()
            .Where(e => e.ToString().Contains(nameof(ISourced.ExternalId), StringComparison.Ordinal))
            .DistinctBy(e => e.ToString())
            .SelectMany(e => ExternalIdComparisons.In(QueryRetargeting.ToQueryString(e, sqlServer)))
            .ToList();

        Assert.Contains(comparisons, c => !c.AgainstJson); // the replay of one case, by a parameter
        var againstJson = comparisons.Where(c => c.AgainstJson).ToList();
        Assert.NotEmpty(againstJson); // the batch's look-ups
        Assert.All(againstJson, c => Assert.Equal(BinaryCollation, c.Collation));
    }

    private const string BinaryCollation = "Latin1_General_100_BIN2";

    private static readonly string[] BatchExternalIds = ["SQLSRV-1", "sqlsrv-1"]; // two keys, in one batch

    private static string[] SourcedTables(DbContext db)
        => [.. db.Model.GetEntityTypes().Where(t => typeof(ISourced).IsAssignableFrom(t.ClrType)).Select(t => t.GetTableName()!).Order(StringComparer.Ordinal)];

    /// <summary>Where a query compares an externalId column: with the values of a subquery over OPENJSON, or otherwise
    /// (a parameter takes the column's collation); and the collation it names on the column, if any.</summary>
    private sealed class ExternalIdComparisons : TSqlFragmentVisitor
    {
        private readonly List<(bool AgainstJson, string? Collation)> _found = [];

        public static List<(bool AgainstJson, string? Collation)> In(string sql)
        {
            var fragment = new TSql160Parser(initialQuotedIdentifiers: true).Parse(new StringReader(sql), out var errors);
            Assert.Empty(errors.Select(e => $"line {e.Line}: {e.Message}"));
            var visitor = new ExternalIdComparisons();
            fragment.Accept(visitor);
            return visitor._found;
        }

        public override void ExplicitVisit(InPredicate node)
        {
            if (IsExternalId(node.Expression, out var collation))
                _found.Add((node.Subquery?.QueryExpression is QuerySpecification { FromClause.TableReferences: var from } && from.Any(t => t is OpenJsonTableReference), collation));
            base.ExplicitVisit(node);
        }

        public override void ExplicitVisit(BooleanComparisonExpression node)
        {
            if (IsExternalId(node.FirstExpression, out var collation) || IsExternalId(node.SecondExpression, out collation))
                _found.Add((false, collation));
            base.ExplicitVisit(node);
        }

        private static bool IsExternalId(ScalarExpression expression, out string? collation)
        {
            collation = (expression as PrimaryExpression)?.Collation?.Value;
            return expression is ColumnReferenceExpression { MultiPartIdentifier.Identifiers: [.., { Value: nameof(ISourced.ExternalId) }] };
        }
    }

    [Fact]
    public void The_statement_that_tells_who_reads_a_case_translates_on_SQL_Server()
    {
        // Run by writes that may give a case new readers (CaseAudience), which the walk of the read schemas does not reach.
        using var db = new SqlServerDesignTimeFactory().CreateDbContext([]);
        var readers = DemoOrganisations.All.SelectMany(o => HubRoles.All.Where(r => r.RequiredOrganisationKind() == o.Kind && AccessPolicy.Roles[r].Cases is not null)
            .Select(r => new Veiligheid.Cases.CaseAudience.Reader(r, DemoOrganisations.IdOf(o.Key), o.Key, o.Kind))).ToList();

        var sql = Veiligheid.Cases.CaseAudience.Admitting(db, readers, 1).ToQueryString();

        new TSql160Parser(initialQuotedIdentifiers: true).Parse(new StringReader(sql), out var errors);
        Assert.Empty(errors.Select(e => $"line {e.Line}: {e.Message}"));
        Assert.Equal(readers.Count - 1, sql.Split("UNION ALL").Length - 1);
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
