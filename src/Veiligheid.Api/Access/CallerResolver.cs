using System.Security.Claims;
using Microsoft.AspNetCore.Authentication;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Caching.Memory;
using Microsoft.Extensions.Primitives;
using Microsoft.IdentityModel.Tokens;
using Veiligheid.Data;
using Veiligheid.Organisations;

namespace Veiligheid.Access;

/// <summary>
/// Establishes who is calling, for every endpoint: the validated bearer token (Entra ID, or the development issuer in
/// Development) gives the roles and the client application; the hub's organisation register gives the organisation.
/// Nothing the request says about itself counts, except the choice among the token's own roles
/// (<see cref="RoleHeader"/>). The result is kept for the rest of the request.
/// </summary>
public sealed class CallerResolver(IServiceScopeFactory scopes, IMemoryCache cache, ILogger<CallerResolver> logger)
{
    /// <summary>Picks one role when the token holds several hub roles; it must be one of them.</summary>
    public const string RoleHeader = "X-Veiligheid-Role";

    /// <summary>
    /// The one log entry of a request whose bearer token was refused (Information): the client's doing, not the hub's
    /// problem, so not an error; its reason and the kind of failure, never the token or its claims (unvalidated, they are
    /// the client's text). IdentityModel's own entries about the token are Debug (<see cref="Identity.IdentityModelLog"/>).
    /// </summary>
    public static readonly EventId TokenRefused = new(1, "BearerTokenRefused");

    /// <summary>How long an organisation lookup by client application id is kept (also a miss).</summary>
    public static readonly TimeSpan OrganisationCacheDuration = TimeSpan.FromMinutes(1);

    private static readonly object ResolutionItemKey = new();

    // Entra tokens may reach us with the claim names mapped to the long WS-* names; the development issuer's never are.
    private static readonly string[] RoleClaims = ["roles", ClaimTypes.Role];
    private static readonly string[] ScopeClaims = ["scp", "http://schemas.microsoft.com/identity/claims/scope"];
    private static readonly string[] ObjectIdClaims = ["oid", "http://schemas.microsoft.com/identity/claims/objectidentifier"];
    private static readonly string[] ClientAppClaims = ["azp", "appid"];

    public async Task<CallerResolution> ResolveAsync(HttpContext context, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(context);
        if (context.Items.TryGetValue(ResolutionItemKey, out var kept) && kept is CallerResolution keptResolution) return keptResolution;
        var resolution = await ResolveCoreAsync(context, cancellationToken);
        context.Items[ResolutionItemKey] = resolution;
        return resolution;
    }

    private async Task<CallerResolution> ResolveCoreAsync(HttpContext context, CancellationToken cancellationToken)
    {
        var authentication = await context.AuthenticateAsync();
        if (authentication.None)
        {
            return Refuse(StatusCodes.Status401Unauthorized, CallerErrorCodes.Unauthenticated,
                "A bearer token is required: send 'Authorization: Bearer <token>'.", challenge: "Bearer");
        }
        if (authentication.Failure is Identity.EntraSigningKeysUnavailableException)
        {
            // Not the token's fault, so not a 401 (which sends a client after a new token, or its team after credentials).
            // Logged by EntraSigningKeys, once per interval rather than once per request.
            return CallerResolution.Refused(new CallerRefusal(StatusCodes.Status503ServiceUnavailable, CallerErrorCodes.IdentityUnavailable,
                "The hub cannot validate bearer tokens right now: it cannot obtain Entra ID's signing keys. This is the hub's problem, " +
                $"not your token's: keep the token and try again in {Identity.EntraSigningKeys.RetryAfter.TotalSeconds:0} seconds.")
            {
                RetryAfter = Identity.EntraSigningKeys.RetryAfter,
            });
        }
        if (!authentication.Succeeded)
        {
            var reason = DescribeFailure(authentication.Failure);
            logger.LogInformation(TokenRefused, "A bearer token was refused ({Failure}): {Reason}", authentication.Failure?.GetType().Name, reason);
            return Refuse(StatusCodes.Status401Unauthorized, CallerErrorCodes.InvalidToken, $"The bearer token was not accepted: {reason}",
                challenge: $"Bearer error=\"invalid_token\", error_description=\"{reason}\"");
        }
        var principal = authentication.Principal;

        var held = RoleClaims.SelectMany(principal.FindAll)
            .Select(claim => HubRoles.TryParse(claim.Value, out var role) ? role : (HubRole?)null)
            .OfType<HubRole>()
            .Distinct()
            .Order()
            .ToList();
        if (held.Count == 0)
        {
            return Refuse(StatusCodes.Status403Forbidden, CallerErrorCodes.NoRole,
                $"The token holds none of the hub's roles ({List(HubRoles.All)}). Ask your administrator to assign one to your application or account.");
        }
        var chosen = ChooseRole(context.Request.Headers[RoleHeader], held, out var refusal);
        if (chosen is not { } role) return refusal!;

        var clientAppId = First(principal, ClientAppClaims);
        if (string.IsNullOrWhiteSpace(clientAppId))
        {
            return Refuse(StatusCodes.Status403Forbidden, CallerErrorCodes.UnknownOrganisation,
                "The token names no client application (azp or appid), so the hub cannot tell which organisation is calling.");
        }
        var organisation = await FindOrganisationAsync(clientAppId, cancellationToken);
        if (organisation is null)
        {
            return Refuse(StatusCodes.Status403Forbidden, CallerErrorCodes.UnknownOrganisation,
                $"The client application '{clientAppId}' is not registered with the hub as a partner organisation.");
        }
        if (role.RequiredOrganisationKind() != organisation.Kind)
        {
            return Refuse(StatusCodes.Status403Forbidden, CallerErrorCodes.RoleNotForOrganisation,
                $"The role '{role.TokenValue()}' is for organisations of kind {role.RequiredOrganisationKind()}; '{organisation.Key}' is of kind {organisation.Kind}.");
        }

        string? userObjectId = null;
        if (First(principal, ScopeClaims) is not null)
        {
            userObjectId = First(principal, ObjectIdClaims);
            if (string.IsNullOrWhiteSpace(userObjectId))
            {
                const string reason = "a user token (scp) without the user's object id (oid)";
                return Refuse(StatusCodes.Status401Unauthorized, CallerErrorCodes.InvalidToken, $"The bearer token was not accepted: {reason}.",
                    challenge: $"Bearer error=\"invalid_token\", error_description=\"{reason}\"");
            }
        }

        var purpose = ChoosePurpose(context.Request.Headers[Purposes.Header], role, out var purposeRefusal);
        if (purposeRefusal is not null) return purposeRefusal;

        return CallerResolution.Success(new Caller(role, organisation.Id, organisation.Key, organisation.Kind, clientAppId, userObjectId, purpose?.Key));
    }

    /// <summary>The purpose the request states in <see cref="Purposes.Header"/>; null when it states none.</summary>
    private static ProcessingPurpose? ChoosePurpose(StringValues header, HubRole role, out CallerResolution? refusal)
    {
        refusal = null;
        var values = header.SelectMany(v => (v ?? "").Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries)).ToList();
        if (values.Count == 0) return null;
        if (values.Count > 1)
        {
            refusal = Refuse(StatusCodes.Status400BadRequest, CallerErrorCodes.PurposeUnknown,
                $"Send exactly one purpose in the {Purposes.Header} header; your role may invoke: {Allowed()}.");
            return null;
        }
        if (Purposes.Find(values[0]) is not { } purpose)
        {
            refusal = Refuse(StatusCodes.Status400BadRequest, CallerErrorCodes.PurposeUnknown,
                $"The purpose '{values[0]}' in {Purposes.Header} is not registered with the hub; your role may invoke: {Allowed()}.");
            return null;
        }
        if (!purpose.MayBeInvokedBy(role))
        {
            refusal = Refuse(StatusCodes.Status403Forbidden, CallerErrorCodes.PurposeNotAllowed,
                $"The role '{role.TokenValue()}' may not invoke the purpose '{purpose.Key}'; it may invoke: {Allowed()}.");
            return null;
        }
        return purpose;

        // Only a refusal names them: not made for every request that states a purpose it may invoke.
        string Allowed() => string.Join(", ", Purposes.For(role).Select(p => p.Key));
    }

    private static HubRole? ChooseRole(StringValues header, List<HubRole> held, out CallerResolution? refusal)
    {
        refusal = null;
        var values = header.SelectMany(v => (v ?? "").Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries)).ToList();
        if (values.Count > 1)
        {
            refusal = Refuse(StatusCodes.Status400BadRequest, CallerErrorCodes.RoleAmbiguous,
                $"Send exactly one role in the {RoleHeader} header.");
            return null;
        }
        if (values.Count == 1)
        {
            if (HubRoles.TryParse(values[0], out var asked) && held.Contains(asked)) return asked;
            refusal = Refuse(StatusCodes.Status403Forbidden, CallerErrorCodes.RoleNotHeld,
                $"The role '{values[0]}' asked for in {RoleHeader} is not one of the token's roles ({List(held)}).");
            return null;
        }
        if (held.Count == 1) return held[0];
        refusal = Refuse(StatusCodes.Status400BadRequest, CallerErrorCodes.RoleAmbiguous,
            $"The token holds several hub roles ({List(held)}): choose one per request with the {RoleHeader} header.");
        return null;
    }

    private async Task<OrganisationIdentity?> FindOrganisationAsync(string clientAppId, CancellationToken cancellationToken)
        => await cache.GetOrCreateAsync(("veiligheid:organisation-by-client-app", clientAppId), async entry =>
        {
            entry.AbsoluteExpirationRelativeToNow = OrganisationCacheDuration;
            await using var scope = scopes.CreateAsyncScope();
            var db = scope.ServiceProvider.GetRequiredService<VeiligheidDbContext>();
            return await db.Organisations.AsNoTracking()
                .Where(o => o.ClientAppId == clientAppId)
                .Select(o => new OrganisationIdentity(o.Id, o.Key, o.Kind))
                .SingleOrDefaultAsync(cancellationToken);
        });

    private static string DescribeFailure(Exception? failure) => failure switch
    {
        SecurityTokenExpiredException => "the token has expired.",
        SecurityTokenNotYetValidException => "the token is not valid yet.",
        SecurityTokenNoExpirationException => "the token has no expiry (exp); the hub accepts only tokens that expire.",
        SecurityTokenInvalidAudienceException => "the token is for another audience.",
        SecurityTokenInvalidIssuerException => "the token's issuer is not trusted by this hub.",
        SecurityTokenSignatureKeyNotFoundException or SecurityTokenInvalidSignatureException => "the token's signature is not valid for this hub.",
        SecurityTokenInvalidAlgorithmException => "the token's signing algorithm is not accepted.",
        SecurityTokenMalformedException => "the token is malformed.",
        _ => "the token could not be validated.",
    };

    private static string? First(ClaimsPrincipal principal, string[] claimTypes)
        => claimTypes.Select(type => principal.FindFirst(type)?.Value).FirstOrDefault(value => value is not null);

    private static string List(IEnumerable<HubRole> roles) => string.Join(", ", roles.Select(r => r.TokenValue()));

    private static CallerResolution Refuse(int status, string code, string message, string? challenge = null)
        => CallerResolution.Refused(new CallerRefusal(status, code, message) { Challenge = challenge });

    private sealed record OrganisationIdentity(int Id, string Key, OrganisationKind Kind);
}
