using System.Text.Json;
using System.Text.Json.Serialization;
using BenchmarkDotNet.Attributes;
using Dapper;
using GraphQL;
using Microsoft.Data.Sqlite;
using Veiligheid.Access;
using Veiligheid.Cases;
using Veiligheid.Data.Seeding;

namespace Veiligheid.Benchmarks;

/// <summary>
/// Case 2 of issue 5: a page of 50 cases with a filter and the default sort (newest first), with their subjects, for
/// the coordinator of the municipality. Hub (GraphQL over EF Core) beside the limit (one SQLite statement building
/// the JSON) and the conventional path (Dapper, two statements, System.Text.Json).
/// </summary>
[MemoryDiagnoser]
[System.Diagnostics.CodeAnalysis.SuppressMessage("Design", "CA1001", Justification = "BenchmarkDotNet disposes in [GlobalCleanup].")]
public class CasesPageBenchmarks
{
    public const string Query = CasesPageStatements.Query;

    private static readonly string LimitSql = CasesPageStatements.LimitSql;

    private const string PageSql = """
        SELECT c.Id, c.Title, c.Status, c.OpenedAt FROM Cases c
        WHERE (c.CoordinatingOrganisationId = @org OR EXISTS (SELECT 1 FROM CaseParticipants cp WHERE cp.CaseId = c.Id AND cp.OrganisationId = @org))
          AND c.Status IN ('Gemeld', 'InBehandeling') AND c.Kind IN ('Woonoverlast', 'ZorgEnVeiligheid')
        ORDER BY c.OpenedAt DESC, c.Id DESC LIMIT 50
        """;

    private const string SubjectsSql = """
        SELECT s.CaseId, s.Role, p.GivenName, p.Surname, p.DateOfBirth FROM CaseSubjects s JOIN Persons p ON p.Id = s.PersonId
        WHERE s.CaseId IN @ids ORDER BY s.CaseId, s.PersonId
        """;

    private HubInProcess _hub = null!;
    private HubInProcess _reference = null!;
    private Caller _caller = null!;
    private SqliteConnection _connection = null!;

    [GlobalSetup]
    public void Setup()
    {
        _hub = new HubInProcess(BenchmarkDatabase.WritableCopy());
        _reference = new HubInProcess(BenchmarkDatabase.WritableCopy(), compiledReads: false);
        _caller = _hub.CallerOf(HubRole.GemeenteCoordinator, DemoOrganisations.GemeenteVeiligstad);
        _connection = Sql.Open(BenchmarkDatabase.Path);
        var hub = Hub().GetAwaiter().GetResult();
        SameResponse.Assert("reference path", hub, HubReference().GetAwaiter().GetResult());
        SameResponse.Assert("limit", hub, Limit());
        SameResponse.Assert("conventional", hub, Conventional());
    }

    [GlobalCleanup]
    public void Cleanup()
    {
        _hub.Dispose();
        _reference.Dispose();
        _connection.Dispose();
    }

    [Benchmark(Description = "hub: compiled read path (one SQL statement), processing log written")]
    public Task<string> Hub() => _hub.JsonAsync(_caller, Query);

    [Benchmark(Description = "hub: reference path (GraphQL.NET resolvers over EF Core), processing log written")]
    public Task<string> HubReference() => _reference.JsonAsync(_caller, Query);

    [Benchmark(Baseline = true, Description = "limit: one SQL statement builds the JSON")]
    public string Limit() => _connection.ExecuteScalar<string>(LimitSql, new { org = _caller.OrganisationId })!;

    [Benchmark(Description = "conventional: Dapper (2 statements) + System.Text.Json")]
    public string Conventional()
    {
        var page = _connection.Query<CaseRow>(PageSql, new { org = _caller.OrganisationId }).AsList();
        var subjects = _connection.Query<SubjectRow>(SubjectsSql, new { ids = page.Select(c => c.Id) }).ToLookup(s => s.CaseId);
        var nodes = page.Select(c => new CaseNode(c.Title, Sql.ConstantCase(c.Status), Sql.TimeOf(c.OpenedAt),
            [.. subjects[c.Id].Select(s => new SubjectNode(Sql.ConstantCase(s.Role), new PersonNode(s.GivenName, s.Surname, s.DateOfBirth)))]));
        return JsonSerializer.Serialize(new { data = new { cases = new { nodes } } }, Json.Options);
    }

    private sealed class CaseRow
    {
        public long Id { get; set; }
        public string Title { get; set; } = "";
        public string Status { get; set; } = "";
        public string OpenedAt { get; set; } = "";
    }

    private sealed class SubjectRow
    {
        public long CaseId { get; set; }
        public string Role { get; set; } = "";
        public string GivenName { get; set; } = "";
        public string Surname { get; set; } = "";
        public string DateOfBirth { get; set; } = "";
    }
    private sealed record CaseNode(string Title, string Status, string OpenedAt, List<SubjectNode> Subjects);
    private sealed record SubjectNode(string Role, PersonNode Person);
    private sealed record PersonNode(string GivenName, string Surname, string DateOfBirth);
}

/// <summary>The conventional baselines' serializer settings: camelCase like the hub.</summary>
public static class Json
{
    public static JsonSerializerOptions Options { get; } = new(JsonSerializerDefaults.Web) { DefaultIgnoreCondition = JsonIgnoreCondition.Never };
}
