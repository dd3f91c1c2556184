namespace Veiligheid.GraphQL;

/// <summary>`schema [--out DIR]`: rewrites the committed contract in schema/ from the running schema.</summary>
public static class SchemaCommand
{
    public static int Run(string[] args)
    {
        // `dotnet run --project` starts in the project folder: find the repository's schema/ beside Veiligheid.sln.
        var output = args is ["--out", var dir] ? dir : Path.Combine(RepositoryRoot(), "schema");
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

    public static string RepositoryRoot(string? start = null)
    {
        for (var dir = new DirectoryInfo(start ?? Directory.GetCurrentDirectory()); dir is not null; dir = dir.Parent)
        {
            if (File.Exists(Path.Combine(dir.FullName, "Veiligheid.sln"))) return dir.FullName;
        }
        throw new InvalidOperationException("Run this from inside the repository (no Veiligheid.sln found above the working directory).");
    }
}
