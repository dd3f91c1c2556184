using Microsoft.Data.Sqlite;
using Microsoft.EntityFrameworkCore;

namespace Veiligheid.Data.Seeding;

/// <summary>
/// Opens a SQLite database file for seeding and brings its schema up. Stand-in until the shared database setup
/// (migration-based) is merged: the lead swaps this for <c>DatabaseSetup.CreateSqliteContext</c>.
/// </summary>
internal static class SeedDatabase
{
    public static SqliteVeiligheidDbContext CreateSqliteContext(string databasePath)
    {
        var options = new DbContextOptionsBuilder<SqliteVeiligheidDbContext>()
            .UseSqlite(ConnectionString(databasePath))
            .Options;
        return new SqliteVeiligheidDbContext(options);
    }

    /// <summary>
    /// Closes pooled connections to the file: a pooled connection would otherwise keep a deleted file alive and be
    /// handed out again for a new file at the same path.
    /// </summary>
    public static void ReleaseFile(string databasePath)
    {
        using var connection = new SqliteConnection(ConnectionString(databasePath));
        SqliteConnection.ClearPool(connection);
    }

    private static string ConnectionString(string databasePath)
        => new SqliteConnectionStringBuilder { DataSource = databasePath }.ToString();

    /// <summary>Applies the migrations if the assembly has any, else creates the schema straight from the model.</summary>
    public static async Task CreateSchemaAsync(VeiligheidDbContext db, CancellationToken cancellationToken)
    {
        if (db.Database.GetMigrations().Any()) await db.Database.MigrateAsync(cancellationToken);
        else await db.Database.EnsureCreatedAsync(cancellationToken);
    }
}
