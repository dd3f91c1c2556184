using System.Globalization;
using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using Veiligheid.Access;
using Veiligheid.Data;
using Veiligheid.Data.Seeding;
using Veiligheid.Figures;
using Veiligheid.GraphQL;
using Veiligheid.Incidents;
using Veiligheid.Tests.Infrastructure;
using static Veiligheid.Tests.Figures.FiguresTestSupport;

namespace Veiligheid.Tests.Figures;

/// <summary>Who reaches the figures, what they can reach from them, the CSV endpoint, and the default threshold.</summary>
public sealed class FiguresAccessTests(HubFactory hub) : IClassFixture<HubFactory>
{
    private const string Period = "from=2025-01-01&to=2025-12-31";

    public static TheoryData<HubRole> OtherRoles => [.. HubRoles.All.Where(r => !AccessPolicy.Roles[r].Categories.Contains(DataCategory.Cijfers))];

    [Fact]
    public void The_figure_roles_are_the_analyst_bi_and_coordinator_and_each_has_a_figure_scope()
    {
        var figureRoles = HubRoles.All.Where(r => AccessPolicy.Roles[r].Categories.Contains(DataCategory.Cijfers)).ToHashSet();
        Assert.Equal(new HashSet<HubRole> { HubRole.GemeenteCoordinator, HubRole.GemeenteAnalist, HubRole.BiLezer }, figureRoles);
        Assert.All(HubRoles.All, r => Assert.Equal(AccessPolicy.Roles[r].Categories.Contains(DataCategory.Cijfers), AccessPolicy.Roles[r].Figures is not null));
    }

    [Theory]
    [InlineData(HubRole.GemeenteAnalist)]
    [InlineData(HubRole.BiLezer)]
    public async Task Analyst_and_bi_schemas_have_no_person_and_person_queries_fail_validation(HubRole role)
    {
        using var client = hub.CreateClient(role, DemoOrganisations.GemeenteVeiligstad);

        var data = await QueryAsync(client, """{ person: __type(name: "Person") { name } case: __type(name: "Case") { name } incident: __type(name: "Incident") { name } }""");
        Assert.Equal(JsonValueKind.Null, data.GetProperty("person").ValueKind);
        Assert.Equal(JsonValueKind.Null, data.GetProperty("case").ValueKind);
        Assert.Equal(JsonValueKind.Null, data.GetProperty("incident").ValueKind);

        foreach (var query in new[] { "{ persons { totalCount } }", """{ personByBsn(bsn: "111222333") { surname } }""", "{ cases { totalCount } }" })
        {
            using var request = new HttpRequestMessage(HttpMethod.Post, "/graphql") { Content = JsonContent.Create(new { query }) };
            request.Headers.Accept.ParseAdd(Veiligheid.Http.GraphQLEndpoint.GraphQLResponseMediaType);
            using var response = await client.SendAsync(request);
            Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
            Assert.Contains("FIELDS_ON_CORRECT_TYPE", await response.Content.ReadAsStringAsync(), StringComparison.Ordinal);
        }
    }

    [Fact]
    public void Nothing_reachable_from_figures_can_carry_a_person_identifier_or_free_text()
    {
        // Walk every type reachable from Query.figures in the full contract: the only strings are codes and names of
        // areas and period labels; no ID, no BSN, no DateTime (a timestamp can single out an event).
        var schema = new SchemaRegistry(hub.Services).Full;
        var seen = new HashSet<string>();
        var strings = new List<string>();
        var pending = new Stack<global::GraphQL.Types.IGraphType>([schema.Query.GetField("figures")!.ResolvedType!]);
        while (pending.Count > 0)
        {
            var type = Unwrap(pending.Pop());
            if (!seen.Add(type.Name)) continue;
            Assert.DoesNotContain(type.Name, Forbidden);
            if (type is not global::GraphQL.Types.IComplexGraphType complex) continue;
            foreach (var field in complex.Fields)
            {
                var fieldType = Unwrap(field.ResolvedType!);
                if (fieldType.Name == "String") strings.Add($"{type.Name}.{field.Name}");
                pending.Push(fieldType);
            }
        }
        Assert.Equal(["CaseFigureRow.quarter", "HotspotRow.areaCode", "HotspotRow.areaName", "TrendRow.areaCode", "TrendRow.areaName", "TrendRow.month"], strings.Order());
    }

    private static readonly string[] Forbidden = ["ID", "BSN", "DateTime", "Person", "Case", "Incident", "Location"];

    private static global::GraphQL.Types.IGraphType Unwrap(global::GraphQL.Types.IGraphType type)
        => type is global::GraphQL.Types.IProvideResolvedType wrapper ? Unwrap(wrapper.ResolvedType!) : type;

    [Theory]
    [MemberData(nameof(OtherRoles))]
    public async Task Roles_without_figures_get_403_on_csv_and_no_figures_field(HubRole role)
    {
        using var client = hub.CreateClient(role, OrganisationFor(role));

        using var response = await client.GetAsync($"/figures/hotspots.csv?{Period}");
        Assert.Equal(HttpStatusCode.Forbidden, response.StatusCode);
        Assert.Contains("FORBIDDEN", await response.Content.ReadAsStringAsync(), StringComparison.Ordinal);
        var data = await QueryAsync(client, """{ __type(name: "Query") { fields { name } } }""");
        Assert.DoesNotContain(data.GetProperty("__type").GetProperty("fields").EnumerateArray(), f => f.GetProperty("name").GetString() == "figures");
    }

    [Fact]
    public async Task Csv_is_refused_to_an_organisation_in_allow_list_mode()
    {
        // Allow-list mode admits only the organisation's registered operations: not the CSV figures either.
        using var client = hub.CreateClient(HubRole.BiLezer, DemoOrganisations.GemeenteVeiligstad);
        await AllowListMode.SetAsync(hub.Services, DemoOrganisations.GemeenteVeiligstad, true);
        try
        {
            using var refused = await client.GetAsync($"/figures/hotspots.csv?{Period}");
            Assert.Equal(HttpStatusCode.Forbidden, refused.StatusCode);
            Assert.Equal("TRUSTED_DOCUMENTS_ONLY",
                JsonDocument.Parse(await refused.Content.ReadAsStringAsync()).RootElement.GetProperty("error").GetProperty("code").GetString());
        }
        finally
        {
            await AllowListMode.SetAsync(hub.Services, DemoOrganisations.GemeenteVeiligstad, false);
        }

        using var served = await client.GetAsync($"/figures/hotspots.csv?{Period}");
        Assert.Equal(HttpStatusCode.OK, served.StatusCode);
    }

    [Fact]
    public async Task Csv_without_a_token_is_401()
    {
        using var client = hub.CreateClient();
        using var response = await client.GetAsync($"/figures/hotspots.csv?{Period}");
        Assert.Equal(HttpStatusCode.Unauthorized, response.StatusCode);
    }

    [Theory]
    [InlineData("/figures/hotspots.csv?to=2025-12-31", "MISSING_ARGUMENT")]
    [InlineData("/figures/hotspots.csv?from=2025-02-30&to=2025-12-31", "INVALID_ARGUMENT")]
    [InlineData("/figures/hotspots.csv?from=2025-12-31&to=2025-01-01", "INVALID_PERIOD")]
    [InlineData("/figures/hotspots.csv?from=2015-01-01&to=2025-12-31", "PERIOD_TOO_LONG")]
    [InlineData("/figures/hotspots.csv?from=2025-01-01&to=2025-12-31&level=STREET", "INVALID_ARGUMENT")]
    [InlineData("/figures/hotspots.csv?from=2025-01-01&to=2025-12-31&categories=BANKOVERVAL", "INVALID_ARGUMENT")]
    [InlineData("/figures/hotspots.csv?from=2025-01-01&to=2025-12-31&neighbourhoods=BU00000000", "UNKNOWN_AREA")]
    public async Task Bad_csv_parameters_are_400_with_a_code(string url, string code)
    {
        using var client = hub.CreateClient(HubRole.BiLezer, DemoOrganisations.GemeenteVeiligstad);
        using var response = await client.GetAsync(url);
        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        Assert.Equal(code, JsonDocument.Parse(await response.Content.ReadAsStringAsync()).RootElement.GetProperty("error").GetProperty("code").GetString());
    }

    [Fact]
    public async Task An_unknown_figure_is_404()
    {
        using var client = hub.CreateClient(HubRole.BiLezer, DemoOrganisations.GemeenteVeiligstad);
        using var response = await client.GetAsync($"/figures/persons.csv?{Period}");
        Assert.Equal(HttpStatusCode.NotFound, response.StatusCode);
    }

    [Fact]
    public async Task Bad_graphql_arguments_are_errors_with_a_code_not_500()
    {
        using var client = hub.CreateClient(HubRole.GemeenteAnalist, DemoOrganisations.GemeenteVeiligstad);
        using var response = await client.PostAsJsonAsync("/graphql", new { query = """{ figures { hotspots(from: "2025-01-01", to: "2025-12-31", districts: ["WK000000"]) { publishedTotal } } }""" });
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        var error = JsonDocument.Parse(await response.Content.ReadAsStringAsync()).RootElement.GetProperty("errors")[0];
        Assert.Equal("UNKNOWN_AREA", error.GetProperty("extensions").GetProperty("code").GetString());
    }

    [Fact]
    public async Task The_default_threshold_is_5_and_no_published_count_is_below_it()
    {
        using var client = hub.CreateClient(HubRole.BiLezer, DemoOrganisations.GemeenteVeiligstad);
        var data = await QueryAsync(client, """{ figures { trends(from: "2025-01-01", to: "2025-12-31") { suppressionThreshold rows { count { value suppressed } } } } }""");
        var trends = data.GetProperty("figures").GetProperty("trends");
        Assert.Equal(5, trends.GetProperty("suppressionThreshold").GetInt32());
        var cells = trends.GetProperty("rows").EnumerateArray().Select(r => Cell.From(r.GetProperty("count"))).ToList();
        Assert.Contains(cells, c => c.Suppressed);
        Assert.All(cells.Where(c => !c.Suppressed), c => Assert.True(c.Value >= 5));
    }

    public static TheoryData<string, string, string> CsvFigures => new()
    {
        { "hotspots", "hotspots(from: \"2025-01-01\", to: \"2025-12-31\", level: DISTRICT) { rows { rank areaCode areaName count { value suppressed } previousCount { value suppressed } change changePercent } }", "level=DISTRICT" },
        { "hotcrimes", "hotcrimes(from: \"2025-01-01\", to: \"2025-12-31\", categories: [GELUIDSOVERLAST, GEWELD, HENNEPTEELT]) { rows { rank category count { value suppressed } previousCount { value suppressed } change changePercent } }", "categories=GELUIDSOVERLAST,GEWELD&categories=HENNEPTEELT" },
        { "hottimes", "hottimes(from: \"2025-01-01\", to: \"2025-12-31\") { cells { weekday hour count { value suppressed } } }", "" },
        { "trends", "trends(from: \"2025-01-01\", to: \"2025-12-31\", level: DISTRICT) { rows { month category areaCode areaName count { value suppressed } } }", "level=district" },
        { "cases", "cases(from: \"2025-01-01\", to: \"2025-12-31\") { rows { quarter kind opened { value suppressed } escalated { value suppressed } closedOverlastGestopt { value suppressed } closedAanvaardbaarNiveau { value suppressed } closedNietOpgelost { value suppressed } } }", "" },
        { "interventions", "interventions(from: \"2025-01-01\", to: \"2025-12-31\") { rows { kind status count { value suppressed } } }", "" },
        { "fines", "interventions(from: \"2025-01-01\", to: \"2025-12-31\") { fines { objection collection count { value suppressed } } }", "" },
    };

    [Theory]
    [MemberData(nameof(CsvFigures))]
    public async Task Csv_and_graphql_give_the_same_numbers(string name, string selection, string extra)
    {
        using var client = hub.CreateClient(HubRole.BiLezer, DemoOrganisations.GemeenteVeiligstad);
        var data = await QueryAsync(client, "{ figures { " + selection + " } }");
        var figure = data.GetProperty("figures").EnumerateObject().Single().Value;
        var rows = (name == "fines" ? figure.GetProperty("fines") : figure.TryGetProperty("rows", out var r) ? r : figure.GetProperty("cells")).EnumerateArray().ToList();

        using var response = await client.GetAsync($"/figures/{name}.csv?{Period}{(extra.Length > 0 ? "&" + extra : "")}");
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal("text/csv", response.Content.Headers.ContentType!.MediaType);
        var lines = (await response.Content.ReadAsStringAsync()).Split("\r\n", StringSplitOptions.RemoveEmptyEntries);
        Assert.True(rows.Count > 0);
        Assert.Equal(rows.Count, lines.Length - 1);
        for (var k = 0; k < rows.Count; k++)
        {
            Assert.Equal(Flatten(rows[k]), SplitCsv(lines[k + 1]));
        }
    }

    /// <summary>A GraphQL row as the CSV writes it: fields in order, a count as value + flag, null as empty.</summary>
    private static List<string> Flatten(JsonElement row)
    {
        var cells = new List<string>();
        foreach (var property in row.EnumerateObject())
        {
            var v = property.Value;
            if (v.ValueKind == JsonValueKind.Object) cells.AddRange(Flatten(v));
            else cells.Add(v.ValueKind switch
            {
                JsonValueKind.Null => "",
                JsonValueKind.True => "true",
                JsonValueKind.False => "false",
                JsonValueKind.Number => v.GetDouble().ToString(CultureInfo.InvariantCulture),
                _ => v.GetString()!,
            });
        }
        return cells;
    }

    private static List<string> SplitCsv(string line)
    {
        var cells = new List<string>();
        var current = new System.Text.StringBuilder();
        var quoted = false;
        for (var k = 0; k < line.Length; k++)
        {
            var c = line[k];
            if (quoted && c == '"' && k + 1 < line.Length && line[k + 1] == '"') { current.Append('"'); k++; }
            else if (c == '"') quoted = !quoted;
            else if (c == ',' && !quoted) { cells.Add(current.ToString()); current.Clear(); }
            else current.Append(c);
        }
        cells.Add(current.ToString());
        return cells.Select(s => double.TryParse(s, NumberStyles.Float, CultureInfo.InvariantCulture, out var d) && s.Length > 0 && !s.Contains('-', StringComparison.Ordinal) ? d.ToString(CultureInfo.InvariantCulture) : s).ToList();
    }

    [Fact]
    public void The_read_only_connection_string_always_asks_for_read_intent()
    {
        var text = FiguresDatabase.ReadOnlyConnectionString("Server=replica;Database=Veiligheid;Integrated Security=true");
        Assert.Contains("Application Intent=ReadOnly", text, StringComparison.OrdinalIgnoreCase);
        var overridden = FiguresDatabase.ReadOnlyConnectionString("Server=replica;Database=Veiligheid;ApplicationIntent=ReadWrite");
        Assert.Contains("Application Intent=ReadOnly", overridden, StringComparison.OrdinalIgnoreCase);
    }

    [Fact]
    public void Local_time_bucketing_translates_to_sql_on_sql_server_too()
    {
        // SQL Server has no DayOfWeek translation and limits CASE nesting; check the SQL EF Core generates (no server needed).
        using var db = new SqlServerDesignTimeFactory().CreateDbContext([]);
        var buckets = new DutchTimeBuckets(new DateOnly(2024, 1, 1), new DateOnly(2026, 12, 31), sqlServer: true);
        var hottimes = buckets.Inline(db.Incidents.GroupBy(i => DutchTimeBuckets.WeekHour(i.OccurredAt)).Select(g => new { g.Key, Count = g.Count() })).ToQueryString();
        Assert.Contains("DATEDIFF(day", hottimes, StringComparison.Ordinal);
        Assert.Contains("GROUP BY", hottimes, StringComparison.Ordinal);
        var trends = buckets.Inline(db.Incidents.GroupBy(i => new { Month = DutchTimeBuckets.MonthIndex(i.OccurredAt), i.Category }).Select(g => new { g.Key.Month, g.Key.Category, Count = g.Count() })).ToQueryString();
        Assert.Contains("GROUP BY", trends, StringComparison.Ordinal);
        // A flat CASE with 35 WHENs for 36 months (in the SELECT and the GROUP BY), not 35 nested ones: SQL Server
        // refuses CASE nested deeper than 10.
        Assert.InRange(CountOf(trends, "CASE"), 1, 2);
        Assert.Equal(35 * CountOf(trends, "CASE"), CountOf(trends, "WHEN"));
    }

    private static int CountOf(string text, string word) => (text.Length - text.Replace(word, "", StringComparison.Ordinal).Length) / word.Length;

    private static string OrganisationFor(HubRole role) => role switch
    {
        HubRole.Politie => DemoOrganisations.PolitieNoord,
        HubRole.Woningcorporatie => DemoOrganisations.Woonstede,
        HubRole.Zorgaanbieder => DemoOrganisations.GgzHorizon,
        HubRole.ZvhProcesregisseur => DemoOrganisations.ZvhRegioNoord,
        _ => DemoOrganisations.GemeenteVeiligstad,
    };
}
