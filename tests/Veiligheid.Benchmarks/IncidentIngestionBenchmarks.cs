using System.Diagnostics;
using System.Globalization;
using System.Net.Http.Headers;
using System.Text;
using System.Text.Json;
using BenchmarkDotNet.Attributes;
using BenchmarkDotNet.Configs;
using BenchmarkDotNet.Engines;
using BenchmarkDotNet.Jobs;
using BenchmarkDotNet.Toolchains.InProcess.Emit;
using Microsoft.Data.Sqlite;
using Veiligheid.Data;

namespace Veiligheid.Benchmarks;

/// <summary>
/// Bulk ingestion: 100,000 incidents pushed by the police through <c>reportIncidents</c> over real HTTP (a hub process on
/// loopback, batches of 5,000, the documented maximum), beside a raw batched insert of the same rows (a prepared INSERT
/// reused for every row, one transaction per 5,000) on the same SQLite database. Each iteration starts from the same
/// state: the rows (and the hub's audit rows) of the previous iteration are deleted in the iteration cleanup.
/// Run: dotnet run -c Release --project tests/Veiligheid.Benchmarks -- --filter '*IncidentIngestion*'
/// </summary>
[Config(typeof(IngestionConfig))]
public class IncidentIngestionBenchmarks : IDisposable
{
    public const int Total = 100_000;
    public const int BatchSize = 5_000;
    private const string Organisation = "politie-eenheid-noord";
    private const string Port = "5899";
    private const string Purpose = "aanpak-jeugdoverlast";

    private readonly List<(string ExternalId, string Category, DateTime OccurredAt, string BagId, int LocationId, int NeighbourhoodId, bool InPublicSpace)> _rows = [];
    private readonly List<string> _bodies = [];
    private Process? _hub;
    private HttpClient? _http;
    private int _organisationId;

    [GlobalSetup]
    public void Setup()
    {
        // This suite writes: it works on its own copy of the shared dataset, never on the shared file itself.
        BenchmarkDatabase.CopyTo(DatabasePath);
        var root = RepositoryRoot();
        var apiDll = Path.Combine(root, "src", "Veiligheid.Api", "bin", "Release", "net10.0", "Veiligheid.Api.dll");
        var keyPath = Path.Combine(Path.GetTempPath(), "veiligheid-bench-signing-key.json");
        string[] config = [$"--Database:SqlitePath={DatabasePath}", $"--DevTokens:SigningKeyPath={keyPath}"];

        _hub = StartProcess(apiDll, ["--urls", $"http://127.0.0.1:{Port}", .. config]);
        _http = new HttpClient { BaseAddress = new Uri($"http://127.0.0.1:{Port}"), Timeout = TimeSpan.FromMinutes(5) };
        WaitUntilHealthy(_http);
        using var tokenProcess = StartProcess(apiDll, ["token", "--role", "Politie", "--org", Organisation, .. config]);
        var token = tokenProcess.StandardOutput.ReadToEnd().Trim().Split('\n')[^1].Trim();
        tokenProcess.WaitForExit();
        _http.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", token);
        // Reporting incidents is part of the police's purpose; without an X-Purpose the role's schema has no mutation.
        _http.DefaultRequestHeaders.Add(Veiligheid.Access.Purposes.Header, Purpose);

        using var connection = Open();
        _organisationId = Scalar<int>(connection, $"SELECT Id FROM Organisations WHERE Key = '{Organisation}'");
        var locations = new List<(int Id, string BagId, int NeighbourhoodId)>();
        using (var command = connection.CreateCommand())
        {
            command.CommandText = "SELECT Id, BagId, NeighbourhoodId FROM Locations ORDER BY Id LIMIT 2000";
            using var reader = command.ExecuteReader();
            while (reader.Read()) locations.Add((reader.GetInt32(0), reader.GetString(1), reader.GetInt32(2)));
        }
        string[] categories = ["Jeugdoverlast", "Geluidsoverlast", "Drugsoverlast", "VerwardGedrag", "Vandalisme", "IllegaalAfvalDumpen", "Woninginbraak"];
        var start = new DateTime(2025, 1, 1, 0, 0, 0, DateTimeKind.Utc);
        for (var i = 0; i < Total; i++)
        {
            var location = locations[i % locations.Count];
            _rows.Add(($"BENCH-{i:D6}", categories[i % categories.Length], start.AddMinutes(i * 7), location.BagId, location.Id, location.NeighbourhoodId, i % 3 != 0));
        }
        const string Mutation = "mutation($input: ReportIncidentsInput!) { reportIncidents(input: $input) { committed created failed } }";
        foreach (var batch in _rows.Chunk(BatchSize))
        {
            var items = batch.Select(r => new
            {
                externalId = r.ExternalId,
                category = EnumValue(r.Category),
                occurredAt = r.OccurredAt.ToString("yyyy-MM-dd'T'HH:mm:ss'Z'", CultureInfo.InvariantCulture),
                bagId = r.BagId,
                inPublicSpace = r.InPublicSpace,
            });
            _bodies.Add(JsonSerializer.Serialize(new { query = Mutation, variables = new { input = new { items } } }));
        }
        Cleanup();
    }

    [Benchmark(Baseline = true, Description = "Raw batched INSERT, 100,000 incidents")]
    public void RawInsert()
    {
        using var connection = Open();
        using var command = connection.CreateCommand();
        command.CommandText = """
            INSERT INTO Incidents (Category, OccurredAt, ReportedAt, LocationId, NeighbourhoodId, ReportingOrganisationId, InPublicSpace,
                                   SourceOrganisationId, ExternalId, Version, CreatedAt, UpdatedAt)
            VALUES ($category, $occurredAt, $reportedAt, $location, $neighbourhood, $organisation, $public, $organisation, $externalId, $version, $now, $now)
            """;
        var category = command.Parameters.Add("$category", SqliteType.Text);
        var occurredAt = command.Parameters.Add("$occurredAt", SqliteType.Text);
        var reportedAt = command.Parameters.Add("$reportedAt", SqliteType.Text);
        var location = command.Parameters.Add("$location", SqliteType.Integer);
        var neighbourhood = command.Parameters.Add("$neighbourhood", SqliteType.Integer);
        var organisation = command.Parameters.Add("$organisation", SqliteType.Integer);
        var inPublic = command.Parameters.Add("$public", SqliteType.Integer);
        var externalId = command.Parameters.Add("$externalId", SqliteType.Text);
        var version = command.Parameters.Add("$version", SqliteType.Text);
        var now = command.Parameters.Add("$now", SqliteType.Text);
        organisation.Value = _organisationId;
        foreach (var batch in _rows.Chunk(BatchSize))
        {
            using var transaction = connection.BeginTransaction();
            command.Transaction = transaction;
            command.Prepare();
            now.Value = DateTime.UtcNow;
            foreach (var row in batch)
            {
                category.Value = row.Category;
                occurredAt.Value = row.OccurredAt;
                reportedAt.Value = row.OccurredAt;
                location.Value = row.LocationId;
                neighbourhood.Value = row.NeighbourhoodId;
                inPublic.Value = row.InPublicSpace;
                externalId.Value = row.ExternalId;
                version.Value = Guid.NewGuid().ToString().ToUpperInvariant();
                command.ExecuteNonQuery();
            }
            transaction.Commit();
        }
    }

    /// <summary>
    /// The same rows set-based: each batch as one JSON parameter, unpacked by the database (json_each) in one INSERT … SELECT
    /// per 5,000. A check on the baseline: if this is faster than the prepared INSERT, the prepared INSERT is not the best
    /// raw batched insert. Times are written in the text form Microsoft.Data.Sqlite (and so EF Core) stores.
    /// </summary>
    [Benchmark(Description = "Raw INSERT … SELECT from one JSON parameter, 100,000 incidents")]
    public void RawInsertFromJson()
    {
        using var connection = Open();
        using var command = connection.CreateCommand();
        command.CommandText = """
            INSERT INTO Incidents (Category, OccurredAt, ReportedAt, LocationId, NeighbourhoodId, ReportingOrganisationId, InPublicSpace,
                                   SourceOrganisationId, ExternalId, Version, CreatedAt, UpdatedAt)
            SELECT value ->> 'c', value ->> 'o', value ->> 'o', value ->> 'l', value ->> 'n', $organisation, value ->> 'p',
                   $organisation, value ->> 'e', value ->> 'v', $now, $now
            FROM json_each($rows)
            """;
        var organisation = command.Parameters.Add("$organisation", SqliteType.Integer);
        var now = command.Parameters.Add("$now", SqliteType.Text);
        var rows = command.Parameters.Add("$rows", SqliteType.Text);
        organisation.Value = _organisationId;
        foreach (var batch in _rows.Chunk(BatchSize))
        {
            using var transaction = connection.BeginTransaction();
            command.Transaction = transaction;
            now.Value = DateTime.UtcNow;
            using var buffer = new MemoryStream();
            using (var json = new Utf8JsonWriter(buffer))
            {
                json.WriteStartArray();
                foreach (var row in batch)
                {
                    json.WriteStartObject();
                    json.WriteString("c", row.Category);
                    json.WriteString("o", row.OccurredAt.ToString("yyyy-MM-dd HH:mm:ss.FFFFFFF", CultureInfo.InvariantCulture));
                    json.WriteNumber("l", row.LocationId);
                    json.WriteNumber("n", row.NeighbourhoodId);
                    json.WriteNumber("p", row.InPublicSpace ? 1 : 0);
                    json.WriteString("e", row.ExternalId);
                    json.WriteString("v", Guid.NewGuid().ToString().ToUpperInvariant());
                    json.WriteEndObject();
                }
                json.WriteEndArray();
            }
            rows.Value = Encoding.UTF8.GetString(buffer.GetBuffer(), 0, (int)buffer.Length);
            command.ExecuteNonQuery();
            transaction.Commit();
        }
    }

    [Benchmark(Description = "reportIncidents over HTTP, 20 × 5,000")]
    public void BulkMutationOverHttp()
    {
        foreach (var body in _bodies)
        {
            using var content = new StringContent(body, Encoding.UTF8, "application/json");
            using var response = _http!.PostAsync(new Uri("/graphql", UriKind.Relative), content).GetAwaiter().GetResult();
            var text = response.Content.ReadAsStringAsync().GetAwaiter().GetResult();
            if (!response.IsSuccessStatusCode || !text.Contains("\"committed\":true", StringComparison.Ordinal))
                throw new InvalidOperationException($"Batch refused: {(int)response.StatusCode} {text[..Math.Min(500, text.Length)]}");
        }
    }

    [IterationCleanup]
    public void Cleanup()
    {
        using var connection = Open();
        using var command = connection.CreateCommand();
        command.CommandText = $"DELETE FROM Incidents WHERE SourceOrganisationId = {_organisationId} AND ExternalId LIKE 'BENCH-%'; "
            + "DELETE FROM WriteAudit WHERE Operation = 'reportIncidents';";
        command.ExecuteNonQuery();
    }

    [GlobalCleanup]
    public void Stop()
    {
        Cleanup();
        _http?.Dispose();
        if (_hub is { HasExited: false })
        {
            _hub.Kill(entireProcessTree: true);
            _hub.WaitForExit();
        }
        _hub?.Dispose();
    }

    public void Dispose()
    {
        _http?.Dispose();
        _hub?.Dispose();
        GC.SuppressFinalize(this);
    }

    /// <summary>The suite's own copy of the dataset (VEILIGHEID_INGEST_DB, default /tmp/veiligheid-bench-ingestion.db).</summary>
    private static string DatabasePath { get; } = Environment.GetEnvironmentVariable("VEILIGHEID_INGEST_DB") ?? Path.Combine(Path.GetTempPath(), "veiligheid-bench-ingestion.db");

    private static SqliteConnection Open()
    {
        var connection = new SqliteConnection(Veiligheid.Data.DatabaseSetup.SqliteConnectionString(DatabasePath));
        connection.Open();
        return connection;
    }

    private static T Scalar<T>(SqliteConnection connection, string sql)
    {
        using var command = connection.CreateCommand();
        command.CommandText = sql;
        return (T)Convert.ChangeType(command.ExecuteScalar()!, typeof(T), CultureInfo.InvariantCulture);
    }

    /// <summary>GraphQL.NET names enum values in CONSTANT_CASE: VerwardGedrag → VERWARD_GEDRAG.</summary>
    private static string EnumValue(string name)
    {
        var sb = new StringBuilder();
        for (var i = 0; i < name.Length; i++)
        {
            if (i > 0 && char.IsUpper(name[i])) sb.Append('_');
            sb.Append(char.ToUpperInvariant(name[i]));
        }
        return sb.ToString();
    }

    private static Process StartProcess(string dll, string[] args)
    {
        var info = new ProcessStartInfo("dotnet") { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
        info.ArgumentList.Add(dll);
        foreach (var arg in args) info.ArgumentList.Add(arg);
        info.Environment["ASPNETCORE_ENVIRONMENT"] = "Development";
        info.Environment["Logging__LogLevel__Default"] = "Warning";
        var process = Process.Start(info) ?? throw new InvalidOperationException("Could not start the hub.");
        process.ErrorDataReceived += (_, _) => { };
        process.BeginErrorReadLine();
        return process;
    }

    private static void WaitUntilHealthy(HttpClient http)
    {
        var deadline = DateTime.UtcNow.AddMinutes(3);
        while (DateTime.UtcNow < deadline)
        {
            try
            {
                using var response = http.GetAsync(new Uri("/health", UriKind.Relative)).GetAwaiter().GetResult();
                if (response.IsSuccessStatusCode) return;
            }
            catch (HttpRequestException)
            {
                // Not listening yet.
            }
            Thread.Sleep(500);
        }
        throw new TimeoutException("The hub did not become healthy within 3 minutes.");
    }

    private static string RepositoryRoot()
    {
        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
            if (File.Exists(Path.Combine(dir.FullName, "Veiligheid.sln"))) return dir.FullName;
        throw new InvalidOperationException("Veiligheid.sln not found above " + AppContext.BaseDirectory);
    }
}

/// <summary>Three measured runs of each case, in this process: a generated project's build times out on a busy 2-core machine.</summary>
public sealed class IngestionConfig : ManualConfig
{
    public IngestionConfig()
        => AddJob(Job.Default.WithStrategy(RunStrategy.Monitoring).WithLaunchCount(1).WithWarmupCount(1).WithIterationCount(3)
            .WithInvocationCount(1).WithUnrollFactor(1).WithToolchain(InProcessEmitToolchain.Instance));
}
