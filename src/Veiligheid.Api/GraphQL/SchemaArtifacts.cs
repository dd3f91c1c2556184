using System.Text;
using GraphQL;
using GraphQL.Types;
using GraphQL.Utilities;
using Veiligheid.Access;

namespace Veiligheid.GraphQL;

/// <summary>
/// The committed contract in schema/: the full SDL, the SDL each role sees, and the access matrix, all generated from
/// the schemas (and so from the access policy). The `schema` command writes them; a test fails when they differ.
/// </summary>
public static class SchemaArtifacts
{
    public const string RewriteCommand = "dotnet run --project src/Veiligheid.Api -- schema";

    /// <summary>Relative path under schema/ → content.</summary>
    public static IReadOnlyDictionary<string, string> Generate(SchemaRegistry schemas)
    {
        ArgumentNullException.ThrowIfNull(schemas);
        var files = new SortedDictionary<string, string>(StringComparer.Ordinal)
        {
            ["veiligheid.graphql"] = Print(schemas.Full),
            ["access-matrix.md"] = AccessMatrix(schemas),
            ["entra-app-roles.json"] = EntraAppRoles(),
        };
        foreach (var role in HubRoles.All) files[$"roles/{role.Slug()}.graphql"] = Print(schemas.For(role));
        return files;
    }

    public static string Print(ISchema schema)
        => schema.Print(new PrintOptions { IncludeDescriptions = true, IncludeDeprecationReasons = true, StringComparison = StringComparison.Ordinal })
            .ReplaceLineEndings("\n").TrimEnd() + "\n";

    /// <summary>Every field of every domain object type (paging wrappers follow their node type and are left out).</summary>
    public static IEnumerable<(IObjectGraphType Type, FieldType Field)> ObjectFields(ISchema schema)
    {
        ArgumentNullException.ThrowIfNull(schema);
        return schema.AllTypes.OfType<IObjectGraphType>()
            .Where(t => t is ISlicedGraphType)
            .OrderBy(t => t.Name, StringComparer.Ordinal)
            .SelectMany(t => t.Fields.OrderBy(f => f.Name, StringComparer.Ordinal).Select(f => (t, f)));
    }

    private static string AccessMatrix(SchemaRegistry schemas)
    {
        var roles = HubRoles.All.ToList();
        var sb = new StringBuilder();
        sb.Append("# Access matrix\n\n");
        sb.Append("Generated from the access policy (`src/Veiligheid.Api/Access/AccessPolicy.cs`) by `").Append(RewriteCommand).Append("`; do not edit by hand.\n\n");
        sb.Append("## Roles\n\n| Role | Highest confidentiality | Categories | What it is for |\n|---|---|---|---|\n");
        foreach (var role in roles)
        {
            var access = AccessPolicy.Roles[role];
            sb.Append("| `").Append(role.TokenValue()).Append("` | ").Append(access.MaxConfidentiality).Append(" | ")
              .Append(string.Join(", ", access.Categories.Order())).Append(" | ").Append(access.Description).Append(" |\n");
        }

        sb.Append("\n## Which rows each role sees\n\nEvery role also obeys the rules that hold for all: nothing above its highest confidentiality level; ondermijning cases only for the organisations named on them; care interventions (")
          .Append(string.Join(", ", AccessPolicy.CareInterventionKinds.Order())).Append(") beyond their executor only with the person's active consent.\n\n");
        sb.Append("| Role | Cases | Persons | Incidents | Interventions | Locations | Tenancies |\n|---|---|---|---|---|---|---|\n");
        foreach (var role in roles)
        {
            var a = AccessPolicy.Roles[role];
            sb.Append("| `").Append(role.TokenValue()).Append("` | ")
              .Append(Rule(a.Cases?.Explanation)).Append(" | ").Append(Rule(a.Persons?.Explanation)).Append(" | ")
              .Append(Rule(a.Incidents?.Explanation)).Append(" | ").Append(Rule(a.Interventions?.Explanation)).Append(" | ")
              .Append(Rule(a.Locations?.Explanation)).Append(" | ").Append(Rule(a.Tenancies?.Explanation)).Append(" |\n");
        }

        sb.Append("\n## Purposes (doelbinding)\n\nRegistered in `src/Veiligheid.Api/Access/Purposes.cs`. A request that reads person-level data names one in the `")
          .Append(Purposes.Header).Append("` header; it may read the categories its role holds *and* the purpose covers. Without a purpose only ")
          .Append(string.Join(", ", Purposes.WithoutPurpose.Order())).Append(" are available. Retention counts from a case's closure.\n\n");
        sb.Append("| Purpose | Legal ground | Roles that may invoke it | Categories covered | Retention | Case kinds |\n|---|---|---|---|---|---|\n");
        foreach (var purpose in Purposes.All)
        {
            sb.Append("| `").Append(purpose.Key).Append("` ").Append(purpose.Name).Append(" | ").Append(purpose.LegalGround).Append(" | ")
              .Append(string.Join(", ", purpose.Roles.Order().Select(r => "`" + r.TokenValue() + "`"))).Append(" | ")
              .Append(string.Join(", ", purpose.Categories.Order())).Append(" | ")
              .Append(purpose.RetentionYears.ToString(System.Globalization.CultureInfo.InvariantCulture)).Append(" years | ")
              .Append(purpose.CaseKinds.Count == 0 ? "none" : string.Join(", ", purpose.CaseKinds.Order())).Append(" |\n");
        }

        sb.Append("\n## Which writes each role may perform\n\nA mutation exists in a role's schema only when the role holds its write action (and the categories of what it returns). Row rules for writes, on top of the read rules: ")
          .Append(string.Join("; ", new[] { WriteRules.AddToCase.Explanation, WriteRules.ChangeCaseStatus.Explanation, WriteRules.EditIntervention.Explanation, WriteRules.ManageConsent.Explanation }))
          .Append(".\n\n| Role | Writes |\n|---|---|\n");
        foreach (var role in roles)
        {
            var writes = AccessPolicy.Roles[role].Writes;
            sb.Append("| `").Append(role.TokenValue()).Append("` | ").Append(writes.Count == 0 ? "none" : string.Join(", ", writes.Order())).Append(" |\n");
        }

        sb.Append("\n## Life domains (care data)\n\nA life-domain score is shared with its assessor, with an organisation the person consented to, or with the participants of a case whose legal ground covers the domain:\n\n| Legal ground | Domains covered |\n|---|---|\n");
        foreach (var (ground, domains) in AccessPolicy.LegalGroundCoverage.OrderBy(g => g.Key))
            sb.Append("| ").Append(ground).Append(" | ").Append(domains.Count == 0 ? "none" : string.Join(", ", domains.Order())).Append(" |\n");

        sb.Append("\n## Fields\n\n✓ = the role's schema has the field. A field exists for a role when the role holds its category and the type it returns exists for the role.\n\n");
        sb.Append("| Type.field | Category | ").Append(string.Join(" | ", roles.Select(r => r.TokenValue()))).Append(" |\n|---|---|")
          .Append(string.Concat(roles.Select(_ => "---|"))).Append('\n');
        foreach (var (type, field) in ObjectFields(schemas.Full))
        {
            sb.Append("| `").Append(type.Name).Append('.').Append(field.Name).Append("` | ")
              .Append(SchemaSlice.CategoryOf(type, field)).Append(" |");
            foreach (var role in roles)
            {
                var roleType = schemas.For(role).AllTypes[type.Name] as IObjectGraphType;
                sb.Append(roleType?.GetField(field.Name) is null ? "  |" : " ✓ |");
            }
            sb.Append('\n');
        }
        AppendFilterFields(sb, schemas, roles);
        return sb.ToString();
    }

    /// <summary>The filter inputs (and sort values) each role's schema has: a role can only test what it may read.</summary>
    private static void AppendFilterFields(StringBuilder sb, SchemaRegistry schemas, List<HubRole> roles)
    {
        sb.Append("\n## Filter and sort fields\n\n✓ = the role's schema can filter (`XFilter.field`) or sort (`XSortField.VALUE`) on it. Each carries the category of the field it tests.\n\n");
        sb.Append("| Input.field | Category | ").Append(string.Join(" | ", roles.Select(r => r.TokenValue()))).Append(" |\n|---|---|")
          .Append(string.Concat(roles.Select(_ => "---|"))).Append('\n');
        var inputs = schemas.Full.AllTypes.OfType<IInputObjectGraphType>().Where(t => t is ISlicedGraphType).OrderBy(t => t.Name, StringComparer.Ordinal);
        foreach (var input in inputs)
        {
            foreach (var field in input.Fields.OrderBy(f => f.Name, StringComparer.Ordinal))
            {
                sb.Append("| `").Append(input.Name).Append('.').Append(field.Name).Append("` | ").Append(SchemaSlice.CategoryOf(input, field)).Append(" |");
                foreach (var role in roles)
                    sb.Append((schemas.For(role).AllTypes[input.Name] as IInputObjectGraphType)?.GetField(field.Name) is null ? "  |" : " ✓ |");
                sb.Append('\n');
            }
        }
        foreach (var sorts in schemas.Full.AllTypes.OfType<EnumerationGraphType>().Where(t => t is ISlicedGraphType).OrderBy(t => t.Name, StringComparer.Ordinal))
        {
            foreach (var value in sorts.Values.OrderBy(v => v.Name, StringComparer.Ordinal))
            {
                sb.Append("| `").Append(sorts.Name).Append('.').Append(value.Name).Append("` | ").Append(value.GetMetadata<DataCategory?>(DataCategoryMetadata.Key)).Append(" |");
                foreach (var role in roles)
                    sb.Append((schemas.For(role).AllTypes[sorts.Name] as EnumerationGraphType)?.Values.FindByName(value.Name) is null ? "  |" : " ✓ |");
                sb.Append('\n');
            }
        }
    }

    private static string Rule(string? explanation) => explanation ?? "none";

    /// <summary>
    /// The appRoles section for the hub's Entra ID app registration manifest, from the roles and the policy. Role ids are
    /// derived from the role value so that regenerating never changes an id a tenant already assigned.
    /// </summary>
    private static string EntraAppRoles()
    {
        var roles = HubRoles.All.Select(role => new
        {
            allowedMemberTypes = AppRoleMemberTypes,
            description = AccessPolicy.Roles[role].Description,
            displayName = role.TokenValue(),
            id = StableGuid("veiligheid-app-role:" + role.TokenValue()),
            isEnabled = true,
            value = role.TokenValue(),
        });
        return System.Text.Json.JsonSerializer.Serialize(new { appRoles = roles }, Indented) + "\n";
    }

    // Partner systems get app-only tokens, people signed in through a front end get user tokens: both are assignable.
    private static readonly string[] AppRoleMemberTypes = ["Application", "User"];
    private static readonly System.Text.Json.JsonSerializerOptions Indented = new()
    {
        WriteIndented = true,
        Encoder = System.Text.Encodings.Web.JavaScriptEncoder.UnsafeRelaxedJsonEscaping,
    };

    private static Guid StableGuid(string text)
    {
        var hash = System.Security.Cryptography.SHA256.HashData(Encoding.UTF8.GetBytes(text));
        hash[6] = (byte)((hash[6] & 0x0F) | 0x50); // version 5-style marker
        hash[8] = (byte)((hash[8] & 0x3F) | 0x80);
        return new Guid(hash.AsSpan(0, 16));
    }
}
