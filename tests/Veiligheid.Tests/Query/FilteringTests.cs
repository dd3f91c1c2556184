using System.Net;
using System.Text.Json;
using GraphQL.Types;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using Veiligheid.Access;
using Veiligheid.Cases;
using Veiligheid.Data.Seeding;
using Veiligheid.GraphQL;
using Veiligheid.Incidents;
using Veiligheid.Tests.Infrastructure;

namespace Veiligheid.Tests.Query;

/// <summary>Filters, sorts and keyset paging over real HTTP, checked against the database queried directly.</summary>
public sealed class FilteringTests(HubFactory hub) : IClassFixture<HubFactory>
{
    [Fact]
    public async Task Case_filter_on_enums_matches_the_database_after_the_row_rules()
    {
        var access = hub.AccessOf(HubRole.Politie, DemoOrganisations.PolitieNoord);
        var statuses = new[] { CaseStatus.Gemeld, CaseStatus.InBehandeling };
        var (expected, total) = hub.Db(db =>
        {
            var q = db.Cases.Where(access.Cases).Where(c => statuses.Contains(c.Status) && c.Kind != CaseKind.Jeugdoverlast);
            return (q.OrderByDescending(c => c.OpenedAt).ThenByDescending(c => c.Id).Take(100).Select(c => c.Id).ToList(), q.Count());
        });
        Assert.NotEmpty(expected);
        using var client = hub.CreateClient(HubRole.Politie, DemoOrganisations.PolitieNoord);

        var data = await client.DataAsync("""
            { cases(first: 100, filter: { status: { in: [GEMELD, IN_BEHANDELING] }, not: { kind: { eq: JEUGDOVERLAST } } }) { totalCount nodes { id } } }
            """);

        Assert.Equal(expected.Select(id => GlobalId.Encode("Case", id)), data.GetProperty("cases").Ids());
        Assert.Equal(total, data.GetProperty("cases").GetProperty("totalCount").GetInt32());
    }

    [Fact]
    public async Task Incident_filter_composes_a_month_a_district_and_or()
    {
        var access = hub.AccessOf(HubRole.Politie, DemoOrganisations.PolitieNoord);
        var (district, month) = hub.Db(db =>
        {
            var any = db.Incidents.OrderBy(i => i.Id).Select(i => new { i.Neighbourhood.District.Code, i.OccurredAt }).First();
            return (any.Code, new DateTime(any.OccurredAt.Year, any.OccurredAt.Month, 1, 0, 0, 0, DateTimeKind.Utc));
        });
        var next = month.AddMonths(1);
        var categories = new[] { IncidentCategory.Geluidsoverlast, IncidentCategory.Jeugdoverlast, IncidentCategory.Vandalisme };
        var expected = hub.Db(db => db.Incidents.Where(access.Incidents)
            .Where(i => i.Neighbourhood.District.Code == district && i.OccurredAt >= month && i.OccurredAt < next)
            .Where(i => i.InPublicSpace || categories.Contains(i.Category))
            .OrderByDescending(i => i.OccurredAt).ThenByDescending(i => i.Id).Select(i => i.Id).ToList());
        Assert.NotEmpty(expected);
        using var client = hub.CreateClient(HubRole.Politie, DemoOrganisations.PolitieNoord);

        var data = await client.DataAsync("""
            query($district: String!, $from: DateTime!, $to: DateTime!) {
              incidents(first: 100, filter: {
                district: { eq: $district }, occurredAt: { gte: $from, lt: $to },
                or: [ { inPublicSpace: { eq: true } }, { category: { in: [GELUIDSOVERLAST, JEUGDOVERLAST, VANDALISME] } } ]
              }) { nodes { id } }
            }
            """, new { district, from = month.ToString("O"), to = next.ToString("O") });

        Assert.Equal(expected.Take(100).Select(id => GlobalId.Encode("Incident", id)), data.GetProperty("incidents").Ids());
    }

    [Fact]
    public async Task Text_and_relation_filters_test_only_visible_related_rows()
    {
        var access = hub.AccessOf(HubRole.Woningcorporatie, DemoOrganisations.Woonstede);
        var (prefix, district) = hub.Db(db =>
        {
            var visibleLocations = db.Locations.Where(access.Locations);
            var visiblePersons = db.Persons.Where(access.Persons);
            var pick = db.Cases.Where(access.Cases).OrderBy(c => c.Id)
                .Select(c => new
                {
                    District = c.Locations.Where(l => visibleLocations.Any(v => v.Id == l.LocationId)).Select(l => l.Location.Neighbourhood.District.Code).FirstOrDefault(),
                    Surname = c.Subjects.Where(s => visiblePersons.Any(v => v.Id == s.PersonId)).Select(s => s.Person.Surname).FirstOrDefault(),
                })
                .First(x => x.District != null && x.Surname != null);
            return (pick.Surname![..2], pick.District!);
        });
        var expected = hub.Db(db => db.Cases.Where(access.Cases)
            .Where(c => c.Locations.Any(l => l.Location.Neighbourhood.District.Code == district && db.Locations.Where(access.Locations).Any(v => v.Id == l.LocationId)))
            .Where(c => c.Subjects.Any(s => s.Person.Surname.StartsWith(prefix) && db.Persons.Where(access.Persons).Any(v => v.Id == s.PersonId)))
            .OrderBy(c => c.Title).ThenBy(c => c.Id).Select(c => c.Id).ToList());
        Assert.NotEmpty(expected);
        using var client = hub.CreateClient(HubRole.Woningcorporatie, DemoOrganisations.Woonstede);

        var data = await client.DataAsync("""
            query($district: String!, $prefix: String!) {
              cases(first: 100, orderBy: [{ field: TITLE }], filter: { location: { district: { eq: $district } }, subject: { surname: { startsWith: $prefix } } }) { nodes { id } }
            }
            """, new { district, prefix });

        Assert.Equal(expected.Select(id => GlobalId.Encode("Case", id)), data.GetProperty("cases").Ids());
    }

    [Theory]
    [InlineData("CLOSED_AT", "DESC")]
    [InlineData("ESCALATED_AT", "ASC")]
    [InlineData("TITLE", "ASC")]
    public async Task Paging_with_keyset_cursors_returns_every_row_once_in_order(string field, string direction)
    {
        var access = hub.AccessOf(HubRole.GemeenteCoordinator, DemoOrganisations.GemeenteVeiligstad);
        var descending = direction == "DESC";
        var expected = hub.Db(db =>
        {
            var q = db.Cases.Where(access.Cases);
            var ordered = (field, descending) switch
            {
                ("CLOSED_AT", true) => q.OrderByDescending(c => c.ClosedAt).ThenBy(c => c.OpenedAt).ThenByDescending(c => c.Id),
                ("ESCALATED_AT", false) => q.OrderBy(c => c.EscalatedAt).ThenBy(c => c.OpenedAt).ThenBy(c => c.Id),
                _ => q.OrderBy(c => c.Title).ThenBy(c => c.OpenedAt).ThenBy(c => c.Id),
            };
            return ordered.Select(c => c.Id).ToList();
        });
        Assert.True(expected.Count > 20, $"only {expected.Count} cases");
        using var client = hub.CreateClient(HubRole.GemeenteCoordinator, DemoOrganisations.GemeenteVeiligstad);

        var seen = new List<string>();
        string? after = null;
        var pages = 0;
        do
        {
            var data = await client.DataAsync($$"""
                query($after: String) {
                  cases(first: 7, after: $after, orderBy: [{ field: {{field}}, direction: {{direction}} }, { field: OPENED_AT }]) {
                    nodes { id } pageInfo { hasNextPage hasPreviousPage endCursor }
                  }
                }
                """, new { after });
            var cases = data.GetProperty("cases");
            seen.AddRange(cases.Ids());
            var pageInfo = cases.GetProperty("pageInfo");
            Assert.Equal(after is not null, pageInfo.GetProperty("hasPreviousPage").GetBoolean());
            after = pageInfo.GetProperty("hasNextPage").GetBoolean() ? pageInfo.GetProperty("endCursor").GetString() : null;
            pages++;
        }
        while (after is not null && pages < 100);

        Assert.Equal(expected.Select(id => GlobalId.Encode("Case", id)), seen);
    }

    [Fact]
    public async Task Default_page_size_is_25_and_the_maximum_is_enforced()
    {
        using var client = hub.CreateClient(HubRole.Politie, DemoOrganisations.PolitieNoord);

        var data = await client.DataAsync("{ incidents { nodes { id } } }");
        var (status, body) = await client.PostAsync("{ incidents(first: 101) { nodes { id } } }");

        Assert.Equal(Paging.DefaultPageSize, data.GetProperty("incidents").Ids().Count);
        Assert.Equal(HttpStatusCode.OK, status);
        Assert.Contains("INVALID_PAGE_SIZE", body.ErrorCodes());
    }

    [Fact]
    public async Task A_cursor_is_refused_for_another_order_and_when_forged()
    {
        using var client = hub.CreateClient(HubRole.Politie, DemoOrganisations.PolitieNoord);
        var data = await client.DataAsync("{ cases(first: 2) { pageInfo { endCursor } } }");
        var cursor = data.GetProperty("cases").GetProperty("pageInfo").GetProperty("endCursor").GetString();

        var (_, otherOrder) = await client.PostAsync("query($c: String) { cases(first: 2, after: $c, orderBy: [{ field: TITLE }]) { nodes { id } } }", new { c = cursor });
        var (_, forged) = await client.PostAsync("query($c: String) { cases(first: 2, after: $c) { nodes { id } } }", new { c = "bm90LWEtY3Vyc29y" });

        Assert.Contains("INVALID_CURSOR", otherOrder.ErrorCodes());
        Assert.Contains("INVALID_CURSOR", forged.ErrorCodes());
    }

    [Fact]
    public async Task A_role_cannot_filter_or_sort_on_what_it_may_not_read()
    {
        using var handhaving = hub.CreateClient(HubRole.GemeenteHandhaving, DemoOrganisations.GemeenteVeiligstad);
        using var zorg = hub.CreateClient(HubRole.Zorgaanbieder, DemoOrganisations.GgzHorizon);

        var (subjectStatus, subjectBody) = await handhaving.PostAsync("""{ cases(filter: { subject: { bsn: { eq: "111222333" } } }) { nodes { id } } }""");
        var (locationStatus, _) = await zorg.PostAsync("""{ cases(filter: { location: { district: { eq: "WK000000" } } }) { nodes { id } } }""");
        var (personsStatus, _) = await handhaving.PostAsync("{ persons { nodes { id } } }");

        Assert.Equal(HttpStatusCode.OK, (await zorg.PostAsync("""{ cases(filter: { subject: { surname: { startsWith: "A" } } }) { nodes { id } } }""")).Status);
        Assert.Equal(HttpStatusCode.BadRequest, subjectStatus);
        Assert.Contains("subject", subjectBody.GetProperty("errors")[0].GetProperty("message").GetString(), StringComparison.Ordinal);
        Assert.Equal(HttpStatusCode.BadRequest, locationStatus);
        Assert.Equal(HttpStatusCode.BadRequest, personsStatus);
    }

    /// <summary>
    /// Per role: every filter field and sort value of an entity's inputs names a field of that entity the same role's
    /// schema has (or, for a district code, the neighbourhood it goes through), so no argument can test what the role
    /// cannot read.
    /// </summary>
    [Fact]
    public void Every_filter_and_sort_field_of_a_role_is_a_field_the_role_can_read()
    {
        var schemas = hub.Services.GetRequiredService<SchemaRegistry>();
        var checkedFields = 0;
        foreach (var role in HubRoles.All)
        {
            var schema = schemas.For(role);
            foreach (var input in schema.AllTypes.OfType<IInputObjectGraphType>().Where(t => t.Name.EndsWith("Filter", StringComparison.Ordinal)))
            {
                if (schema.AllTypes[input.Name[..^"Filter".Length]] is not IObjectGraphType entity) continue;
                foreach (var field in input.Fields.Where(f => f.Name is not ("and" or "or" or "not")))
                {
                    Assert.True(Readable(entity, field.Name), $"{role}: {input.Name}.{field.Name} has no readable {entity.Name} field");
                    checkedFields++;
                }
                if (schema.AllTypes[entity.Name + "SortField"] is EnumerationGraphType sorts)
                {
                    // ID is every list's tie-breaker; on rows without an id field of their own (a status change, a police
                    // signal) it is the order the hub recorded them in, and reveals nothing beyond the list's own order.
                    foreach (var value in sorts.Values.Where(v => v.Name != "ID" || entity.GetField("id") is not null))
                    {
                        var name = string.Concat(value.Name.ToLowerInvariant().Split('_').Select((w, i) => i == 0 ? w : char.ToUpperInvariant(w[0]) + w[1..]));
                        Assert.True(Readable(entity, name), $"{role}: {entity.Name}SortField.{value.Name} has no readable field");
                    }
                }
            }
        }
        Assert.True(checkedFields > 50);

        static bool Readable(IObjectGraphType entity, string name)
            => entity.GetField(name) is not null || entity.GetField(name + "s") is not null
               || (name == "district" && entity.GetField("neighbourhood") is not null);
    }

    [Fact]
    public async Task Location_incidents_are_filtered_paged_and_counted_per_location()
    {
        var access = hub.AccessOf(HubRole.Politie, DemoOrganisations.PolitieNoord);
        var expected = hub.Db(db =>
        {
            var locations = db.Locations.Where(access.Locations).OrderBy(l => l.Postcode).ThenBy(l => l.HouseNumber).ThenBy(l => l.Id).Take(30).Select(l => l.Id).ToList();
            return locations.Select(id =>
            {
                var q = db.Incidents.Where(access.Incidents).Where(i => i.LocationId == id && !i.InPublicSpace);
                return (Ids: q.OrderBy(i => i.ReportedAt).ThenBy(i => i.Id).Take(2).Select(i => i.Id).ToList(), Total: q.Count());
            }).ToList();
        });
        Assert.Contains(expected, e => e.Total > 2);
        using var client = hub.CreateClient(HubRole.Politie, DemoOrganisations.PolitieNoord);

        var data = await client.DataAsync("""
            { locations(first: 30) { nodes {
                incidents(first: 2, filter: { inPublicSpace: { eq: false } }, orderBy: [{ field: REPORTED_AT }]) { totalCount pageInfo { hasNextPage } nodes { id } }
            } } }
            """);

        var actual = data.GetProperty("locations").GetProperty("nodes").EnumerateArray().Select(n => n.GetProperty("incidents")).ToList();
        Assert.Equal(expected.Count, actual.Count);
        for (var i = 0; i < actual.Count; i++)
        {
            Assert.Equal(expected[i].Ids.Select(id => GlobalId.Encode("Incident", id)), actual[i].Ids());
            Assert.Equal(expected[i].Total, actual[i].GetProperty("totalCount").GetInt32());
            Assert.Equal(expected[i].Total > 2, actual[i].GetProperty("pageInfo").GetProperty("hasNextPage").GetBoolean());
        }
    }
}
