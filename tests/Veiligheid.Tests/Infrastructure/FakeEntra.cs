using System.Net;
using System.Net.Sockets;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using Microsoft.AspNetCore.Authentication.JwtBearer;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.TestHost;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Identity.Web;
using Microsoft.IdentityModel.JsonWebTokens;
using Microsoft.IdentityModel.Tokens;
using Veiligheid.Access.Identity;

namespace Veiligheid.Tests.Infrastructure;

/// <summary>
/// Entra ID as the hub's token validation reaches it: its OpenID metadata and signing keys, served in memory to the Entra
/// scheme's backchannel and to Microsoft.Identity.Web's issuer validator (so no network is needed), and tokens signed with
/// its key. The validation itself is the real one (Microsoft.Identity.Web, JwtBearer, IdentityModel's configuration
/// manager); only the network is this. <see cref="Answer"/> makes it fail the way an outage or a wrong configuration does.
/// Each instance has its own tenant, so hosts in one process do not share IdentityModel's per-authority issuer validators.
/// </summary>
public sealed class FakeEntra : HttpMessageHandler
{
    public const string Instance = "https://login.microsoftonline.com/";
    /// <summary>The hub's application (client) id: the audience of Entra ID's v2.0 access tokens for it.</summary>
    public const string HubClientId = "00000000-0000-0000-0000-000000000002";
    private const string HttpClientName = "fake-entra";
    private static readonly string[] SigningAlgorithms = ["RS256"];

    private readonly RsaSecurityKey _key = new(RSA.Create(2048)) { KeyId = "fake-entra-key" };
    private int _fetches;

    /// <summary>How the fake answers the hub's fetches.</summary>
    public enum Answers
    {
        /// <summary>The metadata and the keys.</summary>
        Available,

        /// <summary>No connection, as when Entra ID, the network or a proxy is down.</summary>
        Unreachable,

        /// <summary>The metadata, but the keys' address cannot be reached.</summary>
        KeysUnreachable,

        /// <summary>404 for the metadata, as for a tenant that does not exist (a wrong AzureAd:TenantId or Instance).</summary>
        NotFound,

        /// <summary>200 with a body that is not OpenID metadata, as from a captive portal or a misrouted proxy.</summary>
        NotMetadata,
    }

    public Answers Answer { get; set; } = Answers.Available;

    public string TenantId { get; } = Guid.NewGuid().ToString();

    public string Issuer => $"{Instance}{TenantId}/v2.0";

    /// <summary>The issuer of Entra ID's v1.0 tokens (and of its metadata without "/v2.0" in the address).</summary>
    public string IssuerV1 => $"https://sts.windows.net/{TenantId}/";

    /// <summary>How many documents (metadata, keys) the hub asked for.</summary>
    public int Fetches => Volatile.Read(ref _fetches);

    /// <summary>The hub configured for this tenant, its Entra ID traffic answered here.</summary>
    public IWebHostBuilder Configure(IWebHostBuilder builder)
    {
        ArgumentNullException.ThrowIfNull(builder);
        return builder
            .UseSetting("AzureAd:Instance", Instance)
            .UseSetting("AzureAd:TenantId", TenantId)
            .UseSetting("AzureAd:ClientId", HubClientId)
            .ConfigureTestServices(services =>
            {
                // Configure, not PostConfigure: JwtBearer's own post-configuration builds the configuration manager on it.
                services.Configure<JwtBearerOptions>(IdentitySetup.EntraScheme, options => options.BackchannelHttpHandler = this);
                services.Configure<AadIssuerValidatorOptions>(options => options.HttpClientName = HttpClientName);
                services.AddHttpClient(HttpClientName).ConfigurePrimaryHttpMessageHandler(() => this);
            });
    }

    /// <summary>
    /// An application token of this tenant (a partner's client credentials token, v2.0: its audience the hub's client id),
    /// signed with its key, or with a key it does not publish.
    /// </summary>
    public string CreateToken(string role, string clientAppId, TimeSpan? expiresIn = null, string audience = HubClientId, string version = "2.0",
        bool signedWithAnotherKey = false, string? issuer = null)
    {
        var now = DateTime.UtcNow;
        var expires = now + (expiresIn ?? TimeSpan.FromHours(1));
        return new JsonWebTokenHandler().CreateToken(new SecurityTokenDescriptor
        {
            Issuer = issuer ?? Issuer,
            Audience = audience,
            IssuedAt = expires < now ? expires.AddHours(-1) : now,
            NotBefore = expires < now ? expires.AddHours(-1) : now,
            Expires = expires,
            Claims = new Dictionary<string, object> { ["tid"] = TenantId, ["ver"] = version, ["azp"] = clientAppId, ["roles"] = role },
            SigningCredentials = new SigningCredentials(signedWithAnotherKey ? new RsaSecurityKey(RSA.Create(2048)) { KeyId = "not-published" } : _key,
                SecurityAlgorithms.RsaSha256),
        });
    }

    protected override Task<HttpResponseMessage> SendAsync(HttpRequestMessage request, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(request);
        Interlocked.Increment(ref _fetches);
        var path = request.RequestUri!.AbsolutePath;
        var keys = path.EndsWith("/discovery/v2.0/keys", StringComparison.Ordinal);
        return Answer switch
        {
            Answers.Unreachable => throw Refused(),
            Answers.KeysUnreachable when keys => throw Refused(),
            Answers.NotFound => Task.FromResult(new HttpResponseMessage(HttpStatusCode.NotFound) { Content = Json("{\"error\":\"invalid_tenant\"}") }),
            Answers.NotMetadata => Task.FromResult(new HttpResponseMessage(HttpStatusCode.OK) { Content = new StringContent("<html>Sign in to the proxy</html>", Encoding.UTF8, "text/html") }),
            _ => Task.FromResult(new HttpResponseMessage(HttpStatusCode.OK) { Content = Json(keys ? KeySet() : Metadata(v1: !path.Contains("/v2.0/", StringComparison.Ordinal))) }),
        };
    }

    // Handed to JwtBearer's backchannel and to the HttpClientFactory, which both dispose what they were given: it holds
    // nothing to release and answers on after that (HttpMessageHandler's own Dispose does nothing).
    protected override void Dispose(bool disposing) => base.Dispose(disposing);

    private static HttpRequestException Refused()
        => new(HttpRequestError.ConnectionError, "Connection refused (login.microsoftonline.com:443)", new SocketException((int)SocketError.ConnectionRefused));

    private string Metadata(bool v1) => JsonSerializer.Serialize(new Dictionary<string, object>
    {
        ["issuer"] = v1 ? IssuerV1 : Issuer,
        ["jwks_uri"] = $"{Instance}{TenantId}/discovery/v2.0/keys",
        ["authorization_endpoint"] = $"{Instance}{TenantId}/oauth2/v2.0/authorize",
        ["token_endpoint"] = $"{Instance}{TenantId}/oauth2/v2.0/token",
        ["id_token_signing_alg_values_supported"] = SigningAlgorithms,
    });

    private string KeySet()
    {
        var parameters = _key.Rsa.ExportParameters(false);
        return JsonSerializer.Serialize(new
        {
            keys = new[]
            {
                new { kty = "RSA", use = "sig", kid = _key.KeyId, n = Base64UrlEncoder.Encode(parameters.Modulus), e = Base64UrlEncoder.Encode(parameters.Exponent) },
            },
        });
    }

    private static StringContent Json(string json) => new(json, Encoding.UTF8, "application/json");
}
