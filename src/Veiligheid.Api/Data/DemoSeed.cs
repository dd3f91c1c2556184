using Microsoft.EntityFrameworkCore;
using Veiligheid.Organisations;

namespace Veiligheid.Data;

/// <summary>Placeholder until the synthetic generator lands (replaced on merge): only the partner organisations,
/// with fixed client application ids, so that development tokens can be issued for them.</summary>
internal static class DemoSeed
{
    public static async Task SeedAsync(VeiligheidDbContext db, CancellationToken cancellationToken)
    {
        if (await db.Organisations.AnyAsync(cancellationToken)) return;
        db.Organisations.AddRange(
            Organisation("gemeente-veiligstad", "Gemeente Veiligstad", OrganisationKind.Gemeente, "9b6f3c1e-0001-4a5e-8d2b-5a1f00000001"),
            Organisation("politie-eenheid-noord", "Politie Eenheid Noord", OrganisationKind.Politie, "9b6f3c1e-0002-4a5e-8d2b-5a1f00000002"),
            Organisation("woonstede", "Woonstede", OrganisationKind.Woningcorporatie, "9b6f3c1e-0003-4a5e-8d2b-5a1f00000003"),
            Organisation("thuisbaas", "Thuisbaas", OrganisationKind.Woningcorporatie, "9b6f3c1e-0004-4a5e-8d2b-5a1f00000004"),
            Organisation("ggz-horizon", "GGZ Horizon", OrganisationKind.Zorgaanbieder, "9b6f3c1e-0005-4a5e-8d2b-5a1f00000005"),
            Organisation("zvh-regio-noord", "Zorg- en Veiligheidshuis Regio Noord", OrganisationKind.ZorgEnVeiligheidshuis, "9b6f3c1e-0006-4a5e-8d2b-5a1f00000006"));
        await db.SaveChangesAsync(cancellationToken);
    }

    private static Organisation Organisation(string key, string name, OrganisationKind kind, string clientAppId)
        => new() { Key = key, Name = name, Kind = kind, ClientAppId = clientAppId };
}
