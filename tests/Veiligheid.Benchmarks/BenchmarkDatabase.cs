using Veiligheid.Data;
using Veiligheid.Data.Seeding;

namespace Veiligheid.Benchmarks;

/// <summary>
/// The shared benchmark dataset: the seed command's generator at 100,000 persons and 1,000,000 incidents, in a SQLite
/// file made once and reused (VEILIGHEID_BENCH_DB, default /tmp/veiligheid-bench.db). Every suite and its raw-SQL
/// baselines read the same file.
/// </summary>
public static class BenchmarkDatabase
{
    public const int Persons = 100_000;
    public const int Incidents = 1_000_000;

    public static string Path { get; } = Environment.GetEnvironmentVariable("VEILIGHEID_BENCH_DB") ?? "/tmp/veiligheid-bench.db";

    public static string ConnectionString => DatabaseSetup.SqliteConnectionString(Path);

    /// <summary>Creates the dataset when the file is missing; returns its path.</summary>
    public static string Ensure()
    {
        if (File.Exists(Path)) return Path;
        var code = SeedCommand.RunAsync(["--persons", Persons.ToString(System.Globalization.CultureInfo.InvariantCulture),
            "--incidents", Incidents.ToString(System.Globalization.CultureInfo.InvariantCulture), "--database", Path]).GetAwaiter().GetResult();
        if (code != 0) throw new InvalidOperationException($"Seeding the benchmark database failed with exit code {code}.");
        return Path;
    }

    /// <summary>
    /// A copy of the dataset for a hub that writes (the processing log grows with every person-level read), made once
    /// per process, so the shared file stays as the seed made it and the hand-written baselines read the same data.
    /// </summary>
    public static string WritableCopy()
    {
        lock (CopyLock)
        {
            var copy = System.IO.Path.ChangeExtension(Ensure(), null) + ".hub.db";
            if (!_copied)
            {
                Microsoft.Data.Sqlite.SqliteConnection.ClearAllPools();
                // The processing log's own file too (SqliteLogFile): a log of an earlier run must not continue on the copy.
                foreach (var stale in DatabaseSetup.SqliteFiles(copy)) File.Delete(stale);
                File.Copy(Path, copy);
                _copied = true;
            }
            return copy;
        }
    }

    private static readonly object CopyLock = new();
    private static bool _copied;
}
