using System.Globalization;
using Microsoft.EntityFrameworkCore;
using Veiligheid.Data;
using Veiligheid.Hosting;

namespace Veiligheid.Access.Identity;

/// <summary>
/// <c>dotnet run --project src/Veiligheid.Api -- token --role &lt;RoleValue&gt; --org &lt;organisation key&gt; [--user &lt;oid&gt;] [--minutes N]</c>:
/// prints a development bearer token, and only that, on stdout; everything else goes to stderr. It opens the database
/// the hub is configured with (creating and seeding it when new) to find the organisation's client application id.
/// Exit codes: 0 token printed, 2 usage or an unknown/unfitting role or organisation.
/// Configuration keys may be passed too, e.g. <c>--Database:SqlitePath=other.db</c>.
/// </summary>
public static class TokenCommand
{
    public const int Usage = 2;

    private const int MaxMinutes = 24 * 60;

    private const string UsageText =
        "usage: token --role <RoleValue> --org <organisation key> [--user <user object id>] [--minutes N]\n" +
        "  --role     a hub role, e.g. Gemeente.Coordinator\n" +
        "  --org      the organisation's key, e.g. gemeente-veiligstad\n" +
        "  --user     makes a user token for this Entra object id (a GUID); without it an application token\n" +
        "  --minutes  validity, 1-1440 (default DevTokens:TokenLifetimeMinutes, 60)\n" +
        "The hub accepts these tokens only when it runs in the Development environment.";

    public static async Task<int> RunAsync(string[] args, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(args);
        if (!TryParse(args, out var options, out var configurationArgs, out var error))
        {
            if (error is not null) await Console.Error.WriteLineAsync($"token: {error}");
            await Console.Error.WriteLineAsync(UsageText);
            return error is null ? 0 : Usage;
        }

        var builder = WebApplication.CreateBuilder(HubHostOptions.For(configurationArgs));
        // stdout carries the token only: every log line goes to stderr, and only warnings and errors.
        builder.Logging.ClearProviders();
        builder.Logging.AddConsole(console => console.LogToStandardErrorThreshold = LogLevel.Trace);
        builder.Logging.SetMinimumLevel(LogLevel.Warning);
        builder.Services.AddVeiligheidData(builder.Configuration);
        builder.Services.AddDevTokenIssuer(builder.Configuration);
        await using var app = builder.Build();

        if (!app.Environment.IsDevelopment())
        {
            await Console.Error.WriteLineAsync(
                $"token: the environment is {app.Environment.EnvironmentName}; development tokens are only accepted by a hub running in Development " +
                "(a Debug build without ASPNETCORE_ENVIRONMENT, or ASPNETCORE_ENVIRONMENT=Development).");
            return Usage;
        }

        await app.Services.PrepareDatabaseAsync(cancellationToken);
        await using var scope = app.Services.CreateAsyncScope();
        var db = scope.ServiceProvider.GetRequiredService<VeiligheidDbContext>();
        var organisation = await db.Organisations.AsNoTracking().SingleOrDefaultAsync(o => o.Key == options.OrganisationKey, cancellationToken);
        if (organisation is null)
        {
            var known = await db.Organisations.AsNoTracking().OrderBy(o => o.Key).Select(o => o.Key).ToListAsync(cancellationToken);
            await Console.Error.WriteLineAsync($"token: unknown organisation '{options.OrganisationKey}'. Known: {string.Join(", ", known)}.");
            return Usage;
        }
        if (options.Role.RequiredOrganisationKind() != organisation.Kind)
        {
            await Console.Error.WriteLineAsync(
                $"token: the role {options.Role.TokenValue()} is for organisations of kind {options.Role.RequiredOrganisationKind()}; " +
                $"'{organisation.Key}' is of kind {organisation.Kind}.");
            return Usage;
        }
        if (string.IsNullOrWhiteSpace(organisation.ClientAppId))
        {
            await Console.Error.WriteLineAsync($"token: the organisation '{organisation.Key}' has no client application id registered.");
            return Usage;
        }

        var issuer = app.Services.GetRequiredService<DevTokenIssuer>();
        var token = issuer.CreateToken(DevTokenRequest.For([options.Role], organisation.ClientAppId, options.UserObjectId, options.Lifetime));
        await Console.Out.WriteLineAsync(token);
        return 0;
    }

    private sealed record Options(HubRole Role, string OrganisationKey, string? UserObjectId, TimeSpan? Lifetime);

    /// <summary>False with a null error for --help; configuration arguments (a name with ':') go to the host.</summary>
    private static bool TryParse(string[] args, out Options options, out string[] configurationArgs, out string? error)
    {
        options = null!;
        error = null;
        var configuration = new List<string>();
        configurationArgs = [];
        string? role = null, organisation = null, user = null, minutes = null;
        for (var i = 0; i < args.Length; i++)
        {
            var arg = args[i];
            if (arg is "-h" or "--help") return false;
            if (!arg.StartsWith("--", StringComparison.Ordinal))
            {
                error = $"unexpected argument '{arg}'.";
                return false;
            }
            var (name, value) = arg.IndexOf('=', StringComparison.Ordinal) is var eq and > 0 ? (arg[2..eq], arg[(eq + 1)..]) : (arg[2..], null);
            if (name.Contains(':', StringComparison.Ordinal))
            {
                configuration.Add(arg);
                if (value is null && i + 1 < args.Length) configuration.Add(args[++i]);
                continue;
            }
            if (value is null)
            {
                if (i + 1 >= args.Length || args[i + 1].StartsWith("--", StringComparison.Ordinal))
                {
                    error = $"--{name} needs a value.";
                    return false;
                }
                value = args[++i];
            }
            switch (name)
            {
                case "role": role = value; break;
                case "org": organisation = value; break;
                case "user": user = value; break;
                case "minutes": minutes = value; break;
                default:
                    error = $"unknown option --{name}.";
                    return false;
            }
        }
        configurationArgs = [.. configuration];

        if (role is null || organisation is null)
        {
            error = "--role and --org are required.";
            return false;
        }
        if (!HubRoles.TryParse(role, out var hubRole))
        {
            error = $"unknown role '{role}'. Roles: {string.Join(", ", HubRoles.All.Select(r => r.TokenValue()))}.";
            return false;
        }
        string? userObjectId = null;
        if (user is not null)
        {
            if (!Guid.TryParse(user, out var oid))
            {
                error = $"--user must be an Entra object id (a GUID), not '{user}'.";
                return false;
            }
            userObjectId = oid.ToString("D");
        }
        TimeSpan? lifetime = null;
        if (minutes is not null)
        {
            if (!int.TryParse(minutes, NumberStyles.None, CultureInfo.InvariantCulture, out var m) || m is < 1 or > MaxMinutes)
            {
                error = $"--minutes must be a whole number from 1 to {MaxMinutes}, not '{minutes}'.";
                return false;
            }
            lifetime = TimeSpan.FromMinutes(m);
        }
        options = new Options(hubRole, organisation, userObjectId, lifetime);
        return true;
    }
}
