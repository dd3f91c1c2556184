using System.Data.Common;
using System.Diagnostics;
using System.Globalization;

namespace Veiligheid.Data.Seeding;

/// <summary>
/// The <c>seed</c> command line: generates synthetic data and writes it into a new SQLite database. Also the entry
/// point the app's first-run demo seed uses, so demo and benchmark data come from the same code.
/// </summary>
public static class SeedCommand
{
    public const int ExitOk = 0;
    public const int ExitFailed = 1;
    public const int ExitUsage = 2;

    public const string DefaultDatabasePath = "veiligheid.db";

    private const string Usage =
        "Usage: seed [--persons N] [--incidents M] [--database PATH] [--seed S] [--replace]\n" +
        "  --persons N     synthetic persons (default 300, at least 50)\n" +
        "  --incidents M   incidents over two years (default 3000)\n" +
        "  --database PATH SQLite file to create (default veiligheid.db)\n" +
        "  --seed S        random seed (default 20261127); the same options give the same data\n" +
        "  --replace       delete an existing database file first";

    /// <summary>Generates the data for <paramref name="options"/> and writes it into the empty database behind <paramref name="db"/>.</summary>
    public static Task SeedAsync(VeiligheidDbContext db, SeedOptions options, CancellationToken cancellationToken)
        => SeedAsync(db, options, log: null, cancellationToken);

    /// <inheritdoc cref="SeedAsync(VeiligheidDbContext, SeedOptions, CancellationToken)"/>
    /// <param name="log">Receives progress lines: counts and timings only.</param>
    public static async Task SeedAsync(VeiligheidDbContext db, SeedOptions options, Action<string>? log,
        CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(db);
        ArgumentNullException.ThrowIfNull(options);
        var data = SyntheticData.Generate(options);
        await SeedWriter.WriteAsync(db, data, log, cancellationToken);
    }

    /// <summary>Runs <c>seed [options]</c> (the arguments after "seed"); returns the process exit code.</summary>
    public static async Task<int> RunAsync(string[] args, TextWriter? output = null, TextWriter? error = null,
        CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(args);
        output ??= Console.Out;
        error ??= Console.Error;

        if (!TryParse(args, out var options, out var path, out var replace, out var problem))
        {
            if (problem is null)
            {
                await output.WriteLineAsync(Usage);
                return ExitOk;
            }
            await error.WriteLineAsync(problem);
            await error.WriteLineAsync(Usage);
            return ExitUsage;
        }

        var watch = Stopwatch.StartNew();
        void Log(string line) => output.WriteLine(string.Create(CultureInfo.InvariantCulture, $"[{watch.Elapsed:mm\\:ss\\.f}] {line}"));
        try
        {
            if (replace)
            {
                SeedDatabase.ReleaseFile(path);
                // The processing log's own file goes with it: a log of the replaced data must not continue on the new.
                foreach (var file in DatabaseSetup.SqliteFiles(path))
                    if (File.Exists(file)) File.Delete(file);
            }
            var directory = Path.GetDirectoryName(Path.GetFullPath(path));
            if (!string.IsNullOrEmpty(directory)) Directory.CreateDirectory(directory);

            Log(string.Create(CultureInfo.InvariantCulture,
                $"Seeding {path}: {options.Persons:N0} persons, {options.Incidents:N0} incidents, {options.Cases:N0} cases, seed {options.Seed}."));
            await using (var db = SeedDatabase.CreateSqliteContext(path))
            {
                await SeedDatabase.CreateSchemaAsync(db, cancellationToken);
                Log("Schema ready.");
                await SeedAsync(db, options, Log, cancellationToken);
            }
            SeedDatabase.ReleaseFile(path); // closes the file, so the WAL is checkpointed and the size below is real
            var size = new FileInfo(path).Length;
            Log(string.Create(CultureInfo.InvariantCulture,
                $"Done in {watch.Elapsed.TotalSeconds:F1} s; {path} is {size / (1024.0 * 1024.0):F1} MB."));
            return ExitOk;
        }
        catch (Exception ex) when (ex is InvalidOperationException or DbException or IOException or UnauthorizedAccessException)
        {
            await error.WriteLineAsync($"Seeding failed: {ex.Message}");
            return ExitFailed;
        }
    }

    /// <summary>Parses the arguments; false with a null problem means help was asked for.</summary>
    private static bool TryParse(string[] args, out SeedOptions options, out string path, out bool replace, out string? problem)
    {
        options = SeedOptions.Demo;
        path = DefaultDatabasePath;
        replace = false;
        problem = null;
        var persons = SeedOptions.Demo.Persons;
        var incidents = SeedOptions.Demo.Incidents;
        var seed = SeedOptions.DefaultSeed;

        for (var i = 0; i < args.Length; i++)
        {
            var name = args[i];
            if (name is "--help" or "-h" or "-?") return false;
            if (name == "--replace")
            {
                replace = true;
                continue;
            }
            if (name is not ("--persons" or "--incidents" or "--database" or "--seed"))
            {
                problem = $"Unknown argument '{name}'.";
                return false;
            }
            if (i + 1 >= args.Length)
            {
                problem = $"{name} needs a value.";
                return false;
            }
            var value = args[++i];
            if (name == "--database")
            {
                if (string.IsNullOrWhiteSpace(value))
                {
                    problem = "--database needs a file path.";
                    return false;
                }
                path = value;
                continue;
            }
            if (!int.TryParse(value, NumberStyles.Integer, CultureInfo.InvariantCulture, out var number))
            {
                problem = $"{name} needs a whole number, not '{value}'.";
                return false;
            }
            switch (name)
            {
                case "--persons": persons = number; break;
                case "--incidents": incidents = number; break;
                default: seed = number; break;
            }
        }

        options = new SeedOptions { Persons = persons, Incidents = incidents, Seed = seed };
        try
        {
            options.Validate();
        }
        catch (ArgumentOutOfRangeException ex)
        {
            problem = ex.Message;
            return false;
        }
        return true;
    }
}
