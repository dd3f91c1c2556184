namespace Veiligheid.GraphQL;

/// <summary>`schema [--out DIR]`: rewrites the committed contract in schema/ from the running schema.</summary>
public static class SchemaCommand
{
    public static int Run(string[] args)
    {
        var output = args is ["--out", var dir] ? dir : "schema";
        var services = new ServiceCollection().BuildServiceProvider();
        var files = SchemaArtifacts.Generate(new SchemaRegistry(services));
        foreach (var (relative, content) in files)
        {
            var path = Path.Combine(output, relative);
            Directory.CreateDirectory(Path.GetDirectoryName(Path.GetFullPath(path))!);
            File.WriteAllText(path, content);
        }
        Console.Error.WriteLine($"Wrote {files.Count} files to {Path.GetFullPath(output)}");
        return 0;
    }
}
