using BenchmarkDotNet.Attributes;
using GraphQL;
using Microsoft.Data.Sqlite;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.FileProviders;
using Microsoft.Extensions.Hosting;
using Veiligheid.Access;
using Veiligheid.Accountability;
using Veiligheid.Data;
using Veiligheid.Data.Seeding;
using Veiligheid.GraphQL;
using Veiligheid.Organisations;

namespace Veiligheid.Benchmarks;

/// <summary>
/// The cost of the processing log: the same person queries of the coordinator (purpose casusoverleg-zorg-en-veiligheid)
/// run through the executor without the log (<see cref="GraphQLRequestExecutor.RunAsync"/>) and with it
/// (<see cref="GraphQLRequestExecutor.ExecuteAsync"/>: collect, protect BSNs, append to the hash chain in a transaction).
/// Runs on a copy of the shared dataset (the log grows during the run, so the shared file is never written).
/// </summary>
[MemoryDiagnoser]
[SimpleJob(launchCount: 1, warmupCount: 3, iterationCount: 10)]
public class ProcessingLogBenchmarks
{
    private const string Purpose = "casusoverleg-zorg-en-veiligheid";
    private ServiceProvider _services = null!;
    private Caller _caller = null!;
    private GraphQLRequest _onePerson = null!;
    private GraphQLRequest _pageOfPersons = null!;
    private string _copy = null!;

    [GlobalSetup]
    public void Setup()
    {
        // One copy per benchmark process, removed in cleanup: several runs (or helpers) must not share one file.
        var copy = _copy = Path.Combine(Path.GetTempPath(), $"veiligheid-bench-accountability-{Environment.ProcessId}.db");
        BenchmarkDatabase.CopyTo(copy);

        var configuration = new ConfigurationBuilder().AddInMemoryCollection(new Dictionary<string, string?>
        {
            ["Database:SqlitePath"] = copy,
        }).Build();
        var services = new ServiceCollection();
        services.AddLogging();
        services.AddSingleton<IHostEnvironment>(new BenchmarkEnvironment());
        services.AddSingleton<IConfiguration>(configuration);
        services.AddVeiligheidData(configuration);
        services.AddVeiligheidGraphQL();
        services.AddVeiligheidAccountability(configuration);
        _services = services.BuildServiceProvider();

        using var scope = _services.CreateScope();
        var db = scope.ServiceProvider.GetRequiredService<VeiligheidDbContext>();
        // The seed command's file is migrated already; this only guards against an older file.
        db.MigrateAsync().GetAwaiter().GetResult();
        var organisationId = DemoOrganisations.IdOf(DemoOrganisations.GemeenteVeiligstad);
        _caller = new Caller(HubRole.GemeenteCoordinator, organisationId, DemoOrganisations.GemeenteVeiligstad, OrganisationKind.Gemeente,
            DemoOrganisations.ClientAppIdFor(DemoOrganisations.GemeenteVeiligstad), null, Purpose);
        var personId = db.CaseSubjects.Where(s => s.Case.CoordinatingOrganisationId == organisationId).OrderBy(s => s.PersonId).Select(s => s.PersonId).First();
        _onePerson = new GraphQLRequest(
            "query($id: ID!) { person(id: $id) { id bsn givenName surname dateOfBirth address { postcode houseNumber } cases { role case { kind status } } } }",
            null, new Inputs(new Dictionary<string, object?> { ["id"] = GlobalId.Encode("Person", personId) }), null);
        _pageOfPersons = new GraphQLRequest(
            "{ cases(first: 25) { nodes { kind status subjects { role person { id bsn surname address { postcode } } } } } }", null, null, null);
    }

    [GlobalCleanup]
    public void Cleanup()
    {
        _services.Dispose();
        SqliteConnection.ClearAllPools();
        foreach (var file in DatabaseSetup.SqliteFiles(_copy)) File.Delete(file);
    }

    [Benchmark(Baseline = true, Description = "one person, no log")]
    public Task<ExecutionResult> OnePersonWithoutLog() => Run(_onePerson, log: false);

    [Benchmark(Description = "one person, with log")]
    public Task<ExecutionResult> OnePersonWithLog() => Run(_onePerson, log: true);

    [Benchmark(Description = "25 cases with subjects, no log")]
    public Task<ExecutionResult> CasesWithoutLog() => Run(_pageOfPersons, log: false);

    [Benchmark(Description = "25 cases with subjects, with log")]
    public Task<ExecutionResult> CasesWithLog() => Run(_pageOfPersons, log: true);

    /// <summary>Eight requests at once: with the log, their records share commits (group commit) instead of queueing for one each.</summary>
    [Benchmark(Description = "8 concurrent one-person requests, no log")]
    public Task ConcurrentWithoutLog() => Task.WhenAll(Enumerable.Range(0, 8).Select(_ => Task.Run(() => Run(_onePerson, log: false))));

    [Benchmark(Description = "8 concurrent one-person requests, with log")]
    public Task ConcurrentWithLog() => Task.WhenAll(Enumerable.Range(0, 8).Select(_ => Task.Run(() => Run(_onePerson, log: true))));

    private async Task<ExecutionResult> Run(GraphQLRequest request, bool log)
    {
        await using var scope = _services.CreateAsyncScope();
        var executor = scope.ServiceProvider.GetRequiredService<GraphQLRequestExecutor>();
        var result = log
            ? await executor.ExecuteAsync(request, _caller, scope.ServiceProvider, CancellationToken.None)
            : await executor.RunWithoutLogAsync(request, _caller, scope.ServiceProvider, CancellationToken.None);
        if (result.Errors is { Count: > 0 } errors) throw new InvalidOperationException(errors[0].Message);
        return result;
    }
}
