using Microsoft.Data.Sqlite;
using Microsoft.EntityFrameworkCore;

namespace Veiligheid.Data.Seeding;

/// <summary>Opens a SQLite database file for seeding and brings its schema up with the migrations.</summary>
internal static class SeedDatabase
{
    public static SqliteVeiligheidDbContext CreateSqliteContext(string databasePath) => DatabaseSetup.OpenSqlite(databasePath);

    /// <summary>
    /// Closes pooled connections to the file: a pooled connection would otherwise keep a deleted file alive and be
    /// handed out again for a new file at the same path.
    /// </summary>
    public static void ReleaseFile(string databasePath)
    {
        using var connection = new SqliteConnection(ConnectionString(databasePath));
        SqliteConnection.ClearPool(connection);
    }

    // The same connection string OpenSqlite uses: pools are keyed by it, so only this clears the right one.
    private static string ConnectionString(string databasePath) => DatabaseSetup.SqliteConnectionString(Path.GetFullPath(databasePath));

    public static Task CreateSchemaAsync(VeiligheidDbContext db, CancellationToken cancellationToken)
        => db.MigrateAsync(cancellationToken);
}
