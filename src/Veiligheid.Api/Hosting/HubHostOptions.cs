namespace Veiligheid.Hosting;

/// <summary>How the hub's host is created, by the server and by its command verbs alike.</summary>
public static class HubHostOptions
{
    /// <summary>
    /// The options for <see cref="WebApplication.CreateBuilder(WebApplicationOptions)"/>. A Debug build (what
    /// <c>dotnet run</c> and the tests build) runs in Development unless an environment is configured
    /// (ASPNETCORE_ENVIRONMENT, DOTNET_ENVIRONMENT or --environment); a Release build keeps ASP.NET Core's default,
    /// Production. This replaces a launchSettings.json, which would make <c>dotnet run</c> print a line on stdout
    /// before the app's own output (and break <c>TOKEN=$(dotnet run ... -- token ...)</c>).
    /// </summary>
    public static WebApplicationOptions For(string[] args) => new() { Args = args, EnvironmentName = DefaultEnvironment(args) };

    private static string? DefaultEnvironment(string[] args)
    {
#if DEBUG
        var configured = Environment.GetEnvironmentVariable("ASPNETCORE_ENVIRONMENT")
            ?? Environment.GetEnvironmentVariable("DOTNET_ENVIRONMENT")
            ?? new ConfigurationBuilder().AddCommandLine(args).Build()[HostDefaults.EnvironmentKey];
        return string.IsNullOrEmpty(configured) ? Environments.Development : null;
#else
        _ = args;
        return null;
#endif
    }
}
