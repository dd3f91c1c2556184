using Microsoft.AspNetCore.Hosting;
using Microsoft.Data.SqlClient;

namespace Veiligheid.Tests.Infrastructure;

/// <summary>
/// The hub on a real SQL Server (the Azure pipeline's service container; VEILIGHEID_TEST_SQLSERVER holds its connection
/// string), migrated and seeded on start. Tests of <c>Category=SqlServer</c> skip themselves where it is not set.
/// </summary>
/// <param name="connectionString">The database: <see cref="ConnectionString"/> or <see cref="OwnDatabase"/>.</param>
/// <param name="settings">More settings for the host (a test's limits), applied before the database's.</param>
internal sealed class SqlServerHub(string connectionString, IReadOnlyDictionary<string, string>? settings = null) : HubFactory
{
    /// <summary>The pipeline's connection string; null where no SQL Server is configured (the development machines, .ci/run).</summary>
    public static string? ConnectionString { get; } = Environment.GetEnvironmentVariable("VEILIGHEID_TEST_SQLSERVER");

    /// <summary>The pipeline's server with a database of the test's own (its name with <paramref name="suffix"/>): test classes run side by side.</summary>
    public static string OwnDatabase(string suffix)
    {
        var builder = new SqlConnectionStringBuilder(ConnectionString);
        builder.InitialCatalog += suffix;
        return builder.ConnectionString;
    }

    protected override void ConfigureWebHost(IWebHostBuilder builder)
    {
        base.ConfigureWebHost(builder);
        foreach (var (key, value) in settings ?? new Dictionary<string, string>()) builder.UseSetting(key, value);
        builder.UseSetting("Database:Provider", "SqlServer");
        builder.UseSetting("ConnectionStrings:Veiligheid", connectionString);
    }
}
