using Veiligheid.Data;
using Veiligheid.GraphQL;
using Veiligheid.Http;

// Command verbs share the app's code: `seed`, `token`, `schema` (see README).
switch (args)
{
    case ["schema", .. var rest]:
        return SchemaCommand.Run(rest);
}

var builder = WebApplication.CreateBuilder(args);
builder.Services.AddVeiligheidData(builder.Configuration);
builder.Services.AddVeiligheidGraphQL();
builder.Services.AddVeiligheidHealth();

var app = builder.Build();
app.MapGraphQLEndpoint();
app.MapHealthEndpoint();

await app.Services.PrepareDatabaseAsync();
await app.RunAsync();
return 0;

public partial class Program;
