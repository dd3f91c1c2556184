using System.ComponentModel;
namespace Veiligheid.Data;

/// <summary>Which database the hub runs on (configuration section "Database").</summary>
public sealed class DatabaseOptions
{
    public const string Section = "Database";

    /// <summary>Sqlite (the embedded default) or SqlServer (production, with ConnectionStrings:Veiligheid).</summary>
    public DatabaseProvider Provider { get; set; } = DatabaseProvider.Sqlite;

    /// <summary>The SQLite file, relative to the working directory; created, migrated and seeded on first run.</summary>
    public string SqlitePath { get; set; } = Path.Combine("data", "veiligheid.db");

    /// <summary>Apply pending migrations at start-up. Production deployments may run the script from the pipeline instead.</summary>
    public bool MigrateOnStartup { get; set; } = true;

    /// <summary>Seed the demo data set when the database has no organisations yet. Never in Production.</summary>
    public bool SeedDemoData { get; set; } = true;

    /// <summary>
    /// Reuse DbContext instances across requests (EF Core's context pooling): a request's context then comes with EF
    /// Core's per-context services already set up, which a new context builds on its first use (0.3–0.6 ms a request,
    /// BENCHMARKS.md). Off: a new context per request, as before.
    /// </summary>
    public bool PoolContexts { get; set; } = true;
}

/// <summary>The supported database engines.</summary>
[Description("The supported database engines.")]
public enum DatabaseProvider
{
    Sqlite,
    SqlServer,
}
