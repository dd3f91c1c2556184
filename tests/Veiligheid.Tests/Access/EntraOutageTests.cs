using System.Collections.Concurrent;
using System.Net;
using System.Net.Http.Json;
using System.Text.Json.Nodes;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Mvc.Testing;
using Microsoft.AspNetCore.TestHost;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Diagnostics.HealthChecks;
using Microsoft.Extensions.Logging;
using Veiligheid.Access;
using Veiligheid.Access.Identity;
using Veiligheid.Data;
using Veiligheid.Data.Seeding;
using Veiligheid.Http;
using Veiligheid.Tests.Data;
using Veiligheid.Tests.Infrastructure;

namespace Veiligheid.Tests.Access;

/// <summary>
/// When the hub cannot obtain Entra ID's metadata and signing keys (Entra ID, the network or a proxy down; a wrong
/// AzureAd:Instance or TenantId), a token is not the client's problem: 503 <see cref="CallerErrorCodes.IdentityUnavailable"/>
/// with Retry-After, not a 401 that sends partners after new tokens; once a minute in the log; Unhealthy on /health. A
/// token that is merely bad while the keys can be had stays a 401. Real validation throughout (Microsoft.Identity.Web,
/// JwtBearer, IdentityModel's configuration manager): a closed port, or <see cref="FakeEntra"/> in place of the network.
/// </summary>
/// <remarks>IdentityModel logs through one process-wide logger: these tests read the log, so they run alone.</remarks>
[Collection(RunsAlone.Name)]
public sealed class EntraOutageTests(HubFactory hub) : IClassFixture<HubFactory>
{
    /// <summary>Where nothing listens: every fetch of Entra ID's metadata is refused at once, over the real network stack.</summary>
    private const string ClosedPort = "https://127.0.0.1:1/";

    private readonly ConcurrentQueue<LogRecord> _log = new();

    [Fact]
    public async Task A_token_the_hub_cannot_check_for_want_of_Entra_IDs_keys_is_503_with_Retry_After_not_401()
    {
        var entra = new FakeEntra();
        using var host = Hub(builder => WithEntraAtClosedPort(builder, entra));
        using var client = ClientWith(host, entra.CreateToken("Politie", hub.ClientAppIdOf(DemoOrganisations.PolitieNoord)));

        using (var me = await client.GetAsync(CallerEndpoint.Path))
        {
            AssertIdentityUnavailable(me);
            var error = (await me.Content.ReadFromJsonAsync<HubErrorBody>())!.Error;
            Assert.Equal(CallerErrorCodes.IdentityUnavailable, error.Code);
            Assert.Contains("cannot validate bearer tokens right now", error.Message, StringComparison.Ordinal);
            Assert.Contains("not your token's", error.Message, StringComparison.Ordinal);
            Assert.DoesNotContain("not accepted", error.Message, StringComparison.Ordinal);
        }

        // The GraphQL endpoint answers in its own shape, with the same status, code and headers.
        using var request = new HttpRequestMessage(HttpMethod.Post, GraphQLEndpoint.Path) { Content = JsonContent.Create(new { query = "{ __typename }" }) };
        request.Headers.Accept.ParseAdd("application/graphql-response+json");
        using var graphql = await client.SendAsync(request);
        AssertIdentityUnavailable(graphql);
        var body = JsonNode.Parse(await graphql.Content.ReadAsStringAsync())!;
        Assert.Equal(CallerErrorCodes.IdentityUnavailable, body["errors"]![0]!["extensions"]!["code"]!.GetValue<string>());
    }

    [Fact]
    public async Task Repeats_are_logged_once_a_minute_with_a_count_and_the_recovery_once()
    {
        var entra = new FakeEntra { Answer = FakeEntra.Answers.Unreachable };
        var clock = new ManualClock(DateTimeOffset.UtcNow);
        using var host = Hub(builder => entra.Configure(builder).ConfigureTestServices(services => services.AddSingleton<TimeProvider>(clock)));
        var token = entra.CreateToken("Politie", hub.ClientAppIdOf(DemoOrganisations.PolitieNoord));
        using var client = ClientWith(host, token);

        await AssertAnsweredAsync(client, HttpStatusCode.ServiceUnavailable, times: 3);
        clock.Advance(TimeSpan.FromSeconds(30));
        await AssertAnsweredAsync(client, HttpStatusCode.ServiceUnavailable, times: 2);
        var unavailable = Assert.Single(Errors());
        Assert.Equal(EntraSigningKeys.Unavailable.Name, unavailable.EventId.Name);
        Assert.Contains("SocketException ConnectionRefused", unavailable.Message, StringComparison.Ordinal);
        Assert.Contains("IDX20803", unavailable.Exception, StringComparison.Ordinal); // IdentityModel's own account, once

        clock.Advance(TimeSpan.FromSeconds(31)); // a minute since that entry
        await AssertAnsweredAsync(client, HttpStatusCode.ServiceUnavailable, times: 1);
        var still = Assert.Single(Errors().Skip(1));
        Assert.Equal(EntraSigningKeys.StillUnavailable.Name, still.EventId.Name);
        Assert.Contains("5 requests were answered 503 since", still.Message, StringComparison.Ordinal); // the 2 + 2 after the first entry, and this one

        entra.Answer = FakeEntra.Answers.Available;
        clock.Advance(EntraSigningKeys.RetryPause);
        await AssertAnsweredAsync(client, HttpStatusCode.OK, times: 2);
        var recovered = Assert.Single(_log, e => e.Category == typeof(EntraSigningKeys).FullName && e.Level < LogLevel.Warning);
        Assert.Equal(EntraSigningKeys.ObtainedAgain.Name, recovered.EventId.Name);
        Assert.Equal(LogLevel.Information, recovered.Level);
        Assert.Contains("6 requests were answered 503 meanwhile", recovered.Message, StringComparison.Ordinal);
        Assert.Equal(2, Errors().Count);
        AuthenticationLogTests.AssertNoPartOf(token, _log.Select(e => e.ToString()));
    }

    [Fact]
    public async Task Before_the_keys_were_had_one_request_per_pause_tries_and_the_others_are_answered_at_once()
    {
        // IdentityModel fetches for every request until it has the keys; where packets are dropped each fetch waits out its
        // timeout, and every request queued behind the one before. Within the pause after a failure, no fetch at all.
        var entra = new FakeEntra { Answer = FakeEntra.Answers.Unreachable };
        var clock = new ManualClock(DateTimeOffset.UtcNow);
        using var host = Hub(builder => entra.Configure(builder).ConfigureTestServices(services => services.AddSingleton<TimeProvider>(clock)));
        using var client = ClientWith(host, entra.CreateToken("Politie", hub.ClientAppIdOf(DemoOrganisations.PolitieNoord)));

        await AssertAnsweredAsync(client, HttpStatusCode.ServiceUnavailable, times: 1);
        var afterFirst = entra.Fetches;
        Assert.True(afterFirst > 0);
        using (var response = await client.GetAsync(CallerEndpoint.Path)) AssertIdentityUnavailable(response);
        await AssertAnsweredAsync(client, HttpStatusCode.ServiceUnavailable, times: 3);
        Assert.Equal(afterFirst, entra.Fetches);

        clock.Advance(EntraSigningKeys.RetryPause);
        await AssertAnsweredAsync(client, HttpStatusCode.ServiceUnavailable, times: 1);
        Assert.True(entra.Fetches > afterFirst); // tried again after the pause
        entra.Answer = FakeEntra.Answers.Available;
        await AssertAnsweredAsync(client, HttpStatusCode.ServiceUnavailable, times: 1); // within the pause of that failure
        clock.Advance(EntraSigningKeys.RetryPause);
        await AssertAnsweredAsync(client, HttpStatusCode.OK, times: 2);
    }

    [Fact]
    public void A_failed_fetch_that_finishes_after_the_keys_were_had_changes_nothing()
    {
        // Two requests' fetches at Entra ID's return: the one that began first fails late, after the other obtained the keys.
        var clock = new ManualClock(DateTimeOffset.UtcNow);
        var keys = new EntraSigningKeys(Microsoft.Extensions.Logging.Abstractions.NullLogger<EntraSigningKeys>.Instance, clock);
        var late = new InvalidOperationException("IDX20803: Unable to obtain configuration.");
        keys.NotObtained("https://login.microsoftonline.com/t/v2.0/.well-known/openid-configuration", late);
        Assert.Same(late, keys.RecentFailure()); // before the keys: within the pause, answered at once
        clock.Advance(EntraSigningKeys.RetryPause);
        Assert.Null(keys.RecentFailure()); // then the next request tries

        keys.Obtained();
        keys.NotObtained("https://login.microsoftonline.com/t/v2.0/.well-known/openid-configuration", late);

        Assert.False(keys.Outcomes.Failing); // /health stays Healthy
        Assert.Null(keys.RecentFailure()); // and no request is answered 503
    }

    [Fact]
    public async Task Health_is_unhealthy_while_the_keys_cannot_be_obtained_and_healthy_once_a_validation_obtains_them()
    {
        var entra = new FakeEntra { Answer = FakeEntra.Answers.NotFound }; // as for a wrong AzureAd:TenantId
        var clock = new ManualClock(DateTimeOffset.UtcNow);
        using var host = Hub(builder => entra.Configure(builder).ConfigureTestServices(services => services.AddSingleton<TimeProvider>(clock)));
        var token = entra.CreateToken("Politie", hub.ClientAppIdOf(DemoOrganisations.PolitieNoord));
        using var client = ClientWith(host, token);
        using var probe = host.CreateClient(); // a probe sends no token
        Assert.Equal((HttpStatusCode.OK, "Healthy"), await HealthAsync(probe)); // no token has needed the keys yet

        await AssertAnsweredAsync(client, HttpStatusCode.ServiceUnavailable, times: 1);

        var (status, body) = await HealthAsync(probe);
        Assert.Equal(HttpStatusCode.ServiceUnavailable, status);
        Assert.StartsWith("Unhealthy\n", body, StringComparison.Ordinal);
        Assert.Contains($"entra-signing-keys: Unhealthy: The hub refuses every Entra ID token with 503 {CallerErrorCodes.IdentityUnavailable}: " +
            "Entra ID's metadata and signing keys could not be obtained since", body, StringComparison.Ordinal);
        Assert.Contains("HTTP status 404 (NotFound)", body, StringComparison.Ordinal);
        Assert.DoesNotContain(entra.TenantId, body, StringComparison.Ordinal); // no address for an unauthenticated caller
        AuthenticationLogTests.AssertNoPartOf(token, [body]);

        entra.Answer = FakeEntra.Answers.Available;
        clock.Advance(EntraSigningKeys.RetryPause); // the next attempt (within the pause, a request is answered 503 at once)
        await AssertAnsweredAsync(client, HttpStatusCode.OK, times: 1);
        Assert.Equal((HttpStatusCode.OK, "Healthy"), await HealthAsync(probe));
    }

    [Fact]
    public void A_failure_with_no_token_since_turns_degraded_after_a_while_and_a_success_ends_it()
    {
        var failedAt = new DateTime(2026, 12, 1, 10, 0, 0, DateTimeKind.Utc);
        var failing = OperationOutcomes.None.Failed(failedAt, "SocketException ConnectionRefused");

        Assert.Equal(HealthStatus.Healthy, EntraSigningKeysHealth.Assess(OperationOutcomes.None, failedAt).Status);
        Assert.Equal(HealthStatus.Unhealthy, EntraSigningKeysHealth.Assess(failing, failedAt + EntraSigningKeysHealth.UnprovenAfter - TimeSpan.FromSeconds(1)).Status);
        // No token since: not unhealthy for ever (a host out of rotation gets no token that would tell), not healthy either.
        var unproven = EntraSigningKeysHealth.Assess(failing, failedAt + EntraSigningKeysHealth.UnprovenAfter);
        Assert.Equal(HealthStatus.Degraded, unproven.Status);
        Assert.Contains("SocketException ConnectionRefused", unproven.Description, StringComparison.Ordinal);
        Assert.Equal(HealthStatus.Healthy, EntraSigningKeysHealth.Assess(failing.Succeeded(), failedAt.AddMinutes(5)).Status);
    }

    [Theory]
    [InlineData("expired")]
    [InlineData("for another audience")]
    [InlineData("signed with a key Entra ID does not publish")]
    [InlineData("garbage")]
    public async Task A_bad_Entra_token_is_still_401_when_the_keys_can_be_obtained(string kind)
    {
        var entra = new FakeEntra();
        using var host = Hub(entra.Configure);
        var politie = hub.ClientAppIdOf(DemoOrganisations.PolitieNoord);
        var token = kind switch
        {
            "expired" => entra.CreateToken("Politie", politie, expiresIn: TimeSpan.FromHours(-1)),
            "for another audience" => entra.CreateToken("Politie", politie, audience: "api://some-other-api"),
            "signed with a key Entra ID does not publish" => entra.CreateToken("Politie", politie, signedWithAnotherKey: true),
            _ => "not-a-token",
        };
        using var client = ClientWith(host, token);

        using var response = await client.GetAsync(CallerEndpoint.Path);

        Assert.Equal(HttpStatusCode.Unauthorized, response.StatusCode);
        Assert.Equal(CallerErrorCodes.InvalidToken, (await response.Content.ReadFromJsonAsync<HubErrorBody>())!.Error.Code);
        Assert.NotEmpty(response.Headers.WwwAuthenticate);
        Assert.Null(response.Headers.RetryAfter);
        using var probe = host.CreateClient();
        Assert.Equal((HttpStatusCode.OK, "Healthy"), await HealthAsync(probe));
        Assert.Empty(Errors());
    }

    [Fact]
    public async Task Keys_once_obtained_outlast_an_outage_so_tokens_are_still_validated()
    {
        // IdentityModel keeps the keys it has when a refresh fails: no 503 then, good tokens pass and bad ones are 401.
        var entra = new FakeEntra();
        using var host = Hub(entra.Configure);
        var politie = hub.ClientAppIdOf(DemoOrganisations.PolitieNoord);
        using var client = ClientWith(host, entra.CreateToken("Politie", politie));
        await AssertAnsweredAsync(client, HttpStatusCode.OK, times: 1);

        entra.Answer = FakeEntra.Answers.Unreachable;

        await AssertAnsweredAsync(client, HttpStatusCode.OK, times: 2);
        using var expired = ClientWith(host, entra.CreateToken("Politie", politie, expiresIn: TimeSpan.FromHours(-1)));
        await AssertAnsweredAsync(expired, HttpStatusCode.Unauthorized, times: 1);
        using var probe = host.CreateClient();
        Assert.Equal((HttpStatusCode.OK, "Healthy"), await HealthAsync(probe));
    }

    [Theory]
    [InlineData("2.0")]
    [InlineData("1.0")]
    public async Task Keys_obtained_for_a_refused_token_outlast_an_outage_for_good_tokens_of_either_version(string version)
    {
        // The first Entra ID token after a start may be anyone's and refused before its issuer is looked at (here: for
        // another audience), while the keys are obtained. Microsoft.Identity.Web's issuer validator had metadata of its
        // own, fetched only for the first token that reached it: in an outage after that, every good token was 401 'issuer
        // not trusted' (and /health Healthy). The tenant's issuers are known without a fetch.
        var entra = new FakeEntra();
        using var host = Hub(builder => entra.Configure(builder).UseSetting("AzureAd:Audience", "api://veiligheid"));
        var politie = hub.ClientAppIdOf(DemoOrganisations.PolitieNoord);
        using var refused = ClientWith(host, entra.CreateToken("Politie", politie, audience: "api://some-other-api"));
        await AssertAnsweredAsync(refused, HttpStatusCode.Unauthorized, times: 1);

        entra.Answer = FakeEntra.Answers.Unreachable;

        using var good = ClientWith(host, version == "2.0"
            ? entra.CreateToken("Politie", politie)
            : entra.CreateToken("Politie", politie, audience: "api://veiligheid", version: "1.0", issuer: entra.IssuerV1));
        await AssertAnsweredAsync(good, HttpStatusCode.OK, times: 2);
        using var probe = host.CreateClient();
        Assert.Equal((HttpStatusCode.OK, "Healthy"), await HealthAsync(probe));
    }

    [Fact]
    public async Task Development_tokens_and_requests_without_a_token_are_not_affected_by_an_Entra_ID_outage()
    {
        var entra = new FakeEntra();
        using var host = Hub(builder => WithEntraAtClosedPort(builder, entra));
        using var development = ClientWith(host, hub.CreateToken([HubRole.Politie], DemoOrganisations.PolitieNoord));
        using var anonymous = host.CreateClient();

        await AssertAnsweredAsync(development, HttpStatusCode.OK, times: 1);
        using var none = await anonymous.GetAsync(CallerEndpoint.Path);
        Assert.Equal(HttpStatusCode.Unauthorized, none.StatusCode);
        Assert.Equal(CallerErrorCodes.Unauthenticated, (await none.Content.ReadFromJsonAsync<HubErrorBody>())!.Error.Code);
        Assert.Equal((HttpStatusCode.OK, "Healthy"), await HealthAsync(anonymous)); // nothing needed Entra ID's keys
    }

    /// <summary>A host of its own (its own configuration manager, its own account of the keys), its log kept in <see cref="_log"/>.</summary>
    private WebApplicationFactory<Program> Hub(Func<IWebHostBuilder, IWebHostBuilder> configure)
        => hub.WithWebHostBuilder(builder => configure(builder)
            .ConfigureLogging(logging => logging.AddProvider(new LogCollector(LogLevel.Trace, _log.Enqueue))));

    /// <summary>Entra ID configured for this tenant, its instance where nothing listens: the real network stack, refused.</summary>
    private static IWebHostBuilder WithEntraAtClosedPort(IWebHostBuilder builder, FakeEntra entra) => builder
        .UseSetting("AzureAd:Instance", ClosedPort)
        .UseSetting("AzureAd:TenantId", entra.TenantId)
        .UseSetting("AzureAd:ClientId", FakeEntra.HubClientId);

    private static HttpClient ClientWith(WebApplicationFactory<Program> host, string token)
    {
        var client = host.CreateClient();
        client.DefaultRequestHeaders.Authorization = new("Bearer", token);
        return client;
    }

    private List<LogRecord> Errors() => [.. _log.Where(e => e.Level >= LogLevel.Warning)];

    private static void AssertIdentityUnavailable(HttpResponseMessage response)
    {
        Assert.Equal(HttpStatusCode.ServiceUnavailable, response.StatusCode);
        Assert.Equal(TimeSpan.FromSeconds(30), response.Headers.RetryAfter?.Delta);
        Assert.Empty(response.Headers.WwwAuthenticate); // not a challenge: the token is not in question
    }

    private static async Task AssertAnsweredAsync(HttpClient client, HttpStatusCode status, int times)
    {
        for (var i = 0; i < times; i++)
        {
            using var response = await client.GetAsync(CallerEndpoint.Path);
            Assert.True(status == response.StatusCode, $"{response.StatusCode}: {await response.Content.ReadAsStringAsync()}");
        }
    }

    private static async Task<(HttpStatusCode Status, string Body)> HealthAsync(HttpClient client)
    {
        using var response = await client.GetAsync(new Uri("/health", UriKind.Relative));
        return (response.StatusCode, await response.Content.ReadAsStringAsync());
    }
}
