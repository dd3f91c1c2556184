using System.Buffers.Text;
using System.Linq.Expressions;
using System.Net;
using System.Text.Json;
using GraphQL;
using GraphQL.Types;
using Microsoft.Extensions.DependencyInjection;
using Veiligheid.Access;
using Veiligheid.Cases;
using Veiligheid.Data.Seeding;
using Veiligheid.GraphQL;
using Veiligheid.Incidents;
using Veiligheid.Interventions;
using Veiligheid.Tests.Infrastructure;

namespace Veiligheid.Tests.Query;

/// <summary>
/// Cursor paging on the nested lists, over real HTTP: a list's <c>…Page</c> sibling page by page, and the list itself with
/// <c>after</c> set to the sibling's cursors, give each item the caller may see exactly once, in the list's order, under
/// roles with different slices; a hidden row is never returned and never takes a place of <c>first</c>.
/// </summary>
public sealed class NestedListPagingTests(HubFactory hub) : IClassFixture<HubFactory>
{
    private const string PersonIncidents = """
        query($parent: ID!, $first: Int, $after: String) { parent: person(id: $parent) {
          page: incidentsPage(first: $first, after: $after ARGS) { totalCount pageInfo { hasNextPage hasPreviousPage endCursor } edges { cursor node { incident { id } } } }
        } }
        """;

    private const string PersonIncidentsList = """
        query($parent: ID!, $first: Int, $after: String) { parent: person(id: $parent) { list: incidents(first: $first, after: $after ARGS) { incident { id } } } }
        """;

    private const string PersonCases = """
        query($parent: ID!, $first: Int, $after: String) { parent: person(id: $parent) {
          page: casesPage(first: $first, after: $after ARGS) { totalCount pageInfo { hasNextPage hasPreviousPage endCursor } edges { cursor node { case { id } } } }
        } }
        """;

    private const string PersonCasesList = """
        query($parent: ID!, $first: Int, $after: String) { parent: person(id: $parent) { list: cases(first: $first, after: $after ARGS) { case { id } } } }
        """;

    private const string CaseInterventions = """
        query($parent: ID!, $first: Int, $after: String) { parent: case(id: $parent) {
          page: interventionsPage(first: $first, after: $after ARGS) { totalCount pageInfo { hasNextPage hasPreviousPage endCursor } edges { cursor node { id } } }
        } }
        """;

    private const string CaseInterventionsList = """
        query($parent: ID!, $first: Int, $after: String) { parent: case(id: $parent) { list: interventions(first: $first, after: $after ARGS) { id } } }
        """;

    public static TheoryData<HubRole, string, string> IncidentCallers => new()
    {
        { HubRole.GemeenteCoordinator, DemoOrganisations.GemeenteVeiligstad, "" },
        { HubRole.GemeenteCoordinator, DemoOrganisations.GemeenteVeiligstad, ", filter: { inPublicSpace: { eq: true } }, orderBy: [{ field: REPORTED_AT }]" },
        { HubRole.ZvhProcesregisseur, DemoOrganisations.ZvhRegioNoord, "" },
        { HubRole.ZvhProcesregisseur, DemoOrganisations.ZvhRegioNoord, ", filter: { inPublicSpace: { eq: true } }, orderBy: [{ field: REPORTED_AT }]" },
    };

    [Theory]
    [MemberData(nameof(IncidentCallers))]
    public async Task A_persons_incidents_page_by_page_are_each_visible_incident_once_in_order(HubRole role, string organisation, string arguments)
    {
        var access = hub.AccessOf(role, organisation);
        var visible = access.Incidents.Through<IncidentPerson, Incident>(l => l.Incident);
        var filtered = arguments.Length > 0;
        var hidden = Expression.Lambda<Func<IncidentPerson, bool>>(Expression.Not(visible.Body), visible.Parameters);
        var (person, hiddenRows) = Parent(hub.Db(db => db.Persons.Where(access.Persons).Select(p => p.Id).ToList()),
            hub.Db(db => db.IncidentPersons.Where(visible).Where(l => !filtered || l.Incident.InPublicSpace).GroupBy(l => l.PersonId).Select(g => new { g.Key, Count = g.Count() }).ToDictionary(g => g.Key, g => g.Count)),
            hub.Db(db => db.IncidentPersons.Where(hidden).GroupBy(l => l.PersonId).Select(g => new { g.Key, Count = g.Count() }).ToDictionary(g => g.Key, g => g.Count)));
        // No hidden incident of a visible person exists for these roles: they see every incident involving a subject of a
        // case they see, and only such persons. The two slices differ in which persons and incidents those are.
        Assert.Equal(0, hiddenRows);
        var expected = hub.Db(db =>
        {
            var rows = db.IncidentPersons.Where(visible).Where(l => l.PersonId == person);
            return filtered
                ? rows.Where(l => l.Incident.InPublicSpace).OrderBy(l => l.Incident.ReportedAt).ThenBy(l => l.IncidentId).Select(l => l.IncidentId).ToList()
                : rows.OrderByDescending(l => l.Incident.OccurredAt).ThenByDescending(l => l.IncidentId).Select(l => l.IncidentId).ToList();
        });

        await PagesAsync(role, organisation, PersonIncidents.Replace("ARGS", arguments, StringComparison.Ordinal), PersonIncidentsList.Replace("ARGS", arguments, StringComparison.Ordinal),
            GlobalId.Encode("Person", person), "Incident", n => n.GetProperty("incident").GetProperty("id").GetString()!, expected);
    }

    public static TheoryData<HubRole, string, string> CaseCallers => new()
    {
        { HubRole.Politie, DemoOrganisations.PolitieNoord, "" },
        { HubRole.Politie, DemoOrganisations.PolitieNoord, ", orderBy: [{ field: TITLE }]" },
        { HubRole.Zorgaanbieder, DemoOrganisations.GgzHorizon, "" },
        { HubRole.Zorgaanbieder, DemoOrganisations.GgzHorizon, ", orderBy: [{ field: TITLE }]" },
    };

    [Theory]
    [MemberData(nameof(CaseCallers))]
    public async Task A_persons_cases_page_by_page_are_each_visible_case_once_in_order(HubRole role, string organisation, string arguments)
    {
        var access = hub.AccessOf(role, organisation);
        var visible = access.Cases.Through<CaseSubject, Case>(s => s.Case);
        var hidden = Expression.Lambda<Func<CaseSubject, bool>>(Expression.Not(visible.Body), visible.Parameters);
        var (person, hiddenRows) = Parent(hub.Db(db => db.Persons.Where(access.Persons).Select(p => p.Id).ToList()),
            hub.Db(db => db.CaseSubjects.Where(visible).GroupBy(s => s.PersonId).Select(g => new { g.Key, Count = g.Count() }).ToDictionary(g => g.Key, g => g.Count)),
            hub.Db(db => db.CaseSubjects.Where(hidden).GroupBy(s => s.PersonId).Select(g => new { g.Key, Count = g.Count() }).ToDictionary(g => g.Key, g => g.Count)));
        Assert.True(hiddenRows > 0, "the person has no hidden cases: their absence is not exercised");
        var expected = hub.Db(db =>
        {
            var rows = db.CaseSubjects.Where(visible).Where(s => s.PersonId == person);
            return arguments.Length > 0
                ? rows.OrderBy(s => s.Case.Title).ThenBy(s => s.CaseId).Select(s => s.CaseId).ToList()
                : rows.OrderByDescending(s => s.Case.OpenedAt).ThenByDescending(s => s.CaseId).Select(s => s.CaseId).ToList();
        });

        await PagesAsync(role, organisation, PersonCases.Replace("ARGS", arguments, StringComparison.Ordinal), PersonCasesList.Replace("ARGS", arguments, StringComparison.Ordinal),
            GlobalId.Encode("Person", person), "Case", n => n.GetProperty("case").GetProperty("id").GetString()!, expected);
    }

    public static TheoryData<HubRole, string, string> InterventionCallers => new()
    {
        { HubRole.GemeenteCoordinator, DemoOrganisations.GemeenteVeiligstad, "" },
        { HubRole.GemeenteCoordinator, DemoOrganisations.GemeenteVeiligstad, ", filter: { not: { kind: { eq: WAARSCHUWING } } }, orderBy: [{ field: END_DATE, direction: DESC }]" },
        { HubRole.Zorgaanbieder, DemoOrganisations.GgzHorizon, "" },
        { HubRole.Zorgaanbieder, DemoOrganisations.GgzHorizon, ", filter: { not: { kind: { eq: WAARSCHUWING } } }, orderBy: [{ field: END_DATE, direction: DESC }]" },
    };

    /// <summary>Under END_DATE DESC the running interventions (no end date) come last: the cursor crosses from dates to absent ones.</summary>
    [Theory]
    [MemberData(nameof(InterventionCallers))]
    public async Task A_cases_interventions_page_by_page_are_each_visible_intervention_once_in_order(HubRole role, string organisation, string arguments)
    {
        var access = hub.AccessOf(role, organisation);
        var filtered = arguments.Length > 0;
        var hidden = Expression.Lambda<Func<Intervention, bool>>(Expression.Not(access.Interventions.Body), access.Interventions.Parameters);
        var (caseId, hiddenRows) = Parent(hub.Db(db => db.Cases.Where(access.Cases).Select(c => c.Id).ToList()),
            hub.Db(db => db.Interventions.Where(access.Interventions).Where(i => i.CaseId != null && (!filtered || i.Kind != InterventionKind.Waarschuwing))
                .GroupBy(i => i.CaseId!.Value).Select(g => new { g.Key, Count = g.Count() }).ToDictionary(g => g.Key, g => g.Count)),
            hub.Db(db => db.Interventions.Where(hidden).Where(i => i.CaseId != null).GroupBy(i => i.CaseId!.Value).Select(g => new { g.Key, Count = g.Count() }).ToDictionary(g => g.Key, g => g.Count)));
        // The care provider may not see the care trajectories of other providers without consent: hidden rows among its cases' interventions.
        if (role == HubRole.Zorgaanbieder) Assert.True(hiddenRows > 0, "the case has no hidden interventions: their absence is not exercised");
        var expected = hub.Db(db =>
        {
            var rows = db.Interventions.Where(access.Interventions).Where(i => i.CaseId == caseId);
            return filtered
                ? rows.Where(i => i.Kind != InterventionKind.Waarschuwing).OrderByDescending(i => i.EndDate).ThenByDescending(i => i.Id).Select(i => i.Id).ToList()
                : rows.OrderBy(i => i.StartDate).ThenBy(i => i.Id).Select(i => i.Id).ToList();
        });

        await PagesAsync(role, organisation, CaseInterventions.Replace("ARGS", arguments, StringComparison.Ordinal), CaseInterventionsList.Replace("ARGS", arguments, StringComparison.Ordinal),
            GlobalId.Encode("Case", caseId), "Intervention", n => n.GetProperty("id").GetString()!, expected);
    }

    /// <summary>Garbage, a cursor of another list, of another order, or of a root list: a GraphQL error INVALID_CURSOR, never a 500 and never data.</summary>
    [Fact]
    public async Task A_bad_cursor_is_a_clear_error()
    {
        using var client = hub.CreateClient(HubRole.GemeenteCoordinator, DemoOrganisations.GemeenteVeiligstad);
        var data = await client.DataAsync("""
            { cases(first: 20) { pageInfo { endCursor } nodes { id interventionsPage(first: 1) { pageInfo { endCursor } } } }
              persons(first: 40) { nodes { id interventionsPage(first: 1) { pageInfo { endCursor } } } } }
            """);
        var caseNode = data.GetProperty("cases").GetProperty("nodes").EnumerateArray()
            .First(n => n.GetProperty("interventionsPage").GetProperty("pageInfo").GetProperty("endCursor").ValueKind == JsonValueKind.String);
        var caseCursor = caseNode.GetProperty("interventionsPage").GetProperty("pageInfo").GetProperty("endCursor").GetString()!;
        var rootCursor = data.GetProperty("cases").GetProperty("pageInfo").GetProperty("endCursor").GetString()!;
        var personCursor = data.GetProperty("persons").GetProperty("nodes").EnumerateArray()
            .Select(n => n.GetProperty("interventionsPage").GetProperty("pageInfo").GetProperty("endCursor"))
            .First(c => c.ValueKind == JsonValueKind.String).GetString()!;
        var parent = caseNode.GetProperty("id").GetString();

        // The case's own cursor works, on the list and on its page.
        await client.DataAsync("query($c: ID!, $after: String) { case(id: $c) { interventions(after: $after) { id } interventionsPage(after: $after) { nodes { id } } } }", new { c = parent, after = caseCursor });

        string[] bad =
        [
            "garbage", "", "!!!", Base64Url.EncodeToString("[\"Case.interventions:START_DATE\",\"x\"]"u8),
            personCursor, // Person.interventions: the same order on the same type, another list
            rootCursor, // the root cases list
        ];
        foreach (var cursor in bad)
        {
            foreach (var field in new[] { "interventions(after: $after) { id }", "interventionsPage(after: $after) { nodes { id } }", "interventions(after: $after, orderBy: [{ field: START_DATE }]) { id }" })
            {
                var (status, body) = await client.PostAsync($"query($c: ID!, $after: String) {{ case(id: $c) {{ {field} }} }}", new { c = parent, after = cursor });
                Assert.Equal(HttpStatusCode.OK, status);
                Assert.Contains("INVALID_CURSOR", body.ErrorCodes());
                Assert.False(body.TryGetProperty("data", out var d) && d.ValueKind == JsonValueKind.Object && d.GetProperty("case").ValueKind == JsonValueKind.Object, body.ToString());
            }
        }
        // A cursor of the documented order given with another orderBy (the same field, the other direction).
        var (_, reordered) = await client.PostAsync("query($c: ID!, $after: String) { case(id: $c) { interventions(after: $after, orderBy: [{ field: START_DATE, direction: DESC }]) { id } } }", new { c = parent, after = caseCursor });
        Assert.Contains("INVALID_CURSOR", reordered.ErrorCodes());
    }

    /// <summary>A cursor holds its list, its order and the sort keys of its own row, nothing else (here: the incident's occurrence and id).</summary>
    [Fact]
    public async Task A_cursor_holds_only_the_sort_keys_of_its_own_row()
    {
        using var client = hub.CreateClient(HubRole.Politie, DemoOrganisations.PolitieNoord);
        var data = await client.DataAsync("{ persons(first: 20) { nodes { incidentsPage(first: 3) { edges { cursor node { incident { id occurredAt } } } } } } }");
        var edges = data.GetProperty("persons").GetProperty("nodes").EnumerateArray().SelectMany(p => p.GetProperty("incidentsPage").GetProperty("edges").EnumerateArray()).ToList();
        Assert.NotEmpty(edges);
        foreach (var edge in edges)
        {
            using var cursor = JsonDocument.Parse(Base64Url.DecodeFromChars(edge.GetProperty("cursor").GetString()));
            var values = cursor.RootElement.EnumerateArray().ToList();
            var incident = edge.GetProperty("node").GetProperty("incident");
            Assert.True(GlobalId.TryDecode(incident.GetProperty("id").GetString(), "Incident", out var id));
            Assert.Equal(3, values.Count);
            Assert.Equal("Person.incidents:OCCURRED_AT DESC,ID DESC", values[0].GetString());
            Assert.Equal(DateTime.Parse(incident.GetProperty("occurredAt").GetString()!, System.Globalization.CultureInfo.InvariantCulture).ToUniversalTime(),
                values[1].GetDateTime().ToUniversalTime(), TimeSpan.FromSeconds(1));
            Assert.Equal(id, values[2].GetInt32());
        }
    }

    /// <summary>
    /// A cursor holds the linked entity's sort keys and id, so it exists only where the role may read that entity: a role
    /// that lists a case's subjects but may not read persons gets neither after nor subjectsPage on them (per role and
    /// purpose, from the policy through the schema).
    /// </summary>
    [Fact]
    public void Cursors_exist_exactly_where_the_filter_does()
    {
        var schemas = hub.Services.GetRequiredService<SchemaRegistry>();
        var nested = schemas.Full.AllTypes.OfType<IObjectGraphType>().Where(t => t.Name != "Query")
            .SelectMany(t => t.Fields.Where(f => f.Arguments?.Find("filter") is not null && !f.ResolvedType!.GetNamedType().Name.EndsWith("Connection", StringComparison.Ordinal))
                .Select(f => (Type: t.Name, Field: f.Name)))
            .ToList();
        Assert.Equal(14, nested.Count);
        var withoutCursors = 0;
        foreach (var role in HubRoles.All)
            foreach (var purpose in Purposes.For(role).Append(null))
            {
                var schema = schemas.For(role, purpose);
                foreach (var (type, field) in nested)
                {
                    if (schema.AllTypes[type] is not IObjectGraphType owner || owner.GetField(field) is not { } list) continue;
                    var filter = list.Arguments?.Find("filter") is not null;
                    Assert.True(filter == (list.Arguments?.Find("after") is not null), $"{role}/{purpose?.Key}: {type}.{field} after while filter = {filter}");
                    var page = owner.GetField(field + "Page");
                    Assert.True(filter == (page is not null), $"{role}/{purpose?.Key}: {type}.{field}Page while filter = {filter}");
                    if (page is not null)
                    {
                        Assert.NotNull(page.Arguments?.Find("after"));
                        Assert.NotNull(page.Arguments?.Find("first"));
                    }
                    if (!filter) withoutCursors++;
                }
            }
        Assert.True(withoutCursors > 0, "no role lists a nested list without its cursors: the rule is not exercised");
    }

    /// <summary>
    /// A …Page sibling holds its list's rows (the first page is the list cut at first, under every parent), and the
    /// processing log notes the same persons and categories for both: the list answered by the compiled path, the page
    /// by the reference path.
    /// </summary>
    [Theory]
    [InlineData(HubRole.Politie, DemoOrganisations.PolitieNoord, "persons(first: 60)", "incidents", "(first: 3, filter: { inPublicSpace: { eq: true } })", "{ role incident { id occurredAt } }")]
    [InlineData(HubRole.GemeenteCoordinator, DemoOrganisations.GemeenteVeiligstad, "persons(first: 60)", "cases", "(first: 2, orderBy: [{ field: TITLE }])", "{ role case { id title } }")]
    [InlineData(HubRole.Woningcorporatie, DemoOrganisations.Woonstede, "persons(first: 60)", "tenancies", "(first: 1)", "{ startDate landlord { key } }")]
    [InlineData(HubRole.GemeenteCoordinator, DemoOrganisations.GemeenteVeiligstad, "cases(first: 60)", "subjects", "(first: 2, orderBy: [{ field: SURNAME, direction: DESC }])", "{ role person { id surname } }")]
    [InlineData(HubRole.Zorgaanbieder, DemoOrganisations.GgzHorizon, "cases(first: 60)", "interventions", "(first: 2)", "{ id kind startDate }")]
    public async Task A_page_holds_its_lists_rows_and_logs_the_same_persons(HubRole role, string organisation, string root, string list, string arguments, string selection)
    {
        var caller = ReadPathDifferentialTests.CallerOf(role, organisation, HubFactory.DefaultPurposeOf(role));
        var rootName = root[..root.IndexOf('(', StringComparison.Ordinal)];
        var (listJson, listPath, listLog, _) = await ReadPathDifferentialTests.RunAsync(hub.Services, caller,
            $"{{ {root} {{ nodes {{ id items: {list}{arguments} {selection} }} }} }}", compiledReads: true);
        var (pageJson, pagePath, pageLog, _) = await ReadPathDifferentialTests.RunAsync(hub.Services, caller,
            $"{{ {root} {{ nodes {{ id items: {list}Page{arguments} {{ nodes {selection} }} }} }} }}", compiledReads: true);

        Assert.Equal(Veiligheid.GraphQL.Compiled.ReadPath.Compiled, listPath);
        Assert.Equal(Veiligheid.GraphQL.Compiled.ReadPath.Reference, pagePath);
        var lists = System.Text.Json.Nodes.JsonNode.Parse(listJson)!["data"]![rootName]!["nodes"]!.AsArray();
        var pages = System.Text.Json.Nodes.JsonNode.Parse(pageJson)!["data"]![rootName]!["nodes"]!.AsArray();
        Assert.Equal(lists.Count, pages.Count);
        var items = 0;
        for (var i = 0; i < lists.Count; i++)
        {
            Assert.True(System.Text.Json.Nodes.JsonNode.DeepEquals(lists[i]!["items"], pages[i]!["items"]!["nodes"]), $"{lists[i]}\n{pages[i]}");
            items += lists[i]!["items"]!.AsArray().Count;
        }
        Assert.True(items > 0, "no items: nothing compared");
        Assert.NotEqual("", listLog);
        Assert.Equal(listLog, pageLog);
    }

    /// <summary>
    /// Pages through one parent's list with its …Page sibling (checking every page's shape) and again with the list and
    /// after; both must give exactly <paramref name="expected"/>.
    /// </summary>
    private async Task PagesAsync(HubRole role, string organisation, string pageQuery, string listQuery, string parent, string type,
        Func<JsonElement, string> idOf, List<int> expected)
    {
        Assert.True(expected.Count >= 2, $"the parent has {expected.Count} visible items: paging is not exercised");
        var first = Math.Max(1, expected.Count / 3);
        using var client = hub.CreateClient(role, organisation);
        var seen = new List<string>();
        var listed = new List<string>();
        string? after = null;
        for (var pages = 0; ; pages++)
        {
            Assert.True(pages <= expected.Count, "the pages do not end");
            var variables = new Dictionary<string, object?> { ["parent"] = parent, ["first"] = first, ["after"] = after };
            var page = (await client.DataAsync(pageQuery, variables)).GetProperty("parent").GetProperty("page");
            var edges = page.GetProperty("edges").EnumerateArray().ToList();
            var info = page.GetProperty("pageInfo");
            Assert.Equal(expected.Count, page.GetProperty("totalCount").GetInt32());
            Assert.Equal(after is not null, info.GetProperty("hasPreviousPage").GetBoolean());
            Assert.InRange(edges.Count, 0, first);
            seen.AddRange(edges.Select(e => idOf(e.GetProperty("node"))));
            var list = (await client.DataAsync(listQuery, variables)).GetProperty("parent").GetProperty("list");
            listed.AddRange(list.EnumerateArray().Select(idOf));
            Assert.Equal(seen.Count, listed.Count);
            if (!info.GetProperty("hasNextPage").GetBoolean())
            {
                Assert.True(edges.Count > 0 || after is null || expected.Count == seen.Count);
                break;
            }
            Assert.Equal(first, edges.Count);
            Assert.Equal(edges[^1].GetProperty("cursor").GetString(), info.GetProperty("endCursor").GetString());
            after = info.GetProperty("endCursor").GetString();
        }
        var ids = expected.Select(id => GlobalId.Encode(type, id)).ToList();
        Assert.Equal(ids, seen);
        Assert.Equal(ids, listed);
    }

    /// <summary>A visible parent with hidden rows among at least two visible ones, the most visible first (else the one with the most visible rows), and its hidden rows.</summary>
    private static (int Parent, int Hidden) Parent(List<int> parents, Dictionary<int, int> visible, Dictionary<int, int> hidden)
    {
        var parent = parents.Where(visible.ContainsKey)
            .OrderByDescending(p => hidden.GetValueOrDefault(p) > 0 && visible[p] >= 2)
            .ThenByDescending(p => visible[p]).ThenBy(p => p).First();
        return (parent, hidden.GetValueOrDefault(parent));
    }
}
