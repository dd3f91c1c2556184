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
    /// Makes <paramref name="destination"/> a copy of the dataset (creating the dataset first when it is missing): the
    /// hub's file and its processing log's own file (<see cref="SqliteLogFile.PathFor"/>), which a dataset seeded by this
    /// build has and without which the hub refuses the copy. Whatever an earlier run left at the destination goes first
    /// (its WAL, its log, the log's index, which the hub makes again from the log).
    /// </summary>
    public static void CopyTo(string destination)
    {
        var source = Ensure();
        var sourceLog = SqliteLogFile.PathFor(source);
        if (string.Equals(System.IO.Path.GetFullPath(source), System.IO.Path.GetFullPath(destination), StringComparison.Ordinal))
            throw new ArgumentException("The copy must be another file than the dataset, which stays as the seed made it.", nameof(destination));
        foreach (var file in new[] { source, sourceLog })
        {
            if (File.Exists(file + "-wal")) throw new InvalidOperationException($"{file} has a WAL file: checkpoint it first, or the copy misses data.");
        }
        // Pooled connections to an earlier copy must go before it is overwritten (in-process runs set up again per benchmark).
        Microsoft.Data.Sqlite.SqliteConnection.ClearAllPools();
        foreach (var stale in DatabaseSetup.SqliteFiles(destination)) File.Delete(stale);
        File.Copy(source, destination);
        if (File.Exists(sourceLog)) File.Copy(sourceLog, SqliteLogFile.PathFor(destination));
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
                CopyTo(copy);
                _copied = true;
            }
            return copy;
        }
    }

    private static readonly object CopyLock = new();
    private static bool _copied;
}
