using System.Text.Json;
using Microsoft.Data.Sqlite;
using Veiligheid.Benchmarks;
using Veiligheid.Data;

// The minimal endpoint of the HTTP load test: POST /graphql with case 2's operation answers the JSON that the limit
// statement builds in SQLite (CasesPageStatements.LimitSql), on the same database file as the hub, through the same
// pooled connection string (DatabaseSetup.SqliteConnectionString). No authentication, no GraphQL, no processing log:
// this is the floor an HTTP server on this machine reaches for the request. Usage (run-load.sh does this):
//   dotnet tests/Veiligheid.LoadBaseline/bin/Release/net10.0/Veiligheid.LoadBaseline.dll \
//     --Baseline:Database=/tmp/veiligheid-load.db --Baseline:Organisation=gemeente-veiligstad --urls http://127.0.0.1:5181
// `request-body`: prints the POST body of case 2 (the operation as JSON) for the load tool, and nothing else.
if (args is ["request-body"])
{
    Console.Out.Write(JsonSerializer.Serialize(new Dictionary<string, string> { ["query"] = CasesPageStatements.Query }));
    return 0;
}

var builder = WebApplication.CreateBuilder(args);
builder.Logging.SetMinimumLevel(LogLevel.Warning);
var database = builder.Configuration["Baseline:Database"] is { Length: > 0 } path
    ? Path.GetFullPath(path)
    : throw new InvalidOperationException("Set Baseline:Database to the SQLite file the hub serves.");
if (!File.Exists(database)) throw new InvalidOperationException($"The database {database} does not exist.");
var organisationKey = builder.Configuration["Baseline:Organisation"] ?? "gemeente-veiligstad";
var connectionString = DatabaseSetup.SqliteConnectionString(database);

long organisationId;
await using (var connection = new SqliteConnection(connectionString))
{
    await connection.OpenAsync();
    await using var command = connection.CreateCommand();
    command.CommandText = "SELECT Id FROM Organisations WHERE Key = @key";
    command.Parameters.AddWithValue("@key", organisationKey);
    organisationId = await command.ExecuteScalarAsync() as long?
        ?? throw new InvalidOperationException($"No organisation '{organisationKey}' in {database}.");
}

var app = builder.Build();
var expected = Normalise(CasesPageStatements.Query);

app.MapPost("/graphql", async (HttpContext http) =>
{
    // Read and parse the request like a server must; only case 2's operation is served.
    string? query;
    try
    {
        using var body = await JsonDocument.ParseAsync(http.Request.Body, cancellationToken: http.RequestAborted);
        query = body.RootElement.TryGetProperty("query", out var q) && q.ValueKind == JsonValueKind.String ? q.GetString() : null;
    }
    catch (JsonException)
    {
        query = null;
    }
    catch (BadHttpRequestException)
    {
        // An incomplete body: the load tool closes its connections mid-request when its run ends.
        http.Response.StatusCode = StatusCodes.Status400BadRequest;
        return;
    }
    if (query is null || Normalise(query) != expected)
    {
        http.Response.StatusCode = StatusCodes.Status400BadRequest;
        await http.Response.WriteAsync("""{"errors":[{"message":"This baseline serves case 2's operation only."}]}""");
        return;
    }

    await using var connection = new SqliteConnection(connectionString);
    await connection.OpenAsync(http.RequestAborted);
    await using var command = connection.CreateCommand();
    command.CommandText = CasesPageStatements.LimitSql;
    command.Parameters.AddWithValue("@org", organisationId);
    var json = (string)(await command.ExecuteScalarAsync(http.RequestAborted))!;
    http.Response.ContentType = "application/graphql-response+json; charset=utf-8";
    await http.Response.WriteAsync(json, http.RequestAborted);
});

app.MapGet("/health", () => Results.Text("ok"));

await app.RunAsync();
return 0;

static string Normalise(string query) => string.Join(' ', query.Split((char[])[' ', '\n', '\r', '\t'], StringSplitOptions.RemoveEmptyEntries));
