using GraphQL.Types;
using Microsoft.Extensions.DependencyInjection;
using Veiligheid.GraphQL;

namespace Veiligheid.Tests.GraphQL;

/// <summary>The committed contract in schema/ is the running schema, and every part of it is described.</summary>
public sealed class SchemaContractTests
{
    private static readonly SchemaRegistry Schemas = new(new ServiceCollection().BuildServiceProvider());

    [Fact]
    public void Committed_schema_files_equal_the_running_schema()
    {
        var root = Path.Combine(SchemaCommand.RepositoryRoot(AppContext.BaseDirectory), "schema");
        var generated = SchemaArtifacts.Generate(Schemas);
        var stale = new List<string>();
        foreach (var (relative, content) in generated)
        {
            var path = Path.Combine(root, relative);
            if (!File.Exists(path) || File.ReadAllText(path).ReplaceLineEndings("\n") != content) stale.Add(relative);
        }
        var committed = Directory.EnumerateFiles(root, "*", SearchOption.AllDirectories)
            .Select(p => Path.GetRelativePath(root, p).Replace('\\', '/'))
            .Where(p => p.EndsWith(".graphql", StringComparison.Ordinal) || p.EndsWith(".md", StringComparison.Ordinal))
            .Where(p => !p.StartsWith("trusted-documents/", StringComparison.Ordinal));
        stale.AddRange(committed.Where(p => !generated.ContainsKey(p)).Select(p => p + " (no longer generated)"));

        Assert.True(stale.Count == 0,
            $"schema/ differs from the running schema in: {string.Join(", ", stale)}. Rewrite it with: {SchemaArtifacts.RewriteCommand}");
    }

    [Fact]
    public void Every_type_field_argument_and_enum_value_has_a_description()
    {
        var missing = new List<string>();
        foreach (var type in Schemas.Full.AllTypes.Where(t => !t.Name.StartsWith("__", StringComparison.Ordinal) && !IsBuiltInScalar(t)))
        {
            if (string.IsNullOrWhiteSpace(type.Description)) missing.Add(type.Name);
            if (type is IComplexGraphType complex)
            {
                foreach (var field in complex.Fields)
                {
                    if (string.IsNullOrWhiteSpace(field.Description)) missing.Add($"{type.Name}.{field.Name}");
                    foreach (var argument in field.Arguments ?? [])
                    {
                        if (string.IsNullOrWhiteSpace(argument.Description)) missing.Add($"{type.Name}.{field.Name}({argument.Name})");
                    }
                }
            }
            if (type is EnumerationGraphType enumeration)
            {
                missing.AddRange(enumeration.Values.Where(v => string.IsNullOrWhiteSpace(v.Description)).Select(v => $"{type.Name}.{v.Name}"));
            }
        }
        Assert.True(missing.Count == 0, "Without a description: " + string.Join(", ", missing));
    }

    private static bool IsBuiltInScalar(IGraphType type)
        => type is ScalarGraphType && type.Name is "String" or "Int" or "Float" or "Boolean" or "ID" or "Decimal";
}
