using System.Net;
using System.Text;
using System.Text.Json.Nodes;
using GraphQL;
using Microsoft.AspNetCore.TestHost;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using Veiligheid.Access;
using Veiligheid.Accountability;
using Veiligheid.Data;
using Veiligheid.Data.Seeding;
using Veiligheid.GraphQL;
using Veiligheid.GraphQL.Compiled;
using Veiligheid.Tests.Infrastructure;
using static Veiligheid.Tests.Http.GraphQLHttp;

namespace Veiligheid.Tests.Query;

/// <summary>
/// The compiled path's plan cache: a request the same caller sent before in the same form is answered from its cached
/// statement without GraphQL. It must answer exactly like the pipeline would, and never let a request past something
/// the pipeline checks (the caller's schema and rows, the trusted-document mode, the variables' types, refusals).
/// </summary>
public sealed class PlanCacheTests(HubFactory hub) : IClassFixture<HubFactory>
{
    private const string CasesPage = "{ cases(first: 10) { totalCount nodes { id title status } } }";

    private ReadPlanCache Plans => hub.Services.GetRequiredService<ReadPlanCache>();

    public static TheoryData<HubRole, string, string, HubRole, string, string> CallerPairs => new()
    {
        // Another organisation, same role and purpose.
        { HubRole.Woningcorporatie, DemoOrganisations.Woonstede, "aanpak-woonoverlast", HubRole.Woningcorporatie, DemoOrganisations.Thuisbaas, "aanpak-woonoverlast" },
        // Another role, same organisation and purpose.
        { HubRole.GemeenteCoordinator, DemoOrganisations.GemeenteVeiligstad, "aanpak-woonoverlast", HubRole.GemeenteHandhaving, DemoOrganisations.GemeenteVeiligstad, "aanpak-woonoverlast" },
        // Another purpose, same role and organisation.
        { HubRole.GemeenteCoordinator, DemoOrganisations.GemeenteVeiligstad, "aanpak-woonoverlast", HubRole.GemeenteCoordinator, DemoOrganisations.GemeenteVeiligstad, "casusoverleg-zorg-en-veiligheid" },
    };

    [Theory]
    [MemberData(nameof(CallerPairs))]
    public async Task Callers_of_another_organisation_role_or_purpose_never_share_a_plan(
        HubRole firstRole, string firstOrganisation, string firstPurpose, HubRole otherRole, string otherOrganisation, string otherPurpose)
    {
        var first = CallerOf(firstRole, firstOrganisation, firstPurpose);
        var other = CallerOf(otherRole, otherOrganisation, otherPurpose);
        // Each caller's own variant of the page, so other tests' plans do not interfere.
        var query = $"query Pair{firstRole}{otherRole}{firstPurpose.Length}{otherPurpose.Length} {{ cases(first: 10) {{ totalCount nodes {{ id title status }} }} }}".Replace('-', '_');

        var (_, firstPath, _, firstHit) = await RunAsync(first, query);
        var (_, _, _, firstAgain) = await RunAsync(first, query);
        Assert.Equal(ReadPath.Compiled, firstPath);
        Assert.False(firstHit);
        Assert.True(firstAgain, "the same caller's second request is answered from the cache");

        var (expected, _, expectedLog, _) = await RunAsync(other, query, compiledReads: false);
        var (actual, otherPath, actualLog, otherHit) = await RunAsync(other, query);
        Assert.False(otherHit, $"{otherRole}/{otherOrganisation}/{otherPurpose} was answered from the plan of {firstRole}/{firstOrganisation}/{firstPurpose}");
        Assert.Equal(ReadPath.Compiled, otherPath);
        Assert.True(JsonNode.DeepEquals(JsonNode.Parse(expected), JsonNode.Parse(actual)), $"{expected}\n{actual}");
        Assert.Equal(expectedLog, actualLog);
    }

    [Fact]
    public async Task A_hit_answers_exactly_like_a_miss_with_the_same_processing_log()
    {
        using var client = hub.CreateClient(HubRole.GemeenteCoordinator, DemoOrganisations.GemeenteVeiligstad);
        const string query = """
            query HitLikeMiss($first: Int, $status: [CaseStatus!]) {
              cases(first: $first, filter: { status: { in: $status } }, orderBy: [{ field: OPENED_AT, direction: DESC }]) {
                totalCount pageInfo { hasNextPage } nodes { id title subjects { role person { id surname address { street } } } }
              }
            }
            """;
        var variables = new { first = 8, status = new[] { "GEMELD", "IN_BEHANDELING" } };

        var hits = Plans.Hits;
        var miss = await client.SendAsync(() => PostQuery(query, variables, "HitLikeMiss"));
        Assert.Equal(hits, Plans.Hits);
        var hit = await client.SendAsync(() => PostQuery(query, variables, "HitLikeMiss"));
        Assert.Equal(hits + 1, Plans.Hits);

        Assert.True(miss.Status == HttpStatusCode.OK && miss.Errors.Count == 0, miss.ToString());
        Assert.True(miss.Data.GetProperty("cases").GetProperty("nodes").GetArrayLength() > 0, miss.ToString());
        Assert.Equal(miss.Status, hit.Status);
        Assert.Equal(miss.ContentType?.ToString(), hit.ContentType?.ToString());
        Assert.Equal(miss.Text, hit.Text);

        // Two actions of the same request, record for record alike but for their id and time.
        using var scope = hub.Services.CreateScope();
        var db = scope.ServiceProvider.GetRequiredService<VeiligheidDbContext>();
        var records = await db.Set<ProcessingRecord>().AsNoTracking().Where(r => r.ActionName == "HitLikeMiss").OrderBy(r => r.Sequence).ToListAsync();
        var actions = records.GroupBy(r => r.ActionId).Select(g => g.Select(Comparable).ToList()).ToList();
        Assert.Equal(2, actions.Count);
        Assert.NotEmpty(actions[0]);
        Assert.Equal(actions[0], actions[1]);
    }

    [Fact]
    public async Task Trusted_documents_mode_switched_on_between_two_identical_requests_refuses_the_second()
    {
        // A registered, compilable operation for the police (the committed ones read cursors, so the reference path).
        const string text = "query PlanCacheFeed($first: Int = 5) { incidents(first: $first) { totalCount nodes { id category occurredAt } } }";
        var registered = new TrustedDocument(DemoOrganisations.PolitieNoord, "PlanCacheFeed", TrustedDocumentStore.Sha256Of(Encoding.UTF8.GetBytes(text)), text);
        await using var host = hub.WithWebHostBuilder(builder => builder.ConfigureTestServices(services =>
            services.AddSingleton(_ => new TrustedDocumentStore([.. new TrustedDocumentStore().All, registered]))));
        var plans = host.Services.GetRequiredService<ReadPlanCache>();
        using var police = host.CreateClient();
        police.DefaultRequestHeaders.Authorization = new System.Net.Http.Headers.AuthenticationHeaderValue("Bearer", hub.CreateToken([HubRole.Politie], DemoOrganisations.PolitieNoord));
        police.DefaultRequestHeaders.Add(Purposes.Header, HubFactory.DefaultPurposeOf(HubRole.Politie));

        try
        {
            var first = await police.SendAsync(() => PostQuery(text));
            var second = await police.SendAsync(() => PostQuery(text));
            Assert.True(first.Status == HttpStatusCode.OK && first.Errors.Count == 0, first.ToString());
            Assert.Equal(first.Text, second.Text);
            Assert.Equal(1, plans.Hits);

            await AllowListMode.SetAsync(host.Services, DemoOrganisations.PolitieNoord, true);

            var refused = await police.SendAsync(() => PostQuery(text));
            Assert.True(refused.Status == HttpStatusCode.BadRequest && !refused.HasData, refused.ToString());
            Assert.Equal(["DOCUMENT_ID_MISSING"], refused.Codes);

            // The registered document by its id runs (and is cached under its id, apart from the ad-hoc text).
            var byId = await police.SendAsync(() => Post($$"""{"documentId":"{{registered.DocumentId}}"}"""));
            var byIdAgain = await police.SendAsync(() => Post($$"""{"documentId":"{{registered.DocumentId}}"}"""));
            Assert.True(byId.Status == HttpStatusCode.OK && byId.Errors.Count == 0, byId.ToString());
            Assert.Equal(first.Text, byId.Text);
            Assert.Equal(first.Text, byIdAgain.Text);
            Assert.Equal(2, plans.Hits);

            // The text with the hash in the extensions does not slip past the allow-list, cached or not.
            var both = await police.SendAsync(() => Post(
                "{\"query\":\"" + text + "\",\"extensions\":{\"persistedQuery\":{\"version\":1,\"sha256Hash\":\"" + registered.Sha256 + "\"}}}"));
            Assert.True(both.Status == HttpStatusCode.BadRequest && !both.HasData, both.ToString());
            var stillRefused = await police.SendAsync(() => PostQuery(text));
            Assert.Equal(["DOCUMENT_ID_MISSING"], stillRefused.Codes);
            Assert.Equal(2, plans.Hits);
        }
        finally
        {
            await AllowListMode.SetAsync(host.Services, DemoOrganisations.PolitieNoord, false);
        }

        // Switched off again: the ad-hoc text is served from its plan at once.
        var after = await police.SendAsync(() => PostQuery(text));
        Assert.True(after.Status == HttpStatusCode.OK && after.Errors.Count == 0, after.ToString());
        Assert.Equal(3, plans.Hits);
    }

    [Fact]
    public async Task Operations_that_were_refused_or_ran_on_the_reference_path_are_never_served_from_the_cache()
    {
        var police = CallerOf(HubRole.Politie, DemoOrganisations.PolitieNoord, HubFactory.DefaultPurposeOf(HubRole.Politie));
        var noPurpose = CallerOf(HubRole.Politie, DemoOrganisations.PolitieNoord, null);

        // The reference path (coordinates are left to it): cached as such, never served as compiled.
        const string coordinates = "{ locations(first: 2) { nodes { street latitude } } }";
        var (reference, referencePath, _, _) = await RunAsync(police, coordinates);
        var (again, againPath, _, againHit) = await RunAsync(police, coordinates);
        Assert.Equal(ReadPath.Reference, referencePath);
        Assert.Equal(ReadPath.Reference, againPath);
        Assert.False(againHit);
        Assert.Equal(reference, again);

        // Refused (person-level data without a purpose): refused every time, never from the cache.
        const string persons = "{ persons(first: 2) { nodes { surname } } }";
        var plans = Plans.Count;
        for (var i = 0; i < 2; i++)
        {
            var (refused, _, _, hit) = await RunAsync(noPurpose, persons);
            Assert.False(hit);
            Assert.Contains("\"errors\"", refused, StringComparison.Ordinal);
            Assert.DoesNotContain("\"data\"", refused, StringComparison.Ordinal);
        }
        Assert.Equal(plans, Plans.Count);
    }

    [Fact]
    public async Task Variables_of_another_type_are_another_key_and_are_validated_again()
    {
        var police = CallerOf(HubRole.Politie, DemoOrganisations.PolitieNoord, HubFactory.DefaultPurposeOf(HubRole.Politie));
        const string query = "query Typed($first: Int) { incidents(first: $first) { nodes { id category } } }";
        Inputs Variables(object? first) => new(new Dictionary<string, object?> { ["first"] = first });

        var (valid, path, _, _) = await RunAsync(police, query, variables: Variables(1));
        var (_, _, _, hit) = await RunAsync(police, query, variables: Variables(1));
        Assert.Equal(ReadPath.Compiled, path);
        Assert.True(hit);
        Assert.DoesNotContain("\"errors\"", valid, StringComparison.Ordinal);

        // The same number as text, or as a fraction, is not an Int: refused by variable coercion, not served.
        foreach (var other in new object?[] { "1", 1.5, 1.0 })
        {
            var (answer, _, _, otherHit) = await RunAsync(police, query, variables: Variables(other));
            var (expected, _, _, _) = await RunAsync(police, query, compiledReads: false, variables: Variables(other));
            Assert.False(otherHit, $"first: {other} ({other?.GetType().Name}) was served from the plan of first: 1");
            Assert.Equal(expected, answer);
        }
    }

    [Fact]
    public void The_key_keeps_the_types_of_the_values()
    {
        Inputs Of(object? value) => new(new Dictionary<string, object?> { ["v"] = value });
        var keys = new object?[] { 1, 1L, 1.0, 1.0m, "1", true, null, new List<object?> { 1 }, new Dictionary<string, object?> { ["a"] = 1 } }
            .Select(v => ReadPlanCache.Canonical(Of(v)))
            .ToList();
        Assert.Equal(keys.Count, keys.Distinct().Count());
        Assert.Equal(ReadPlanCache.Canonical(Of("a")), ReadPlanCache.Canonical(Of("a")));
        // A text cannot pass for structure: length-prefixed.
        Assert.NotEqual(ReadPlanCache.Canonical(new Inputs(new Dictionary<string, object?> { ["a"] = "b", ["c"] = "d" })),
            ReadPlanCache.Canonical(new Inputs(new Dictionary<string, object?> { ["a"] = "b2:kc1:d", })));
        // A value of a type the key does not know is not cached at all.
        Assert.Null(ReadPlanCache.Canonical(Of(new object())));
    }

    [Fact]
    public void A_request_with_very_long_extensions_or_variables_gets_no_key_so_the_cache_never_holds_it()
    {
        // The request size (1 MB) bounds extensions, not the variables limit: 1,000 plans keyed by a megabyte each held gigabytes.
        var caller = CallerOf(HubRole.Politie, DemoOrganisations.PolitieNoord, HubFactory.DefaultPurposeOf(HubRole.Politie));
        Inputs Of(int length) => new(new Dictionary<string, object?> { ["pad"] = new string('x', length) });

        Assert.NotNull(ReadPlanCache.KeyOf(caller, CasesPage, null, new GraphQLRequest(CasesPage, null, null, Of(1_000))));
        Assert.Null(ReadPlanCache.KeyOf(caller, CasesPage, null, new GraphQLRequest(CasesPage, null, null, Of(ReadPlanCache.MaxKeyedInputsLength))));
        Assert.Null(ReadPlanCache.KeyOf(caller, CasesPage, null, new GraphQLRequest(CasesPage, null, Of(20_000), Of(20_000))));
    }

    private static object Comparable(ProcessingRecord r)
        => (r.ActionName, r.OrganisationId, r.OrganisationKey, r.Role, r.ApplicationId, r.UserId, r.Purpose, r.LegalGround, r.PersonId, r.ProtectedBsn,
            r.Categories, r.Confidentiality, r.RetentionYears);

    private static Caller CallerOf(HubRole role, string organisationKey, string? purpose)
    {
        var organisation = DemoOrganisations.All.Single(o => o.Key == organisationKey);
        return new Caller(role, DemoOrganisations.IdOf(organisationKey), organisationKey, organisation.Kind, organisation.ClientAppId, null, purpose);
    }

    /// <summary>The request as the executor serves it (without the log); the JSON, the persons for the log, and whether the cache answered.</summary>
    private Task<(string Json, ReadPath Path, string Log, bool PlanCacheHit)> RunAsync(Caller caller, string query, bool compiledReads = true, Inputs? variables = null)
        => ReadPathDifferentialTests.RunAsync(hub.Services, caller, query, compiledReads, variables);
}
