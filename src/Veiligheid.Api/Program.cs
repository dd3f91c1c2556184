using Veiligheid.Access.Identity;
using Veiligheid.Data;
using Veiligheid.Data.Seeding;
using Veiligheid.Figures;
using Veiligheid.GraphQL;
using Veiligheid.Hosting;
using Veiligheid.Http;

// Command verbs share the app's code and configuration: `seed`, `token`, `schema` (see README).
switch (args)
{
    case ["seed", .. var rest]:
        return await SeedCommand.RunAsync(rest);
    case ["token", .. var rest]:
        return await TokenCommand.RunAsync(rest);
    case ["schema", .. var rest]:
        return SchemaCommand.Run(rest);
}

var builder = WebApplication.CreateBuilder(HubHostOptions.For(args));
builder.Services.AddVeiligheidData(builder.Configuration);
builder.AddVeiligheidIdentity();
builder.Services.AddVeiligheidGraphQL();
builder.Services.AddVeiligheidHealth();
builder.Services.AddVeiligheidFigures(builder.Configuration);

var app = builder.Build();
app.UseAuthentication();
app.MapGraphQLEndpoint();
app.MapCallerEndpoint();
app.MapHealthEndpoint();
app.MapFiguresCsvEndpoint();

await app.Services.PrepareDatabaseAsync();
await app.RunAsync();
return 0;

public partial class Program;
