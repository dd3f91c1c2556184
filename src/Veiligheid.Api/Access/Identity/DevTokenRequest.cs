namespace Veiligheid.Access.Identity;

/// <summary>What goes into a development token. The defaults make a valid token; the overrides exist for tests.</summary>
public sealed record DevTokenRequest
{
    /// <summary>The values of the <c>roles</c> claim, e.g. "Gemeente.Coordinator" (see <see cref="HubRoles.TokenValue"/>).</summary>
    public required IReadOnlyList<string> Roles { get; init; }

    /// <summary>The <c>azp</c> claim: the organisation's <c>ClientAppId</c>. Null leaves the claim out.</summary>
    public string? ClientAppId { get; init; }

    /// <summary>Set for a user token: it gets <c>oid</c> (and <c>sub</c>) with this value and a <c>scp</c> claim.
    /// Null makes an application token.</summary>
    public string? UserObjectId { get; init; }

    /// <summary>The <c>scp</c> of a user token.</summary>
    public string Scope { get; init; } = "access_as_user";

    /// <summary>Validity from <see cref="IssuedAt"/>; null takes DevTokens:TokenLifetimeMinutes.</summary>
    public TimeSpan? Lifetime { get; init; }

    /// <summary>Issue time (also not-before); null is now. A time in the past makes an expired token for tests.</summary>
    public DateTimeOffset? IssuedAt { get; init; }

    /// <summary>Overrides the <c>aud</c> claim (tests: a token for another API).</summary>
    public string? Audience { get; init; }

    /// <summary>A token with these roles for the given client application; a user token when <paramref name="userObjectId"/> is set.</summary>
    public static DevTokenRequest For(IEnumerable<HubRole> roles, string clientAppId, string? userObjectId = null, TimeSpan? lifetime = null)
        => new()
        {
            Roles = roles.Select(r => r.TokenValue()).ToArray(),
            ClientAppId = clientAppId,
            UserObjectId = userObjectId,
            Lifetime = lifetime,
        };
}
