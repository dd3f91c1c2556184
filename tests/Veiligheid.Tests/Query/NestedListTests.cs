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
using Veiligheid.Persons;
using Veiligheid.Tests.Infrastructure;

namespace Veiligheid.Tests.Query;

/// <summary>Filters, sorts and first on the nested lists (a person's cases, a case's interventions, …), over real HTTP.</summary>
public sealed class NestedListTests(HubFactory hub) : IClassFixture<HubFactory>
{
    [Fact]
    public async Task A_persons_cases_are_filtered_on_the_case_sorted_and_cut_per_person_after_the_row_rules()
    {
        var access = hub.AccessOf(HubRole.GemeenteCoordinator, DemoOrganisations.GemeenteVeiligstad);
        var statuses = new[] { CaseStatus.Gemeld, CaseStatus.InBehandeling, CaseStatus.OpgeschaaldNaarZvh };
        using var client = hub.CreateClient(HubRole.GemeenteCoordinator, DemoOrganisations.GemeenteVeiligstad);

        var data = await client.DataAsync("""
            { persons(first: 100) { nodes { id
                all: cases { case { id } }
                open: cases(filter: { status: { in: [GEMELD, IN_BEHANDELING, OPGESCHAALD_NAAR_ZVH] } }, orderBy: [{ field: TITLE, direction: DESC }], first: 1) { role case { id } }
            } } }
            """);

        var persons = data.GetProperty("persons").GetProperty("nodes").EnumerateArray().ToList();
        var visible = access.Cases.Through<CaseSubject, Case>(s => s.Case);
        var checkedCut = false;
        foreach (var person in persons)
        {
            Assert.True(GlobalId.TryDecode(person.GetProperty("id").GetString(), "Person", out var personId));
            var (expected, total) = hub.Db(db =>
            {
                var q = db.CaseSubjects.Where(visible).Where(s => s.PersonId == personId && statuses.Contains(s.Case.Status));
                return (q.OrderByDescending(s => s.Case.Title).ThenByDescending(s => s.CaseId).Take(1).Select(s => s.CaseId).ToList(), q.Count());
            });
            Assert.Equal(expected.Select(id => GlobalId.Encode("Case", id)), CaseIds(person.GetProperty("open")));
            checkedCut |= total > 1;
        }
        Assert.True(checkedCut, "no person has more than one open case: the cut at first is not exercised");
        // Without arguments the list is whole, as it always was.
        Assert.Contains(persons, p => p.GetProperty("all").GetArrayLength() > 1);

        static IEnumerable<string> CaseIds(JsonElement links) => links.EnumerateArray().Select(l => l.GetProperty("case").GetProperty("id").GetString()!);
    }

    [Fact]
    public async Task A_locations_incidents_and_a_persons_incidents_filter_on_the_incident()
    {
        var access = hub.AccessOf(HubRole.Politie, DemoOrganisations.PolitieNoord);
        var visible = access.Incidents.Through<IncidentPerson, Incident>(l => l.Incident);
        using var client = hub.CreateClient(HubRole.Politie, DemoOrganisations.PolitieNoord);

        var data = await client.DataAsync("""
            { persons(first: 60, orderBy: [{ field: DATE_OF_BIRTH }]) { nodes { id
                incidents(filter: { inPublicSpace: { eq: true } }, first: 3) { role incident { id } }
            } } }
            """);

        var nonEmpty = 0;
        foreach (var person in data.GetProperty("persons").GetProperty("nodes").EnumerateArray())
        {
            Assert.True(GlobalId.TryDecode(person.GetProperty("id").GetString(), "Person", out var personId));
            var expected = hub.Db(db => db.IncidentPersons.Where(visible).Where(l => l.PersonId == personId && l.Incident.InPublicSpace)
                .OrderByDescending(l => l.Incident.OccurredAt).ThenByDescending(l => l.IncidentId).Take(3).Select(l => l.IncidentId).ToList());
            var actual = person.GetProperty("incidents").EnumerateArray().Select(l => l.GetProperty("incident").GetProperty("id").GetString()).ToList();
            Assert.Equal(expected.Select(id => GlobalId.Encode("Incident", id)), actual);
            if (actual.Count > 0) nonEmpty++;
        }
        Assert.True(nonEmpty > 0, "no person with incidents in public space");
    }

    [Fact]
    public async Task A_cases_interventions_subjects_and_locations_take_arguments_and_first_is_bounded()
    {
        using var client = hub.CreateClient(HubRole.GemeenteCoordinator, DemoOrganisations.GemeenteVeiligstad);

        var data = await client.DataAsync("""
            { cases(first: 30) { nodes {
                interventions { id startDate }
                latest: interventions(orderBy: [{ field: START_DATE, direction: DESC }], first: 1) { id }
                none: interventions(first: 0) { id }
                subjects(orderBy: [{ field: SURNAME }]) { person { surname } }
                locations(filter: { postcode: { startsWith: "" } }) { id }
            } } }
            """);
        var (status, body) = await client.PostAsync("{ cases(first: 1) { nodes { interventions(first: 101) { id } } } }");

        foreach (var node in data.GetProperty("cases").GetProperty("nodes").EnumerateArray())
        {
            var all = node.GetProperty("interventions").EnumerateArray().ToList();
            var latest = node.GetProperty("latest").EnumerateArray().Select(i => i.GetProperty("id").GetString()).ToList();
            Assert.Equal(Math.Min(1, all.Count), latest.Count);
            if (all.Count > 0)
            {
                var last = all.Select(i => i.GetProperty("startDate").GetString()!).Max(StringComparer.Ordinal);
                Assert.Contains(latest[0], all.Where(i => i.GetProperty("startDate").GetString() == last).Select(i => i.GetProperty("id").GetString()));
            }
            Assert.Equal(0, node.GetProperty("none").GetArrayLength());
            var surnames = node.GetProperty("subjects").EnumerateArray().Select(s => s.GetProperty("person").GetProperty("surname").GetString()!).ToList();
            Assert.Equal(surnames.Order(StringComparer.Ordinal), surnames);
        }
        Assert.Equal(HttpStatusCode.OK, status);
        Assert.Contains("INVALID_PAGE_SIZE", body.ErrorCodes());
    }

    /// <summary>A case the police may not see, linked to a person the police may see: absent from the person's cases whatever the filter, order or first.</summary>
    [Fact]
    public async Task A_hidden_row_is_absent_whatever_the_filter()
    {
        var access = hub.AccessOf(HubRole.Politie, DemoOrganisations.PolitieNoord);
        var visibleCase = access.Cases.Through<CaseSubject, Case>(s => s.Case);
        var hiddenCase = Expression.Lambda<Func<CaseSubject, bool>>(Expression.Not(visibleCase.Body), visibleCase.Parameters);
        var visiblePerson = access.Persons.Through<CaseSubject, Person>(s => s.Person);
        var (personId, caseId, visibleIds) = hub.Db(db =>
        {
            var link = db.CaseSubjects.Where(visiblePerson).Where(hiddenCase).OrderBy(s => s.PersonId).Select(s => new { s.PersonId, s.CaseId }).First();
            var visibleIds = db.CaseSubjects.Where(visibleCase).Where(s => s.PersonId == link.PersonId).Select(s => s.CaseId).ToList();
            return (link.PersonId, link.CaseId, visibleIds);
        });
        var person = GlobalId.Encode("Person", personId);
        var hidden = GlobalId.Encode("Case", caseId);
        using var client = hub.CreateClient(HubRole.Politie, DemoOrganisations.PolitieNoord);

        string[] filters =
        [
            $$"""{ id: { eq: "{{hidden}}" } }""",
            $$"""{ id: { in: ["{{hidden}}"] } }""",
            $$"""{ or: [{ id: { eq: "{{hidden}}" } }, { not: { id: { eq: "{{hidden}}" } } }] }""",
            """{ not: { title: { eq: "no case has this title" } } }""",
            """{ openedAt: { gte: "1900-01-01T00:00:00Z" } }""",
        ];
        foreach (var filter in filters)
        {
            var data = await client.DataAsync($$"""
                query($person: ID!) { person(id: $person) {
                  cases(filter: {{filter}}) { case { id } }
                  sorted: cases(filter: {{filter}}, orderBy: [{ field: TITLE }], first: 100) { case { id } }
                } }
                """, new { person });
            foreach (var list in new[] { "cases", "sorted" })
            {
                var ids = data.GetProperty("person").GetProperty(list).EnumerateArray().Select(l => l.GetProperty("case").GetProperty("id").GetString()).ToList();
                Assert.DoesNotContain(hidden, ids);
                Assert.All(ids, id => Assert.Contains(id, visibleIds.Select(v => GlobalId.Encode("Case", v))));
            }
        }
    }

    /// <summary>
    /// Per role and purpose, from the policy through the schema: a nested list takes a filter and a sort exactly when the
    /// role's schema has the entity they test (a role that may list a case's subjects but not read persons cannot filter
    /// them on a person's fields), and the filter's fields are the readable fields of that entity (see FilteringTests).
    /// </summary>
    [Fact]
    public void A_nested_list_has_a_filter_exactly_when_the_role_may_read_what_it_tests()
    {
        var schemas = hub.Services.GetRequiredService<SchemaRegistry>();
        var nested = schemas.Full.AllTypes.OfType<IObjectGraphType>().Where(t => t.Name != "Query")
            .SelectMany(t => t.Fields.Where(f => f.Arguments?.Find("filter") is not null && !f.ResolvedType!.GetNamedType().Name.EndsWith("Connection", StringComparison.Ordinal))
                .Select(f => (Type: t.Name, Field: f.Name, Entity: f.Arguments!.Find("filter")!.ResolvedType!.Name[..^"Filter".Length])))
            .ToList();
        Assert.True(nested.Count >= 8, $"only {nested.Count} nested lists take a filter");
        Assert.Contains(("Case", "subjects", "Person"), nested);
        var checkedFields = 0;
        var cut = 0;
        foreach (var role in HubRoles.All)
            foreach (var purpose in Purposes.For(role).Append(null))
            {
                var schema = schemas.For(role, purpose);
                foreach (var (type, field, entity) in nested)
                {
                    if ((schema.AllTypes[type] as IObjectGraphType)?.GetField(field) is not { } list) continue;
                    var readable = schema.AllTypes[entity] is IObjectGraphType;
                    Assert.True(readable == (list.Arguments?.Find("filter") is not null), $"{role}/{purpose?.Key}: {type}.{field} filter while {entity} readable = {readable}");
                    Assert.True(readable == (list.Arguments?.Find("orderBy") is not null), $"{role}/{purpose?.Key}: {type}.{field} orderBy while {entity} readable = {readable}");
                    Assert.NotNull(list.Arguments?.Find("first"));
                    checkedFields++;
                    if (!readable) cut++;
                }
            }
        Assert.True(checkedFields > 50 && cut > 0, $"{checkedFields} fields checked, {cut} without a filter");
    }

    [Fact]
    public async Task A_role_that_cannot_read_persons_cannot_filter_a_cases_subjects_on_them()
    {
        using var handhaving = hub.CreateClient(HubRole.GemeenteHandhaving, DemoOrganisations.GemeenteVeiligstad);

        var (status, _) = await handhaving.PostAsync("""{ cases(first: 1) { nodes { subjects(filter: { surname: { startsWith: "A" } }) { role } } } }""");
        var data = await handhaving.DataAsync("{ cases(first: 3) { nodes { subjects(first: 1) { role } } } }");

        Assert.Equal(HttpStatusCode.BadRequest, status);
        Assert.All(data.GetProperty("cases").GetProperty("nodes").EnumerateArray(), n => Assert.InRange(n.GetProperty("subjects").GetArrayLength(), 0, 1));
    }
}
