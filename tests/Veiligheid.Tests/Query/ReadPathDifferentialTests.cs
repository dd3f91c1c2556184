using System.Globalization;
using System.Text;
using System.Text.Json.Nodes;
using GraphQL;
using GraphQL.Types;
using Microsoft.Extensions.DependencyInjection;
using Veiligheid.Access;
using Veiligheid.Data;
using Veiligheid.Data.Seeding;
using Veiligheid.GraphQL;
using Veiligheid.GraphQL.Compiled;
using Veiligheid.Tests.Infrastructure;
using Xunit.Abstractions;

namespace Veiligheid.Tests.Query;

/// <summary>
/// The compiled read path against the reference path (GraphQL.NET resolvers over EF Core): a generated corpus of
/// operations (random selection sets with aliases, inline and named fragments, @skip/@include on variables, filters,
/// sorts and page sizes, lookups of visible, hidden and malformed ids) under every role and purpose and several
/// organisations, each run on both paths on the seeded database. Data, errors and the persons noted for the
/// processing log must be identical. The corpus is deterministic (a fixed seed), so a failure names an operation that
/// can be replayed.
/// </summary>
public sealed class ReadPathDifferentialTests(HubFactory hub, ITestOutputHelper output) : IClassFixture<HubFactory>
{
    /// <summary>The random operations of the corpus; <see cref="PersonRowFilters"/> adds its own after them.</summary>
    internal const int Operations = 600;

    [Fact]
    public async Task Compiled_and_reference_paths_answer_every_generated_operation_alike()
    {
        var compiledOperations = new HashSet<int>();
        var compiledNaming = new HashSet<int>();
        var (compiled, hits, failures) = await CompareCorpusAsync(hub.Services, compiledOperations, compiledNaming);
        var corpus = Corpus(hub.Services.GetRequiredService<SchemaRegistry>()).ToList();
        var withCursors = corpus.Where(c => c.Operation.Contains("after: \"", StringComparison.Ordinal)).ToList();
        var compiledWithCursors = withCursors.Count(c => compiledOperations.Contains(c.Index));
        var personRows = corpus.Where(c => c.Index >= Operations).ToList();
        output.WriteLine($"{Operations} random operations and {personRows.Count} filtering persons' rows, {compiled} answered by the compiled path, {hits} of them again from the plan cache, {failures.Count} differences; "
            + $"{withCursors.Count} page a nested list with a cursor, {compiledWithCursors} of them on the compiled path; "
            + $"{compiledNaming.Count} compiled ones note a person by BSN alone (a filter's).");
        Assert.True(failures.Count == 0, string.Join("\n\n", failures.Take(5)));
        // Those filtering persons' rows compare the paths' logged categories only where the compiled path answers them.
        Assert.NotEmpty(personRows);
        Assert.All(personRows, c => Assert.Contains(c.Index, compiledOperations));
        // The suite must exercise the compiled path, not only its fallback, and nested cursors and persons named by filters
        // on it (few: a BSN filter is one field among many; A_nested_lists_filter_names_… and FilterNamedPersonsTests add theirs).
        Assert.True(compiled >= Operations / 3, $"only {compiled} of {Operations} operations took the compiled path");
        Assert.True(compiledWithCursors >= 20, $"only {compiledWithCursors} operations with a nested cursor took the compiled path");
        Assert.True(compiledNaming.Count >= 3, $"only {compiledNaming.Count} compiled operations noted a person named by BSN");
    }

    /// <summary>Every nested list that takes arguments (from the schema, not a hand list) gets them somewhere in the corpus.</summary>
    [Fact]
    public void The_corpus_gives_every_nested_list_its_arguments()
    {
        var schemas = hub.Services.GetRequiredService<SchemaRegistry>();
        var lists = schemas.Full.AllTypes.OfType<IObjectGraphType>().Where(t => t.Name != "Query")
            .SelectMany(t => t.Fields.Where(f => f.Arguments?.Find("filter") is not null && !OperationGenerator.IsConnection(f)).Select(f => f.Name))
            .Distinct().ToList();
        var corpus = string.Join("\n", Corpus(schemas).Select(c => c.Operation));

        Assert.True(lists.Count >= 10, $"only {lists.Count} nested lists take arguments");
        Assert.All(lists, list => Assert.Matches($@"\b{list}\((first|filter|orderBy|after)", corpus));
        // And their cursors: valid ones (pages from anywhere in the list) and bad ones (the reference path's error).
        Assert.All(lists, list => Assert.Matches($@"\b{list}\([^)]*after: """, corpus));
        Assert.Contains("after: \"not-a-cursor\"", corpus, StringComparison.Ordinal);
    }

    /// <summary>
    /// The corpus run on both paths of a hub (SQLite here; SQL Server in <see cref="Data.SqlServerReadPathDifferentialTests"/>):
    /// how many took the compiled path, how many of those were answered again from the plan cache, and each operation whose data, errors or logged persons differ.
    /// <paramref name="compiledNaming"/> gets the compiled operations that noted a person by BSN alone: only a filter's BSN is noted so in the corpus.
    /// </summary>
    internal static async Task<(int Compiled, int Hits, List<string> Failures)> CompareCorpusAsync(IServiceProvider services, ISet<int>? compiledOperations = null,
        ISet<int>? compiledNaming = null)
    {
        var compiled = 0;
        var hits = 0;
        var failures = new List<string>();
        foreach (var (i, caller, operation) in Corpus(services.GetRequiredService<SchemaRegistry>()))
        {
            var (reference, referencePath, referenceLog, _) = await RunAsync(services, caller, operation, compiledReads: false);
            var (fast, fastPath, fastLog, _) = await RunAsync(services, caller, operation, compiledReads: true);
            Assert.NotEqual(ReadPath.Compiled, referencePath);
            if (fastPath == ReadPath.Compiled)
            {
                compiled++;
                compiledOperations?.Add(i);
                if (fastLog.StartsWith(':') || fastLog.Contains(";:", StringComparison.Ordinal)) compiledNaming?.Add(i);
            }
            if (!JsonNode.DeepEquals(JsonNode.Parse(reference), JsonNode.Parse(fast)) || referenceLog != fastLog)
            {
                failures.Add($"#{i} {caller.Role}/{caller.OrganisationKey}/{caller.Purpose} ({fastPath}):\n{operation}\nreference: {Clip(reference)} log {referenceLog}\ncompiled:  {Clip(fast)} log {fastLog}");
            }
            // Again: a compiled operation is now answered from its cached plan, without GraphQL, and must still agree;
            // one for the reference path is never served from the cache.
            var (again, againPath, againLog, hit) = await RunAsync(services, caller, operation, compiledReads: true);
            if (hit) hits++;
            if (hit != (fastPath == ReadPath.Compiled) || againPath != fastPath
                || !JsonNode.DeepEquals(JsonNode.Parse(reference), JsonNode.Parse(again)) || referenceLog != againLog)
            {
                failures.Add($"#{i} again {caller.Role}/{caller.OrganisationKey}/{caller.Purpose} ({againPath}, plan cache hit: {hit}, first {fastPath}):\n{operation}\nreference: {Clip(reference)} log {referenceLog}\ncached:    {Clip(again)} log {againLog}");
            }
        }
        return (compiled, hits, failures);
    }

    /// <summary>
    /// The generated operations with their callers, the same on every run (fixed seeds): the random ones, then those that
    /// filter persons' rows (<see cref="PersonRowFilters"/>), numbered after them so the random ones stay what they were.
    /// </summary>
    internal static IEnumerable<(int Index, Caller Caller, string Operation)> Corpus(SchemaRegistry schemas)
    {
        var random = new Random(20261127);
        var callers = Callers().ToList();
        for (var i = 0; i < Operations; i++)
        {
            var caller = callers[random.Next(callers.Count)];
            var schema = schemas.For(caller.Role, Purposes.Find(caller.Purpose));
            var operation = new OperationGenerator(random, schema).Generate();
            if (operation is not null) yield return (i, caller, operation);
        }
        var index = Operations;
        foreach (var (caller, operation) in PersonRowFilters.Operations(schemas, callers, new Random(20261128)))
            yield return (index++, caller, operation);
    }

    [Theory]
    [InlineData(HubRole.GemeenteCoordinator, DemoOrganisations.GemeenteVeiligstad, "cases", "title status")]
    [InlineData(HubRole.Politie, DemoOrganisations.PolitieNoord, "incidents", "category occurredAt")]
    [InlineData(HubRole.Woningcorporatie, DemoOrganisations.Woonstede, "cases", "title kind")]
    public async Task Paging_with_cursors_gives_the_same_pages_on_both_paths(HubRole role, string organisation, string list, string fields)
    {
        var caller = CallerOf(role, organisation, HubFactory.DefaultPurposeOf(role));
        string? after = null;
        for (var page = 0; page < 4; page++)
        {
            // The cursor comes from the reference path (the compiled path leaves cursor fields to it), the page from both.
            var cursorQuery = $"query($after: String) {{ {list}(first: 3, after: $after) {{ pageInfo {{ endCursor }} }} }}";
            var variables = new Inputs(new Dictionary<string, object?> { ["after"] = after });
            var pageQuery = $"query($after: String) {{ {list}(first: 3, after: $after) {{ totalCount pageInfo {{ hasNextPage hasPreviousPage }} nodes {{ id {fields} }} }} }}";
            var (reference, _, _, _) = await RunAsync(caller, pageQuery, compiledReads: false, variables);
            var (fast, path, _, _) = await RunAsync(caller, pageQuery, compiledReads: true, variables);
            Assert.Equal(ReadPath.Compiled, path);
            Assert.True(JsonNode.DeepEquals(JsonNode.Parse(reference), JsonNode.Parse(fast)), $"page {page}:\n{reference}\n{fast}");
            var (cursors, _, _, _) = await RunAsync(caller, cursorQuery, compiledReads: false, variables);
            after = JsonNode.Parse(cursors)!["data"]![list]!["pageInfo"]!["endCursor"]?.GetValue<string>();
            if (after is null) break;
        }
    }

    [Theory]
    [InlineData(HubRole.GemeenteCoordinator, DemoOrganisations.GemeenteVeiligstad,
        "{ persons(first: 40) { nodes { id cases(filter: { status: { in: [GEMELD, IN_BEHANDELING] } }, orderBy: [{ field: TITLE, direction: DESC }], first: 1) { role case { id title interventions(first: 2, orderBy: [{ field: END_DATE }]) { id endDate } } } interventions(first: 0) { id } } } }")]
    [InlineData(HubRole.Politie, DemoOrganisations.PolitieNoord,
        "{ incidents(first: 40) { nodes { id persons(orderBy: [{ field: SURNAME, direction: DESC }], first: 1) { role person { id surname incidents(first: 2, filter: { inPublicSpace: { eq: true } }) { incident { id } } } } } } }")]
    [InlineData(HubRole.Woningcorporatie, DemoOrganisations.Woonstede,
        "{ cases(first: 40) { nodes { id subjects(filter: { not: { surname: { startsWith: \"A\" } } }) { person { id } } interventions(orderBy: [{ field: START_DATE, direction: DESC }]) { id startDate } } } }")]
    [InlineData(HubRole.GemeenteCoordinator, DemoOrganisations.GemeenteVeiligstad,
        "{ cases(first: 40) { nodes { id participants(filter: { joinedAt: { gte: \"2000-01-01T00:00:00Z\" } }, orderBy: [{ field: JOINED_AT, direction: DESC }], first: 2) { joinedAt organisation { key } } statusHistory(filter: { not: { fromStatus: { isNull: true } } }, orderBy: [{ field: CHANGED_AT, direction: DESC }], first: 1) { fromStatus toStatus changedAt by { key } } contributions(filter: { text: { contains: \"e\" } }, first: 1) { text createdAt organisation { key } } } } }")]
    [InlineData(HubRole.GemeenteCoordinator, DemoOrganisations.GemeenteVeiligstad,
        "{ persons(first: 60) { nodes { id policeSignals(filter: { kind: { in: [GEWELD, VERWARD] } }, orderBy: [{ field: REGISTERED_ON }], first: 1) { kind registeredOn organisation { key } } tenancies(filter: { endDate: { isNull: false } }, orderBy: [{ field: END_DATE, direction: DESC }], first: 1) { startDate endDate landlord { key } dwelling { street } } } } }")]
    [InlineData(HubRole.Woningcorporatie, DemoOrganisations.Woonstede,
        "{ persons(first: 60) { nodes { id tenancies(filter: { or: [{ endDate: { isNull: true } }, { startDate: { lt: \"2015-01-01\" } }] }) { startDate endDate dwelling { postcode } } } } }")]
    public async Task Nested_filters_sorts_and_cuts_compile_and_answer_as_the_reference_path(HubRole role, string organisation, string query)
    {
        var caller = CallerOf(role, organisation, HubFactory.DefaultPurposeOf(role));
        var (reference, _, referenceLog, _) = await RunAsync(caller, query, compiledReads: false);
        var (fast, path, fastLog, _) = await RunAsync(caller, query, compiledReads: true);

        Assert.Equal(ReadPath.Compiled, path);
        Assert.DoesNotContain("\"errors\"", reference, StringComparison.Ordinal);
        Assert.True(JsonNode.DeepEquals(JsonNode.Parse(reference), JsonNode.Parse(fast)), $"reference: {Clip(reference)}\ncompiled:  {Clip(fast)}");
        Assert.Equal(referenceLog, fastLog);
    }

    /// <summary>
    /// A list under a person says something about that person whatever rows it answers (NestedListParentLoggingTests):
    /// both paths log the person with what the list may reveal, for persons listed and for persons reached as a case's
    /// subjects. Here every person the log holds is under a list of interventions that may be care trajectories, so under a
    /// slice with care data each whose care trajectories could be among the caller's rows is logged with it (the others not:
    /// a per-row test on the compiled path, a query per level on the reference path), and under one without it none is. The generated corpus seldom reads
    /// such a list under a person that comes back on the compiled path, and the other theories run under the role's
    /// broadest purpose, which for the coordinator is one without care data: so these callers are named here.
    /// </summary>
    [Theory]
    [MemberData(nameof(CareCallers))]
    public async Task Lists_under_persons_log_what_they_reveal_about_them_alike_on_both_paths(HubRole role, string organisation, string purpose)
    {
        var caller = CallerOf(role, organisation, purpose);
        const string query = """
            { persons(first: 60) { nodes { id
                care: interventions(filter: { kind: { in: [ZORGTRAJECT, SCHULDHULPVERLENING] } }, first: 1) { kind }
                warnings: interventions(filter: { kind: { eq: WAARSCHUWING } }) { id }
                cases(first: 2) { case { subjects { person { interventions(first: 0) { id } } } } } } } }
            """;
        var referenceLog = await LoggedAlikeOnBothPathsAsync(caller, query);
        var persons = referenceLog.Split(';');
        Assert.True(persons.Length > 1, $"only {referenceLog} logged");
        // Each with care data only where some care intervention of theirs could be among the caller's rows.
        HashSet<int> mayHoldCare = [];
        if (AccessPolicy.For(caller).MayReceiveCare)
        {
            using var scope = hub.Services.CreateScope();
            var db = scope.ServiceProvider.GetRequiredService<VeiligheidDbContext>();
            mayHoldCare = [.. Accountability.NestedListParentLoggingTests.CareCouldBeAmongRowsOf(db, DemoOrganisations.IdOf(organisation))];
            Assert.Contains(persons, p => mayHoldCare.Contains(int.Parse(p.Split(':')[0], CultureInfo.InvariantCulture)));
        }
        Assert.All(persons, p => Assert.Equal(mayHoldCare.Contains(int.Parse(p.Split(':')[0], CultureInfo.InvariantCulture)),
            p.Split(':')[1].Split(',').Contains(nameof(DataCategory.Zorg))));
    }

    /// <summary>
    /// A list of a case's interventions says something about the care of the case's subjects whatever rows it answers
    /// (NestedListParentLoggingTests): both paths log each subject whose care trajectories could be among the caller's rows
    /// with care data, wherever the case is reached (listed, under an intervention, under a person), and under a slice
    /// without care data no one. The generated corpus does not catch a path that leaves it out (checked by leaving it out of
    /// either path), so these callers and lists are named here.
    /// </summary>
    [Theory]
    [MemberData(nameof(CareCallers))]
    public async Task Lists_under_cases_log_their_subjects_care_alike_on_both_paths(HubRole role, string organisation, string purpose)
    {
        var caller = CallerOf(role, organisation, purpose);
        const string query = """
            { cases(first: 60) { nodes { id
                interventions(first: 0) { id }
                warnings: interventions(filter: { kind: { eq: WAARSCHUWING } }, first: 0) { id } } }
              interventions(first: 30) { nodes { case { care: interventions(filter: { kind: { in: [ZORGTRAJECT, SCHULDHULPVERLENING] } }, first: 0) { id } } } }
              persons(first: 30) { nodes { cases(first: 2) { case { interventions(first: 1) { kind } } } } } }
            """;
        var referenceLog = await LoggedAlikeOnBothPathsAsync(caller, query);
        var withCare = referenceLog.Split(';').Where(p => p.Split(':')[1].Split(',').Contains(nameof(DataCategory.Zorg)))
            .Select(p => int.Parse(p.Split(':')[0], CultureInfo.InvariantCulture)).ToList();
        if (!AccessPolicy.For(caller).MayReceiveCare)
        {
            Assert.Empty(withCare);
            return;
        }
        // Each with care data only where some care intervention of theirs could be among the caller's rows.
        using var scope = hub.Services.CreateScope();
        var db = scope.ServiceProvider.GetRequiredService<VeiligheidDbContext>();
        HashSet<int> mayHoldCare = [.. Accountability.NestedListParentLoggingTests.CareCouldBeAmongRowsOf(db, DemoOrganisations.IdOf(organisation))];
        Assert.NotEmpty(withCare);
        Assert.All(withCare, p => Assert.Contains(p, mayHoldCare));
    }

    /// <summary>
    /// A nested list's filter names its persons where the list is read, under each parent that came back: on the
    /// reference path its resolver runs per parent object, on the compiled path the mark sits in each parent row. With
    /// no parent the list is read nowhere, and neither path notes anyone.
    /// </summary>
    [Theory]
    [InlineData(40)]
    [InlineData(0)]
    public async Task A_nested_lists_filter_names_its_persons_alike_on_both_paths_where_the_list_is_read(int cases)
    {
        var caller = CallerOf(HubRole.GemeenteCoordinator, DemoOrganisations.GemeenteVeiligstad, HubFactory.DefaultPurposeOf(HubRole.GemeenteCoordinator));
        var query = $$"""{ cases(first: {{cases}}) { nodes { id subjects(filter: { or: [{ bsn: { eq: "111222333" } }, { not: { id: { in: ["{{GlobalId.Encode("Person", 5)}}"] } } }] }) { role } } } }""";
        var (reference, _, referenceLog, _) = await RunAsync(caller, query, compiledReads: false);
        var (fast, path, fastLog, _) = await RunAsync(caller, query, compiledReads: true);
        var (again, againPath, againLog, hit) = await RunAsync(caller, query, compiledReads: true);

        Assert.Equal(ReadPath.Compiled, path);
        Assert.Equal((ReadPath.Compiled, true), (againPath, hit));
        Assert.True(JsonNode.DeepEquals(JsonNode.Parse(reference), JsonNode.Parse(fast)), $"reference: {Clip(reference)}\ncompiled:  {Clip(fast)}");
        Assert.Equal(reference, again);
        Assert.Equal(referenceLog, fastLog);
        Assert.Equal(referenceLog, againLog);
        if (cases == 0)
        {
            Assert.Equal("", referenceLog);
        }
        else
        {
            // The BSN by itself (the log finds whether the hub holds it), person 5 by id, each as a case's subject.
            Assert.Contains(":Identiteit,Casus:bsn", referenceLog, StringComparison.Ordinal);
            Assert.Contains("5:Identiteit,Casus:", referenceLog, StringComparison.Ordinal);
        }
    }

    [Fact]
    public async Task A_hidden_case_is_absent_on_the_compiled_path_as_on_the_reference_path()
    {
        // A case only the police coordinate, looked up and listed by a housing corporation: null and absent on both paths.
        var db = hub.Services.CreateScope().ServiceProvider.GetRequiredService<VeiligheidDbContext>();
        var woonstede = DemoOrganisations.IdOf(DemoOrganisations.Woonstede);
        var hidden = db.Cases.Where(c => c.CoordinatingOrganisationId != woonstede && !c.Participants.Any(p => p.OrganisationId == woonstede)
                && !c.Locations.Any(l => l.Location.OwnerOrganisationId == woonstede))
            .Select(c => c.Id).First();
        var caller = CallerOf(HubRole.Woningcorporatie, DemoOrganisations.Woonstede, HubFactory.DefaultPurposeOf(HubRole.Woningcorporatie));
        var query = $$"""{ case(id: "{{GlobalId.Encode("Case", hidden)}}") { id title } cases(first: 100, filter: { id: { eq: "{{GlobalId.Encode("Case", hidden)}}" } }) { totalCount nodes { id } } }""";
        var (fast, path, _, _) = await RunAsync(caller, query, compiledReads: true);
        Assert.Equal(ReadPath.Compiled, path);
        var data = JsonNode.Parse(fast)!["data"]!;
        Assert.Null(data["case"]);
        Assert.Equal(0, data["cases"]!["totalCount"]!.GetValue<int>());
    }

    private static IEnumerable<Caller> Callers()
    {
        var organisations = DemoOrganisations.All;
        foreach (var role in HubRoles.All)
        {
            foreach (var organisation in organisations.Where(o => o.Kind == role.RequiredOrganisationKind()))
            {
                yield return CallerOf(role, organisation.Key, null);
                foreach (var purpose in Purposes.For(role)) yield return CallerOf(role, organisation.Key, purpose.Key);
            }
        }
    }

    /// <summary>
    /// Callers whose slice holds care data under their purpose (three organisations) and callers whose does not (a purpose
    /// without care, and the police): the lists that may say something about care are logged alike either way.
    /// </summary>
    public static TheoryData<HubRole, string, string> CareCallers => new()
    {
        { HubRole.GemeenteCoordinator, DemoOrganisations.GemeenteVeiligstad, "casusoverleg-zorg-en-veiligheid" },
        { HubRole.ZvhProcesregisseur, DemoOrganisations.ZvhRegioNoord, "casusoverleg-zorg-en-veiligheid" },
        { HubRole.Zorgaanbieder, DemoOrganisations.GgzHorizon, "casusoverleg-zorg-en-veiligheid" },
        { HubRole.GemeenteCoordinator, DemoOrganisations.GemeenteVeiligstad, "aanpak-woonoverlast" },
        { HubRole.Politie, DemoOrganisations.PolitieNoord, "casusoverleg-zorg-en-veiligheid" },
    };

    /// <summary>
    /// Runs <paramref name="query"/> on both paths and asserts that the compiled path answered it, with the reference path's
    /// data and the same processing log; returns that log.
    /// </summary>
    private async Task<string> LoggedAlikeOnBothPathsAsync(Caller caller, string query)
    {
        var (reference, _, referenceLog, _) = await RunAsync(caller, query, compiledReads: false);
        var (fast, path, fastLog, _) = await RunAsync(caller, query, compiledReads: true);

        Assert.Equal(ReadPath.Compiled, path);
        Assert.True(JsonNode.DeepEquals(JsonNode.Parse(reference), JsonNode.Parse(fast)), $"reference: {Clip(reference)}\ncompiled:  {Clip(fast)}");
        Assert.Equal(referenceLog, fastLog);
        return referenceLog;
    }

    internal static Caller CallerOf(HubRole role, string organisationKey, string? purpose)
    {
        var organisation = DemoOrganisations.All.Single(o => o.Key == organisationKey);
        return new Caller(role, DemoOrganisations.IdOf(organisationKey), organisationKey, organisation.Kind, organisation.ClientAppId, null, purpose);
    }

    /// <summary>
    /// Runs the operation on one path, as the executor serves it (the compiled path's plan cache included); the result as
    /// JSON, the persons the processing log would get, and whether a cached plan answered it.
    /// </summary>
    private Task<(string Json, ReadPath Path, string Log, bool PlanCacheHit)> RunAsync(Caller caller, string query, bool compiledReads, Inputs? variables = null)
        => RunAsync(hub.Services, caller, query, compiledReads, variables);

    internal static async Task<(string Json, ReadPath Path, string Log, bool PlanCacheHit)> RunAsync(IServiceProvider services, Caller caller, string query, bool compiledReads, Inputs? variables = null)
    {
        await using var scope = services.CreateAsyncScope();
        var executor = scope.ServiceProvider.GetRequiredService<GraphQLRequestExecutor>();
        var access = AccessPolicy.For(caller);
        // As served (the host's kept SQLite statements included), on the path asked for.
        var request = new GraphQLRequest(query, null, variables, null);
        var context = executor.ContextFor(request, access);
        context.CompiledReads = compiledReads;
        var result = await executor.RunAsync(request, access, context, scope.ServiceProvider, CancellationToken.None);
        var json = scope.ServiceProvider.GetRequiredService<IGraphQLTextSerializer>().Serialize(result);
        var log = string.Join(";", context.Processing.Persons.Select(p => $"{p.PersonId}:{string.Join(",", p.Categories)}:{(p.Bsn is null ? "-" : "bsn")}"));
        return (json, context.ReadPath, log, context.PlanCacheHit);
    }

    private static string Clip(string text) => text.Length > 1200 ? text[..1200] + "…" : text;
}

/// <summary>Generates a random, valid read operation for one role's schema.</summary>
internal sealed class OperationGenerator(Random random, ISchema schema)
{
    private static readonly int[] PageSizes = [0, 1, 2, 3, 5, 10, 25];
    private static readonly string[] Texts = ["a", "e", "1", "WK", "Woon", "van", "BU"];
    private static readonly string[] IdTypes = ["Case", "Person", "Incident", "Location", "Organisation", "Neighbourhood", "District"];
    private static readonly string[] Roots = ["cases", "incidents", "persons", "interventions", "locations", "case", "person", "incident", "intervention", "location", "organisations", "districts"];
    private readonly StringBuilder _fragments = new();
    private readonly List<string> _variables = [];
    private int _names;

    // Two in three operations keep to what the compiled path answers, so it is exercised; the rest roam the schema and
    // check the fallback to the reference path.
    private readonly bool _compilable = random.NextDouble() < 0.67;

    public string? Generate()
    {
        var query = schema.Query;
        var available = Roots.Where(r => query.GetField(r) is not null && (!_compilable || ReadMap.Roots.ContainsKey(r))).ToList();
        if (available.Count == 0) return null;
        var body = new StringBuilder();
        var count = random.Next(1, 3);
        for (var i = 0; i < count; i++)
        {
            var root = available[random.Next(available.Count)];
            var field = query.GetField(root)!;
            var alias = i > 0 || random.NextDouble() < 0.2 ? $"r{i}: " : "";
            body.Append(alias).Append(root).Append(RootArguments(root, field)).Append(' ').Append(SelectionOn(Named(field.ResolvedType!), 0)).Append(' ');
        }
        var variables = _variables.Count == 0 ? "" : "(" + string.Join(", ", _variables) + ")";
        return $"query Generated{variables} {{ {body}}}{_fragments}";
    }

    private string RootArguments(string root, FieldType field)
    {
        if (field.Arguments?.Find("id") is not null)
        {
            var type = char.ToUpperInvariant(root[0]) + root[1..];
            var id = random.NextDouble() switch
            {
                < 0.1 => "not-an-id",
                < 0.2 => GlobalId.Encode("Organisation", 1),
                _ => GlobalId.Encode(type, random.Next(1, 60)),
            };
            return $"(id: \"{id}\")";
        }
        if (field.Arguments?.Find("first") is null) return "";
        var arguments = new List<string>();
        if (random.NextDouble() < 0.7)
        {
            var first = PageSizes[random.Next(PageSizes.Length)];
            if (random.NextDouble() < 0.4)
            {
                // As a variable, with an inline default for half of them.
                var name = "first" + _names++;
                _variables.Add($"${name}: Int = {first}");
                arguments.Add($"first: ${name}");
            }
            else
            {
                arguments.Add($"first: {first}");
            }
        }
        if (field.Arguments.Find("filter") is { } filter && random.NextDouble() < 0.5)
            arguments.Add("filter: " + Value(filter.ResolvedType!, 0));
        if (field.Arguments.Find("orderBy") is { } orderBy && random.NextDouble() < 0.4)
            arguments.Add("orderBy: " + Value(orderBy.ResolvedType!, 0));
        return arguments.Count == 0 ? "" : "(" + string.Join(", ", arguments) + ")";
    }

    /// <summary>On a nested list that takes them (not a connection), now and then a filter, a sort, a cursor and a cut.</summary>
    private string NestedArguments(string owner, FieldType field)
    {
        if (field.Arguments?.Find("first") is null || IsConnection(field) || random.NextDouble() < 0.5) return "";
        var arguments = new List<string>();
        if (random.NextDouble() < 0.6) arguments.Add($"first: {PageSizes[random.Next(PageSizes.Length)]}");
        if (field.Arguments.Find("filter") is { } filter && random.NextDouble() < 0.5) arguments.Add("filter: " + Value(filter.ResolvedType!, 0));
        var cursor = field.Arguments.Find("after") is not null && random.NextDouble() < 0.35 ? Cursor($"{owner}.{field.Name}") : null;
        // A cursor is made for the documented order: with an orderBy as well it is a cursor of another order (an error).
        if (field.Arguments.Find("orderBy") is { } orderBy && random.NextDouble() < (cursor is null ? 0.5 : 0.1)) arguments.Add("orderBy: " + Value(orderBy.ResolvedType!, 0));
        if (cursor is not null) arguments.Add($"after: \"{cursor}\"");
        return arguments.Count == 0 ? "" : "(" + string.Join(", ", arguments) + ")";
    }

    /// <summary>A field whose value is a connection (a root list, Location.incidents, a nested list's …Page sibling).</summary>
    internal static bool IsConnection(FieldType field) => Named(field.ResolvedType!).Name.EndsWith("Connection", StringComparison.Ordinal);

    /// <summary>
    /// Mostly a valid cursor of the list at random sort keys (a position between rows, before them all or past them all),
    /// now and then garbage: both paths must page alike from anywhere, and refuse alike.
    /// </summary>
    private string Cursor(string list)
    {
        if (random.NextDouble() < 0.1) return "not-a-cursor";
        return NestedListsByName[list].DocumentedCursor(Key);
    }

    private object? Key(Type type)
    {
        if (Nullable.GetUnderlyingType(type) is { } underlying) return random.NextDouble() < 0.2 ? null : Key(underlying);
        if (type == typeof(int)) return random.Next(0, 400);
        if (type == typeof(string)) return Texts[random.Next(Texts.Length)];
        if (type == typeof(bool)) return random.NextDouble() < 0.5;
        if (type == typeof(DateOnly)) return new DateOnly(random.Next(1950, 2027), random.Next(1, 13), random.Next(1, 29));
        if (type == typeof(DateTime)) return new DateTime(random.Next(2018, 2027), random.Next(1, 13), random.Next(1, 29), random.Next(0, 24), random.Next(0, 60), 0, DateTimeKind.Utc);
        if (type.IsEnum)
        {
            var values = Enum.GetValues(type);
            return values.GetValue(random.Next(values.Length));
        }
        throw new NotSupportedException($"a sort key of type {type.Name}");
    }

    /// <summary>The nested lists of the hub by the name their cursors carry (Type.field), found where they are declared.</summary>
    private static readonly Dictionary<string, INestedListCursor> NestedListsByName = typeof(NestedListArguments).Assembly.GetTypes()
        .SelectMany(t => t.GetProperties(System.Reflection.BindingFlags.Public | System.Reflection.BindingFlags.Static))
        .Where(p => typeof(INestedListCursor).IsAssignableFrom(p.PropertyType))
        .Select(p => (INestedListCursor)p.GetValue(null)!)
        .ToDictionary(l => l.Name);

    private string SelectionOn(IGraphType type, int depth)
    {
        if (type is not IComplexGraphType complex) return "";
        var fields = complex.Fields.Where(f => Usable(f, depth) && (!_compilable || Compilable(complex.Name, f.Name))).ToList();
        if (fields.Count == 0) return "{ __typename }";
        var picked = fields.OrderBy(_ => random.Next()).Take(random.Next(1, Math.Min(6, fields.Count) + 1)).ToList();
        var parts = new List<string>();
        foreach (var field in picked)
        {
            var named = Named(field.ResolvedType!);
            var sub = named is IComplexGraphType ? " " + SelectionOn(named, depth + 1) : "";
            var alias = random.NextDouble() < 0.15 ? $"a{_names++}: " : "";
            var directive = "";
            if (random.NextDouble() < 0.1)
            {
                var flag = "flag" + _names++;
                var value = random.NextDouble() < 0.5;
                _variables.Add($"${flag}: Boolean = {(value ? "true" : "false")}");
                directive = random.NextDouble() < 0.5 ? $" @include(if: ${flag})" : $" @skip(if: ${flag})";
            }
            parts.Add(alias + field.Name + NestedArguments(complex.Name, field) + directive + sub);
        }
        if (random.NextDouble() < 0.1) parts.Add("__typename");
        if (random.NextDouble() < 0.2 && parts.Count > 1)
        {
            // Some fields through a fragment, inline or named.
            var moved = parts[^1];
            parts.RemoveAt(parts.Count - 1);
            if (random.NextDouble() < 0.5)
            {
                parts.Add($"... on {complex.Name} {{ {moved} }}");
            }
            else
            {
                var name = "F" + _names++;
                _fragments.Append($"\nfragment {name} on {complex.Name} {{ {moved} }}");
                parts.Add("..." + name);
            }
        }
        return "{ " + string.Join(" ", parts) + " }";
    }

    internal static bool Compilable(string type, string field) => type switch
    {
        _ when ReadMap.Types.TryGetValue(type, out var mapped) => mapped.Fields.ContainsKey(field),
        _ when type.EndsWith("Connection", StringComparison.Ordinal) => field is "nodes" or "edges" or "totalCount" or "pageInfo",
        _ when type.EndsWith("Edge", StringComparison.Ordinal) => field == "node",
        "PageInfo" => field is "hasNextPage" or "hasPreviousPage",
        _ => false,
    };

    private static bool Usable(FieldType field, int depth)
    {
        // Fields with required arguments (figures, the processing log) are for their own tests.
        if (RequiresArguments(field)) return false;
        var named = Named(field.ResolvedType!);
        return named is not IComplexGraphType || depth < 3;
    }

    private string Value(IGraphType type, int depth)
    {
        switch (type)
        {
            case NonNullGraphType nonNull:
                return Value(nonNull.ResolvedType!, depth);
            case ListGraphType list:
                var items = Enumerable.Range(0, random.Next(1, 3)).Select(_ => Value(list.ResolvedType!, depth + 1));
                return "[" + string.Join(", ", items) + "]";
            case EnumerationGraphType enumeration:
                var values = enumeration.Values.ToList();
                return values[random.Next(values.Count)].Name;
            case IInputObjectGraphType input:
                var fields = input.Fields.Where(f => depth < 2 || Named(f.ResolvedType!) is not IInputObjectGraphType).ToList();
                if (fields.Count == 0) return "{}";
                var picked = fields.OrderBy(_ => random.Next()).Take(random.Next(1, Math.Min(2, fields.Count) + 1));
                return "{ " + string.Join(", ", picked.Select(f => $"{f.Name}: {Value(f.ResolvedType!, depth + 1)}")) + " }";
            default:
                return Scalar(type.Name);
        }
    }

    private string Scalar(string name) => name switch
    {
        "Boolean" => random.NextDouble() < 0.5 ? "true" : "false",
        "Int" => random.Next(0, 6).ToString(CultureInfo.InvariantCulture),
        "String" => "\"" + Texts[random.Next(Texts.Length)] + "\"",
        "Date" => $"\"20{random.Next(20, 27)}-0{random.Next(1, 10)}-01\"",
        "DateTime" => $"\"20{random.Next(20, 27)}-0{random.Next(1, 10)}-01T00:00:00Z\"",
        "BSN" => "\"111222333\"",
        "ID" => "\"" + GlobalId.Encode(IdTypes[random.Next(IdTypes.Length)], random.Next(1, 40)) + "\"",
        "BagId" => "\"0363010000000001\"",
        _ => "\"x\"",
    };

    internal static bool RequiresArguments(FieldType field) => field.Arguments?.Any(a => a.ResolvedType is NonNullGraphType && a.DefaultValue is null) == true;

    internal static IGraphType Named(IGraphType type) => type switch
    {
        NonNullGraphType nonNull => Named(nonNull.ResolvedType!),
        ListGraphType list => Named(list.ResolvedType!),
        _ => type,
    };
}

/// <summary>
/// Operations that filter a list of persons, or of links to persons (every list whose filter is the person filter, found in
/// the schema: the persons list, a case's subjects, an incident's persons), on each field of the persons that is not an
/// identifier (names, a date of birth, an address), with a condition every person with a value there meets, under a
/// selection of the row that reads none of the categories the person filter reads. Each row the filter keeps is logged
/// with what the filter read of its person (<see cref="FilterDefinition{T}.ReadOfEachPerson"/>), so the corpus compares
/// the categories both paths log for them: the random operations' filters seldom keep a row (their texts and dates rarely
/// match) and their selections mostly read the person's identity themselves, so a path that left them out went unseen.
/// For each list and field, one caller of each role whose schema has both, drawn at random.
/// </summary>
internal static class PersonRowFilters
{
    private const string PersonFilter = "PersonFilter";
    private const int PageSize = 25;

    public static IEnumerable<(Caller Caller, string Operation)> Operations(SchemaRegistry schemas, IReadOnlyList<Caller> callers, Random random)
    {
        var shapes = callers
            .SelectMany(caller => For(schemas.For(caller.Role, Purposes.Find(caller.Purpose))).Select(o => (Caller: caller, o.Shape, o.Operation)))
            .GroupBy(o => (o.Caller.Role, o.Shape))
            .OrderBy(g => g.Key.Role).ThenBy(g => g.Key.Shape, StringComparer.Ordinal);
        foreach (var shape in shapes)
        {
            var candidates = shape.ToList();
            var (caller, _, operation) = candidates[random.Next(candidates.Count)];
            yield return (caller, operation);
        }
    }

    /// <summary>The operations of one role's schema, each with its list and filter field (Type.list.field).</summary>
    private static IEnumerable<(string Shape, string Operation)> For(VeiligheidSchema schema)
    {
        if (schema.AllTypes[PersonFilter] is not IInputObjectGraphType filter) yield break;
        // What the filter can read of a person: the rows' selection reads none of it, so only the filter puts it in the log.
        var read = filter.Fields.Select(f => f.GetMetadata<DataCategory?>(DataCategoryMetadata.Key)).OfType<DataCategory>().ToHashSet();
        var conditions = filter.Fields.Select(f => (f.Name, Condition: Condition(f.ResolvedType!, filter))).Where(c => c.Condition is not null).ToList();
        foreach (var owner in schema.AllTypes.OfType<IObjectGraphType>().OrderBy(t => t.Name, StringComparer.Ordinal))
        {
            foreach (var list in owner.Fields.Where(f => f.Arguments?.Find("filter")?.ResolvedType is { } type && OperationGenerator.Named(type).Name == PersonFilter))
            {
                foreach (var (name, condition) in conditions)
                {
                    if (Operation(schema.Query, owner, list, $"{{ {name}: {condition} }}", read) is { } operation)
                        yield return ($"{owner.Name}.{list.Name}.{name}", operation);
                }
            }
        }
    }

    /// <summary>
    /// The list filtered so, its rows read under a root list the compiled path answers; null for a list it does not answer
    /// (a …Page sibling) or a row with nothing to select.
    /// </summary>
    private static string? Operation(IObjectGraphType query, IObjectGraphType owner, FieldType list, string filter, HashSet<DataCategory> read)
    {
        if (owner == query)
        {
            if (!ReadMap.Roots.ContainsKey(list.Name) || !OperationGenerator.IsConnection(list)) return null;
            return Selection(NodeOf(list), read) is { } rows ? $"{{ {list.Name}(first: {PageSize}, filter: {filter}) {{ nodes {rows} }} }}" : null;
        }
        if (OperationGenerator.IsConnection(list) || !OperationGenerator.Compilable(owner.Name, list.Name)) return null;
        var root = query.Fields.Where(f => ReadMap.Roots.ContainsKey(f.Name) && OperationGenerator.IsConnection(f) && NodeOf(f) == owner)
            .OrderBy(f => f.Name, StringComparer.Ordinal).FirstOrDefault();
        if (root is null || Selection((IObjectGraphType)OperationGenerator.Named(list.ResolvedType!), read) is not { } selection) return null;
        return $"{{ {root.Name}(first: {PageSize}) {{ nodes {{ {list.Name}(filter: {filter}) {selection} }} }} }}";
    }

    /// <summary>The fields of the row the compiled path answers that read none of <paramref name="read"/> (a list only for its __typename); null when none does.</summary>
    private static string? Selection(IObjectGraphType row, HashSet<DataCategory> read)
    {
        var fields = row.Fields
            .Where(f => OperationGenerator.Compilable(row.Name, f.Name) && !OperationGenerator.RequiresArguments(f) && !read.Contains(SchemaSlice.CategoryOf(row, f)))
            .Select(f => OperationGenerator.Named(f.ResolvedType!) is IComplexGraphType ? $"{f.Name} {{ __typename }}" : f.Name)
            .ToList();
        return fields.Count == 0 ? null : "{ " + string.Join(" ", fields) + " }";
    }

    private static IObjectGraphType NodeOf(FieldType connection)
        => (IObjectGraphType)OperationGenerator.Named(((IComplexGraphType)OperationGenerator.Named(connection.ResolvedType!)).GetField("nodes")!.ResolvedType!);

    /// <summary>
    /// A condition every row with a value meets, on a field of <paramref name="owner"/>: on a related entity's filter (a
    /// person's address), on the first of its fields that has one. None for an identifier (an id or a BSN: eq and in
    /// only, which name rows) nor for and, or and not.
    /// </summary>
    private static string? Condition(IGraphType type, IInputObjectGraphType owner)
    {
        if ((type is NonNullGraphType nonNull ? nonNull.ResolvedType : type) is ListGraphType) return null;
        if (OperationGenerator.Named(type) is not IInputObjectGraphType input || input == owner) return null;
        if (input.GetField("isNull") is not null) return "{ isNull: false }";
        if (input.GetField("gte") is not null) return "{ gte: 0 }";
        return input.Fields.Select(f => (f.Name, Condition: Condition(f.ResolvedType!, input))).FirstOrDefault(f => f.Condition is not null) is { Condition: { } condition } first
            ? $"{{ {first.Name}: {condition} }}"
            : null;
    }
}
