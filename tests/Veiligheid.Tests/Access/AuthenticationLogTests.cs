using System.Collections.Concurrent;
using System.Net;
using System.Net.Http.Json;
using System.Security.Cryptography;
using Microsoft.AspNetCore.Authentication.JwtBearer;
using Microsoft.AspNetCore.Hosting;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using Microsoft.IdentityModel.Abstractions;
using Microsoft.IdentityModel.JsonWebTokens;
using Microsoft.IdentityModel.Logging;
using Microsoft.IdentityModel.Tokens;
using Veiligheid.Access;
using Veiligheid.Access.Identity;
using Veiligheid.Data.Seeding;
using Veiligheid.Http;
using Veiligheid.Tests.Data;
using Veiligheid.Tests.Infrastructure;

namespace Veiligheid.Tests.Access;

/// <summary>
/// What the hub's log says about a client's bad bearer token: the operations team reads <c>fail:</c> as "the server has a
/// problem", so a client's token is at most one entry below Error per request, and the token itself is never in the log.
/// Failures of the hub's own (its signing keys cannot be fetched) stay errors, once rather than for every request
/// (<see cref="EntraSigningKeys"/>; its repeats and recovery: <see cref="EntraOutageTests"/>).
/// </summary>
/// <remarks>IdentityModel has one logger and one PII switch per process (LogHelper.Logger, IdentityModelEventSource): these
/// tests set them, so they run alone. Without the hub's own, Microsoft.Identity.Web sets its logger on the first host that
/// builds Entra ID's scheme in the process; run alone, that is this one.</remarks>
[Collection(RunsAlone.Name)]
public sealed class AuthenticationLogTests(AuthenticationLogTests.LoggedHub hub) : IClassFixture<AuthenticationLogTests.LoggedHub>
{
    /// <summary>The hub in Development with Entra ID configured too (as a municipality's test environment runs), keeping
    /// every entry its filter rules let through.</summary>
    public sealed class LoggedHub : HubFactory
    {
        public ConcurrentQueue<LogRecord> Log { get; } = new();

        protected override void ConfigureWebHost(IWebHostBuilder builder)
        {
            base.ConfigureWebHost(builder);
            WithEntra(builder, "https://login.microsoftonline.com/");
            builder.ConfigureLogging(logging => logging.AddProvider(new LogCollector(LogLevel.Trace, Log.Enqueue)));
        }

        /// <summary>What was logged since the last call.</summary>
        public List<LogRecord> Drain()
        {
            var drained = new List<LogRecord>();
            while (Log.TryDequeue(out var entry)) drained.Add(entry);
            return drained;
        }
    }

    [Theory]
    [InlineData("garbage")]
    [InlineData("truncated")]
    [InlineData("expired")]
    [InlineData("signed with another key")]
    [InlineData("for another audience")]
    public async Task A_clients_bad_token_is_one_entry_below_warning_without_the_token(string kind)
    {
        var token = BadToken(kind);
        // Entra ID's scheme built first, as by a running hub's first request (Microsoft.Identity.Web sets up logging then).
        _ = hub.Services.GetRequiredService<IOptionsMonitor<JwtBearerOptions>>().Get(IdentitySetup.EntraScheme);
        hub.Drain();

        await AssertRefusedAsync(hub.CreateClientWithToken(token));

        var logged = hub.Drain();
        Assert.DoesNotContain(logged, e => e.Level >= LogLevel.Warning);
        var written = logged.Where(e => e.Level >= LogLevel.Information).ToList();
        var refusal = Assert.Single(written);
        Assert.Equal("BearerTokenRefused", refusal.EventId.Name);
        AssertNoPartOf(token, logged);
    }

    [Fact]
    public async Task Signing_keys_that_cannot_be_fetched_are_one_error_for_many_requests_without_the_token()
    {
        // Entra's metadata at an address where nothing listens: the hub cannot get the keys to check any Entra token.
        using var unreachable = hub.WithWebHostBuilder(builder => WithEntra(builder, "https://127.0.0.1:1/"));
        var token = new JsonWebTokenHandler().CreateToken(new SecurityTokenDescriptor
        {
            Issuer = "https://login.microsoftonline.com/00000000-0000-0000-0000-000000000001/v2.0",
            Audience = "api://veiligheid-test",
            SigningCredentials = new SigningCredentials(new RsaSecurityKey(RSA.Create(2048)), SecurityAlgorithms.RsaSha256),
        });
        using var client = unreachable.CreateClient();
        client.DefaultRequestHeaders.Authorization = new("Bearer", token);
        hub.Drain();

        for (var i = 0; i < 5; i++)
        {
            using var response = await client.GetAsync(CallerEndpoint.Path);
            Assert.Equal(HttpStatusCode.ServiceUnavailable, response.StatusCode);
        }

        // Every request fetched again and failed; the operations team reads one error, the hub's own, with IdentityModel's
        // account of the failure (IDX20803) in it once. Not a refused token either: the token was never in question.
        var logged = hub.Drain();
        var error = Assert.Single(logged, e => e.Level >= LogLevel.Warning);
        Assert.Equal(LogLevel.Error, error.Level);
        Assert.Equal(EntraSigningKeys.Unavailable.Name, error.EventId.Name);
        Assert.Contains("IDX20803", error.Exception, StringComparison.Ordinal); // Unable to obtain configuration
        Assert.DoesNotContain(logged, e => e.EventId.Name == CallerResolver.TokenRefused.Name);
        AssertNoPartOf(token, logged);
    }

    [Fact]
    public void Outside_Development_IdentityModel_shows_neither_personal_data_nor_whole_tokens()
    {
        IdentityModelEventSource.ShowPII = true;
        IdentityModelEventSource.LogCompleteSecurityArtifact = true;

        using var production = hub.WithWebHostBuilder(builder => builder.UseEnvironment("Production")
            .UseSetting("ProcessingLog:PseudonymKey", Convert.ToBase64String(SHA256.HashData("veiligheid-test-pseudonym-key"u8))));
        _ = production.Services; // started

        Assert.False(IdentityModelEventSource.ShowPII);
        Assert.False(IdentityModelEventSource.LogCompleteSecurityArtifact);
    }

    [Fact]
    public async Task IdentityModel_writes_into_the_log_of_the_host_whose_request_it_is()
    {
        // One IdentityModel logger per process, several hosts in it (as here): a host started later takes neither an
        // earlier host's entries nor, outside any request, loses its own.
        var earlier = new ConcurrentQueue<LogRecord>();
        var later = new ConcurrentQueue<LogRecord>();
        using var earlierLoggers = LoggerFactory.Create(logging => logging.AddProvider(new LogCollector(LogLevel.Error, earlier.Enqueue)));
        using var laterLoggers = LoggerFactory.Create(logging => logging.AddProvider(new LogCollector(LogLevel.Error, later.Enqueue)));
        var earlierHost = IdentityModelLog.Install(earlierLoggers);
        IdentityModelLog.Install(laterLoggers);

        await Task.Run(() =>
        {
            earlierHost.ServeThisRequest();
            LogHelper.Logger.Log(new LogEntry { EventLogLevel = EventLogLevel.Error, Message = "IDX20803: Unable to obtain configuration (a request of the earlier host)." });
        });
        LogHelper.Logger.Log(new LogEntry { EventLogLevel = EventLogLevel.Error, Message = "IDX20803: Unable to obtain configuration (outside any request)." });

        Assert.Equal(new EventId(20803, "IDX20803"), Assert.Single(earlier).EventId);
        Assert.Contains("outside any request", Assert.Single(later).Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Failures_to_fetch_Entra_IDs_keys_are_Debug_until_the_hub_has_them_and_errors_after()
    {
        // Before, every request fetches again and the hub reports the failures itself, once a minute (EntraSigningKeys);
        // after, IdentityModel validates with the keys it has and a failed refresh is news for the operations team.
        var written = new ConcurrentQueue<LogRecord>();
        using var loggers = LoggerFactory.Create(logging => logging.SetMinimumLevel(LogLevel.Trace).AddProvider(new LogCollector(LogLevel.Trace, written.Enqueue)));
        var keys = new EntraSigningKeys(loggers.CreateLogger<EntraSigningKeys>(), TimeProvider.System);
        var log = IdentityModelLog.Install(loggers, keys);
        var refreshFailed = new LogEntry { EventLogLevel = EventLogLevel.Error, Message = "IDX20806: Unable to obtain an updated configuration from: 'https://login.microsoftonline.com/x/v2.0/.well-known/openid-configuration'." };

        log.Log(refreshFailed);
        keys.Obtained();
        log.Log(refreshFailed);

        Assert.Equal([LogLevel.Debug, LogLevel.Error], written.Where(e => e.Category == IdentityModelLog.Category).Select(e => e.Level));
    }

    private static IWebHostBuilder WithEntra(IWebHostBuilder builder, string instance) => builder
        .UseSetting("AzureAd:Instance", instance)
        .UseSetting("AzureAd:TenantId", "00000000-0000-0000-0000-000000000001")
        .UseSetting("AzureAd:ClientId", "00000000-0000-0000-0000-000000000002")
        .UseSetting("AzureAd:Audience", "api://veiligheid-test");

    private string BadToken(string kind)
    {
        var valid = DevTokenRequest.For([HubRole.Politie], hub.ClientAppIdOf(DemoOrganisations.PolitieNoord));
        return kind switch
        {
            "garbage" => "not-a-token",
            "truncated" => hub.CreateToken(valid)[..^20], // the end of its signature lost on the way
            "expired" => hub.CreateToken(valid with { IssuedAt = DateTimeOffset.UtcNow.AddHours(-2), Lifetime = TimeSpan.FromHours(1) }),
            "signed with another key" => new DevTokenIssuer(
                Options.Create(new DevTokenOptions { SigningKeyPath = Path.Combine(hub.TempDirectory, "someone-elses-key.json"), Audience = hub.TokenIssuer.Audience }),
                TimeProvider.System).CreateToken(valid),
            "for another audience" => hub.CreateToken(valid with { Audience = "api://some-other-api" }),
            _ => throw new ArgumentOutOfRangeException(nameof(kind), kind, null),
        };
    }

    /// <summary>401 with the hub's own error body, as before.</summary>
    private static async Task AssertRefusedAsync(HttpClient client)
    {
        using (client)
        using (var response = await client.GetAsync(CallerEndpoint.Path))
        {
            Assert.Equal(HttpStatusCode.Unauthorized, response.StatusCode);
            var body = await response.Content.ReadFromJsonAsync<HubErrorBody>();
            Assert.Equal(CallerErrorCodes.InvalidToken, body?.Error.Code);
        }
    }

    /// <summary>Neither the token nor any of its parts (header, claims, signature) in any entry, at any level.</summary>
    private static void AssertNoPartOf(string token, List<LogRecord> logged) => AssertNoPartOf(token, logged.Select(e => e.ToString()));

    /// <summary>Neither the token nor any of its parts (header, claims, signature) in any of these texts.</summary>
    internal static void AssertNoPartOf(string token, IEnumerable<string> texts)
    {
        var parts = token.Split('.').Where(p => p.Length >= 8).Append(token).ToList();
        Assert.All(texts, text => Assert.DoesNotContain(parts, p => text.Contains(p, StringComparison.Ordinal)));
    }
}
