using Microsoft.AspNetCore.Authentication.JwtBearer;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Identity.Web;
using Microsoft.IdentityModel.JsonWebTokens;
using Microsoft.IdentityModel.Tokens;

namespace Veiligheid.Access.Identity;

/// <summary>
/// Authentication of the hub. Production: Entra ID bearer tokens (Microsoft.Identity.Web, section "AzureAd").
/// Development: also the local development issuer (<see cref="DevTokenIssuer"/>). A policy scheme, the default,
/// sends each request to one of them by the token's <c>iss</c>. Endpoints get the caller from <see cref="CallerResolver"/>.
/// </summary>
public static class IdentitySetup
{
    /// <summary>The default scheme: forwards to <see cref="EntraScheme"/> or <see cref="DevScheme"/>.</summary>
    public const string PolicyScheme = "Veiligheid";

    public const string EntraScheme = "Entra";

    /// <summary>Registered only in the Development environment.</summary>
    public const string DevScheme = "DevToken";

    public const string AzureAdSection = "AzureAd";

    /// <summary>How long a fetch of Entra ID's metadata (signing keys) may take.</summary>
    public static readonly TimeSpan EntraMetadataTimeout = TimeSpan.FromSeconds(10);

    private static readonly JsonWebTokenHandler TokenReader = new();

    /// <summary>Registers authentication (Entra ID, plus the development issuer in Development) and the <see cref="CallerResolver"/>.</summary>
    public static WebApplicationBuilder AddVeiligheidIdentity(this WebApplicationBuilder builder)
    {
        ArgumentNullException.ThrowIfNull(builder);
        builder.Services.AddVeiligheidIdentity(builder.Configuration, builder.Environment);
        return builder;
    }

    // The bearer token is not copied into each request's authentication properties (ASP.NET Core's default): nothing
    // reads it back, it is one copy fewer of a credential in memory, and storing it allocated a list and strings on
    // every request (BENCHMARKS.md, fourteenth round).
    private const bool KeepRawToken = false;

    /// <inheritdoc cref="AddVeiligheidIdentity(WebApplicationBuilder)"/>
    public static IServiceCollection AddVeiligheidIdentity(this IServiceCollection services, IConfiguration configuration, IHostEnvironment environment)
    {
        ArgumentNullException.ThrowIfNull(configuration);
        ArgumentNullException.ThrowIfNull(environment);
        var development = environment.IsDevelopment();
        var azureAd = configuration.GetSection(AzureAdSection);
        var entra = IsEntraConfigured(azureAd, environment);

        var authentication = services.AddAuthentication(PolicyScheme)
            .AddPolicyScheme(PolicyScheme, "Entra ID or (Development) the local issuer", options =>
                options.ForwardDefaultSelector = context => SelectScheme(context, development, entra));
        if (entra)
        {
            authentication.AddMicrosoftIdentityWebApi(
                jwt =>
                {
                    jwt.MapInboundClaims = false;
                    jwt.SaveToken = KeepRawToken;
                    // The signing keys come from Entra's metadata; when it can't be reached, answer soon rather than hang.
                    jwt.BackchannelTimeout = EntraMetadataTimeout;
                    // Keys that cannot be obtained are the hub's problem, not the token's: told apart before validation
                    // (503, not 401). Microsoft.Identity.Web adds its handlers to these events, it does not replace them.
                    jwt.Events = new JwtBearerEvents { OnMessageReceived = EntraSigningKeys.CheckBeforeValidationAsync };
                    if (ValidAudiences(azureAd) is { } audiences) jwt.TokenValidationParameters.ValidAudiences = audiences;
                    // The tenant's issuers, known without a fetch: Microsoft.Identity.Web's issuer validator otherwise reads
                    // them from metadata of its own (v1.0 and v2.0, each fetched for the first token of its kind), which the
                    // check before validation does not obtain, so in an outage a token was 401 "issuer not trusted".
                    if (KnownIssuers(azureAd) is { } issuers) jwt.TokenValidationParameters.ValidIssuers = issuers;
                },
                identity =>
                {
                    azureAd.Bind(identity);
                    // Roles are checked by the CallerResolver, with a clear 403; a token without any is not a 401.
                    identity.AllowWebApiToBeAuthorizedByACL = true;
                },
                EntraScheme);
        }
        if (development)
        {
            services.AddDevTokenIssuer(configuration);
            authentication.AddJwtBearer(DevScheme, _ => { });
            services.AddOptions<JwtBearerOptions>(DevScheme).Configure<DevTokenIssuer>((options, issuer) =>
            {
                options.MapInboundClaims = false;
                options.SaveToken = KeepRawToken;
                options.TokenValidationParameters = issuer.CreateValidationParameters();
            });
        }

        services.TryAddSingleton<EntraSigningKeys>(); // also without Entra ID: /health reads it
        services.AddMemoryCache();
        services.TryAddSingleton<CallerResolver>();
        return services;
    }

    /// <summary>
    /// Authenticates every request (ASP.NET Core's middleware), with IdentityModel's process-wide log pointed at this
    /// host's through <see cref="IdentityModelLog"/> and its PII switches off, set here as the hub starts.
    /// </summary>
    public static WebApplication UseVeiligheidAuthentication(this WebApplication app)
    {
        ArgumentNullException.ThrowIfNull(app);
        var identityModelLog = IdentityModelLog.Install(app.Services.GetRequiredService<ILoggerFactory>(), app.Services.GetRequiredService<EntraSigningKeys>());
        // Not async (no state machine per request): the value set stays for the rest of the request, and the nearest async
        // caller, the middleware before, restores the execution context it began with.
        app.Use((context, next) =>
        {
            identityModelLog.ServeThisRequest();
            return next(context);
        });
        app.UseAuthentication();
        return app;
    }

    /// <summary>
    /// The audiences an Entra ID token for the hub may carry when AzureAd:Audience names its Application ID URI: that URI,
    /// which Entra ID puts in the v1.0 access tokens it issues for the URI's scope (an app registration's default), and the
    /// client id, which it puts in v2.0 ones (and its default URI <c>api://{client id}</c>). Null without an Audience:
    /// Microsoft.Identity.Web then takes the client id and its default URI, but never the configured one; the section is
    /// bound to its options only, and a v1.0 token for the README's <c>api://veiligheid</c> was refused as for another
    /// audience.
    /// </summary>
    private static string[]? ValidAudiences(IConfigurationSection azureAd)
    {
        if (string.IsNullOrWhiteSpace(azureAd["Audience"])) return null;
        var clientId = azureAd["ClientId"];
        string?[] audiences = [azureAd["Audience"], clientId, clientId is null ? null : $"api://{clientId}"];
        return [.. audiences.OfType<string>().Where(a => a.Length > 0).Distinct(StringComparer.Ordinal)];
    }

    /// <summary>
    /// The issuers of the configured tenant's tokens, as its metadata names them: <c>{Instance}{tenant id}/v2.0</c> in v2.0
    /// tokens and, in the public cloud, <c>https://sts.windows.net/{tenant id}/</c> in v1.0 ones. Given to Microsoft.Identity.Web's
    /// issuer validator, which accepts a token whose <c>iss</c> is one of them without fetching that metadata; any other
    /// issuer it still checks against the metadata as before. Null when AzureAd:TenantId is not a tenant id (a domain
    /// name: the issuers hold the id, which only the metadata tells).
    /// </summary>
    internal static string[]? KnownIssuers(IConfigurationSection azureAd)
    {
        if (!Guid.TryParse(azureAd["TenantId"], out var tenant)
            || !Uri.TryCreate(azureAd["Instance"], UriKind.Absolute, out var instance) || instance.Scheme != Uri.UriSchemeHttps) return null;
        var id = tenant.ToString("D");
        var v2 = $"https://{instance.Authority}/{id}/v2.0";
        return string.Equals(instance.Host, "login.microsoftonline.com", StringComparison.OrdinalIgnoreCase)
            ? [v2, $"https://sts.windows.net/{id}/"]
            : [v2];
    }

    /// <summary>Registers the <see cref="DevTokenIssuer"/> and its options (the hub in Development, the token command, tests).</summary>
    public static IServiceCollection AddDevTokenIssuer(this IServiceCollection services, IConfiguration configuration)
    {
        ArgumentNullException.ThrowIfNull(configuration);
        services.AddOptions<DevTokenOptions>()
            .Bind(configuration.GetSection(DevTokenOptions.Section))
            .PostConfigure(options => options.Audience ??= configuration[$"{AzureAdSection}:Audience"] is { Length: > 0 } audience
                ? audience
                : DevTokenOptions.DefaultAudience);
        services.TryAddSingleton(TimeProvider.System);
        services.TryAddSingleton<DevTokenIssuer>();
        return services;
    }

    /// <summary>Entra ID is required outside Development; in Development it is used when AzureAd:ClientId is set.</summary>
    private static bool IsEntraConfigured(IConfigurationSection azureAd, IHostEnvironment environment)
    {
        string[] required = ["Instance", "TenantId", "ClientId"];
        var missing = required.Where(key => string.IsNullOrWhiteSpace(azureAd[key])).ToList();
        if (missing.Count == 0) return true;
        if (environment.IsDevelopment() && string.IsNullOrWhiteSpace(azureAd["ClientId"])) return false;
        throw new Data.HubConfigurationException(
            $"Entra ID is not configured: set {string.Join(", ", missing.Select(key => $"{AzureAdSection}:{key}"))}. " +
            "Outside Development the hub accepts Entra ID tokens only.");
    }

    private static string SelectScheme(HttpContext context, bool development, bool entra)
    {
        if (!development) return EntraScheme;
        if (!entra) return DevScheme;
        var issuer = context.RequestServices.GetRequiredService<DevTokenIssuer>().Issuer;
        return string.Equals(UnvalidatedIssuer(context.Request), issuer, StringComparison.Ordinal) ? DevScheme : EntraScheme;
    }

    /// <summary>
    /// The request's bearer token (as the JWT bearer handler takes it from the header) when it has the form of a JWT; null
    /// without one, or for one the handler refuses as malformed before it looks at any key.
    /// </summary>
    internal static string? JwtBearerToken(HttpRequest request)
    {
        var authorization = request.Headers.Authorization.ToString();
        if (!authorization.StartsWith("Bearer ", StringComparison.OrdinalIgnoreCase)) return null;
        var token = authorization["Bearer ".Length..].Trim();
        return TokenReader.CanReadToken(token) ? token : null;
    }

    /// <summary>The <c>iss</c> of the bearer token, read without validation: only to choose the scheme that validates it.</summary>
    private static string? UnvalidatedIssuer(HttpRequest request)
    {
        if (JwtBearerToken(request) is not { } token) return null;
        try
        {
            return TokenReader.ReadJsonWebToken(token).Issuer;
        }
        catch (Exception e) when (e is ArgumentException or SecurityTokenException)
        {
            return null;
        }
    }
}
