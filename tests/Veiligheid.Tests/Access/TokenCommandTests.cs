using System.Diagnostics;
using System.IdentityModel.Tokens.Jwt;
using Veiligheid.Tests.Infrastructure;

namespace Veiligheid.Tests.Access;

/// <summary>
/// The README's first step, `dotnet run --project src/Veiligheid.Api -- token …`, as a process of the built hub on a fresh
/// database: it once failed for every role when the hub's start-up checks needed a service the command does not register.
/// </summary>
public sealed class TokenCommandTests : IDisposable
{
    private readonly TestDirectory _directory = new();

    [Fact]
    public async Task The_token_command_prints_a_token_of_the_role_for_the_organisation()
    {
        var hub = Path.Combine(AppContext.BaseDirectory, "Veiligheid.Api.dll");
        var start = new ProcessStartInfo("dotnet", [hub, "token", "--role", "Politie", "--org", "politie-eenheid-noord"])
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            WorkingDirectory = _directory.Path,
            Environment =
            {
                ["ASPNETCORE_ENVIRONMENT"] = "Development",
                ["Database__SqlitePath"] = _directory.File("token.db"),
                ["DevTokens__SigningKeyPath"] = _directory.File("key.json"),
            },
        };
        using var process = Process.Start(start)!;
        var output = process.StandardOutput.ReadToEndAsync();
        var error = process.StandardError.ReadToEndAsync();
        using var timeout = new CancellationTokenSource(TimeSpan.FromMinutes(2));
        await process.WaitForExitAsync(timeout.Token);

        Assert.True(process.ExitCode == 0, await error);
        var token = new JwtSecurityTokenHandler().ReadJwtToken((await output).Trim());
        Assert.Contains(token.Claims, c => c.Type == "roles" && c.Value == "Politie");
    }

    public void Dispose() => _directory.Dispose();
}
