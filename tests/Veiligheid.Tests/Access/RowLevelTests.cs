using System.Net;
using System.Text.Json.Nodes;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using Veiligheid.Access;
using Veiligheid.Cases;
using Veiligheid.Data;
using Veiligheid.Data.Seeding;
using Veiligheid.GraphQL;
using Veiligheid.Persons;
using Veiligheid.Tests.Accountability;
using Veiligheid.Tests.Infrastructure;
using Veiligheid.Tests.Query;

namespace Veiligheid.Tests.Access;

/// <summary>
/// Row-level rules on the seeded data, over HTTP. Expectations are computed here from the rows themselves (LINQ to
/// objects over everything in the database), not from the hub's own predicates.
/// </summary>
public sealed class RowLevelTests(HubFactory hub) : IClassFixture<HubFactory>
{
    [Fact]
    public async Task Two_housing_corporations_never_see_each_others_cases()
    {
        var woonstede = await VisibleCaseIdsAsync(HubRole.Woningcorporatie, DemoOrganisations.Woonstede);
        var thuisbaas = await VisibleCaseIdsAsync(HubRole.Woningcorporatie, DemoOrganisations.Thuisbaas);

        var world = await LoadCasesAsync();
        var woonstedeId = OrganisationId(DemoOrganisations.Woonstede);
        var thuisbaasId = OrganisationId(DemoOrganisations.Thuisbaas);

        Assert.Equal(ExpectedForCorporation(world, woonstedeId).Order(), woonstede.Ids.Order());
        Assert.Equal(ExpectedForCorporation(world, thuisbaasId).Order(), thuisbaas.Ids.Order());
        Assert.Equal(woonstede.Ids.Count, woonstede.TotalCount);
        Assert.NotEmpty(woonstede.Ids);
        Assert.NotEmpty(thuisbaas.Ids);

        // A case both see must involve both, never be "the other one's".
        foreach (var shared in woonstede.Ids.Intersect(thuisbaas.Ids))
        {
            var c = world.Single(x => x.Id == shared);
            Assert.True(Involves(c, woonstedeId) && Involves(c, thuisbaasId), $"Case {shared} is seen by both corporations");
        }
    }

    [Theory]
    [InlineData(HubRole.GemeenteCoordinator, DemoOrganisations.GemeenteVeiligstad)]
    [InlineData(HubRole.GemeenteHandhaving, DemoOrganisations.GemeenteVeiligstad)]
    [InlineData(HubRole.Politie, DemoOrganisations.PolitieNoord)]
    [InlineData(HubRole.Zorgaanbieder, DemoOrganisations.GgzHorizon)]
    [InlineData(HubRole.ZvhProcesregisseur, DemoOrganisations.ZvhRegioNoord)]
    public async Task Need_to_know_roles_see_exactly_the_cases_they_take_part_in_up_to_their_confidentiality_level(HubRole role, string organisation)
    {
        var world = await LoadCasesAsync();
        var organisationId = OrganisationId(organisation);
        var max = AccessPolicy.Roles[role].MaxConfidentiality;
        var expected = world.Where(c => Involves(c, organisationId) && c.Confidentiality <= max).Select(c => c.Id).ToList();

        var visible = await VisibleCaseIdsAsync(role, organisation);

        Assert.Equal(expected.Order(), visible.Ids.Order());
        Assert.Equal(expected.Count, visible.TotalCount);
        Assert.NotEmpty(expected);
        // The ceiling must matter for at least one role here, or this test would not notice it failing.
        if (role == HubRole.GemeenteHandhaving) Assert.Contains(world, c => Involves(c, organisationId) && c.Confidentiality > max);
    }

    [Fact]
    public async Task A_partner_not_named_on_an_ondermijning_case_cannot_find_it_by_id_in_a_list_or_in_a_count()
    {
        var world = await LoadCasesAsync();
        var politieZuid = OrganisationId(DemoOrganisations.PolitieZuid);
        var secret = world.FirstOrDefault(c => c.Kind == CaseKind.Ondermijning && !Involves(c, politieZuid));
        Assert.NotNull(secret);

        var client = hub.CreateClient(HubRole.Politie, DemoOrganisations.PolitieZuid);
        var byId = await client.QueryOkAsync("query($id: ID!) { case(id: $id) { id } }", new { id = GlobalId.Encode("Case", secret.Id) });
        Assert.Null(byId.Data!["case"]);

        var list = await VisibleCaseIdsAsync(HubRole.Politie, DemoOrganisations.PolitieZuid);
        Assert.DoesNotContain(secret.Id, list.Ids);
        var expected = world.Where(c => Involves(c, politieZuid) && c.Confidentiality <= AccessPolicy.Roles[HubRole.Politie].MaxConfidentiality).Select(c => c.Id);
        Assert.Equal(expected.Order(), list.Ids.Order());
        Assert.Equal(list.Ids.Count, list.TotalCount);

        // A participant on it does find it.
        var participant = secret.Participants.Select(p => p.OrganisationId).Concat([secret.CoordinatingOrganisationId]).First();
        Assert.NotEqual(politieZuid, participant);
    }

    [Fact]
    public async Task A_hidden_case_fetched_by_id_is_indistinguishable_from_one_that_does_not_exist()
    {
        var world = await LoadCasesAsync();
        var thuisbaasId = OrganisationId(DemoOrganisations.Thuisbaas);
        var hidden = world.First(c => !ExpectedForCorporation(world, thuisbaasId).Contains(c.Id));
        var client = hub.CreateClient(HubRole.Woningcorporatie, DemoOrganisations.Thuisbaas);
        const string query = "query($id: ID!) { case(id: $id) { id title } }";

        var forHidden = await client.PostGraphQLAsync(query, new { id = GlobalId.Encode("Case", hidden.Id) });
        var forMissing = await client.PostGraphQLAsync(query, new { id = GlobalId.Encode("Case", 987_654_321) });
        var forGarbage = await client.PostGraphQLAsync(query, new { id = "not-an-id" });

        Assert.Equal(HttpStatusCode.OK, forHidden.Status);
        Assert.Equal(forMissing.Body!.ToJsonString(), forHidden.Body!.ToJsonString());
        Assert.Equal(forMissing.Body!.ToJsonString(), forGarbage.Body!.ToJsonString());
    }

    [Fact]
    public async Task A_care_provider_gets_life_domains_only_when_it_assessed_them_has_consent_or_a_covering_legal_ground()
    {
        var ggzId = OrganisationId(DemoOrganisations.GgzHorizon);
        var client = hub.CreateClient(HubRole.Zorgaanbieder, DemoOrganisations.GgzHorizon);
        var domainFields = Enum.GetValues<LifeDomain>().ToDictionary(d => d, d => System.Text.Json.JsonNamingPolicy.CamelCase.ConvertName(d.ToString()));
        var selection = string.Join(" ", domainFields.Values.Select(f => $"{f} {{ score }}"));
        var response = await client.PostGraphQLAsync($"{{ persons(first: 100) {{ totalCount nodes {{ id lifeDomains {{ {selection} }} }} }} }}");
        Assert.Equal(HttpStatusCode.OK, response.Status);
        Assert.True(response.Required("persons.totalCount").GetValue<int>() <= 100, "All of the provider's persons fit on one page");

        using var scope = hub.Services.CreateScope();
        var db = scope.ServiceProvider.GetRequiredService<VeiligheidDbContext>();
        var scores = await db.LifeDomainScores.AsNoTracking().ToListAsync();
        var consents = await db.Consents.AsNoTracking().Where(c => c.RecipientOrganisationId == ggzId && c.WithdrawnOn == null).ToListAsync();
        var sharedCases = (await LoadCasesAsync()).Where(c => Involves(c, ggzId) && c.Confidentiality <= ConfidentialityLevel.Confidentieel
                                                               && (c.Kind != CaseKind.Ondermijning || Involves(c, ggzId))).ToList();

        var errorPaths = response.Errors
            .Where(e => e!["extensions"]!["code"]!.GetValue<string>() == "CARE_DATA_WITHHELD")
            .Select(e => string.Join('.', e!["path"]!.AsArray().Select(p => p!.ToString())))
            .ToHashSet();
        Assert.Equal(response.Errors.Count, errorPaths.Count);

        int shared = 0, withheld = 0;
        var nodes = response.Required("persons.nodes").AsArray();
        for (var i = 0; i < nodes.Count; i++)
        {
            Assert.True(GlobalId.TryDecode(nodes[i]!["id"]!.GetValue<string>(), "Person", out var personId));
            foreach (var (domain, field) in domainFields)
            {
                var value = nodes[i]!["lifeDomains"]![field];
                var path = $"persons.nodes.{i}.lifeDomains.{field}";
                var covered = sharedCases.Any(c => c.Subjects.Any(s => s.PersonId == personId) && AccessPolicy.LegalGroundCoverage[c.LegalGround].Contains(domain));
                // The latest score the provider may see: one it assessed, one shared by consent, or any under a covering legal
                // ground. A later score it may not see changes nothing (it would tell that someone assessed the person again).
                var latest = scores.Where(s => s.PersonId == personId && s.Domain == domain)
                    .Where(s => s.AssessedByOrganisationId == ggzId || consents.Any(c => c.PersonId == personId && c.CareProviderOrganisationId == s.AssessedByOrganisationId) || covered)
                    .OrderByDescending(s => s.AssessedOn).ThenByDescending(s => s.Id).FirstOrDefault();
                if (latest is not null)
                {
                    shared++;
                    Assert.Equal(latest.Score, value!["score"]!.GetValue<int>());
                    continue;
                }
                // Withheld whether or not it has a score, unless a legal ground covers the domain (where any score is shown).
                Assert.Null(value);
                if (covered)
                {
                    Assert.DoesNotContain(path, errorPaths);
                }
                else
                {
                    if (scores.Any(s => s.PersonId == personId && s.Domain == domain)) withheld++;
                    Assert.Contains(path, errorPaths);
                }
            }
        }
        // The seed must exercise both outcomes, or this test proves nothing.
        Assert.True(shared > 0 && withheld > 0, $"shared {shared}, withheld {withheld}");
    }

    [Fact]
    public async Task A_withheld_life_domain_answers_exactly_like_one_without_a_score()
    {
        // The withheld score lies outside the care provider's slice: answered otherwise than a domain without a score, it
        // would tell the provider that some organisation assessed this person on the domain (substance use, mental health).
        var ggzId = OrganisationId(DemoOrganisations.GgzHorizon);
        using var scope = hub.Services.CreateScope();
        var db = scope.ServiceProvider.GetRequiredService<VeiligheidDbContext>();
        var caller = ReadPathDifferentialTests.CallerOf(HubRole.Zorgaanbieder, DemoOrganisations.GgzHorizon, "casusoverleg-zorg-en-veiligheid");
        var visible = await db.Persons.AsNoTracking().Where(AccessPolicy.For(caller).Persons).Select(p => p.Id).OrderBy(id => id).ToListAsync();
        var scores = await db.LifeDomainScores.AsNoTracking().ToListAsync();
        var consents = await db.Consents.AsNoTracking().Where(c => c.RecipientOrganisationId == ggzId && c.WithdrawnOn == null).ToListAsync();
        var sharedCases = (await LoadCasesAsync()).Where(c => Involves(c, ggzId) && c.Confidentiality <= ConfidentialityLevel.Confidentieel).ToList();
        bool Covered(int person, LifeDomain domain)
            => sharedCases.Any(c => c.Subjects.Any(s => s.PersonId == person) && AccessPolicy.LegalGroundCoverage[c.LegalGround].Contains(domain));
        bool Withheld(int person, LifeDomain domain)
            => scores.Where(s => s.PersonId == person && s.Domain == domain).ToList() is { Count: > 0 } ofDomain && !Covered(person, domain)
               && ofDomain.All(s => s.AssessedByOrganisationId != ggzId && !consents.Any(c => c.PersonId == person && c.CareProviderOrganisationId == s.AssessedByOrganisationId));
        bool WithoutScore(int person, LifeDomain domain) => !scores.Any(s => s.PersonId == person && s.Domain == domain) && !Covered(person, domain);
        var (domain, withheld, absent) = Enum.GetValues<LifeDomain>()
            .Select(d => (Domain: d, Withheld: visible.FirstOrDefault(p => Withheld(p, d)), Absent: visible.FirstOrDefault(p => WithoutScore(p, d))))
            .First(c => c.Withheld != 0 && c.Absent != 0);

        var client = hub.CreateClient(HubRole.Zorgaanbieder, DemoOrganisations.GgzHorizon);
        var query = $"query($id: ID!) {{ person(id: $id) {{ lifeDomains {{ {System.Text.Json.JsonNamingPolicy.CamelCase.ConvertName(domain.ToString())} {{ score }} }} }} }}";
        var forWithheld = await client.PostGraphQLAsync(query, new { id = GlobalId.Encode("Person", withheld) });
        var forAbsent = await client.PostGraphQLAsync(query, new { id = GlobalId.Encode("Person", absent) });

        Assert.Equal(HttpStatusCode.OK, forWithheld.Status);
        Assert.Equal(["CARE_DATA_WITHHELD"], forWithheld.ErrorCodes);
        Assert.Equal(forWithheld.Body!.ToJsonString(), forAbsent.Body!.ToJsonString());
    }

    [Fact]
    public async Task A_life_domain_answers_the_latest_score_the_caller_may_see_whatever_another_organisation_assessed_since()
    {
        // The care provider's own score, then a later one by another provider that shares nothing with it: answered other
        // than the own score, the domain would tell the provider that someone assessed the person again (and hide its own).
        var ggzId = OrganisationId(DemoOrganisations.GgzHorizon);
        var otherId = OrganisationId(DemoOrganisations.VerslavingszorgAnkerpunt);
        var caller = ReadPathDifferentialTests.CallerOf(HubRole.Zorgaanbieder, DemoOrganisations.GgzHorizon, "casusoverleg-zorg-en-veiligheid");
        var access = AccessPolicy.For(caller);
        var (person, domain, ids) = await hub.WithDbAsync(async db =>
        {
            var visible = await db.Persons.AsNoTracking().Where(access.Persons).Select(p => p.Id).OrderBy(id => id).ToListAsync();
            var grounds = await db.CaseSubjects.AsNoTracking().Where(access.Cases.Through<CaseSubject, Case>(s => s.Case))
                .Select(s => new { s.PersonId, s.Case.LegalGround }).ToListAsync();
            var consents = await db.Consents.AsNoTracking().Where(c => c.RecipientOrganisationId == ggzId && c.WithdrawnOn == null).ToListAsync();
            var (person, domain) = visible.Where(p => !consents.Any(c => c.PersonId == p && c.CareProviderOrganisationId == otherId))
                .SelectMany(p => Enum.GetValues<LifeDomain>().Select(d => (Person: p, Domain: d)))
                .First(x => !grounds.Any(g => g.PersonId == x.Person && AccessPolicy.LegalGroundCoverage[g.LegalGround].Contains(x.Domain)));
            LifeDomainScore own = new() { PersonId = person, Domain = domain, Score = 2, AssessedOn = new DateOnly(2026, 11, 1), AssessedByOrganisationId = ggzId };
            LifeDomainScore later = new() { PersonId = person, Domain = domain, Score = 4, AssessedOn = new DateOnly(2026, 11, 15), AssessedByOrganisationId = otherId };
            db.LifeDomainScores.AddRange(own, later);
            await db.SaveChangesAsync();
            return (person, domain, new[] { own.Id, later.Id });
        });
        try
        {
            var client = hub.CreateClient(HubRole.Zorgaanbieder, DemoOrganisations.GgzHorizon);
            var field = System.Text.Json.JsonNamingPolicy.CamelCase.ConvertName(domain.ToString());
            var response = await client.PostGraphQLAsync($"query($id: ID!) {{ person(id: $id) {{ lifeDomains {{ {field} {{ score assessedOn }} }} }} }}",
                new { id = GlobalId.Encode("Person", person) });

            Assert.Empty(response.Errors);
            Assert.Equal(2, response.Required($"person.lifeDomains.{field}.score").GetValue<int>());
            Assert.Equal("2026-11-01", response.Required($"person.lifeDomains.{field}.assessedOn").GetValue<string>());
        }
        finally
        {
            await hub.WithDbAsync(db => db.LifeDomainScores.Where(s => ids.Contains(s.Id)).ExecuteDeleteAsync());
        }
    }

    [Theory]
    [InlineData(HubRole.BiLezer)]
    [InlineData(HubRole.GemeenteAnalist)]
    [InlineData(HubRole.PrivacyFunctionaris)]
    public async Task Figures_and_privacy_roles_never_receive_a_person_level_row(HubRole role)
    {
        var client = hub.CreateClient(role, RoleOrganisations.For(role));
        foreach (var query in new[]
                 {
                     "{ persons { totalCount } }", "{ cases { totalCount } }", "{ incidents { totalCount } }",
                     "{ interventions { totalCount } }", "{ locations { totalCount } }", "{ personByBsn(bsn: \"111222333\") { id } }",
                 })
        {
            var response = await client.PostGraphQLAsync(query);
            Assert.Equal(HttpStatusCode.BadRequest, response.Status);
            Assert.False(response.HasData, query);
        }
        var types = await client.QueryOkAsync("{ __schema { types { name } } }");
        var names = types.Required("__schema.types").AsArray().Select(t => t!["name"]!.GetValue<string>()).ToHashSet();
        Assert.DoesNotContain("Person", names);
        Assert.DoesNotContain("Case", names);
        Assert.DoesNotContain("Incident", names);
    }

    [Fact]
    public async Task Unauthenticated_requests_get_401_and_no_data()
    {
        var response = await hub.CreateClient().PostGraphQLAsync("{ viewer { role } }");
        Assert.Equal(HttpStatusCode.Unauthorized, response.Status);
        Assert.False(response.HasData);
    }

    private static bool Involves(Case c, int organisationId)
        => c.CoordinatingOrganisationId == organisationId || c.Participants.Any(p => p.OrganisationId == organisationId);

    private static HashSet<int> ExpectedForCorporation(List<Case> world, int organisationId)
        => world.Where(c => c.Confidentiality <= AccessPolicy.Roles[HubRole.Woningcorporatie].MaxConfidentiality)
            .Where(c => Involves(c, organisationId)
                        || (c.Kind == CaseKind.Woonoverlast && c.Kind != CaseKind.Ondermijning
                            && c.Locations.Any(l => l.Location.OwnerOrganisationId == organisationId)))
            .Select(c => c.Id).ToHashSet();

    private async Task<List<Case>> LoadCasesAsync()
    {
        using var scope = hub.Services.CreateScope();
        var db = scope.ServiceProvider.GetRequiredService<VeiligheidDbContext>();
        return await db.Cases.AsNoTracking().AsSplitQuery()
            .Include(c => c.Participants).Include(c => c.Subjects).Include(c => c.Locations).ThenInclude(l => l.Location)
            .ToListAsync();
    }

    private int OrganisationId(string key)
    {
        using var scope = hub.Services.CreateScope();
        return scope.ServiceProvider.GetRequiredService<VeiligheidDbContext>().Organisations.Single(o => o.Key == key).Id;
    }

    private async Task<(List<int> Ids, int TotalCount)> VisibleCaseIdsAsync(HubRole role, string organisation)
    {
        var client = hub.CreateClient(role, organisation);
        var ids = new List<int>();
        string? after = null;
        int total;
        do
        {
            var page = await client.QueryOkAsync(
                "query($after: String) { cases(first: 100, after: $after) { totalCount pageInfo { hasNextPage endCursor } nodes { id } } }",
                new { after });
            total = page.Required("cases.totalCount").GetValue<int>();
            foreach (var node in page.Required("cases.nodes").AsArray())
            {
                Assert.True(GlobalId.TryDecode(node!["id"]!.GetValue<string>(), "Case", out var id));
                ids.Add(id);
            }
            after = page.Required("cases.pageInfo.hasNextPage").GetValue<bool>() ? page.Required("cases.pageInfo.endCursor").GetValue<string>() : null;
        }
        while (after is not null);
        return (ids, total);
    }
}
