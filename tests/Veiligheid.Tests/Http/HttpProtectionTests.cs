using System.Net;
using System.Text.Json;
using GraphQLParser.AST;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Mvc.Testing;
using Microsoft.AspNetCore.TestHost;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using Veiligheid.Access;
using Veiligheid.Data.Seeding;
using Veiligheid.GraphQL;
using Veiligheid.Tests.Infrastructure;
using static Veiligheid.Tests.Http.GraphQLHttp;

namespace Veiligheid.Tests.Http;

/// <summary>Configured limits, the execution timeout, rate limits, CORS and introspection, over real HTTP.</summary>
public sealed class HttpProtectionTests(HubFactory hub) : IClassFixture<HubFactory>
{
    /// <summary>The same hub (database, signing key) with these settings.</summary>
    private WebApplicationFactory<Program> With(params (string Key, string Value)[] settings)
        => hub.WithWebHostBuilder(builder =>
        {
            foreach (var (key, value) in settings) builder.UseSetting(key, value);
        });

    private HttpClient ClientOf(WebApplicationFactory<Program> host, HubRole role, string organisation)
    {
        var client = host.CreateClient();
        client.DefaultRequestHeaders.Authorization = new("Bearer", hub.CreateToken([role], organisation));
        if (HubFactory.DefaultPurposeOf(role) is { } purpose) client.DefaultRequestHeaders.Add(Veiligheid.Access.Purposes.Header, purpose);
        return client;
    }

    [Fact]
    public async Task Every_limit_is_configurable_and_refused_before_execution_with_its_code()
    {
        await using var host = With(
            ("GraphQL:Limits:MaxAliases", "1"),
            ("GraphQL:Limits:MaxDirectives", "1"),
            ("GraphQL:Limits:MaxDepth", "3"),
            ("GraphQL:Limits:MaxCost", "50"),
            ("GraphQL:Limits:MaxDocumentLength", "200"),
            ("GraphQL:Limits:MaxVariablesBytes", "20"),
            ("GraphQL:Limits:MaxRequestBytes", "2048"));
        using var client = ClientOf(host, HubRole.Politie, DemoOrganisations.PolitieNoord);

        async Task Refused(Func<HttpRequestMessage> request, HttpStatusCode status, string code)
        {
            var answer = await client.SendAsync(request);
            Assert.True(answer.Status == status, answer.ToString());
            Assert.False(answer.HasData, answer.ToString());
            Assert.Equal([code], answer.Codes);
        }

        async Task Allowed(Func<HttpRequestMessage> request)
        {
            var answer = await client.SendAsync(request);
            Assert.True(answer.Status == HttpStatusCode.OK && answer.Errors.Count == 0, answer.ToString());
        }

        await Allowed(() => PostQuery("{ a: viewer { role } }"));
        await Refused(() => PostQuery("{ a: viewer { role } b: viewer { role } }"), HttpStatusCode.BadRequest, LimitErrorCodes.MaxAliasesExceeded);
        await Allowed(() => PostQuery("{ viewer { role @include(if: true) } }"));
        await Refused(() => PostQuery("{ viewer { role @include(if: true) isUser @skip(if: false) } }"), HttpStatusCode.BadRequest, LimitErrorCodes.MaxDirectivesExceeded);
        await Allowed(() => PostQuery("{ viewer { organisation { name } } }"));
        await Refused(() => PostQuery("{ incidents(first: 1) { nodes { location { street } } } }"), HttpStatusCode.BadRequest, LimitErrorCodes.MaxDepthExceeded);
        // Cost: 1 (incidents) + 1 (nodes) + 2 × 24 (id, the page size) = 50 is allowed; a page of 25 costs 52.
        await Allowed(() => PostQuery("{ incidents(first: 24) { nodes { id category } } }"));
        await Refused(() => PostQuery("{ incidents { nodes { id category } } }"), HttpStatusCode.BadRequest, LimitErrorCodes.MaxCostExceeded);
        await Refused(() => PostQuery("{ viewer { role } }" + new string(' ', 200)), HttpStatusCode.BadRequest, LimitErrorCodes.DocumentTooLong);
        await Refused(() => PostQuery("query($a: String) { viewer { role } }", new { a = new string('a', 20) }), HttpStatusCode.RequestEntityTooLarge, LimitErrorCodes.VariablesTooLarge);
        await Refused(() => Post("{\"query\":\"{ viewer { role } }\",\"extensions\":{\"pad\":\"" + new string('x', 2048) + "\"}}"), HttpStatusCode.RequestEntityTooLarge, LimitErrorCodes.RequestTooLarge);

        // Legacy application/json clients get the same errors with 200, as the specification asks for request errors.
        var legacy = await client.SendAsync(() => PostQuery("{ a: viewer { role } b: viewer { role } }", accept: Json));
        Assert.True(legacy.Status == HttpStatusCode.OK && !legacy.HasData, legacy.ToString());
        Assert.Equal([LimitErrorCodes.MaxAliasesExceeded], legacy.Codes);
    }

    [Fact]
    public async Task A_request_that_runs_past_the_timeout_is_stopped_with_a_timeout_error_not_a_500()
    {
        // Every read takes 300 ms here, so a 50 ms limit is passed for certain, however fast the machine.
        await using var host = hub.WithWebHostBuilder(builder =>
        {
            builder.UseSetting("GraphQL:Limits:ExecutionTimeout", "00:00:00.050");
            builder.ConfigureTestServices(services => services.ConfigureDbContext<Veiligheid.Data.SqliteVeiligheidDbContext>(
                options => options.AddInterceptors(new SlowReads())));
        });
        using var client = ClientOf(host, HubRole.Politie, DemoOrganisations.PolitieNoord);

        var answer = await client.SendAsync(() => PostQuery("{ incidents(first: 100) { totalCount nodes { id category location { street neighbourhood { name } } } } }"));

        Assert.True((int)answer.Status < 500, answer.ToString());
        Assert.True(answer.Codes.SequenceEqual([LimitErrorCodes.Timeout]), answer.ToString());
        Assert.Contains("GraphQL:Limits:ExecutionTimeout", answer.Errors[0].GetProperty("message").GetString(), StringComparison.Ordinal);

        // The host is unharmed: with the default timeout the same query runs.
        using var normal = hub.CreateClient(HubRole.Politie, DemoOrganisations.PolitieNoord);
        var again = await normal.SendAsync(() => PostQuery("{ incidents(first: 100) { totalCount nodes { id category location { street neighbourhood { name } } } } }"));
        Assert.True(again.Status == HttpStatusCode.OK && again.Errors.Count == 0, again.ToString());
    }

    [Fact]
    public async Task No_answer_may_be_kept_by_a_cache()
    {
        using var client = hub.CreateClient(HubRole.GemeenteCoordinator, DemoOrganisations.GemeenteVeiligstad);

        var get = await client.SendAsync(() => Get("query=" + Q("{ cases(first: 1) { nodes { title } } }")));
        var post = await client.SendAsync(() => PostQuery("{ viewer { role } }"));
        var refused = await hub.CreateClient().SendAsync(() => PostQuery("{ viewer { role } }"));

        Assert.All([get, post, refused], answer => Assert.True(answer.Headers.CacheControl?.NoStore == true, answer.ToString()));
        Assert.Equal(HttpStatusCode.OK, get.Status);
    }

    [Fact]
    public async Task Requests_are_rate_limited_per_organisation_with_429_and_retry_after()
    {
        await using var host = With(("RateLimits:PerOrganisation", "3"), ("RateLimits:PerAddress", "2"), ("RateLimits:Window", "01:00:00"));
        using var coordinator = ClientOf(host, HubRole.GemeenteCoordinator, DemoOrganisations.GemeenteVeiligstad);
        using var enforcement = ClientOf(host, HubRole.GemeenteHandhaving, DemoOrganisations.GemeenteVeiligstad);
        using var police = ClientOf(host, HubRole.Politie, DemoOrganisations.PolitieNoord);
        using var anonymous = host.CreateClient();

        // Two roles of one organisation share its budget.
        for (var i = 0; i < 2; i++) Assert.Equal(HttpStatusCode.OK, (await coordinator.SendAsync(() => PostQuery("{ viewer { role } }"))).Status);
        Assert.Equal(HttpStatusCode.OK, (await enforcement.SendAsync(() => PostQuery("{ viewer { role } }"))).Status);
        var limited = await enforcement.SendAsync(() => PostQuery("{ viewer { role } }"));

        Assert.True(limited.Status == HttpStatusCode.TooManyRequests, limited.ToString());
        Assert.Equal(["RATE_LIMITED"], limited.Codes);
        Assert.Contains("your organisation", limited.Text, StringComparison.Ordinal);
        Assert.False(limited.HasData);
        var retryAfter = limited.Headers.RetryAfter?.Delta;
        Assert.NotNull(retryAfter);
        Assert.InRange(retryAfter.Value, TimeSpan.FromSeconds(1), TimeSpan.FromHours(1));

        // Another organisation has its own budget.
        Assert.Equal(HttpStatusCode.OK, (await police.SendAsync(() => PostQuery("{ viewer { role } }"))).Status);

        // Callers without an established organisation count per address.
        Assert.Equal(HttpStatusCode.Unauthorized, (await anonymous.SendAsync(() => PostQuery("{ viewer { role } }"))).Status);
        Assert.Equal(HttpStatusCode.Unauthorized, (await anonymous.SendAsync(() => PostQuery("{ viewer { role } }"))).Status);
        var anonymousLimited = await anonymous.SendAsync(() => PostQuery("{ viewer { role } }"));
        Assert.Equal(HttpStatusCode.TooManyRequests, anonymousLimited.Status);
        Assert.Contains("your network address", anonymousLimited.Text, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_mutation_from_a_role_without_writes_is_refused_before_execution()
    {
        using var client = hub.CreateClient(HubRole.BiLezer, DemoOrganisations.GemeenteVeiligstad);

        var answer = await client.SendAsync(() => PostQuery("mutation { deleteEverything }"));

        Assert.Equal(HttpStatusCode.BadRequest, answer.Status);
        Assert.False(answer.HasData);
        Assert.Equal([DepthAndCostRule.OperationTypeNotSupportedCode], answer.Codes);
    }

    [Fact]
    public async Task Cors_is_closed_by_default()
    {
        using var client = hub.CreateClient(HubRole.Politie, DemoOrganisations.PolitieNoord);

        using var preflight = await client.SendAsync(Preflight("https://portal.example"));
        using var post = PostQuery("{ viewer { role } }");
        post.Headers.Add("Origin", "https://portal.example");
        using var response = await client.SendAsync(post);

        Assert.False(preflight.Headers.Contains("Access-Control-Allow-Origin"));
        Assert.False(response.Headers.Contains("Access-Control-Allow-Origin"));
    }

    [Fact]
    public async Task Cors_allows_exactly_the_configured_origins()
    {
        await using var host = With(("Cors:AllowedOrigins:0", "https://portal.veiligstad.example"));
        using var client = ClientOf(host, HubRole.Politie, DemoOrganisations.PolitieNoord);

        using var allowed = await client.SendAsync(Preflight("https://portal.veiligstad.example"));
        using var other = await client.SendAsync(Preflight("https://evil.example"));

        Assert.Equal("https://portal.veiligstad.example", Assert.Single(allowed.Headers.GetValues("Access-Control-Allow-Origin")));
        Assert.Contains("authorization", string.Join(",", allowed.Headers.GetValues("Access-Control-Allow-Headers")), StringComparison.OrdinalIgnoreCase);
        Assert.False(allowed.Headers.Contains("Access-Control-Allow-Credentials"));
        Assert.False(other.Headers.Contains("Access-Control-Allow-Origin"));
    }

    [Fact]
    public async Task Cors_lets_a_browser_on_an_allowed_origin_send_the_headers_the_hub_reads()
    {
        // Person-level data needs X-Purpose, and a token with several roles X-Veiligheid-Role: a front end on an allowed
        // origin must be able to send both, or its browser stops the request at the preflight.
        await using var host = With(("Cors:AllowedOrigins:0", "https://portal.veiligstad.example"));
        using var client = ClientOf(host, HubRole.Politie, DemoOrganisations.PolitieNoord);

        using var request = Preflight("https://portal.veiligstad.example");
        request.Headers.Remove("Access-Control-Request-Headers");
        request.Headers.Add("Access-Control-Request-Headers", "authorization,content-type,x-purpose,x-veiligheid-role");
        using var preflight = await client.SendAsync(request);

        var allowed = string.Join(",", preflight.Headers.TryGetValues("Access-Control-Allow-Headers", out var values) ? values : [])
            .Split(',', StringSplitOptions.TrimEntries);
        Assert.Contains(Purposes.Header, allowed, StringComparer.OrdinalIgnoreCase);
        Assert.Contains(CallerResolver.RoleHeader, allowed, StringComparer.OrdinalIgnoreCase);
    }

    private static HttpRequestMessage Preflight(string origin)
    {
        var request = new HttpRequestMessage(HttpMethod.Options, "/graphql");
        request.Headers.Add("Origin", origin);
        request.Headers.Add("Access-Control-Request-Method", "POST");
        request.Headers.Add("Access-Control-Request-Headers", "authorization,content-type");
        return request;
    }

    [Fact]
    public async Task Introspection_needs_an_established_caller()
    {
        using var client = hub.CreateClient();

        var answer = await client.SendAsync(() => PostQuery("{ __schema { types { name } } }"));

        Assert.Equal(HttpStatusCode.Unauthorized, answer.Status);
        Assert.False(answer.HasData);
        Assert.DoesNotContain("__Schema", answer.Text, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData(HubRole.PrivacyFunctionaris, DemoOrganisations.GemeenteVeiligstad)]
    [InlineData(HubRole.Politie, DemoOrganisations.PolitieNoord)]
    [InlineData(HubRole.Woningcorporatie, DemoOrganisations.Thuisbaas)]
    [InlineData(HubRole.BiLezer, DemoOrganisations.GemeenteVeiligstad)]
    public async Task Introspection_shows_only_the_callers_own_slice(HubRole role, string organisation)
    {
        using var client = hub.CreateClient(role, organisation);
        // The contract committed for this role, independent of the running schema.
        var committed = GraphQLParser.Parser.Parse(await File.ReadAllTextAsync(Path.Combine(
                SchemaCommand.RepositoryRoot(AppContext.BaseDirectory), "schema", "roles", role.Slug() + ".graphql")))
            .Definitions.OfType<GraphQLTypeDefinition>().Select(t => t.Name.StringValue).ToHashSet();
        var full = GraphQLParser.Parser.Parse(await File.ReadAllTextAsync(Path.Combine(
                SchemaCommand.RepositoryRoot(AppContext.BaseDirectory), "schema", "veiligheid.graphql")))
            .Definitions.OfType<GraphQLTypeDefinition>().Select(t => t.Name.StringValue).ToHashSet();

        var answer = await client.SendAsync(() => PostQuery("{ __schema { types { name fields { name } } } }"));

        Assert.True(answer.Status == HttpStatusCode.OK && answer.Errors.Count == 0, answer.ToString());
        var seen = answer.Data.GetProperty("__schema").GetProperty("types").EnumerateArray()
            .Select(t => t.GetProperty("name").GetString()!)
            .Where(n => !n.StartsWith("__", StringComparison.Ordinal) && n is not ("String" or "Boolean" or "Int" or "Float" or "ID"))
            .ToHashSet();
        Assert.Equal(committed.Order(), seen.Order());
        var hidden = full.Except(committed).ToList();
        foreach (var type in hidden)
        {
            var lookup = await client.SendAsync(() => PostQuery("query($n: String!) { __type(name: $n) { name } }", new { n = type }));
            Assert.True(lookup.Status == HttpStatusCode.OK, lookup.ToString());
            Assert.Equal(JsonValueKind.Null, lookup.Data.GetProperty("__type").ValueKind);
        }
        if (role == HubRole.PrivacyFunctionaris) Assert.Contains("Person", hidden);
    }

    /// <summary>Delays every query, observing the request's cancellation like a slow database would.</summary>
    private sealed class SlowReads : Microsoft.EntityFrameworkCore.Diagnostics.DbCommandInterceptor
    {
        public override async ValueTask<Microsoft.EntityFrameworkCore.Diagnostics.InterceptionResult<System.Data.Common.DbDataReader>> ReaderExecutingAsync(
            System.Data.Common.DbCommand command, Microsoft.EntityFrameworkCore.Diagnostics.CommandEventData eventData,
            Microsoft.EntityFrameworkCore.Diagnostics.InterceptionResult<System.Data.Common.DbDataReader> result, CancellationToken cancellationToken = default)
        {
            if (command.CommandText.Contains("\"Incidents\"", StringComparison.Ordinal)) await Task.Delay(300, cancellationToken);
            return result;
        }
    }
}
