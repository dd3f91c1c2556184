using System.Security.Cryptography;
using System.Text;
using Veiligheid.Organisations;

namespace Veiligheid.Data.Seeding;

/// <summary>One partner organisation of the synthetic data set.</summary>
public sealed record DemoOrganisation(string Key, string Name, OrganisationKind Kind)
{
    /// <summary>The stand-in Entra ID client application id of this partner (derived from the key, so stable).</summary>
    public string ClientAppId => DemoOrganisations.ClientAppIdFor(Key);
}

/// <summary>
/// The partners of the synthetic municipality Veiligstad. The keys are stable: configuration, tests, the development
/// token command and the docs refer to them. Two of every kind, so that "bounded by kind and by own organisation" can
/// be shown and tested.
/// </summary>
public static class DemoOrganisations
{
    public const string GemeenteVeiligstad = "gemeente-veiligstad";
    public const string GemeenteBuurdorp = "gemeente-buurdorp";
    public const string PolitieNoord = "politie-eenheid-noord";
    public const string PolitieZuid = "politie-eenheid-zuid";
    public const string Woonstede = "woonstede";
    public const string Thuisbaas = "thuisbaas";
    public const string GgzHorizon = "ggz-horizon";
    public const string VerslavingszorgAnkerpunt = "verslavingszorg-ankerpunt";
    public const string SchuldhulpVeiligstad = "schuldhulp-veiligstad";
    public const string ZvhRegioNoord = "zvh-regio-noord";
    public const string ZvhRegioZuid = "zvh-regio-zuid";

    /// <summary>All partners; the seeded organisation ids are 1..11 in this order.</summary>
    public static IReadOnlyList<DemoOrganisation> All { get; } =
    [
        new(GemeenteVeiligstad, "Gemeente Veiligstad", OrganisationKind.Gemeente),
        new(GemeenteBuurdorp, "Gemeente Buurdorp", OrganisationKind.Gemeente),
        new(PolitieNoord, "Politie Eenheid Noord", OrganisationKind.Politie),
        new(PolitieZuid, "Politie Eenheid Zuid", OrganisationKind.Politie),
        new(Woonstede, "Woonstede", OrganisationKind.Woningcorporatie),
        new(Thuisbaas, "Thuisbaas", OrganisationKind.Woningcorporatie),
        new(GgzHorizon, "GGZ Horizon", OrganisationKind.Zorgaanbieder),
        new(VerslavingszorgAnkerpunt, "Verslavingszorg Ankerpunt", OrganisationKind.Zorgaanbieder),
        new(SchuldhulpVeiligstad, "Schuldhulp Veiligstad", OrganisationKind.Zorgaanbieder),
        new(ZvhRegioNoord, "Zorg- en Veiligheidshuis Regio Noord", OrganisationKind.ZorgEnVeiligheidshuis),
        new(ZvhRegioZuid, "Zorg- en Veiligheidshuis Regio Zuid", OrganisationKind.ZorgEnVeiligheidshuis),
    ];

    /// <summary>The organisation id the seed gives the partner with <paramref name="key"/>.</summary>
    public static int IdOf(string key)
    {
        for (var i = 0; i < All.Count; i++)
            if (All[i].Key == key) return i + 1;
        throw new ArgumentException($"Unknown demo organisation '{key}'.", nameof(key));
    }

    /// <summary>
    /// A GUID derived from the key (SHA-256, marked as a version-8 "custom" UUID), standing in for the partner's Entra
    /// app id. Derived rather than random so tokens minted in development keep matching a freshly seeded database.
    /// </summary>
    public static string ClientAppIdFor(string key)
    {
        ArgumentNullException.ThrowIfNull(key);
        Span<byte> hash = stackalloc byte[32];
        SHA256.HashData(Encoding.UTF8.GetBytes("veiligheid-demo-client-app:" + key), hash);
        var bytes = hash[..16];
        bytes[6] = (byte)((bytes[6] & 0x0F) | 0x80);
        bytes[8] = (byte)((bytes[8] & 0x3F) | 0x80);
        return new Guid(bytes, bigEndian: true).ToString("D");
    }
}
