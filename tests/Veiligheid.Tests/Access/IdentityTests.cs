using System.Buffers.Text;
using System.Diagnostics;
using System.Net;
using System.Net.Http.Json;
using System.Text;
using System.Text.Json;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Mvc.Testing;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;
using Veiligheid.Access;
using Veiligheid.Access.Identity;
using Veiligheid.Data.Seeding;
using Veiligheid.Http;
using Veiligheid.Tests.Infrastructure;

namespace Veiligheid.Tests.Access;

/// <summary>Who the hub takes a caller to be, over real HTTP: GET /me.</summary>
public sealed class IdentityTests(HubFactory hub) : IClassFixture<HubFactory>
{
    private static readonly JsonSerializerOptions Json = new(JsonSerializerDefaults.Web);

    [Fact]
    public async Task No_token_is_401_with_a_bearer_challenge_and_the_error_body()
    {
        using var client = hub.CreateClient();

        using var response = await client.GetAsync(CallerEndpoint.Path);

        Assert.Equal(HttpStatusCode.Unauthorized, response.StatusCode);
        Assert.Contains(response.Headers.WwwAuthenticate, h => h.Scheme == "Bearer");
        Assert.Equal(CallerErrorCodes.Unauthenticated, (await ErrorOf(response)).Code);
    }

    [Fact]
    public async Task A_valid_application_token_gives_the_caller()
    {
        using var client = hub.CreateClient(HubRole.Woningcorporatie, DemoOrganisations.Thuisbaas);

        var me = await client.GetFromJsonAsync<CallerView>(CallerEndpoint.Path, Json);

        Assert.NotNull(me);
        Assert.Equal("Woningcorporatie", me.Role);
        Assert.Equal(DemoOrganisations.Thuisbaas, me.OrganisationKey);
        Assert.Equal("Woningcorporatie", me.OrganisationKind);
        Assert.Equal(hub.ClientAppIdOf(DemoOrganisations.Thuisbaas), me.ClientAppId);
        Assert.False(me.IsUserToken);
        Assert.Null(me.UserObjectId);
    }

    [Fact]
    public async Task A_user_token_keeps_the_users_object_id()
    {
        const string oid = "3f2b6c1a-7d44-4e0b-9a55-1c2d3e4f5a6b";
        using var client = hub.CreateClient(HubRole.GemeenteCoordinator, DemoOrganisations.GemeenteVeiligstad, oid);

        var me = await client.GetFromJsonAsync<CallerView>(CallerEndpoint.Path, Json);

        Assert.NotNull(me);
        Assert.Equal("Gemeente.Coordinator", me.Role);
        Assert.Equal("Gemeente", me.OrganisationKind);
        Assert.True(me.IsUserToken);
        Assert.Equal(oid, me.UserObjectId);
    }

    [Fact]
    public async Task An_expired_token_is_401()
    {
        var token = hub.CreateToken(DevRequest([HubRole.Politie], DemoOrganisations.PolitieNoord) with
        {
            IssuedAt = DateTimeOffset.UtcNow.AddHours(-2),
            Lifetime = TimeSpan.FromHours(1),
        });

        await AssertRefusedAsync(token, HttpStatusCode.Unauthorized, CallerErrorCodes.InvalidToken, "expired");
    }

    [Fact]
    public async Task A_token_for_another_audience_is_401()
    {
        var token = hub.CreateToken(DevRequest([HubRole.Politie], DemoOrganisations.PolitieNoord) with { Audience = "api://some-other-api" });

        await AssertRefusedAsync(token, HttpStatusCode.Unauthorized, CallerErrorCodes.InvalidToken, "audience");
    }

    [Fact]
    public async Task A_token_signed_with_another_key_is_401()
    {
        var stranger = new DevTokenIssuer(
            Options.Create(new DevTokenOptions
            {
                SigningKeyPath = Path.Combine(hub.TempDirectory, "someone-elses-key.json"),
                Audience = hub.TokenIssuer.Audience,
            }),
            TimeProvider.System);
        Assert.Equal(hub.TokenIssuer.Issuer, stranger.Issuer);
        var token = stranger.CreateToken(DevRequest([HubRole.Politie], DemoOrganisations.PolitieNoord));

        await AssertRefusedAsync(token, HttpStatusCode.Unauthorized, CallerErrorCodes.InvalidToken, "signature");
    }

    private static readonly string[] PolitieOnly = ["Politie"];

    [Fact]
    public async Task A_token_without_an_expiry_is_401_and_says_so()
    {
        // Signed with the hub's own development key, valid in every other way: only the missing exp refuses it.
        var handler = new Microsoft.IdentityModel.JsonWebTokens.JsonWebTokenHandler { SetDefaultTimesOnTokenCreation = false };
        var token = handler.CreateToken(new Microsoft.IdentityModel.Tokens.SecurityTokenDescriptor
        {
            Issuer = hub.TokenIssuer.Issuer,
            Audience = hub.TokenIssuer.Audience,
            Claims = new Dictionary<string, object>
            {
                ["roles"] = PolitieOnly,
                ["azp"] = hub.ClientAppIdOf(DemoOrganisations.PolitieNoord),
                ["idtyp"] = "app",
            },
            SigningCredentials = new Microsoft.IdentityModel.Tokens.SigningCredentials(hub.TokenIssuer.SigningKey, Microsoft.IdentityModel.Tokens.SecurityAlgorithms.RsaSha256),
        });

        await AssertRefusedAsync(token, HttpStatusCode.Unauthorized, CallerErrorCodes.InvalidToken, "no expiry");
    }

    [Fact]
    public async Task An_unsigned_alg_none_token_is_401()
    {
        var now = DateTimeOffset.UtcNow.ToUnixTimeSeconds();
        var header = new { alg = "none", typ = "JWT" };
        var payload = new Dictionary<string, object>
        {
            ["iss"] = hub.TokenIssuer.Issuer,
            ["aud"] = hub.TokenIssuer.Audience,
            ["iat"] = now,
            ["nbf"] = now,
            ["exp"] = now + 3600,
            ["roles"] = new[] { "Gemeente.Coordinator" },
            ["azp"] = hub.ClientAppIdOf(DemoOrganisations.GemeenteVeiligstad),
        };
        var token = $"{Segment(header)}.{Segment(payload)}.";

        await AssertRefusedAsync(token, HttpStatusCode.Unauthorized, CallerErrorCodes.InvalidToken);
    }

    [Fact]
    public async Task A_garbage_token_is_401()
        => await AssertRefusedAsync("not-a-jwt", HttpStatusCode.Unauthorized, CallerErrorCodes.InvalidToken);

    [Fact]
    public async Task A_token_from_an_unknown_client_application_is_403()
    {
        var token = hub.CreateToken(DevTokenRequest.For([HubRole.Politie], Guid.NewGuid().ToString()));

        await AssertRefusedAsync(token, HttpStatusCode.Forbidden, CallerErrorCodes.UnknownOrganisation);
    }

    [Fact]
    public async Task A_token_without_a_client_application_is_403()
    {
        var token = hub.CreateToken(new DevTokenRequest { Roles = ["Politie"] });

        await AssertRefusedAsync(token, HttpStatusCode.Forbidden, CallerErrorCodes.UnknownOrganisation);
    }

    [Fact]
    public async Task A_role_that_does_not_fit_the_organisation_is_403()
    {
        using var client = hub.CreateClient(HubRole.Politie, DemoOrganisations.Woonstede);

        using var response = await client.GetAsync(CallerEndpoint.Path);

        Assert.Equal(HttpStatusCode.Forbidden, response.StatusCode);
        Assert.Equal(CallerErrorCodes.RoleNotForOrganisation, (await ErrorOf(response)).Code);
    }

    [Fact]
    public async Task A_token_without_a_hub_role_is_403()
    {
        var token = hub.CreateToken(new DevTokenRequest { Roles = ["Some.Other.App.Role"], ClientAppId = hub.ClientAppIdOf(DemoOrganisations.PolitieNoord) });

        await AssertRefusedAsync(token, HttpStatusCode.Forbidden, CallerErrorCodes.NoRole);
    }

    [Fact]
    public async Task Several_roles_without_the_role_header_is_400()
    {
        using var client = hub.CreateClientWithToken(
            hub.CreateToken([HubRole.GemeenteCoordinator, HubRole.GemeenteAnalist], DemoOrganisations.GemeenteVeiligstad));

        using var response = await client.GetAsync(CallerEndpoint.Path);

        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        var error = await ErrorOf(response);
        Assert.Equal(CallerErrorCodes.RoleAmbiguous, error.Code);
        Assert.Contains(CallerResolver.RoleHeader, error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Several_roles_with_the_role_header_takes_that_role()
    {
        using var client = hub.CreateClientWithToken(
            hub.CreateToken([HubRole.GemeenteCoordinator, HubRole.GemeenteAnalist], DemoOrganisations.GemeenteVeiligstad));
        client.DefaultRequestHeaders.Add(CallerResolver.RoleHeader, "Gemeente.Analist");

        var me = await client.GetFromJsonAsync<CallerView>(CallerEndpoint.Path, Json);

        Assert.NotNull(me);
        Assert.Equal("Gemeente.Analist", me.Role);
        Assert.Equal(DemoOrganisations.GemeenteVeiligstad, me.OrganisationKey);
    }

    [Theory]
    [InlineData("Gemeente.Handhaving")] // a hub role, but not the token's
    [InlineData("Politie")]
    [InlineData("Beheerder")] // no hub role at all
    public async Task A_role_header_naming_a_role_the_token_does_not_hold_is_403(string asked)
    {
        using var client = hub.CreateClientWithToken(
            hub.CreateToken([HubRole.GemeenteCoordinator, HubRole.GemeenteAnalist], DemoOrganisations.GemeenteVeiligstad));
        client.DefaultRequestHeaders.Add(CallerResolver.RoleHeader, asked);

        using var response = await client.GetAsync(CallerEndpoint.Path);

        Assert.Equal(HttpStatusCode.Forbidden, response.StatusCode);
        Assert.Equal(CallerErrorCodes.RoleNotHeld, (await ErrorOf(response)).Code);
    }

    [Fact]
    public async Task Development_tokens_still_work_when_Entra_is_configured_too()
    {
        using var withEntra = hub.WithWebHostBuilder(b => ConfigureDummyEntra(b));
        using var client = withEntra.CreateClient();
        client.DefaultRequestHeaders.Authorization = new("Bearer", hub.CreateToken([HubRole.ZvhProcesregisseur], DemoOrganisations.ZvhRegioNoord));

        var me = await client.GetFromJsonAsync<CallerView>(CallerEndpoint.Path, Json);

        Assert.NotNull(me);
        Assert.Equal("ZVH.Procesregisseur", me.Role);
    }

    [Fact]
    public async Task In_Production_a_development_token_is_401_quickly()
    {
        var token = hub.CreateToken([HubRole.GemeenteCoordinator], DemoOrganisations.GemeenteVeiligstad);
        // Entra ID's keys at hand: the token is checked against them and refused. (Without them it would be a 503: the hub
        // could not tell, EntraOutageTests.)
        var entra = new FakeEntra();
        using var production = hub.WithWebHostBuilder(b => entra.Configure(ConfigureDummyEntra(b.UseEnvironment("Production"))));
        using var client = production.CreateClient();
        client.DefaultRequestHeaders.Authorization = new("Bearer", token);

        var clock = Stopwatch.StartNew();
        using var response = await client.GetAsync(CallerEndpoint.Path);
        clock.Stop();

        Assert.Equal(HttpStatusCode.Unauthorized, response.StatusCode);
        Assert.Equal(CallerErrorCodes.InvalidToken, (await ErrorOf(response)).Code);
        Assert.True(clock.Elapsed < TimeSpan.FromSeconds(15), $"took {clock.Elapsed}");
    }

    [Theory]
    [InlineData("")]
    [InlineData("not base64!")]
    [InlineData("AAECAwQFBgcICQoLDA0ODw==")] // 16 bytes
    public void In_Production_the_log_without_a_usable_pseudonym_key_is_refused_as_configuration(string key)
    {
        // Program.cs makes the log before it serves and answers this exception with its reason and exit code 1.
        using var production = hub.WithWebHostBuilder(b => b.UseEnvironment("Production")
            .UseSetting("AzureAd:Instance", "https://login.microsoftonline.com/")
            .UseSetting("AzureAd:TenantId", "00000000-0000-0000-0000-000000000001")
            .UseSetting("AzureAd:ClientId", "00000000-0000-0000-0000-000000000002")
            .UseSetting("ProcessingLog:PseudonymKey", key));

        var refused = Assert.ThrowsAny<Exception>(() => production.Services.GetRequiredService<Veiligheid.Accountability.ProcessingLog>());

        var configuration = Assert.IsType<Veiligheid.Data.HubConfigurationException>(refused is Veiligheid.Data.HubConfigurationException ? refused : refused.InnerException);
        Assert.Contains("PseudonymKey", configuration.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task In_Production_no_token_is_401()
    {
        using var production = hub.WithWebHostBuilder(b => ConfigureDummyEntra(b.UseEnvironment("Production")));
        using var client = production.CreateClient();

        using var response = await client.GetAsync(CallerEndpoint.Path);

        Assert.Equal(HttpStatusCode.Unauthorized, response.StatusCode);
        Assert.Equal(CallerErrorCodes.Unauthenticated, (await ErrorOf(response)).Code);
    }

    [Fact]
    public void Neither_scheme_keeps_the_raw_bearer_token_in_the_request()
    {
        // A validated token is not stored again in the authentication properties (ASP.NET Core's default does): no
        // endpoint reads it back, so it would only be one more copy of a credential in memory.
        using var withEntra = hub.WithWebHostBuilder(b => ConfigureDummyEntra(b));
        var options = withEntra.Services.GetRequiredService<IOptionsMonitor<Microsoft.AspNetCore.Authentication.JwtBearer.JwtBearerOptions>>();

        Assert.False(options.Get(IdentitySetup.DevScheme).SaveToken);
        Assert.False(options.Get(IdentitySetup.EntraScheme).SaveToken);
    }

    /// <summary>An Entra ID configuration pointing at nothing: no network is needed or reached.</summary>
    private static IWebHostBuilder ConfigureDummyEntra(IWebHostBuilder builder) => builder
        .UseSetting("AzureAd:Instance", "https://login.microsoftonline.com/")
        .UseSetting("AzureAd:TenantId", "00000000-0000-0000-0000-000000000001")
        .UseSetting("AzureAd:ClientId", "00000000-0000-0000-0000-000000000002")
        // Production does not start without the log's pseudonym key either (a test key; never a real one in a repository).
        .UseSetting("ProcessingLog:PseudonymKey", Convert.ToBase64String(System.Security.Cryptography.SHA256.HashData("veiligheid-test-pseudonym-key"u8)));

    private DevTokenRequest DevRequest(HubRole[] roles, string organisationKey)
        => DevTokenRequest.For(roles, hub.ClientAppIdOf(organisationKey));

    private async Task AssertRefusedAsync(string token, HttpStatusCode status, string code, string? messagePart = null)
    {
        using var client = hub.CreateClientWithToken(token);

        using var response = await client.GetAsync(CallerEndpoint.Path);

        Assert.True(status == response.StatusCode, $"{response.StatusCode}: {await response.Content.ReadAsStringAsync()}");
        var error = await ErrorOf(response);
        Assert.Equal(code, error.Code);
        if (messagePart is not null) Assert.Contains(messagePart, error.Message, StringComparison.Ordinal);
        if (status == HttpStatusCode.Unauthorized) Assert.Contains(response.Headers.WwwAuthenticate, h => h.Scheme == "Bearer");
    }

    private static async Task<HubErrorDetail> ErrorOf(HttpResponseMessage response)
    {
        Assert.Equal("application/json", response.Content.Headers.ContentType?.MediaType);
        var body = await response.Content.ReadFromJsonAsync<HubErrorBody>(Json);
        Assert.NotNull(body);
        Assert.False(string.IsNullOrWhiteSpace(body.Error.Message));
        return body.Error;
    }

    private static string Segment(object value) => Base64Url.EncodeToString(Encoding.UTF8.GetBytes(JsonSerializer.Serialize(value)));
}
