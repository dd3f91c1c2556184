using System.Buffers.Text;
using System.Text;
using System.Text.Json.Nodes;
using Veiligheid.Access;
using Veiligheid.Data.Seeding;
using Veiligheid.GraphQL.Compiled;
using Veiligheid.Tests.Infrastructure;

namespace Veiligheid.Tests.Query;

/// <summary>
/// The compiled path correlates a level with its parent through a placeholder parameter whose value it then replaces by
/// the parent's column. A client's own number (a filter value, a cursor's key) that happens to equal a placeholder must
/// stay the client's value: otherwise the filter tests the parent's column (a foreign key the caller may not be shown,
/// such as a person's address) instead of what the client asked, and the two paths disagree.
/// </summary>
public sealed class CompiledPlaceholderTests(HubFactory hub) : IClassFixture<HubFactory>
{
    // The value of the first placeholder a compiled read makes (CompiledRead.PlaceholderBase).
    private const int Placeholder = -1_900_000_000;

    private static string Cursor(string json) => Base64Url.EncodeToString(Encoding.UTF8.GetBytes(json));

    public static TheoryData<string> Queries => new()
    {
        // The first placeholder of the read is the person's address (its AddressId); the sibling list's filter sends the same number.
        $"{{ persons(first: 100) {{ nodes {{ id address {{ id }} tenancies(filter: {{ dwelling: {{ houseNumber: {{ lt: {Placeholder} }} }} }}) {{ startDate }} }} }} }}",
        $"{{ persons(first: 100) {{ nodes {{ id address {{ id }} cases(filter: {{ location: {{ houseNumber: {{ lt: {Placeholder} }} }} }}) {{ case {{ id }} }} }} }} }}",
        // The same through a cursor's id key.
        $"{{ persons(first: 100) {{ nodes {{ id address {{ id }} cases(orderBy: [{{ field: ID }}], after: \"{Cursor($"[\"Person.cases:ID\",{Placeholder}]")}\") {{ case {{ id }} }} }} }} }}",
    };

    [Theory]
    [MemberData(nameof(Queries))]
    public async Task A_client_value_equal_to_a_placeholder_is_not_replaced_by_a_parent_column(string query)
    {
        var organisation = DemoOrganisations.All.Single(o => o.Key == DemoOrganisations.GemeenteVeiligstad);
        var caller = new Caller(HubRole.GemeenteCoordinator, DemoOrganisations.IdOf(organisation.Key), organisation.Key, organisation.Kind,
            organisation.ClientAppId, null, "casusoverleg-zorg-en-veiligheid");

        var (expected, referencePath, _, _) = await ReadPathDifferentialTests.RunAsync(hub.Services, caller, query, compiledReads: false);
        var (actual, _, _, _) = await ReadPathDifferentialTests.RunAsync(hub.Services, caller, query, compiledReads: true);

        Assert.Equal(ReadPath.Reference, referencePath);
        Assert.DoesNotContain("\"errors\"", expected, StringComparison.Ordinal);
        Assert.True(JsonNode.DeepEquals(JsonNode.Parse(expected), JsonNode.Parse(actual)), $"reference: {expected}\ncompiled: {actual}");
    }
}
