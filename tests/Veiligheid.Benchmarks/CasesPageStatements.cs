using Veiligheid.Cases;

namespace Veiligheid.Benchmarks;

/// <summary>
/// Case 2 of issue 5 as text: the coordinator's GraphQL operation and the hand-written limit statement that builds the
/// same response JSON in SQLite. Shared by <see cref="CasesPageBenchmarks"/> (in-process) and the HTTP load baseline
/// (tests/Veiligheid.LoadBaseline links this file), so both measure exactly the same statement.
/// </summary>
public static class CasesPageStatements
{
    /// <summary>The GraphQL operation: 50 cases filtered on status and kind, newest first, with their subjects.</summary>
    public const string Query = """
        { cases(first: 50, filter: { status: { in: [GEMELD, IN_BEHANDELING] }, kind: { in: [WOONOVERLAST, ZORG_EN_VEILIGHEID] } }) {
            nodes { title status openedAt subjects { role person { givenName surname dateOfBirth } } } } }
        """;

    /// <summary>One statement that answers <see cref="Query"/> for the coordinator of organisation <c>@org</c>.</summary>
    public static string LimitSql { get; } = $"""
        SELECT json_object('data', json_object('cases', json_object('nodes', (
          SELECT json_group_array(json(node)) FROM (
            SELECT json_object(
              'title', c.Title, 'status', {Sql.EnumName<CaseStatus>("c.Status")}, 'openedAt', {Sql.Time("c.OpenedAt")},
              'subjects', (SELECT json_group_array(json_object('role', {Sql.EnumName<CaseSubjectRole>("s.Role")},
                             'person', json_object('givenName', p.GivenName, 'surname', p.Surname, 'dateOfBirth', p.DateOfBirth)))
                           FROM (SELECT * FROM CaseSubjects WHERE CaseId = c.Id ORDER BY PersonId) s JOIN Persons p ON p.Id = s.PersonId)) AS node
            FROM Cases c
            WHERE (c.CoordinatingOrganisationId = @org OR EXISTS (SELECT 1 FROM CaseParticipants cp WHERE cp.CaseId = c.Id AND cp.OrganisationId = @org))
              AND c.Status IN ('Gemeld', 'InBehandeling') AND c.Kind IN ('Woonoverlast', 'ZorgEnVeiligheid')
            ORDER BY c.OpenedAt DESC, c.Id DESC LIMIT 50)))))
        """;
}
