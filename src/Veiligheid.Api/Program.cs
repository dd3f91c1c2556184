using Veiligheid.Access.Identity;
using Veiligheid.Data;
using Veiligheid.Hosting;
using Veiligheid.Http;

if (args is ["token", ..]) return await TokenCommand.RunAsync(args[1..]);

var builder = WebApplication.CreateBuilder(HubHostOptions.For(args));
builder.Services.AddVeiligheidData(builder.Configuration);
builder.AddVeiligheidIdentity();

var app = builder.Build();
app.UseAuthentication();
app.MapCallerEndpoint();

await app.Services.PrepareDatabaseAsync();
await app.RunAsync();
return 0;

public partial class Program;
