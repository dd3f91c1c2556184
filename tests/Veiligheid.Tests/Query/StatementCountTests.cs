using System.Data.Common;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.TestHost;
using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Diagnostics;
using Microsoft.Extensions.DependencyInjection;
using Veiligheid.Access;
using Veiligheid.Data;
using Veiligheid.Data.Seeding;
using Veiligheid.Tests.Infrastructure;

namespace Veiligheid.Tests.Query;

/// <summary>Counts the SQL statements the hub's DbContext sends (every command EF Core executes).</summary>
public sealed class StatementCounter : DbCommandInterceptor
{
    private int _count;
    private readonly List<string> _statements = [];

    public int Count => Volatile.Read(ref _count);

    public IReadOnlyList<string> Statements
    {
        get { lock (_statements) return [.. _statements]; }
    }

    public void Reset()
    {
        Interlocked.Exchange(ref _count, 0);
        lock (_statements) _statements.Clear();
    }

    public override ValueTask<InterceptionResult<DbDataReader>> ReaderExecutingAsync(DbCommand command, CommandEventData eventData, InterceptionResult<DbDataReader> result, CancellationToken cancellationToken = default)
    {
        Record(command);
        return base.ReaderExecutingAsync(command, eventData, result, cancellationToken);
    }

    public override InterceptionResult<DbDataReader> ReaderExecuting(DbCommand command, CommandEventData eventData, InterceptionResult<DbDataReader> result)
    {
        Record(command);
        return base.ReaderExecuting(command, eventData, result);
    }

    public override ValueTask<InterceptionResult<object>> ScalarExecutingAsync(DbCommand command, CommandEventData eventData, InterceptionResult<object> result, CancellationToken cancellationToken = default)
    {
        Record(command);
        return base.ScalarExecutingAsync(command, eventData, result, cancellationToken);
    }

    public override InterceptionResult<object> ScalarExecuting(DbCommand command, CommandEventData eventData, InterceptionResult<object> result)
    {
        Record(command);
        return base.ScalarExecuting(command, eventData, result);
    }

    private void Record(DbCommand command)
    {
        Interlocked.Increment(ref _count);
        lock (_statements) _statements.Add(command.CommandText);
    }
}

/// <summary>The hub with a statement counter on its DbContext.</summary>
public sealed class CountingHubFactory : HubFactory
{
    public StatementCounter Counter { get; } = new();

    protected override void ConfigureWebHost(IWebHostBuilder builder)
    {
        base.ConfigureWebHost(builder);
        builder.ConfigureTestServices(services =>
            services.ConfigureDbContext<SqliteVeiligheidDbContext>(options => options.AddInterceptors(Counter)));
    }
}

/// <summary>
/// The number of SQL statements a request sends depends on its shape, not on how many rows it returns: the same shape
/// at 5 and at 50 parents sends the same statements.
/// </summary>
public sealed class StatementCountTests(CountingHubFactory hub) : IClassFixture<CountingHubFactory>
{
    private const string CasesShape = """
        query($first: Int) { cases(first: $first) { totalCount nodes {
          id title status
          subjects { role person { id surname dateOfBirth address { street } } }
          interventions { id kind executingOrganisation { name } }
        } } }
        """;

    private const string PersonsShape = """
        query($first: Int) { persons(first: $first) { nodes {
          id surname
          cases { role case { id title coordinatingOrganisation { name } } }
          incidents { role incident { id category } }
        } } }
        """;

    private const string LocationsShape = """
        query($first: Int) { locations(first: $first) { nodes {
          id street
          incidents(first: 3, filter: { inPublicSpace: { eq: false } }) { totalCount nodes { id category reportingOrganisation { name } } }
          cases { id title }
        } } }
        """;

    // Nested lists with filters, sorts and cuts: still one statement per level, however many parents.
    private const string PersonsFilteredShape = """
        query($first: Int) { persons(first: $first) { nodes {
          id surname
          cases(filter: { status: { in: [GEMELD, IN_BEHANDELING] } }, orderBy: [{ field: OPENED_AT, direction: DESC }], first: 2) {
            role case { id title interventions(first: 1, orderBy: [{ field: START_DATE }]) { id } }
          }
          incidents(first: 3, filter: { inPublicSpace: { eq: true } }) { incident { id } }
          interventions(orderBy: [{ field: START_DATE, direction: DESC }]) { id }
        } } }
        """;

    private const string CasesFilteredShape = """
        query($first: Int) { cases(first: $first) { nodes {
          id
          subjects(orderBy: [{ field: SURNAME }], first: 2, filter: { not: { id: { eq: "x" } } }) { person { id cases(first: 1) { role } } }
          locations(first: 1, orderBy: [{ field: POSTCODE }]) { id }
        } } }
        """;

    // A case's participants, status history and contributions with arguments, and a person's police signals and
    // tenancies. The coordinates (latitude) are left to the reference path, so the *Reference shapes run on it: one
    // batched statement per list whatever the number of parents; the others are compiled into one statement.
    private const string CaseListsShape = """
        query($first: Int) { cases(first: $first) { nodes {
          id
          participants(orderBy: [{ field: JOINED_AT, direction: DESC }], first: 2) { joinedAt organisation { name } }
          statusHistory(filter: { toStatus: { in: [IN_BEHANDELING, AFGESLOTEN] } }, first: 1) { toStatus by { key } }
          contributions(filter: { text: { contains: "e" } }, first: 1, orderBy: [{ field: CREATED_AT, direction: DESC }]) { text }
        } } }
        """;

    private const string CaseListsReferenceShape = """
        query($first: Int) { cases(first: $first) { nodes {
          id locations { latitude }
          participants(orderBy: [{ field: JOINED_AT, direction: DESC }], first: 2) { joinedAt organisation { name } }
          statusHistory(filter: { toStatus: { in: [IN_BEHANDELING, AFGESLOTEN] } }, first: 1) { toStatus by { key } }
          contributions(filter: { text: { contains: "e" } }, first: 1, orderBy: [{ field: CREATED_AT, direction: DESC }]) { text }
        } } }
        """;

    private const string PersonListsShape = """
        query($first: Int) { persons(first: $first) { nodes {
          id
          policeSignals(filter: { not: { kind: { eq: ONDERMIJNING } } }, orderBy: [{ field: REGISTERED_ON }], first: 1) { kind organisation { name } }
          tenancies(filter: { startDate: { gte: "2000-01-01" } }, first: 1) { startDate dwelling { street } landlord { key } }
        } } }
        """;

    private const string PersonListsReferenceShape = """
        query($first: Int) { persons(first: $first) { nodes {
          id address { latitude }
          policeSignals(filter: { not: { kind: { eq: ONDERMIJNING } } }, orderBy: [{ field: REGISTERED_ON }], first: 1) { kind organisation { name } }
          tenancies(filter: { startDate: { gte: "2000-01-01" } }, first: 1) { startDate dwelling { street } landlord { key } }
        } } }
        """;

    [Theory]
    [InlineData(CaseListsShape, "cases", HubRole.GemeenteCoordinator, DemoOrganisations.GemeenteVeiligstad)]
    [InlineData(CaseListsReferenceShape, "cases", HubRole.GemeenteCoordinator, DemoOrganisations.GemeenteVeiligstad)]
    [InlineData(PersonListsShape, "persons", HubRole.GemeenteCoordinator, DemoOrganisations.GemeenteVeiligstad)]
    [InlineData(PersonListsReferenceShape, "persons", HubRole.GemeenteCoordinator, DemoOrganisations.GemeenteVeiligstad)]
    [InlineData(CasesShape, "cases", HubRole.GemeenteCoordinator, DemoOrganisations.GemeenteVeiligstad)]
    [InlineData(PersonsFilteredShape, "persons", HubRole.Politie, DemoOrganisations.PolitieNoord)]
    [InlineData(CasesFilteredShape, "cases", HubRole.GemeenteCoordinator, DemoOrganisations.GemeenteVeiligstad)]
    [InlineData(PersonsShape, "persons", HubRole.Politie, DemoOrganisations.PolitieNoord)]
    [InlineData(LocationsShape, "locations", HubRole.Politie, DemoOrganisations.PolitieNoord)]
    public async Task Statements_depend_on_the_shape_not_on_the_rows(string query, string list, HubRole role, string organisation)
    {
        using var client = hub.CreateClient(role, organisation);
        await client.DataAsync(query, new { first = 1 }); // warm-up: caller resolution caches, first-use work

        var (small, smallRows) = await CountAsync(client, query, list, 5);
        var (large, largeRows) = await CountAsync(client, query, list, 50);

        Assert.Equal(5, smallRows);
        Assert.Equal(50, largeRows);
        Assert.True(small.Count == large.Count,
            $"first: 5 sent {small.Count} statements, first: 50 sent {large.Count}:\n{string.Join("\n---\n", large)}");
        // One statement per level of the shape at most (plus caller resolution): a fixed, small number.
        Assert.InRange(large.Count, 2, 12);
    }

    /// <summary>The list shapes above run on the path they are meant for: compiled into one statement, or batched on the reference path.</summary>
    [Fact]
    public async Task The_new_list_shapes_take_the_compiled_and_the_reference_path()
    {
        using var client = hub.CreateClient(HubRole.GemeenteCoordinator, DemoOrganisations.GemeenteVeiligstad);
        foreach (var (query, list) in new[] { (CaseListsShape, "cases"), (CaseListsReferenceShape, "cases"), (PersonListsShape, "persons"), (PersonListsReferenceShape, "persons") })
        {
            await client.DataAsync(query, new { first = 1 });
            var (statements, _) = await CountAsync(client, query, list, 20);
            var compiled = statements.Count(s => s.Contains("json_group_array", StringComparison.Ordinal));
            if (query.Contains("latitude", StringComparison.Ordinal))
            {
                Assert.True(compiled == 0 && statements.Count >= 5, $"{list}: {statements.Count} statements, {compiled} compiled");
            }
            else
            {
                Assert.Equal(1, compiled);
            }
        }
    }

    // Nested lists paged with cursors: the …Page siblings run on the reference path (one batched statement per list,
    // one more for a list whose totalCount is asked); the lists with after alone compile into one statement.
    private const string PersonsPagedShape = """
        query($first: Int, $after: String) { persons(first: $first) { nodes {
          id
          casesPage(first: 2) { totalCount pageInfo { hasNextPage endCursor } edges { cursor node { role case { id interventionsPage(first: 1) { nodes { id } } } } } }
          incidentsPage(first: 3, after: $after) { nodes { incident { id } } }
          incidents(first: 2, after: $after) { incident { id } }
        } } }
        """;

    private const string PersonsAfterShape = """
        query($first: Int, $after: String) { persons(first: $first) { nodes {
          id
          incidents(first: 2, after: $after, filter: { inPublicSpace: { eq: true } }) { role incident { id category } }
          cases(first: 1) { case { id interventions(first: 2) { id } } }
        } } }
        """;

    [Fact]
    public async Task Paging_nested_lists_with_cursors_sends_statements_per_level_not_per_parent()
    {
        using var client = hub.CreateClient(HubRole.GemeenteCoordinator, DemoOrganisations.GemeenteVeiligstad);
        var cursors = await client.DataAsync("{ persons(first: 50) { nodes { incidentsPage(first: 1) { pageInfo { endCursor } } } } }");
        var after = cursors.GetProperty("persons").GetProperty("nodes").EnumerateArray()
            .Select(n => n.GetProperty("incidentsPage").GetProperty("pageInfo").GetProperty("endCursor"))
            .First(c => c.ValueKind == System.Text.Json.JsonValueKind.String).GetString();

        foreach (var query in new[] { PersonsPagedShape, PersonsAfterShape })
        {
            await client.DataAsync(query, new { first = 1, after }); // warm-up
            hub.Counter.Reset();
            Assert.Equal(5, (await client.DataAsync(query, new { first = 5, after })).GetProperty("persons").GetProperty("nodes").GetArrayLength());
            var small = hub.Counter.Statements;
            hub.Counter.Reset();
            Assert.Equal(50, (await client.DataAsync(query, new { first = 50, after })).GetProperty("persons").GetProperty("nodes").GetArrayLength());
            var large = hub.Counter.Statements;

            Assert.True(small.Count == large.Count, $"first: 5 sent {small.Count} statements, first: 50 sent {large.Count}:\n{string.Join("\n---\n", large)}");
            var compiled = large.Count(s => s.Contains("json_group_array", StringComparison.Ordinal));
            if (query == PersonsAfterShape)
            {
                Assert.Equal(1, compiled);
            }
            else
            {
                // persons, casesPage and its count, interventionsPage, incidentsPage, incidents: six levels, plus caller resolution.
                Assert.Equal(0, compiled);
                Assert.InRange(large.Count, 6, 12);
            }
        }
    }

    // A person's interventions read by a caller that may receive care: which of the level's persons could have a care
    // trajectory among the caller's rows (and so are logged with care data) is one more statement on the reference path
    // (the coordinates keep it there), shared by both fields of the list; on the compiled path it is in the one statement.
    private const string PersonInterventionsShape = """
        query($first: Int) { persons(first: $first) { nodes {
          id
          interventions { id }
          care: interventions(filter: { kind: { in: [ZORGTRAJECT, SCHULDHULPVERLENING] } }, first: 1) { kind }
        } } }
        """;

    // The same for a case's interventions: which subjects of the level's cases could have one (logged with care data).
    private const string CaseInterventionsShape = """
        query($first: Int) { cases(first: $first) { nodes {
          id
          interventions { id }
          care: interventions(filter: { kind: { in: [ZORGTRAJECT, SCHULDHULPVERLENING] } }, first: 1) { kind }
        } } }
        """;

    [Theory]
    [InlineData(PersonInterventionsShape, "persons", "address { latitude }")]
    [InlineData(CaseInterventionsShape, "cases", "locations { latitude }")]
    public async Task Which_persons_may_have_care_among_the_callers_rows_is_one_statement_per_level(string shape, string list, string onTheReferencePath)
    {
        using var care = hub.CreateClientWithPurpose(HubRole.GemeenteCoordinator, DemoOrganisations.GemeenteVeiligstad, "casusoverleg-zorg-en-veiligheid");
        using var noCare = hub.CreateClientWithPurpose(HubRole.GemeenteCoordinator, DemoOrganisations.GemeenteVeiligstad, "aanpak-woonoverlast");
        var reference = shape.Replace("id\n", $"id {onTheReferencePath}\n", StringComparison.Ordinal);
        Assert.NotEqual(shape, reference);
        var counts = new Dictionary<(bool Care, bool Compiled, int First), int>();
        foreach (var (client, withCare) in new[] { (care, true), (noCare, false) })
        {
            foreach (var (query, compiled) in new[] { (reference, false), (shape, true) })
            {
                await client.DataAsync(query, new { first = 1 }); // warm-up
                foreach (var first in new[] { 5, 50 })
                {
                    var (statements, rows) = await CountAsync(client, query, list, first);
                    Assert.Equal(first, rows);
                    Assert.Equal(compiled ? 1 : 0, statements.Count(s => s.Contains("json_group_array", StringComparison.Ordinal)));
                    counts[(withCare, compiled, first)] = statements.Count;
                }
            }
        }

        foreach (var withCare in new[] { true, false })
        {
            foreach (var compiled in new[] { true, false }) Assert.Equal(counts[(withCare, compiled, 5)], counts[(withCare, compiled, 50)]);
        }
        Assert.Equal(counts[(false, false, 50)] + 1, counts[(true, false, 50)]);
        Assert.Equal(counts[(false, true, 50)], counts[(true, true, 50)]);
    }

    [Fact]
    public async Task The_counter_sees_every_statement()
    {
        using var client = hub.CreateClient(HubRole.Politie, DemoOrganisations.PolitieNoord);
        await client.DataAsync("{ cases(first: 1) { nodes { id } } }");

        // The compiled path: the page and its count are one statement, which the counter sees.
        var compiled = await CountedAsync(client, "{ cases(first: 1) { nodes { id } } }");
        Assert.Equal(compiled, await CountedAsync(client, "{ cases(first: 1) { totalCount nodes { id } } }"));
        Assert.Contains(hub.Counter.Statements, s => s.Contains("json_object", StringComparison.Ordinal));

        // The reference path (coordinates are left to it): the count is a statement of its own.
        var reference = await CountedAsync(client, "{ locations(first: 1) { nodes { latitude } } }");
        Assert.Equal(reference + 1, await CountedAsync(client, "{ locations(first: 1) { totalCount nodes { latitude } } }"));
    }

    private async Task<int> CountedAsync(HttpClient client, string query)
    {
        hub.Counter.Reset();
        await client.DataAsync(query);
        return hub.Counter.Count;
    }

    private async Task<(IReadOnlyList<string> Statements, int Rows)> CountAsync(HttpClient client, string query, string list, int first)
    {
        hub.Counter.Reset();
        var data = await client.DataAsync(query, new { first });
        var statements = hub.Counter.Statements;
        return (statements, data.GetProperty(list).GetProperty("nodes").GetArrayLength());
    }
}
