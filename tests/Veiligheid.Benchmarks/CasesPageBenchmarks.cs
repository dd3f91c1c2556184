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
public class CasesPageBenchmarks : ReadPathBenchmark
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

    protected override (HubRole Role, string Organisation) Reader => (HubRole.GemeenteCoordinator, DemoOrganisations.GemeenteVeiligstad);

    protected override string QueryOn(SqliteConnection connection) => Query;

    [Benchmark(Baseline = true, Description = "limit: one SQL statement builds the JSON")]
    public override string Limit() => Connection.ExecuteScalar<string>(LimitSql, new { org = Caller.OrganisationId })!;

    [Benchmark(Description = "conventional: Dapper (2 statements) + System.Text.Json")]
    public override string Conventional()
    {
        var page = Connection.Query<CaseRow>(PageSql, new { org = Caller.OrganisationId }).AsList();
        var subjects = Connection.Query<SubjectRow>(SubjectsSql, new { ids = page.Select(c => c.Id) }).ToLookup(s => s.CaseId);
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
