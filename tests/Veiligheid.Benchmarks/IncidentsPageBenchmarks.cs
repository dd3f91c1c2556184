using System.Text.Json;
using BenchmarkDotNet.Attributes;
using Dapper;
using GraphQL;
using Microsoft.Data.Sqlite;
using Veiligheid.Access;
using Veiligheid.Data.Seeding;
using Veiligheid.Incidents;

namespace Veiligheid.Benchmarks;

/// <summary>
/// Case 3 of issue 5: a partner's (the police's) page of 50 incidents in one district and one month, newest first, with
/// their address. Hub beside the limit (one statement building the JSON) and the conventional path (Dapper, one
/// statement with the join, System.Text.Json).
/// </summary>
public class IncidentsPageBenchmarks : ReadPathBenchmark
{
    public const string District = "WK999904";
    public const string From = "2026-03-01 00:00:00";
    public const string To = "2026-04-01 00:00:00";

    public const string Query = """
        { incidents(first: 50, filter: { district: { eq: "WK999904" }, occurredAt: { gte: "2026-03-01T00:00:00Z", lt: "2026-04-01T00:00:00Z" } }) {
            nodes { category occurredAt inPublicSpace location { street houseNumber postcode } } } }
        """;

    // The unary + keeps SQLite off the (NeighbourhoodId, OccurredAt) index, which reads the district's whole month and
    // sorts it (13–17 ms on the benchmark dataset without ANALYZE statistics); walking the OccurredAt index backwards and
    // stopping at 50 rows is the best plan for this page (0.15 ms), the one the hub's statement gets.
    private const string Where = """
        FROM Incidents i JOIN Locations l ON l.Id = i.LocationId
        WHERE +i.NeighbourhoodId IN (SELECT n.Id FROM Neighbourhoods n JOIN Districts d ON d.Id = n.DistrictId WHERE d.Code = @district)
          AND i.OccurredAt >= @from AND i.OccurredAt < @to
        ORDER BY i.OccurredAt DESC, i.Id DESC LIMIT 50
        """;

    private static readonly string LimitSql = $"""
        SELECT json_object('data', json_object('incidents', json_object('nodes', (
          SELECT json_group_array(json(node)) FROM (
            SELECT json_object('category', {Sql.EnumName<IncidentCategory>("i.Category")}, 'occurredAt', {Sql.Time("i.OccurredAt")},
              'inPublicSpace', json(CASE WHEN i.InPublicSpace THEN 'true' ELSE 'false' END),
              'location', json_object('street', l.Street, 'houseNumber', l.HouseNumber, 'postcode', l.Postcode)) AS node
            {Where})))))
        """;

    private static readonly string RowsSql = $"SELECT i.Category, i.OccurredAt, i.InPublicSpace, l.Street, l.HouseNumber, l.Postcode {Where}";

    protected override (HubRole Role, string Organisation) Reader => (HubRole.Politie, DemoOrganisations.PolitieNoord);

    protected override string QueryOn(SqliteConnection connection) => Query;

    [Benchmark(Baseline = true, Description = "limit: one SQL statement builds the JSON")]
    public override string Limit() => Connection.ExecuteScalar<string>(LimitSql, new { district = District, from = From, to = To })!;

    [Benchmark(Description = "conventional: Dapper + System.Text.Json")]
    public override string Conventional()
    {
        var nodes = Connection.Query<Row>(RowsSql, new { district = District, from = From, to = To })
            .Select(r => new Node(Sql.ConstantCase(r.Category), Sql.TimeOf(r.OccurredAt), r.InPublicSpace != 0, new Address(r.Street, (int)r.HouseNumber, r.Postcode)));
        return JsonSerializer.Serialize(new { data = new { incidents = new { nodes } } }, Json.Options);
    }

    private sealed class Row
    {
        public string Category { get; set; } = "";
        public string OccurredAt { get; set; } = "";
        public long InPublicSpace { get; set; }
        public string Street { get; set; } = "";
        public long HouseNumber { get; set; }
        public string Postcode { get; set; } = "";
    }

    private sealed record Node(string Category, string OccurredAt, bool InPublicSpace, Address Location);
    private sealed record Address(string Street, int HouseNumber, string Postcode);
}
