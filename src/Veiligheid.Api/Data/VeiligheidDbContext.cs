using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Metadata.Conventions;
using Microsoft.EntityFrameworkCore.Metadata.Conventions.Infrastructure;
using Microsoft.EntityFrameworkCore.Infrastructure;
using Veiligheid.Cases;
using Veiligheid.Incidents;
using Veiligheid.Interventions;
using Veiligheid.Locations;
using Veiligheid.Organisations;
using Veiligheid.Persons;

namespace Veiligheid.Data;

/// <summary>
/// The hub's one model. Each provider has a subclass so that its migrations live apart
/// (<see cref="SqliteVeiligheidDbContext"/>, <see cref="SqlServerVeiligheidDbContext"/>); the model is this class, but
/// for what one provider needs to behave as the other (SQL Server's collation of externalIds).
/// </summary>
public abstract class VeiligheidDbContext(DbContextOptions options) : DbContext(options)
{
    // The provider, asked of EF Core once per context instance. Its IsSqlite() and IsSqlServer() read the provider's
    // assembly name on every call (reflection, and an allocation), which the request path did several times a request;
    // a pooled context serves many requests and never changes provider.
    private bool? _onSqlite;
    private bool? _onSqlServer;

    /// <summary>Whether this context is on SQLite (EF Core's <c>Database.IsSqlite()</c>, asked once).</summary>
    public bool OnSqlite => _onSqlite ??= Database.IsSqlite();

    /// <summary>Whether this context is on SQL Server (EF Core's <c>Database.IsSqlServer()</c>, asked once).</summary>
    public bool OnSqlServer => _onSqlServer ??= Database.IsSqlServer();

    public DbSet<Organisation> Organisations => Set<Organisation>();
    public DbSet<District> Districts => Set<District>();
    public DbSet<Neighbourhood> Neighbourhoods => Set<Neighbourhood>();
    public DbSet<Location> Locations => Set<Location>();
    public DbSet<Person> Persons => Set<Person>();
    public DbSet<LifeDomainScore> LifeDomainScores => Set<LifeDomainScore>();
    public DbSet<PoliceSignal> PoliceSignals => Set<PoliceSignal>();
    public DbSet<Tenancy> Tenancies => Set<Tenancy>();
    public DbSet<Consent> Consents => Set<Consent>();
    public DbSet<Incident> Incidents => Set<Incident>();
    public DbSet<IncidentPerson> IncidentPersons => Set<IncidentPerson>();
    public DbSet<Case> Cases => Set<Case>();
    public DbSet<CaseSubject> CaseSubjects => Set<CaseSubject>();
    public DbSet<CaseLocation> CaseLocations => Set<CaseLocation>();
    public DbSet<CaseParticipant> CaseParticipants => Set<CaseParticipant>();
    public DbSet<CaseStatusChange> CaseStatusChanges => Set<CaseStatusChange>();
    public DbSet<CaseContribution> CaseContributions => Set<CaseContribution>();
    public DbSet<Intervention> Interventions => Set<Intervention>();

    protected override void ConfigureConventions(ModelConfigurationBuilder configurationBuilder)
    {
        // Enums are stored by name: a partner's DBA reading the tables sees "Woonoverlast", not 0.
        configurationBuilder.Properties<Enum>().HaveConversion<string>().HaveMaxLength(40);
        // Except where the order is the meaning: "at most Vertrouwelijk" must compare as numbers in SQL.
        configurationBuilder.Properties<Cases.ConfidentialityLevel>().HaveConversion<int>();
        configurationBuilder.Properties<string>().HaveMaxLength(200);
        configurationBuilder.Conventions.Replace<ForeignKeyIndexConvention>(services =>
            new ForeignKeyIndexConventionExcept(services.GetRequiredService<ProviderConventionSetBuilderDependencies>()));
    }

    protected override void OnModelCreating(ModelBuilder modelBuilder)
    {
        modelBuilder.ApplyConfigurationsFromAssembly(typeof(VeiligheidDbContext).Assembly);
        modelBuilder.MapExactExternalIds();
    }

    public override int SaveChanges(bool acceptAllChangesOnSuccess)
    {
        StampEditedRows();
        return base.SaveChanges(acceptAllChangesOnSuccess);
    }

    public override Task<int> SaveChangesAsync(bool acceptAllChangesOnSuccess, CancellationToken cancellationToken = default)
    {
        StampEditedRows();
        return base.SaveChangesAsync(acceptAllChangesOnSuccess, cancellationToken);
    }

    /// <summary>Every save of an editable row gets a new version and timestamps, whoever forgot to set them.</summary>
    private void StampEditedRows()
    {
        // The application's clock when the host has one (a pooled context takes only its options in its constructor).
        var clock = this.GetService<IDbContextOptions>().FindExtension<CoreOptionsExtension>()?.ApplicationServiceProvider?.GetService<TimeProvider>() ?? TimeProvider.System;
        var now = clock.GetUtcNow().UtcDateTime;
        foreach (var entry in ChangeTracker.Entries<IEditable>())
        {
            switch (entry.State)
            {
                case EntityState.Added:
                    if (entry.Entity.Version == Guid.Empty) entry.Entity.Version = Guid.NewGuid();
                    if (entry.Entity.CreatedAt == default) entry.Entity.CreatedAt = now;
                    if (entry.Entity.UpdatedAt == default) entry.Entity.UpdatedAt = entry.Entity.CreatedAt;
                    break;
                case EntityState.Modified:
                    entry.Entity.Version = Guid.NewGuid();
                    entry.Entity.UpdatedAt = now;
                    break;
            }
        }
    }
}

/// <summary>The SQLite flavour: the embedded default.</summary>
public sealed class SqliteVeiligheidDbContext(DbContextOptions<SqliteVeiligheidDbContext> options) : VeiligheidDbContext(options);

/// <summary>The SQL Server flavour: production. Its model adds what SQLite does by default: externalIds compared exactly.</summary>
public sealed class SqlServerVeiligheidDbContext(DbContextOptions<SqlServerVeiligheidDbContext> options) : VeiligheidDbContext(options)
{
    protected override void OnModelCreating(ModelBuilder modelBuilder)
    {
        base.OnModelCreating(modelBuilder);
        modelBuilder.UseBinaryExternalIds();
    }
}
