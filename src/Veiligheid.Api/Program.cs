using Veiligheid.Access.Identity;
using Veiligheid.Accountability;
using Veiligheid.Data;
using Veiligheid.Data.Seeding;
using Veiligheid.Figures;
using Veiligheid.GraphQL;
using Veiligheid.Hosting;
using Veiligheid.Http;

// Command verbs share the app's code and configuration: `seed`, `token`, `schema`, `verify-log`, `retention` (see README).
switch (args)
{
    case ["seed", .. var rest]:
        return await SeedCommand.RunAsync(rest);
    case ["token", .. var rest]:
        return await TokenCommand.RunAsync(rest);
    case ["schema", .. var rest]:
        return SchemaCommand.Run(rest);
    case ["verify-log", .. var rest]:
        return await AccountabilityCommands.VerifyLogAsync(rest);
    case ["retention", .. var rest]:
        return await AccountabilityCommands.RetentionAsync(rest);
}

try
{
    return await RunHubAsync(args);
}
catch (Exception e) when (e is HubConfigurationException or ProcessingLogFileException)
{
    // An operator's situation, not a bug: the reason alone, without a stack trace.
    await Console.Error.WriteLineAsync($"The hub does not start: {e.Message}");
    return 1;
}

static async Task<int> RunHubAsync(string[] args)
{
    var builder = WebApplication.CreateBuilder(HubHostOptions.For(args));
    // A GET query's document travels in the request line: Kestrel's 8 KiB default refused a valid document of 8–16 K
    // characters (the document limit) with a bare 414; 64 KiB holds the longest document in ASCII URL-encoded (not one of
    // much non-ASCII text, or with large variables: those go by POST, as the README's limits say).
    builder.WebHost.ConfigureKestrel(kestrel => kestrel.Limits.MaxRequestLineSize = 64 * 1024);
    builder.Services.AddVeiligheidData(builder.Configuration);
    builder.AddVeiligheidIdentity();
    builder.Services.AddVeiligheidGraphQL();
    builder.Services.AddVeiligheidAccountability(builder.Configuration);
    builder.Services.AddVeiligheidHealth();
    builder.Services.AddVeiligheidHttpProtection();
    builder.Services.AddVeiligheidFigures(builder.Configuration);

    var app = builder.Build();
    app.UseVeiligheidHttpProtection();
    app.UseVeiligheidAuthentication();
    app.MapGraphQLEndpoint();
    app.MapCallerEndpoint();
    app.MapHealthEndpoint();
    app.MapFiguresCsvEndpoint();

    // Made now, not by the first request or the indexer's start (which stopped the host with exit code 0): a missing or
    // malformed key is then refused here, with its reason.
    app.Services.GetRequiredService<ProcessingLog>();
    app.Services.GetRequiredService<CellKeyRounding>(); // the figures' key, likewise, rather than a 500 on every figure
    await app.Services.PrepareDatabaseAsync();
    await app.RunAsync();
    return 0;
}

public partial class Program;
