namespace Veiligheid.Data;

/// <summary>Placeholder until the synthetic generator lands; replaced on merge.</summary>
internal static class DemoSeed
{
    public static Task SeedAsync(VeiligheidDbContext db, CancellationToken cancellationToken) => Task.CompletedTask;
}
