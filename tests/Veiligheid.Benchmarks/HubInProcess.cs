using System.Data.Common;
using System.Text.Json.Nodes;
using GraphQL;
using Microsoft.Data.Sqlite;
using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Diagnostics;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.FileProviders;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Veiligheid.Access;
using Veiligheid.Accountability;
using Veiligheid.Data;
using Veiligheid.GraphQL;

namespace Veiligheid.Benchmarks;

/// <summary>
/// The hub's read path in-process, without HTTP: the same service registrations as the host (AddVeiligheidData on the
/// benchmark database, AddVeiligheidGraphQL), a GraphQLRequestExecutor per request in its own scope (so its own
/// DbContext, as per HTTP request), a real caller of a seeded organisation, and the response serialized to JSON.
/// </summary>
public sealed class HubInProcess : IDisposable
{
    private readonly ServiceProvider _services;
    private readonly IGraphQLTextSerializer _serializer;

    /// <param name="databasePath">The SQLite file.</param>
    /// <param name="recorder">Records the statements sent, when given.</param>
    /// <param name="compiledReads">False: every query runs on the reference path (resolvers over EF Core).</param>
    /// <param name="settings">Further configuration (e.g. <c>Database:PoolContexts</c>), over the environment's.</param>
    /// <remarks>
    /// The environment's variables configure it too (before <paramref name="settings"/>), so one build runs the suite
    /// before and after a switch: e.g. <c>Database__PoolContexts=false GraphQL__CompiledReads__SqlitePrepared=false</c>.
    /// </remarks>
    public HubInProcess(string databasePath, StatementRecorder? recorder = null, bool compiledReads = true, IReadOnlyDictionary<string, string?>? settings = null)
    {
        var configuration = new ConfigurationBuilder()
            .AddEnvironmentVariables()
            .AddInMemoryCollection(new Dictionary<string, string?>
            {
                ["Database:SqlitePath"] = databasePath,
                ["GraphQL:CompiledReads:Sqlite"] = compiledReads ? "true" : "false",
            })
            .AddInMemoryCollection(settings ?? new Dictionary<string, string?>())
            .Build();
        var services = new ServiceCollection();
        services.AddLogging(l => l.SetMinimumLevel(LogLevel.Warning));
        services.AddSingleton<IHostEnvironment>(new BenchmarkEnvironment());
        services.AddSingleton<IConfiguration>(configuration);
        services.AddVeiligheidData(configuration);
        if (recorder is not null) services.ConfigureDbContext<SqliteVeiligheidDbContext>(o => o.AddInterceptors(recorder));
        services.AddVeiligheidGraphQL();
        services.AddVeiligheidAccountability(configuration); // as served: the processing log is written before the response
        _services = services.BuildServiceProvider();
        // As the hub does on start: a dataset seeded by an older build gets this build's schema (e.g. the processing log's
        // tables), so a benchmark from a fresh clone runs on a dataset made before it. A no-op when it is up to date.
        using (var scope = _services.CreateScope()) scope.ServiceProvider.GetRequiredService<VeiligheidDbContext>().MigrateAsync().GetAwaiter().GetResult();
        _serializer = _services.GetRequiredService<IGraphQLTextSerializer>();
        _ = _services.GetRequiredService<SchemaRegistry>(); // schemas are built at start-up in the host too
    }

    /// <summary>
    /// A caller of this role for the seeded organisation with this key, stating the role's broadest purpose (the one
    /// under which it reads the most categories), as a partner system reading person-level data must.
    /// </summary>
    public Caller CallerOf(HubRole role, string organisationKey)
    {
        using var scope = _services.CreateScope();
        var db = scope.ServiceProvider.GetRequiredService<VeiligheidDbContext>();
        var org = db.Organisations.AsNoTracking().Single(o => o.Key == organisationKey);
        return new Caller(role, org.Id, org.Key, org.Kind, org.ClientAppId ?? "", null, Purposes.BroadestFor(role)?.Key);
    }

    public async Task<ExecutionResult> ExecuteAsync(Caller caller, string query, Inputs? variables = null)
    {
        await using var scope = _services.CreateAsyncScope();
        var executor = scope.ServiceProvider.GetRequiredService<GraphQLRequestExecutor>();
        var result = await executor.ExecuteAsync(new GraphQLRequest(query, null, variables, null), caller, scope.ServiceProvider, CancellationToken.None);
        if (result.Errors is { Count: > 0 } errors) throw new InvalidOperationException("The hub answered with errors: " + string.Join("; ", errors.Select(e => e.Message)));
        return result;
    }

    public async Task<string> JsonAsync(Caller caller, string query, Inputs? variables = null)
        => _serializer.Serialize(await ExecuteAsync(caller, query, variables));

    /// <summary>The request as served but without writing the processing log: what the rest of the hub costs.</summary>
    public async Task<string> JsonWithoutLogAsync(Caller caller, string query, Inputs? variables = null)
    {
        await using var scope = _services.CreateAsyncScope();
        var executor = scope.ServiceProvider.GetRequiredService<GraphQLRequestExecutor>();
        return _serializer.Serialize(await executor.RunWithoutLogAsync(new GraphQLRequest(query, null, variables, null), caller, scope.ServiceProvider, CancellationToken.None));
    }

    /// <summary>The hub's services, for the profile that times the steps of one request (<see cref="ReadProfile"/>).</summary>
    internal IServiceProvider Services => _services;

    public void Dispose() => _services.Dispose();
}

/// <summary>The host environment the benchmarks run in: Development, so the processing log uses its development key.</summary>
internal sealed class BenchmarkEnvironment : IHostEnvironment
{
    public string EnvironmentName { get; set; } = Environments.Development;
    public string ApplicationName { get; set; } = "Veiligheid.Benchmarks";
    public string ContentRootPath { get; set; } = AppContext.BaseDirectory;
    public IFileProvider ContentRootFileProvider { get; set; } = new NullFileProvider();
}

/// <summary>Records the statements (text and parameters) the hub sends, to replay them bare for the profile.</summary>
public sealed class StatementRecorder : DbCommandInterceptor
{
    public List<(string Sql, List<(string Name, object? Value)> Parameters)> Statements { get; } = [];

    public bool Enabled { get; set; }

    public override ValueTask<InterceptionResult<DbDataReader>> ReaderExecutingAsync(DbCommand command, CommandEventData eventData, InterceptionResult<DbDataReader> result, CancellationToken cancellationToken = default)
    {
        if (Enabled) Statements.Add((command.CommandText, [.. command.Parameters.Cast<DbParameter>().Select(p => (p.ParameterName, (object?)p.Value))]));
        return base.ReaderExecutingAsync(command, eventData, result, cancellationToken);
    }

    /// <summary>Runs the recorded statements on a plain connection and reads every column of every row.</summary>
    public int Replay(SqliteConnection connection)
    {
        var values = 0;
        foreach (var (sql, parameters) in Statements)
        {
            using var command = connection.CreateCommand();
            command.CommandText = sql;
            foreach (var (name, value) in parameters) command.Parameters.AddWithValue(name, value ?? DBNull.Value);
            using var reader = command.ExecuteReader();
            while (reader.Read())
            {
                for (var i = 0; i < reader.FieldCount; i++)
                {
                    _ = reader.GetValue(i);
                    values++;
                }
            }
        }
        return values;
    }
}

/// <summary>Checks that every path of a case answers the same JSON before anything is measured.</summary>
public static class SameResponse
{
    public static void Assert(string name, string expected, string actual)
    {
        if (JsonNode.DeepEquals(JsonNode.Parse(expected), JsonNode.Parse(actual))) return;
        throw new InvalidOperationException($"{name} differs from the hub's response.\nhub: {Clip(expected)}\n{name}: {Clip(actual)}");
    }

    private static string Clip(string s) => s.Length > 1500 ? s[..1500] + "…" : s;
}
