using Veiligheid.Access;
using Veiligheid.Data.Seeding;

namespace Veiligheid.Tests.Infrastructure;

/// <summary>For every role, an organisation of the demo seed that may hold it.</summary>
public static class RoleOrganisations
{
    public static IReadOnlyList<(HubRole Role, string Organisation)> All { get; } =
    [
        (HubRole.GemeenteCoordinator, DemoOrganisations.GemeenteVeiligstad),
        (HubRole.GemeenteHandhaving, DemoOrganisations.GemeenteVeiligstad),
        (HubRole.GemeenteAnalist, DemoOrganisations.GemeenteVeiligstad),
        (HubRole.Politie, DemoOrganisations.PolitieNoord),
        (HubRole.Woningcorporatie, DemoOrganisations.Woonstede),
        (HubRole.Zorgaanbieder, DemoOrganisations.GgzHorizon),
        (HubRole.ZvhProcesregisseur, DemoOrganisations.ZvhRegioNoord),
        (HubRole.BiLezer, DemoOrganisations.GemeenteVeiligstad),
        (HubRole.PrivacyFunctionaris, DemoOrganisations.GemeenteVeiligstad),
    ];

    public static string For(HubRole role) => All.Single(r => r.Role == role).Organisation;
}
