using System.Net;
using GraphQL;
using GraphQL.Types;
using Microsoft.Extensions.DependencyInjection;
using Veiligheid.Access;
using Veiligheid.GraphQL;
using Veiligheid.Tests.Infrastructure;

namespace Veiligheid.Tests.Access;

/// <summary>
/// For every role, under every purpose it may invoke and under none, and every field of the schema, derived from the
/// policy (not a hand-picked sample): the caller's introspection over HTTP shows the field exactly when the role's
/// categories narrowed by the purpose grant the field's category and the category of the type the field returns.
/// </summary>
public sealed class RoleSchemaTests(HubFactory hub) : IClassFixture<HubFactory>
{
    public static TheoryData<HubRole, string?> RolesAndPurposes()
    {
        var data = new TheoryData<HubRole, string?>();
        foreach (var role in HubRoles.All)
        {
            data.Add(role, null);
            foreach (var purpose in Purposes.For(role)) data.Add(role, purpose.Key);
        }
        return data;
    }

    [Theory]
    [MemberData(nameof(RolesAndPurposes))]
    public async Task Introspection_shows_a_field_exactly_when_the_policy_allows_it(HubRole role, string? purpose)
    {
        var granted = Purposes.Effective(role, Purposes.Find(purpose));
        var full = hub.Services.GetRequiredService<SchemaRegistry>().Full;
        var seen = await IntrospectedFieldsAsync(role, purpose);

        var mismatches = new List<string>();
        foreach (var type in full.AllTypes.OfType<IObjectGraphType>().Where(t => CategoryAttribute.Of(t.GetType()) is not null))
        {
            var typeGranted = granted.Contains(CategoryAttribute.Of(type.GetType())!.Value);
            if (!seen.TryGetValue(type.Name, out var roleFields))
            {
                // Absent types are fine only when the policy withholds them, or no granted field leads to them.
                continue;
            }
            if (!typeGranted) mismatches.Add($"type {type.Name} is visible but its category is not granted");
            foreach (var field in type.Fields)
            {
                var expected = granted.Contains(FieldCategory(type, field)) && ReturnsGrantedType(field, granted) && WriteGranted(field, role) && CursorsGranted(field, granted);
                if (expected != roleFields.Contains(field.Name))
                    mismatches.Add($"{type.Name}.{field.Name}: policy says {(expected ? "visible" : "hidden")}");
            }
        }
        Assert.True(mismatches.Count == 0, $"{role}/{purpose}: " + string.Join("; ", mismatches));
        Assert.Contains("Query", seen.Keys);
    }

    [Theory]
    [MemberData(nameof(RolesAndPurposes))]
    public async Task Types_reachable_through_granted_fields_are_all_present(HubRole role, string? purpose)
    {
        var granted = Purposes.Effective(role, Purposes.Find(purpose));
        var full = hub.Services.GetRequiredService<SchemaRegistry>().Full;
        var seen = await IntrospectedFieldsAsync(role, purpose);
        var expectedTypes = new HashSet<string>();
        var queue = new Queue<IObjectGraphType>([(IObjectGraphType)full.Query]);
        // The Mutation type exists for a role only when the role may perform at least one of its writes.
        if (full.Mutation is { } mutation && mutation.Fields.Any(f => granted.Contains(FieldCategory(mutation, f)) && ReturnsGrantedType(f, granted) && WriteGranted(f, role)))
            queue.Enqueue(mutation);
        while (queue.TryDequeue(out var type))
        {
            if (!expectedTypes.Add(type.Name)) continue;
            // Paging wrappers (connections, edges, page info) carry no category of their own.
            var isWrapper = CategoryAttribute.Of(type.GetType()) is null;
            foreach (var field in type.Fields.Where(f => isWrapper || (granted.Contains(FieldCategory(type, f)) && ReturnsGrantedType(f, granted) && WriteGranted(f, role) && CursorsGranted(f, granted))))
            {
                if (field.ResolvedType!.GetNamedType() is IObjectGraphType next) queue.Enqueue(next);
            }
        }
        Assert.Equal(expectedTypes.Order(), seen.Keys.Where(k => !k.StartsWith("__", StringComparison.Ordinal)).Order());
    }

    [Fact]
    public async Task A_hidden_field_is_rejected_at_validation_without_data_and_suggestions_never_name_hidden_fields()
    {
        var client = hub.CreateClient(HubRole.Woningcorporatie, RoleOrganisations.For(HubRole.Woningcorporatie));

        var response = await client.PostGraphQLAsync("{ persons { nodes { surname lifeDomains { financien { score } } } } }");
        Assert.Equal(HttpStatusCode.BadRequest, response.Status);
        Assert.False(response.HasData);
        Assert.Contains("Cannot query field 'lifeDomains'", response.Errors[0]!["message"]!.GetValue<string>(), StringComparison.Ordinal);

        // "policeSignal" is one letter from a field the police has; the corporation must not learn it exists.
        var typo = await client.PostGraphQLAsync("{ persons { nodes { policeSignal } } }");
        Assert.Equal(HttpStatusCode.BadRequest, typo.Status);
        Assert.DoesNotContain("policeSignals", typo.Body!.ToJsonString(), StringComparison.Ordinal);
    }

    /// <summary>A mutation field needs its write action granted to the role.</summary>
    private static bool WriteGranted(FieldType field, HubRole role)
        => field.GetMetadata<WriteAction?>(WriteActionMetadata.Key) is not { } action || AccessPolicy.Roles[role].Writes.Contains(action);

    /// <summary>
    /// A nested list's …Page sibling holds cursors with the sort keys of the entity its filter tests: it needs that
    /// entity's category (the filter definition's) granted too.
    /// </summary>
    private static bool CursorsGranted(FieldType field, IReadOnlySet<DataCategory> granted)
        => field.GetMetadata<Type?>(NestedListCursors.RequiresKey) is not { } required
           || required.GetGenericArguments().All(a => CategoryAttribute.Of(a) is not { } category || granted.Contains(category));

    private static DataCategory FieldCategory(IObjectGraphType type, FieldType field)
        => field.GetMetadata<DataCategory?>(DataCategoryMetadata.Key) ?? CategoryAttribute.Of(type.GetType())!.Value;

    /// <summary>The object type a field returns (through lists, non-null and paging wrappers) has a granted category.</summary>
    private static bool ReturnsGrantedType(FieldType field, IReadOnlySet<DataCategory> granted)
    {
        var named = field.ResolvedType!.GetNamedType();
        if (named is IObjectGraphType wrapper && CategoryAttribute.Of(wrapper.GetType()) is null && wrapper.GetField("nodes") is { } nodes)
            named = nodes.ResolvedType!.GetNamedType();
        return CategoryAttribute.Of(named.GetType()) is not { } category || granted.Contains(category);
    }

    private async Task<Dictionary<string, HashSet<string>>> IntrospectedFieldsAsync(HubRole role, string? purpose)
    {
        var client = hub.CreateClientWithPurpose(role, RoleOrganisations.For(role), purpose);
        var response = await client.QueryOkAsync("{ __schema { types { name kind fields { name } } } }");
        return response.Required("__schema.types").AsArray()
            .Where(t => t!["kind"]!.GetValue<string>() == "OBJECT")
            .ToDictionary(t => t!["name"]!.GetValue<string>(), t => t!["fields"]!.AsArray().Select(f => f!["name"]!.GetValue<string>()).ToHashSet());
    }
}
