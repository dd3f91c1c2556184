using System.Text.Json;
using BenchmarkDotNet.Attributes;
using Dapper;
using Microsoft.Data.Sqlite;
using Veiligheid.Access;
using Veiligheid.Cases;
using Veiligheid.Data.Seeding;
using Veiligheid.GraphQL;
using Veiligheid.Incidents;
using Veiligheid.Interventions;

namespace Veiligheid.Benchmarks;

/// <summary>
/// Case 1 of issue 5: a person overview for the police: one person with address, cases, interventions and incidents
/// (with their locations). The baselines apply the police's row rules for this caller by hand: cases it takes part
/// in; interventions it executes, on those cases, or about an area, care interventions only its own; every incident
/// and address. The limit skips two of the caller's rules because this dataset lets it: whether the person is visible at
/// all (the benchmark picks one that is) and the confidentiality ceiling (the police's is the top level); the limit with
/// the caller's rules writes them out as well, the fair floor for a hub that must test them.
/// </summary>
public class PersonOverviewBenchmarks : ReadPathBenchmark
{
    private const string Participating = "(c.CoordinatingOrganisationId = @org OR EXISTS (SELECT 1 FROM CaseParticipants cp WHERE cp.CaseId = c.Id AND cp.OrganisationId = @org))";

    private static readonly string InterventionsWhere = $"""
        iv.PersonId = @person
          AND (iv.ExecutingOrganisationId = @org OR (iv.CaseId IS NULL AND iv.PersonId IS NULL)
               OR EXISTS (SELECT 1 FROM Cases c WHERE c.Id = iv.CaseId AND {Participating}))
          AND (iv.Kind NOT IN ('Zorgtraject', 'Schuldhulpverlening') OR iv.ExecutingOrganisationId = @org)
        """;

    // The police's person rule: subjects of cases it takes part in (under its ceiling), or involved in an incident (it
    // sees every incident). Cases and interventions: the confidentiality ceiling (@max).
    private static readonly string PersonVisible = $"""
        (EXISTS (SELECT 1 FROM CaseSubjects s JOIN Cases c ON c.Id = s.CaseId WHERE s.PersonId = p.Id AND c.Confidentiality <= @max AND {Participating})
         OR EXISTS (SELECT 1 FROM IncidentPersons ip WHERE ip.PersonId = p.Id))
        """;

    private static readonly string LimitSql = Limit(withRules: false);

    private static readonly string LimitWithRulesSql = Limit(withRules: true);

    private static string Limit(bool withRules)
    {
        var caseCeiling = withRules ? "c.Confidentiality <= @max AND " : "";
        var interventions = withRules
            ? InterventionsWhere.Replace("WHERE c.Id = iv.CaseId AND", "WHERE c.Id = iv.CaseId AND c.Confidentiality <= @max AND", StringComparison.Ordinal) + " AND iv.Confidentiality <= @max"
            : InterventionsWhere;
        var person = withRules ? $"p.Id = @person AND {PersonVisible}" : "p.Id = @person";
        return $"""
        SELECT json_object('data', json_object('person', json_object(
          'givenName', p.GivenName, 'surname', p.Surname, 'dateOfBirth', p.DateOfBirth,
          'address', (SELECT json_object('street', a.Street, 'houseNumber', a.HouseNumber, 'postcode', a.Postcode) FROM Locations a WHERE a.Id = p.AddressId),
          'cases', (SELECT json_group_array(json(x)) FROM (
              SELECT json_object('role', {Sql.EnumName<CaseSubjectRole>("s.Role")}, 'case', json_object('title', c.Title, 'status', {Sql.EnumName<CaseStatus>("c.Status")}, 'openedAt', {Sql.Time("c.OpenedAt")})) AS x
              FROM CaseSubjects s JOIN Cases c ON c.Id = s.CaseId WHERE s.PersonId = p.Id AND {caseCeiling}{Participating} ORDER BY c.OpenedAt DESC)),
          'interventions', (SELECT json_group_array(json(x)) FROM (
              SELECT json_object('kind', {Sql.EnumName<InterventionKind>("iv.Kind")}, 'status', {Sql.EnumName<InterventionStatus>("iv.Status")}, 'startDate', iv.StartDate) AS x
              FROM Interventions iv WHERE {interventions} ORDER BY iv.StartDate, iv.Id)),
          'incidents', (SELECT json_group_array(json(x)) FROM (
              SELECT json_object('role', {Sql.EnumName<IncidentPersonRole>("ip.Role")}, 'incident', json_object('category', {Sql.EnumName<IncidentCategory>("i.Category")},
                       'occurredAt', {Sql.Time("i.OccurredAt")}, 'location', json_object('street', l.Street, 'houseNumber', l.HouseNumber))) AS x
              FROM IncidentPersons ip JOIN Incidents i ON i.Id = ip.IncidentId JOIN Locations l ON l.Id = i.LocationId
              WHERE ip.PersonId = p.Id ORDER BY i.OccurredAt DESC))
        ))) FROM Persons p WHERE {person}
        """;
    }

    private long _person;

    /// <summary>The overview query for the police's most involved person that is a subject of one of its cases.</summary>
    public static string QueryFor(SqliteConnection connection) => QueryFor(PersonId(connection));

    private static string QueryFor(long person) => $$"""
        { person(id: "{{GlobalId.Encode("Person", (int)person)}}") {
            givenName surname dateOfBirth address { street houseNumber postcode }
            cases { role case { title status openedAt } }
            interventions { kind status startDate }
            incidents { role incident { category occurredAt location { street houseNumber } } } } }
        """;

    private static long PersonId(SqliteConnection connection) => connection.ExecuteScalar<long>($"""
        SELECT s.PersonId FROM CaseSubjects s JOIN Cases c ON c.Id = s.CaseId
        WHERE {Participating} AND EXISTS (SELECT 1 FROM Interventions iv WHERE iv.PersonId = s.PersonId)
        ORDER BY (SELECT count(*) FROM IncidentPersons ip WHERE ip.PersonId = s.PersonId) DESC, s.PersonId LIMIT 1
        """, new { org = DemoOrganisations.IdOf(DemoOrganisations.PolitieNoord) });

    protected override (HubRole Role, string Organisation) Reader => (HubRole.Politie, DemoOrganisations.PolitieNoord);

    protected override string QueryOn(SqliteConnection connection)
    {
        _person = PersonId(connection);
        return QueryFor(_person);
    }

    [Benchmark(Baseline = true, Description = "limit: one SQL statement builds the JSON")]
    public override string Limit() => Connection.ExecuteScalar<string>(LimitSql, new { org = Caller.OrganisationId, person = _person })!;

    [Benchmark(Description = "limit with the caller's rules: the same statement, also testing the person's visibility and the ceiling")]
    public string LimitWithRules() => Connection.ExecuteScalar<string>(LimitWithRulesSql, new { org = Caller.OrganisationId, person = _person, max = (int)AccessPolicy.Roles[HubRole.Politie].MaxConfidentiality })!;

    internal override IReadOnlyList<(string Name, Func<string> Run)> ExtraBaselines() => [("limit with the caller's rules", LimitWithRules)];

    [Benchmark(Description = "conventional: Dapper (4 statements) + System.Text.Json")]
    public override string Conventional()
    {
        var args = new { org = Caller.OrganisationId, person = _person };
        var p = Connection.QuerySingle<PersonRow>("""
            SELECT p.GivenName, p.Surname, p.DateOfBirth, a.Street, a.HouseNumber, a.Postcode
            FROM Persons p LEFT JOIN Locations a ON a.Id = p.AddressId WHERE p.Id = @person
            """, args);
        var cases = Connection.Query<CaseRow>($"""
            SELECT s.Role, c.Title, c.Status, c.OpenedAt FROM CaseSubjects s JOIN Cases c ON c.Id = s.CaseId
            WHERE s.PersonId = @person AND {Participating} ORDER BY c.OpenedAt DESC
            """, args).Select(c => new { role = Sql.ConstantCase(c.Role), @case = new { title = c.Title, status = Sql.ConstantCase(c.Status), openedAt = Sql.TimeOf(c.OpenedAt) } });
        var interventions = Connection.Query<InterventionRow>($"SELECT iv.Kind, iv.Status, iv.StartDate FROM Interventions iv WHERE {InterventionsWhere} ORDER BY iv.StartDate, iv.Id", args)
            .Select(i => new { kind = Sql.ConstantCase(i.Kind), status = Sql.ConstantCase(i.Status), startDate = i.StartDate });
        var incidents = Connection.Query<IncidentRow>("""
            SELECT ip.Role, i.Category, i.OccurredAt, l.Street, l.HouseNumber FROM IncidentPersons ip
            JOIN Incidents i ON i.Id = ip.IncidentId JOIN Locations l ON l.Id = i.LocationId
            WHERE ip.PersonId = @person ORDER BY i.OccurredAt DESC
            """, args).Select(i => new { role = Sql.ConstantCase(i.Role), incident = new { category = Sql.ConstantCase(i.Category), occurredAt = Sql.TimeOf(i.OccurredAt), location = new { street = i.Street, houseNumber = i.HouseNumber } } });
        var person = new
        {
            givenName = p.GivenName,
            surname = p.Surname,
            dateOfBirth = p.DateOfBirth,
            address = p.Street is null ? null : new { street = p.Street, houseNumber = p.HouseNumber, postcode = p.Postcode },
            cases,
            interventions,
            incidents,
        };
        return JsonSerializer.Serialize(new { data = new { person } }, Json.Options);
    }

    private sealed class PersonRow
    {
        public string GivenName { get; set; } = "";
        public string Surname { get; set; } = "";
        public string DateOfBirth { get; set; } = "";
        public string? Street { get; set; }
        public long? HouseNumber { get; set; }
        public string? Postcode { get; set; }
    }

    private sealed class CaseRow
    {
        public string Role { get; set; } = "";
        public string Title { get; set; } = "";
        public string Status { get; set; } = "";
        public string OpenedAt { get; set; } = "";
    }

    private sealed class InterventionRow
    {
        public string Kind { get; set; } = "";
        public string Status { get; set; } = "";
        public string StartDate { get; set; } = "";
    }

    private sealed class IncidentRow
    {
        public string Role { get; set; } = "";
        public string Category { get; set; } = "";
        public string OccurredAt { get; set; } = "";
        public string Street { get; set; } = "";
        public long HouseNumber { get; set; }
    }
}
