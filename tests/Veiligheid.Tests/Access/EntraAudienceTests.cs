using System.Net;
using Microsoft.AspNetCore.Hosting;
using Veiligheid.Access;
using Veiligheid.Data.Seeding;
using Veiligheid.Http;
using Veiligheid.Tests.Infrastructure;

namespace Veiligheid.Tests.Access;

/// <summary>
/// The audiences an Entra ID token may carry: the hub's Application ID URI (AzureAd:Audience, README's set-up step 1 and
/// 5), which Entra ID puts in a v1.0 access token asked for with that URI's scope (the default for an app registration),
/// and the hub's client id, which it puts in a v2.0 one. Real validation (Microsoft.Identity.Web, JwtBearer,
/// IdentityModel) against <see cref="FakeEntra"/> in place of the network.
/// </summary>
public sealed class EntraAudienceTests(HubFactory hub) : IClassFixture<HubFactory>
{
    private const string AppIdUri = "api://veiligheid";

    [Theory]
    [InlineData(AppIdUri, "1.0", HttpStatusCode.OK)]                 // the README's set-up, a v1.0 token
    [InlineData(FakeEntra.HubClientId, "2.0", HttpStatusCode.OK)]    // a v2.0 token
    [InlineData("api://" + FakeEntra.HubClientId, "1.0", HttpStatusCode.OK)] // the default Application ID URI
    [InlineData("api://another-api", "1.0", HttpStatusCode.Unauthorized)]
    [InlineData("00000000-0000-0000-0000-000000000099", "2.0", HttpStatusCode.Unauthorized)]
    public async Task A_token_for_the_configured_Application_ID_URI_or_the_hubs_client_id_is_accepted_and_no_other(string audience, string version, HttpStatusCode expected)
    {
        var entra = new FakeEntra();
        using var host = hub.WithWebHostBuilder(builder => entra.Configure(builder).UseSetting("AzureAd:Audience", AppIdUri));
        using var client = host.CreateClient();
        client.DefaultRequestHeaders.Authorization = new("Bearer",
            entra.CreateToken("Politie", hub.ClientAppIdOf(DemoOrganisations.PolitieNoord), audience: audience, version: version));

        using var response = await client.GetAsync(CallerEndpoint.Path);

        Assert.True(expected == response.StatusCode, $"{response.StatusCode}: {await response.Content.ReadAsStringAsync()}");
    }

    [Theory]
    [InlineData(true, HttpStatusCode.OK)]      // iss https://sts.windows.net/{tenant}/, as Entra ID writes it in a v1.0 token
    [InlineData(false, HttpStatusCode.Unauthorized)] // the same for another tenant
    public async Task A_v1_token_as_Entra_ID_issues_it_is_accepted_for_the_configured_tenant_only(bool ownTenant, HttpStatusCode expected)
    {
        var entra = new FakeEntra();
        using var host = hub.WithWebHostBuilder(builder => entra.Configure(builder).UseSetting("AzureAd:Audience", AppIdUri));
        using var client = host.CreateClient();
        var issuer = ownTenant ? entra.IssuerV1 : $"https://sts.windows.net/{Guid.NewGuid()}/";
        client.DefaultRequestHeaders.Authorization = new("Bearer",
            entra.CreateToken("Politie", hub.ClientAppIdOf(DemoOrganisations.PolitieNoord), audience: AppIdUri, version: "1.0", issuer: issuer));

        using var response = await client.GetAsync(CallerEndpoint.Path);

        Assert.True(expected == response.StatusCode, $"{response.StatusCode}: {await response.Content.ReadAsStringAsync()}");
    }
}
