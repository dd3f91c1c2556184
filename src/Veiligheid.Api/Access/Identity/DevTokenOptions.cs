namespace Veiligheid.Access.Identity;

/// <summary>
/// The local token issuer for Development and tests (configuration section "DevTokens"). The hub accepts its tokens
/// only when it runs in the Development environment; in any other environment the scheme is not even registered.
/// </summary>
public sealed class DevTokenOptions
{
    public const string Section = "DevTokens";

    /// <summary>The default audience: the hub's own API identifier.</summary>
    public const string DefaultAudience = "api://veiligheid";

    /// <summary>The RSA signing key (private, JSON), created on first use. Relative to the working directory; never commit it.</summary>
    public string SigningKeyPath { get; set; } = Path.Combine("data", "dev-token-signing-key.json");

    /// <summary>The <c>iss</c> of the tokens; the hub routes a token to the development scheme by this value.</summary>
    public string Issuer { get; set; } = "https://veiligheid.local/dev-issuer";

    /// <summary>The <c>aud</c> of the tokens and the audience the development scheme expects. When not set:
    /// AzureAd:Audience, else <see cref="DefaultAudience"/>.</summary>
    public string? Audience { get; set; }

    /// <summary>How long a token is valid when the caller does not say.</summary>
    public int TokenLifetimeMinutes { get; set; } = 60;
}
