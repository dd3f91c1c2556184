using Veiligheid.Access;
using Veiligheid.Data.Seeding;
using Veiligheid.GraphQL;
using Veiligheid.Tests.Infrastructure;

namespace Veiligheid.Tests.Mutations;

/// <summary>Each role's schema shows exactly the mutations the access policy grants it.</summary>
public sealed class MutationSchemaTests(HubFactory hub) : IClassFixture<HubFactory>
{
    public static TheoryData<HubRole> Roles() => new(HubRoles.All);

    [Theory]
    [MemberData(nameof(Roles))]
    public async Task A_roles_mutations_are_those_its_writes_allow(HubRole role)
    {
        using var client = hub.CreateClient(role, DemoOrganisations.All.First(o => o.Kind == role.RequiredOrganisationKind()).Key);
        var response = await client.PostAsync("{ __schema { mutationType { fields { name } } } }");
        Assert.True(response["errors"] is null, response.ToJsonString());
        var mutationType = response["data"]!["__schema"]!["mutationType"];
        var actual = mutationType is null ? [] : mutationType["fields"]!.AsArray().Select(f => (string)f!["name"]!).Order().ToList();

        var schema = hub.Services.GetService(typeof(SchemaRegistry)) as SchemaRegistry;
        var writes = AccessPolicy.Roles[role].Writes;
        var expected = schema!.Full.Mutation!.Fields
            .Where(f => writes.Contains(f.GetMetadata<WriteAction>(WriteActionMetadata.Key)) && AccessPolicy.Roles[role].Categories.Contains(SchemaSlice.CategoryOf(schema.Full.Mutation, f)))
            .Select(f => f.Name).Order().ToList();

        Assert.Equal(expected, actual);
        if (writes.Count == 0) Assert.Null(mutationType);
    }
}
