using System.Buffers.Text;
using System.Security.Cryptography;
using System.Text.Json;
using Microsoft.Extensions.Options;
using Microsoft.IdentityModel.JsonWebTokens;
using Microsoft.IdentityModel.Tokens;

namespace Veiligheid.Access.Identity;

/// <summary>
/// Issues and validates the tokens of the local development issuer: RS256, signed with a key kept in a file that is
/// created on first use (<see cref="DevTokenOptions.SigningKeyPath"/>). The hub (development scheme), the token command
/// and the tests all use this one class, so a token from any of them is accepted by the others.
/// </summary>
public sealed class DevTokenIssuer
{
    private static readonly JsonSerializerOptions KeyFileJson = new() { WriteIndented = true };

    private readonly DevTokenOptions _options;
    private readonly TimeProvider _clock;
    private readonly Lazy<RsaSecurityKey> _key;
    private readonly JsonWebTokenHandler _handler = new();

    public DevTokenIssuer(IOptions<DevTokenOptions> options, TimeProvider clock)
    {
        ArgumentNullException.ThrowIfNull(options);
        _options = options.Value;
        _clock = clock;
        _key = new Lazy<RsaSecurityKey>(() => LoadOrCreateKey(SigningKeyPath), LazyThreadSafetyMode.ExecutionAndPublication);
    }

    public string Issuer => _options.Issuer;

    public string Audience => _options.Audience ?? DevTokenOptions.DefaultAudience;

    public string SigningKeyPath => Path.GetFullPath(_options.SigningKeyPath);

    /// <summary>The signing key; reading it loads the key file, creating it if it does not exist yet.</summary>
    public SecurityKey SigningKey => _key.Value;

    /// <summary>A signed compact JWT.</summary>
    public string CreateToken(DevTokenRequest request)
    {
        ArgumentNullException.ThrowIfNull(request);
        var issuedAt = request.IssuedAt ?? _clock.GetUtcNow();
        var lifetime = request.Lifetime ?? TimeSpan.FromMinutes(_options.TokenLifetimeMinutes);
        var claims = new Dictionary<string, object>(StringComparer.Ordinal)
        {
            ["roles"] = request.Roles.ToArray(),
            ["ver"] = "2.0",
            ["jti"] = Guid.NewGuid().ToString("N"),
        };
        if (request.ClientAppId is { } clientAppId) claims["azp"] = clientAppId;
        if (request.UserObjectId is { } userObjectId)
        {
            claims["oid"] = userObjectId;
            claims["sub"] = userObjectId;
            claims["scp"] = request.Scope;
        }
        else
        {
            claims["idtyp"] = "app";
            if (request.ClientAppId is { } app) claims["sub"] = app;
        }
        var descriptor = new SecurityTokenDescriptor
        {
            Issuer = Issuer,
            Audience = request.Audience ?? Audience,
            IssuedAt = issuedAt.UtcDateTime,
            NotBefore = issuedAt.UtcDateTime,
            Expires = (issuedAt + lifetime).UtcDateTime,
            Claims = claims,
            SigningCredentials = new SigningCredentials(SigningKey, SecurityAlgorithms.RsaSha256),
        };
        return _handler.CreateToken(descriptor);
    }

    /// <summary>What the development scheme checks: this issuer, this audience, this key, RS256, a lifetime.</summary>
    public TokenValidationParameters CreateValidationParameters() => new()
    {
        ValidIssuer = Issuer,
        ValidAudience = Audience,
        IssuerSigningKey = SigningKey,
        ValidAlgorithms = [SecurityAlgorithms.RsaSha256],
        RequireSignedTokens = true,
        RequireExpirationTime = true,
        ValidateIssuer = true,
        ValidateAudience = true,
        ValidateLifetime = true,
        ValidateIssuerSigningKey = true,
        ClockSkew = TimeSpan.FromSeconds(30),
        NameClaimType = "sub",
        RoleClaimType = "roles",
    };

    private static RsaSecurityKey LoadOrCreateKey(string path)
    {
        if (!File.Exists(path)) TryCreateKeyFile(path);
        var file = JsonSerializer.Deserialize<KeyFile>(File.ReadAllText(path))
            ?? throw new InvalidOperationException($"The development signing key file {path} is empty; delete it to have a new one made.");
        using var rsa = RSA.Create();
        try
        {
            rsa.ImportFromPem(file.PrivateKeyPem);
        }
        catch (ArgumentException e)
        {
            throw new InvalidOperationException($"The development signing key file {path} holds no valid key; delete it to have a new one made.", e);
        }
        // From the parameters, not the RSA instance: IdentityModel caches crypto providers per key across hosts (tests run
        // several), and a provider must not hold an RSA instance that one host disposes while another still validates.
        return new RsaSecurityKey(rsa.ExportParameters(includePrivateParameters: true)) { KeyId = KeyIdOf(rsa) };
    }

    /// <summary>Writes a new key to a temporary file and moves it in place, so that two processes starting at once
    /// (the hub and the token command) end up with the same key: the second move fails and that process reads the first.</summary>
    private static void TryCreateKeyFile(string path)
    {
        Directory.CreateDirectory(Path.GetDirectoryName(path)!);
        using var rsa = RSA.Create(2048);
        var json = JsonSerializer.Serialize(new KeyFile(KeyIdOf(rsa), DateTimeOffset.UtcNow, rsa.ExportPkcs8PrivateKeyPem()), KeyFileJson);
        var temporary = $"{path}.{Guid.NewGuid():N}.tmp";
        try
        {
            var streamOptions = new FileStreamOptions { Mode = FileMode.CreateNew, Access = FileAccess.Write };
            if (!OperatingSystem.IsWindows()) streamOptions.UnixCreateMode = UnixFileMode.UserRead | UnixFileMode.UserWrite;
            using (var writer = new StreamWriter(temporary, streamOptions)) writer.Write(json);
            File.Move(temporary, path, overwrite: false);
        }
        catch (IOException) when (File.Exists(path))
        {
            // Another process created it first: use that one.
        }
        finally
        {
            File.Delete(temporary);
        }
    }

    private static string KeyIdOf(RSA rsa)
        => Base64Url.EncodeToString(SHA256.HashData(rsa.ExportParameters(includePrivateParameters: false).Modulus!))[..16];

    private sealed record KeyFile(string KeyId, DateTimeOffset CreatedAt, string PrivateKeyPem);
}
