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

    [Fact]
    public async Task A_cases_participants_status_history_and_contributions_are_filtered_sorted_and_cut_per_case()
    {
        using var client = hub.CreateClient(HubRole.GemeenteCoordinator, DemoOrganisations.GemeenteVeiligstad);
        var veiligstad = DemoOrganisations.IdOf(DemoOrganisations.GemeenteVeiligstad);

        var data = await client.DataAsync($$"""
            { cases(first: 60) { nodes { id
                participants(filter: { not: { organisation: { eq: "{{GlobalId.Encode("Organisation", veiligstad)}}" } } }, orderBy: [{ field: JOINED_AT, direction: DESC }], first: 2) { organisation { key } }
                statusHistory(filter: { toStatus: { in: [IN_BEHANDELING, AFGESLOTEN] } }, orderBy: [{ field: CHANGED_AT, direction: DESC }], first: 1) { toStatus changedAt }
                contributions(filter: { or: [{ text: { contains: "e" } }, { createdAt: { lt: "2000-01-01T00:00:00Z" } }] }, first: 2) { text }
                allContributions: contributions { text }
            } } }
            """);

        var cut = new int[3];
        foreach (var node in data.GetProperty("cases").GetProperty("nodes").EnumerateArray())
        {
            Assert.True(GlobalId.TryDecode(node.GetProperty("id").GetString(), "Case", out var caseId));
            var (participants, participantCount, changes, changeCount, all) = hub.Db(db =>
            {
                var p = db.CaseParticipants.Where(x => x.CaseId == caseId && x.OrganisationId != veiligstad);
                var s = db.CaseStatusChanges.Where(x => x.CaseId == caseId && (x.ToStatus == CaseStatus.InBehandeling || x.ToStatus == CaseStatus.Afgesloten));
                return (p.OrderByDescending(x => x.JoinedAt).ThenByDescending(x => x.OrganisationId).Take(2).Select(x => x.Organisation.Key).ToList(), p.Count(),
                    s.OrderByDescending(x => x.ChangedAt).ThenByDescending(x => x.Id).Take(1).Select(x => new { x.ToStatus, x.ChangedAt }).ToList(), s.Count(),
                    db.CaseContributions.Where(x => x.CaseId == caseId).OrderBy(x => x.CreatedAt).ThenBy(x => x.Id).Select(x => x.Text).ToList());
            });
            // contains is exact (case-sensitive), as an ordinal test in memory.
            var matching = all.Where(t => t.Contains('e', StringComparison.Ordinal)).ToList();
            var contributions = matching.Take(2).ToList();
            var contributionCount = matching.Count;
            Assert.Equal(participants, node.GetProperty("participants").EnumerateArray().Select(p => p.GetProperty("organisation").GetProperty("key").GetString()));
            Assert.Equal(changes.Select(c => ((string?)Casing(c.ToStatus.ToString()), (string?)c.ChangedAt.ToString("yyyy-MM-dd'T'HH:mm:ss'Z'", System.Globalization.CultureInfo.InvariantCulture))),
                node.GetProperty("statusHistory").EnumerateArray().Select(c => (c.GetProperty("toStatus").GetString(), c.GetProperty("changedAt").GetString())));
            Assert.Equal(contributions, node.GetProperty("contributions").EnumerateArray().Select(c => c.GetProperty("text").GetString()));
            // Without arguments the list is whole, in its documented order, as it always was.
            Assert.Equal(all, node.GetProperty("allContributions").EnumerateArray().Select(c => c.GetProperty("text").GetString()));
            if (participantCount > 2) cut[0]++;
            if (changeCount > 1) cut[1]++;
            if (contributionCount > 2) cut[2]++;
        }
        Assert.True(cut.All(c => c > 0), $"the cut at first is not exercised on every list: {string.Join(", ", cut)}");

        static string Casing(string name) => string.Concat(name.Select((c, i) => char.IsUpper(c) && i > 0 ? "_" + c : char.ToUpperInvariant(c).ToString()));
    }

    [Fact]
    public async Task A_persons_police_signals_and_tenancies_are_filtered_sorted_and_cut_per_person()
    {
        using var politie = hub.CreateClient(HubRole.Politie, DemoOrganisations.PolitieNoord);
        var kinds = new[] { PoliceSignalKind.Geweld, PoliceSignalKind.Verward, PoliceSignalKind.HighImpactCrime };

        var signals = await politie.DataAsync("""
            { persons(first: 100, orderBy: [{ field: DATE_OF_BIRTH }]) { nodes { id
                policeSignals(filter: { kind: { in: [GEWELD, VERWARD, HIGH_IMPACT_CRIME] }, registeredOn: { gte: "2000-01-01" } }, orderBy: [{ field: REGISTERED_ON }], first: 1) { kind registeredOn }
            } } }
            """);
        var nonEmpty = 0;
        var cut = false;
        foreach (var person in signals.GetProperty("persons").GetProperty("nodes").EnumerateArray())
        {
            Assert.True(GlobalId.TryDecode(person.GetProperty("id").GetString(), "Person", out var personId));
            var (expected, total) = hub.Db(db =>
            {
                var q = db.PoliceSignals.Where(s => s.PersonId == personId && kinds.Contains(s.Kind) && s.RegisteredOn >= new DateOnly(2000, 1, 1));
                return (q.OrderBy(s => s.RegisteredOn).ThenBy(s => s.Id).Take(1).Select(s => s.RegisteredOn).ToList(), q.Count());
            });
            var actual = person.GetProperty("policeSignals").EnumerateArray().Select(s => s.GetProperty("registeredOn").GetString()).ToList();
            Assert.Equal(expected.Select(d => d.ToString("yyyy-MM-dd", System.Globalization.CultureInfo.InvariantCulture)), actual);
            if (actual.Count > 0) nonEmpty++;
            cut |= total > 1;
        }
        Assert.True(nonEmpty > 0 && cut, $"{nonEmpty} persons with matching signals; cut exercised: {cut}");

        // Tenancies under the housing corporation's row rule: only its own, whatever the filter and order.
        using var woonstede = hub.CreateClient(HubRole.Woningcorporatie, DemoOrganisations.Woonstede);
        var own = DemoOrganisations.IdOf(DemoOrganisations.Woonstede);
        var tenancies = await woonstede.DataAsync("""
            { persons(first: 100) { nodes { id
                tenancies(filter: { endDate: { isNull: false } }, orderBy: [{ field: END_DATE, direction: DESC }], first: 1) { endDate landlord { key } }
                running: tenancies(filter: { endDate: { isNull: true } }) { endDate }
            } } }
            """);
        var seen = 0;
        foreach (var person in tenancies.GetProperty("persons").GetProperty("nodes").EnumerateArray())
        {
            Assert.True(GlobalId.TryDecode(person.GetProperty("id").GetString(), "Person", out var personId));
            var expected = hub.Db(db => db.Tenancies.Where(t => t.PersonId == personId && t.LandlordOrganisationId == own && t.EndDate != null)
                .OrderByDescending(t => t.EndDate).ThenByDescending(t => t.Id).Take(1).Select(t => t.EndDate!.Value).ToList());
            var actual = person.GetProperty("tenancies").EnumerateArray().ToList();
            Assert.Equal(expected.Select(d => d.ToString("yyyy-MM-dd", System.Globalization.CultureInfo.InvariantCulture)), actual.Select(t => t.GetProperty("endDate").GetString()));
            Assert.All(actual, t => Assert.Equal(DemoOrganisations.Woonstede, t.GetProperty("landlord").GetProperty("key").GetString()));
            Assert.All(person.GetProperty("running").EnumerateArray(), t => Assert.Equal(JsonValueKind.Null, t.GetProperty("endDate").ValueKind));
            seen += actual.Count + person.GetProperty("running").GetArrayLength();
        }
        Assert.True(seen > 0, "no tenancies of the housing corporation's persons");
    }

    [Fact]
    public async Task A_districts_neighbourhoods_are_filtered_sorted_and_cut_for_a_role_without_person_data()
    {
        using var client = hub.CreateClient(HubRole.GemeenteAnalist, DemoOrganisations.GemeenteVeiligstad);

        var data = await client.DataAsync("""
            { districts { code
                neighbourhoods(filter: { or: [{ name: { contains: "e" } }, { code: { eq: "BU00000000" } }] }, orderBy: [{ field: NAME, direction: DESC }], first: 2) { code }
                all: neighbourhoods { code }
            } }
            """);

        var districts = data.GetProperty("districts").EnumerateArray().ToList();
        Assert.NotEmpty(districts);
        var cut = false;
        foreach (var district in districts)
        {
            var code = district.GetProperty("code").GetString();
            var rows = hub.Db(db => db.Neighbourhoods.Where(n => n.District.Code == code).OrderBy(n => n.Code).ThenBy(n => n.Id).Select(n => new { n.Id, n.Code, n.Name }).ToList());
            var matching = rows.Where(n => n.Name.Contains('e', StringComparison.Ordinal) || n.Code == "BU00000000")
                .OrderByDescending(n => n.Name, StringComparer.Ordinal).ThenByDescending(n => n.Id).ToList();
            Assert.Equal(matching.Take(2).Select(n => n.Code), district.GetProperty("neighbourhoods").EnumerateArray().Select(n => n.GetProperty("code").GetString()));
            Assert.Equal(rows.Select(n => n.Code), district.GetProperty("all").EnumerateArray().Select(n => n.GetProperty("code").GetString()));
            cut |= matching.Count > 2;
        }
        Assert.True(cut, "no district has more than two matching neighbourhoods: the cut at first is not exercised");
    }

    /// <summary>
    /// A tenancy with another housing corporation, of a person the corporation may see: absent from the person's tenancies
    /// whatever the filter (even one that names the other landlord), order or first.
    /// </summary>
    [Fact]
    public async Task A_hidden_tenancy_is_absent_whatever_the_filter()
    {
        var access = hub.AccessOf(HubRole.Woningcorporatie, DemoOrganisations.Woonstede);
        var visibleTenancy = access.Tenancies;
        var visiblePerson = access.Persons.Through<Tenancy, Person>(t => t.Person);
        var landlordId = DemoOrganisations.IdOf(DemoOrganisations.Thuisbaas);
        // The demo set gives the corporation's tenants no earlier tenancy elsewhere: one of its tenants gets an ended one
        // at the other corporation's dwelling (ended, so it changes no row rule on persons).
        var (personId, visibleCount) = hub.Db(db =>
        {
            var tenant = db.Tenancies.Where(visibleTenancy).Where(visiblePerson).OrderBy(t => t.Id).Select(t => t.PersonId).First();
            var dwelling = db.Locations.Where(l => l.OwnerOrganisationId == landlordId).OrderBy(l => l.Id).Select(l => l.Id).First();
            db.Tenancies.Add(new Tenancy { PersonId = tenant, LocationId = dwelling, LandlordOrganisationId = landlordId, StartDate = new DateOnly(2010, 1, 1), EndDate = new DateOnly(2012, 1, 1) });
            db.SaveChanges();
            return (tenant, db.Tenancies.Where(visibleTenancy).Count(t => t.PersonId == tenant));
        });
        Assert.True(hub.Db(db => db.Tenancies.Count(t => t.PersonId == personId)) > visibleCount);
        var person = GlobalId.Encode("Person", personId);
        var landlord = GlobalId.Encode("Organisation", landlordId);
        using var client = hub.CreateClient(HubRole.Woningcorporatie, DemoOrganisations.Woonstede);

        string[] filters =
        [
            $$"""{ landlord: { eq: "{{landlord}}" } }""",
            $$"""{ landlord: { in: ["{{landlord}}"] } }""",
            $$"""{ or: [{ landlord: { eq: "{{landlord}}" } }, { not: { landlord: { eq: "{{landlord}}" } } }] }""",
            """{ startDate: { gte: "1900-01-01" } }""",
            """{ not: { endDate: { eq: "1900-01-01" } } }""",
        ];
        foreach (var filter in filters)
        {
            var data = await client.DataAsync($$"""
                query($person: ID!) { person(id: $person) {
                  tenancies(filter: {{filter}}) { landlord { key } }
                  sorted: tenancies(filter: {{filter}}, orderBy: [{ field: END_DATE, direction: DESC }], first: 100) { landlord { key } }
                } }
                """, new { person });
            foreach (var list in new[] { "tenancies", "sorted" })
            {
                var keys = data.GetProperty("person").GetProperty(list).EnumerateArray().Select(t => t.GetProperty("landlord").GetProperty("key").GetString()).ToList();
                Assert.All(keys, key => Assert.Equal(DemoOrganisations.Woonstede, key));
                Assert.InRange(keys.Count, 0, visibleCount);
            }
        }
    }

    /// <summary>Police signals do not exist for a role that may not read police data: neither the list nor its filter (per purpose: the schema-derived test above).</summary>
    [Fact]
    public async Task Police_signals_cannot_be_listed_or_filtered_without_police_data()
    {
        const string query = """{ persons(first: 1) { nodes { policeSignals(filter: { kind: { eq: GEWELD } }, first: 1) { kind } } } }""";
        using var woonstede = hub.CreateClient(HubRole.Woningcorporatie, DemoOrganisations.Woonstede);
        using var coordinator = hub.CreateClient(HubRole.GemeenteCoordinator, DemoOrganisations.GemeenteVeiligstad);

        var (status, body) = await woonstede.PostAsync(query);
        await coordinator.DataAsync(query);

        Assert.Equal(HttpStatusCode.BadRequest, status);
        Assert.False(body.TryGetProperty("data", out var data) && data.ValueKind == JsonValueKind.Object);
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
        Assert.True(nested.Count >= 14, $"only {nested.Count} nested lists take a filter");
        Assert.Contains(("Case", "subjects", "Person"), nested);
        Assert.Contains(("Case", "participants", "CaseParticipant"), nested);
        Assert.Contains(("Case", "statusHistory", "CaseStatusChange"), nested);
        Assert.Contains(("Case", "contributions", "CaseContribution"), nested);
        Assert.Contains(("Person", "policeSignals", "PoliceSignal"), nested);
        Assert.Contains(("Person", "tenancies", "Tenancy"), nested);
        Assert.Contains(("District", "neighbourhoods", "Neighbourhood"), nested);
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
