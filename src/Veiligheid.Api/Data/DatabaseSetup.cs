using Microsoft.Data.Sqlite;
using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Design;
using Microsoft.EntityFrameworkCore.Diagnostics;
using Microsoft.Extensions.Options;

namespace Veiligheid.Data;

/// <summary>Provider selection: the one place that knows how each engine is configured.</summary>
public static class DatabaseSetup
{
    public const string ConnectionStringName = "Veiligheid";

    /// <summary>
    /// Registers the DbContext for the configured provider. EF Core interceptors registered as <see cref="IInterceptor"/>
    /// services are attached, so operations (and tests) can observe every statement without touching the model.
    /// </summary>
    public static IServiceCollection AddVeiligheidData(this IServiceCollection services, IConfiguration configuration)
    {
        var options = configuration.GetSection(DatabaseOptions.Section).Get<DatabaseOptions>() ?? new DatabaseOptions();
        services.Configure<DatabaseOptions>(configuration.GetSection(DatabaseOptions.Section));
        switch (options.Provider)
        {
            case DatabaseProvider.SqlServer:
                var connectionString = configuration.GetConnectionString(ConnectionStringName)
                    ?? throw new InvalidOperationException(
                        $"Database:Provider is SqlServer but ConnectionStrings:{ConnectionStringName} is not set.");
                Register<SqlServerVeiligheidDbContext>(services, options.PoolContexts, (sp, o) => ConfigureSqlServer(o, connectionString).AddInterceptors(sp.GetServices<IInterceptor>()));
                break;
            default:
                var path = Path.GetFullPath(options.SqlitePath);
                Register<SqliteVeiligheidDbContext>(services, options.PoolContexts, (sp, o) => ConfigureSqlite(o, SqliteConnectionString(path)).AddInterceptors(sp.GetServices<IInterceptor>()));
                break;
        }
        return services;
    }

    /// <summary>
    /// One DbContext per request (scoped), its options built once: the default builds them (and runs the configuration
    /// above) again for every request, work the profile of a short read showed on its hot path. Pooled
    /// (<see cref="DatabaseOptions.PoolContexts"/>): the request's context is taken from EF Core's pool and reset when the
    /// scope ends (change tracker, open connection and transaction, command timeout); the options, and with them the
    /// interceptors, come from the root provider, which is where every <see cref="IInterceptor"/> here is registered
    /// (singletons). The contexts hold no state of their own beyond what EF Core resets (their clock is the
    /// application's <see cref="TimeProvider"/>, read at each save).
    /// </summary>
    private static void Register<TContext>(IServiceCollection services, bool pooled, Action<IServiceProvider, DbContextOptionsBuilder> configure)
        where TContext : VeiligheidDbContext
    {
        if (pooled) services.AddDbContextPool<VeiligheidDbContext, TContext>(configure);
        else services.AddDbContext<VeiligheidDbContext, TContext>(configure, ServiceLifetime.Scoped, ServiceLifetime.Singleton);
    }

    public static string SqliteConnectionString(string path) => $"Data Source={path};Foreign Keys=True;Pooling=True";

    /// <summary>
    /// Every file of the hub's SQLite database at <paramref name="path"/>: its own with its WAL, shared memory and journal,
    /// and the processing log's and its index's (<see cref="SqliteLogFile.FilesFor"/>). Delete them together.
    /// </summary>
    public static IEnumerable<string> SqliteFiles(string path) => SqliteLogFile.WithCompanions(path).Concat(SqliteLogFile.FilesFor(path));

    /// <summary>
    /// SQLite with durable commits (synchronous=FULL on every connection, see <see cref="SqliteDurability"/>) and the
    /// processing log's file and its index's attached to each (<see cref="SqliteLogFile"/>).
    /// </summary>
    public static DbContextOptionsBuilder ConfigureSqlite(DbContextOptionsBuilder builder, string connectionString)
        => builder.UseSqlite(connectionString, sqlite => sqlite.MigrationsAssembly(typeof(DatabaseSetup).Assembly.FullName))
            .AddInterceptors(SqliteLogAttachment.Instance, SqliteDurability.Instance); // attached first: durability covers both files

    /// <summary>
    /// Applies the migrations, then (on a SQLite file) moves the processing log's tables into the log's own file and its
    /// index into the index's (<see cref="SqliteLogFile.MoveIntoOwnFileAsync"/>). Everything that migrates a hub database
    /// goes through here.
    /// </summary>
    public static async Task MigrateAsync(this VeiligheidDbContext db, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(db);
        SqliteLogFile.SetAsideUnreadableIndex(db);
        await db.Database.MigrateAsync(cancellationToken);
        await SqliteLogFile.MoveIntoOwnFileAsync(db, cancellationToken);
    }

    public static DbContextOptionsBuilder ConfigureSqlServer(DbContextOptionsBuilder builder, string connectionString)
        => builder.UseSqlServer(connectionString, sql => sql.MigrationsAssembly(typeof(DatabaseSetup).Assembly.FullName));

    /// <summary>
    /// A context on one existing SQLite file alone, for reading: nothing attached, nothing created (a missing file fails
    /// to open), no pooled connection left open. verify-log reads the processing log's file and its index's each this
    /// way, so the chain's verdict needs neither the index's file nor the hub's.
    /// </summary>
    /// <remarks>
    /// Opened read-write though only read: SQLite's read-only mode still makes a WAL file's companions (its WAL and shared
    /// memory) and, unable to write, cannot remove them again on close; read-write never creates the file itself either.
    /// </remarks>
    public static SqliteVeiligheidDbContext OpenSqliteFileAlone(string path)
    {
        var builder = new DbContextOptionsBuilder<SqliteVeiligheidDbContext>();
        builder.UseSqlite(new SqliteConnectionStringBuilder { DataSource = Path.GetFullPath(path), Mode = SqliteOpenMode.ReadWrite, Pooling = false }.ToString());
        return new SqliteVeiligheidDbContext(builder.Options);
    }

    /// <summary>Opens a SQLite database file outside the host (the seed command), migrated.</summary>
    public static SqliteVeiligheidDbContext OpenSqlite(string path)
    {
        var full = Path.GetFullPath(path);
        Directory.CreateDirectory(Path.GetDirectoryName(full)!);
        var builder = new DbContextOptionsBuilder<SqliteVeiligheidDbContext>();
        ConfigureSqlite(builder, SqliteConnectionString(full));
        return new SqliteVeiligheidDbContext(builder.Options);
    }

    /// <summary>Creates the SQLite folder, applies migrations and seeds the demo data when the database is new.</summary>
    public static async Task PrepareDatabaseAsync(this IServiceProvider services, CancellationToken cancellationToken = default)
    {
        var options = services.GetRequiredService<IOptions<DatabaseOptions>>().Value;
        await using var scope = services.CreateAsyncScope();
        var db = scope.ServiceProvider.GetRequiredService<VeiligheidDbContext>();
        if (db.OnSqlite)
        {
            var path = Path.GetFullPath(options.SqlitePath);
            Directory.CreateDirectory(Path.GetDirectoryName(path)!);
        }
        if (options.MigrateOnStartup) await db.MigrateAsync(cancellationToken);
        else
        {
            // Where the log is, is the hub's layout, not a migration.
            SqliteLogFile.SetAsideUnreadableIndex(db);
            await SqliteLogFile.MoveIntoOwnFileAsync(db, cancellationToken);
        }
        if (db.OnSqlite)
        {
            await db.Database.OpenConnectionAsync(cancellationToken);
            try
            {
                await SqliteDurability.EnsureWriteAheadLogAsync(db.Database.GetDbConnection(), cancellationToken);
            }
            finally
            {
                await db.Database.CloseConnectionAsync();
            }
        }
        var consistency = services.GetRequiredService<ILoggerFactory>().CreateLogger(typeof(Accountability.LogConsistency));
        await Accountability.LogConsistency.CheckHubNotOlderThanLogAsync(db, cancellationToken, consistency);
        // Only where the host has the log (the hub; not the token command, which prepares the database to read its register).
        if (services.GetService<Accountability.ProcessingLog>() is { } log)
            await Accountability.LogConsistency.CheckPseudonymKeyAsync(log, db, cancellationToken, consistency);
        var environment = services.GetRequiredService<IHostEnvironment>();
        if (options.SeedDemoData && !environment.IsProduction() && !await db.Organisations.AnyAsync(cancellationToken))
        {
            var logger = services.GetRequiredService<ILoggerFactory>().CreateLogger(typeof(DatabaseSetup));
            logger.LogInformation("Seeding the synthetic demo data set");
            await DemoSeed.SeedAsync(db, cancellationToken);
        }
    }
}

/// <summary>Lets `dotnet ef` build the SQLite context without starting the host.</summary>
public sealed class SqliteDesignTimeFactory : IDesignTimeDbContextFactory<SqliteVeiligheidDbContext>
{
    public SqliteVeiligheidDbContext CreateDbContext(string[] args) => DatabaseSetup.OpenSqlite(Path.Combine("data", "design-time.db"));
}

/// <summary>Lets `dotnet ef` build the SQL Server context without a server (scripts and migrations only).</summary>
public sealed class SqlServerDesignTimeFactory : IDesignTimeDbContextFactory<SqlServerVeiligheidDbContext>
{
    public SqlServerVeiligheidDbContext CreateDbContext(string[] args)
    {
        var builder = new DbContextOptionsBuilder<SqlServerVeiligheidDbContext>();
        DatabaseSetup.ConfigureSqlServer(builder, "Server=localhost;Database=Veiligheid;Integrated Security=true;TrustServerCertificate=true");
        return new SqlServerVeiligheidDbContext(builder.Options);
    }
}
