using System.Data.Common;
using System.Net;
using System.Text.Json;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.TestHost;
using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Diagnostics;
using Microsoft.Extensions.DependencyInjection;
using Veiligheid.Access;
using Veiligheid.Data;
using Veiligheid.Data.Seeding;
using Veiligheid.GraphQL;
using Veiligheid.Tests.Infrastructure;

namespace Veiligheid.Tests.Accountability;

/// <summary>The hub with a counter of the SQL statements it sends.</summary>
public sealed class StatementCountingHubFactory : HubFactory
{
    private int _statements;

    public int Statements => Volatile.Read(ref _statements);

    public void ResetStatements() => Interlocked.Exchange(ref _statements, 0);

    protected override void ConfigureWebHost(IWebHostBuilder builder)
    {
        base.ConfigureWebHost(builder);
        builder.ConfigureTestServices(services =>
            services.ConfigureDbContext<SqliteVeiligheidDbContext>(options => options.AddInterceptors(new Counter(this))));
    }

    private sealed class Counter(StatementCountingHubFactory owner) : DbCommandInterceptor
    {
        public override ValueTask<InterceptionResult<DbDataReader>> ReaderExecutingAsync(DbCommand command, CommandEventData eventData, InterceptionResult<DbDataReader> result, CancellationToken cancellationToken = default)
        {
            Interlocked.Increment(ref owner._statements);
            return base.ReaderExecutingAsync(command, eventData, result, cancellationToken);
        }

        public override ValueTask<InterceptionResult<int>> NonQueryExecutingAsync(DbCommand command, CommandEventData eventData, InterceptionResult<int> result, CancellationToken cancellationToken = default)
        {
            Interlocked.Increment(ref owner._statements);
            return base.NonQueryExecutingAsync(command, eventData, result, cancellationToken);
        }

        public override ValueTask<InterceptionResult<object>> ScalarExecutingAsync(DbCommand command, CommandEventData eventData, InterceptionResult<object> result, CancellationToken cancellationToken = default)
        {
            Interlocked.Increment(ref owner._statements);
            return base.ScalarExecutingAsync(command, eventData, result, cancellationToken);
        }
    }
}

public sealed class PersonOverviewTests(StatementCountingHubFactory factory) : IClassFixture<StatementCountingHubFactory>
{
    private const string Zorg = "casusoverleg-zorg-en-veiligheid";
    private const int StatementBound = 20;

    private const string OverviewQuery = """
        query Overview($id: ID!) {
          personOverview(id: $id) {
            person { id bsn givenName surname dateOfBirth }
            address { postcode houseNumber }
            currentCases { role case { id kind status coordinatingOrganisation { key } participants { organisation { key } } } }
            timeline { kind at summary organisation { key } case { id } incident { category } intervention { kind } }
            lifeDomains { financien { score } huisvesting { score } geestelijkeGezondheid { score } }
            withheld { part category reason explanation }
          }
        }
        """;

    [Fact]
    public async Task The_coordinator_gets_the_integrated_overview()
    {
        var client = factory.CreateClientWithPurpose(HubRole.GemeenteCoordinator, DemoOrganisations.GemeenteVeiligstad, Zorg);
        var candidates = await CandidatesAsync(client);
        var (id, _) = candidates.MaxBy(c => c.Weight);

        var response = await client.GraphQLAsync(OverviewQuery, new { id }, "Overview");

        Assert.Equal(HttpStatusCode.OK, response.Status);
        var overview = response.Data.GetProperty("personOverview");
        Assert.Equal(id, overview.GetProperty("person").GetProperty("id").GetString());
        var cases = overview.GetProperty("currentCases").EnumerateArray().ToList();
        Assert.NotEmpty(cases);
        Assert.All(cases, c => Assert.NotEqual("AFGESLOTEN", c.GetProperty("case").GetProperty("status").GetString()));
        Assert.All(cases, c => Assert.NotEmpty(c.GetProperty("case").GetProperty("participants").EnumerateArray()));
        var timeline = overview.GetProperty("timeline").EnumerateArray().ToList();
        Assert.NotEmpty(timeline);
        var times = timeline.Select(t => t.GetProperty("at").GetDateTime()).ToList();
        Assert.Equal(times.Order(), times);
        Assert.Contains(timeline, t => t.GetProperty("kind").GetString() == "STATUS_CHANGE");
        // What the policy withholds is in "withheld", one entry per withheld life domain, and those domains carry an error.
        var withheldDomains = overview.GetProperty("withheld").EnumerateArray()
            .Where(w => w.GetProperty("reason").GetString() == "NO_CONSENT_OR_LEGAL_GROUND").Select(w => w.GetProperty("part").GetString()).ToList();
        var erroredDomains = response.Errors.Where(e => e.GetProperty("extensions").GetProperty("code").GetString() == "CARE_DATA_WITHHELD")
            .Select(e => "lifeDomains." + e.GetProperty("path").EnumerateArray().Last().GetString()).ToList();
        Assert.All(erroredDomains, d => Assert.Contains(d, withheldDomains));

        // The overview is logged for the person (and for others it touched, e.g. interventions on a shared case aimed at them).
        var records = factory.LogRecords();
        var action = records[^1].ActionId;
        var record = Assert.Single(records, r => r.ActionId == action && r.PersonId == ProcessingLogTests.Decode(id));
        Assert.Equal("Overview", record.ActionName);
        Assert.Contains("Casus", record.Categories.Split(','));
        Assert.Contains("Identiteit", record.Categories.Split(','));
    }

    [Fact]
    public async Task Under_a_purpose_without_care_data_the_care_parts_are_withheld_and_say_so()
    {
        var zorg = factory.CreateClientWithPurpose(HubRole.GemeenteCoordinator, DemoOrganisations.GemeenteVeiligstad, Zorg);
        var (id, _) = (await CandidatesAsync(zorg)).First();
        var woonoverlast = factory.CreateClientWithPurpose(HubRole.GemeenteCoordinator, DemoOrganisations.GemeenteVeiligstad, "aanpak-woonoverlast");

        var response = await woonoverlast.GraphQLAsync(
            "query($id: ID!) { personOverview(id: $id) { person { id } timeline { kind intervention { kind } } withheld { part reason } } }", new { id });

        Assert.Empty(response.Errors);
        var overview = response.Data.GetProperty("personOverview");
        var withheld = overview.GetProperty("withheld").EnumerateArray().ToDictionary(w => w.GetProperty("part").GetString()!, w => w.GetProperty("reason").GetString());
        Assert.Equal("NOT_COVERED_BY_PURPOSE", withheld["lifeDomains"]);
        Assert.Equal("NOT_COVERED_BY_PURPOSE", withheld["timeline.careInterventions"]);
        var care = AccessPolicy.CareInterventionKinds.Select(k => k.ToString().ToUpperInvariant()).ToHashSet();
        Assert.DoesNotContain(overview.GetProperty("timeline").EnumerateArray(),
            t => t.GetProperty("intervention").ValueKind == JsonValueKind.Object && care.Contains(t.GetProperty("intervention").GetProperty("kind").GetString()!));

        var lifeDomains = await woonoverlast.GraphQLAsync("query($id: ID!) { personOverview(id: $id) { lifeDomains { financien { score } } } }", new { id });
        Assert.Equal(["PURPOSE_DOES_NOT_COVER"], lifeDomains.ErrorCodes);
    }

    [Fact]
    public async Task A_role_without_care_data_sees_why()
    {
        var police = factory.CreateClientWithPurpose(HubRole.Politie, DemoOrganisations.PolitieNoord, Zorg);
        var persons = await police.GraphQLAsync("{ persons(first: 1) { nodes { id } } }");
        var id = persons.Data.GetProperty("persons").GetProperty("nodes")[0].GetProperty("id").GetString();

        var response = await police.GraphQLAsync("query($id: ID!) { personOverview(id: $id) { withheld { part reason } } }", new { id });

        var withheld = response.Data.GetProperty("personOverview").GetProperty("withheld").EnumerateArray()
            .ToDictionary(w => w.GetProperty("part").GetString()!, w => w.GetProperty("reason").GetString());
        Assert.Equal("NOT_GRANTED_TO_ROLE", withheld["lifeDomains"]);
        Assert.Equal("NOT_GRANTED_TO_ROLE", withheld["tenancies"]);
    }

    [Fact]
    public async Task An_invisible_or_malformed_id_answers_null()
    {
        var client = factory.CreateClientWithPurpose(HubRole.GemeenteCoordinator, DemoOrganisations.GemeenteVeiligstad, Zorg);

        var response = await client.GraphQLAsync("{ a: personOverview(id: \"bm9wZQ\") { person { id } } b: personOverview(id: \"UGVyc29uOjk5OTk5OTk\") { person { id } } }");

        Assert.Empty(response.Errors);
        Assert.Equal(JsonValueKind.Null, response.Data.GetProperty("a").ValueKind);
        Assert.Equal(JsonValueKind.Null, response.Data.GetProperty("b").ValueKind);
    }

    [Fact]
    public async Task The_number_of_statements_does_not_grow_with_the_persons_cases_and_incidents()
    {
        var client = factory.CreateClientWithPurpose(HubRole.GemeenteCoordinator, DemoOrganisations.GemeenteVeiligstad, Zorg);
        var candidates = await CandidatesAsync(client);
        var small = candidates.MinBy(c => c.Weight);
        var large = candidates.MaxBy(c => c.Weight);
        Assert.True(large.Weight > small.Weight, "the seed should hold persons with different numbers of cases and incidents");

        await client.GraphQLAsync(OverviewQuery, new { id = small.Id });
        factory.ResetStatements();
        await client.GraphQLAsync(OverviewQuery, new { id = small.Id });
        var forSmall = factory.Statements;
        factory.ResetStatements();
        await client.GraphQLAsync(OverviewQuery, new { id = large.Id });
        var forLarge = factory.Statements;

        // The bound follows from the query's shape: one statement per loader and level, three for the life domains, five
        // for the timeline, two for the log. A loader whose rows an earlier level already fetched may save one, so the
        // two counts need not be identical, but neither grows with the person's cases or incidents.
        Assert.InRange(forSmall, 1, StatementBound);
        Assert.InRange(forLarge, 1, StatementBound);
        Assert.True(forLarge <= forSmall + 1, $"{forLarge} statements for {large.Weight} cases and incidents against {forSmall} for {small.Weight}");
    }

    [Fact]
    public async Task A_persons_timeline_is_the_same_whichever_other_overviews_the_request_asks_for()
    {
        // An intervention on a case of the coordinator's, aimed at one subject, with another subject of the same case: it is
        // on both subjects' timelines, also when one request asks for both overviews (their timelines load in one batch).
        var (interventionId, aimedAt, other) = await factory.WithDbAsync(async db =>
        {
            var gemeente = DemoOrganisations.IdOf(DemoOrganisations.GemeenteVeiligstad);
            var care = AccessPolicy.CareInterventionKinds.ToList();
            var found = await db.Interventions
                .Where(i => i.CaseId != null && i.PersonId != null && !care.Contains(i.Kind)
                            && (i.Case!.CoordinatingOrganisationId == gemeente || i.Case.Participants.Any(p => p.OrganisationId == gemeente))
                            && i.Case.Subjects.Any(s => s.PersonId == i.PersonId))
                .Select(i => new { i.Id, PersonId = i.PersonId!.Value, Other = i.Case!.Subjects.Where(s => s.PersonId != i.PersonId).Select(s => (int?)s.PersonId).FirstOrDefault() })
                .Where(x => x.Other != null)
                .OrderBy(x => x.Id)
                .FirstAsync();
            return (GlobalId.Encode("Intervention", found.Id), GlobalId.Encode("Person", found.PersonId), GlobalId.Encode("Person", found.Other!.Value));
        });
        var client = factory.CreateClientWithPurpose(HubRole.GemeenteCoordinator, DemoOrganisations.GemeenteVeiligstad, Zorg);
        const string Timeline = "timeline { kind at summary intervention { id } }";

        var alone = await client.GraphQLAsync($"query($other: ID!) {{ other: personOverview(id: $other) {{ {Timeline} }} }}", new { other });
        var together = await client.GraphQLAsync(
            $"query($other: ID!, $aimedAt: ID!) {{ other: personOverview(id: $other) {{ {Timeline} }} aimedAt: personOverview(id: $aimedAt) {{ {Timeline} }} }}",
            new { other, aimedAt });

        Assert.Empty(alone.Errors);
        Assert.Empty(together.Errors);
        static List<string?> InterventionsOn(JsonElement overview) => [.. overview.GetProperty("timeline").EnumerateArray()
            .Where(t => t.GetProperty("intervention").ValueKind == JsonValueKind.Object).Select(t => t.GetProperty("intervention").GetProperty("id").GetString())];
        Assert.Contains(interventionId, InterventionsOn(alone.Data.GetProperty("other")));
        Assert.Contains(interventionId, InterventionsOn(together.Data.GetProperty("aimedAt")));
        Assert.Equal(alone.Data.GetProperty("other").GetRawText(), together.Data.GetProperty("other").GetRawText());
    }

    /// <summary>Visible persons with an address and at least one open case, weighted by cases plus incidents.</summary>
    private static async Task<List<(string Id, int Weight)>> CandidatesAsync(HttpClient client)
    {
        var response = await client.GraphQLAsync("{ persons(first: 100) { nodes { id address { id } cases { case { status } } incidents { role } } } }");
        var candidates = response.Data.GetProperty("persons").GetProperty("nodes").EnumerateArray()
            .Where(p => p.GetProperty("address").ValueKind == JsonValueKind.Object)
            .Select(p => (
                Id: p.GetProperty("id").GetString()!,
                Open: p.GetProperty("cases").EnumerateArray().Count(c => c.GetProperty("case").GetProperty("status").GetString() != "AFGESLOTEN"),
                Weight: p.GetProperty("cases").GetArrayLength() + p.GetProperty("incidents").GetArrayLength()))
            .Where(p => p.Open > 0)
            .Select(p => (p.Id, p.Weight))
            .ToList();
        Assert.NotEmpty(candidates);
        return candidates;
    }
}
