using Veiligheid.Data.Seeding;

namespace Veiligheid.Data;

/// <summary>The demo data set a fresh embedded database gets: the same generator as the seed command, small.</summary>
internal static class DemoSeed
{
    public static Task SeedAsync(VeiligheidDbContext db, CancellationToken cancellationToken)
        => SeedCommand.SeedAsync(db, SeedOptions.Demo, cancellationToken);
}
