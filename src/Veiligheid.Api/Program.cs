using Veiligheid.Data.Seeding;

// Command-line tools run instead of the web host.
if (args.Length > 0 && args[0] == "seed") return await SeedCommand.RunAsync(args[1..]);

var builder = WebApplication.CreateBuilder(args);
var app = builder.Build();
app.Run();
return 0;

public partial class Program;
