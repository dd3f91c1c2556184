using System.ComponentModel;
using Veiligheid.Organisations;

namespace Veiligheid.Access;

/// <summary>The app roles a caller can hold. Their token values are in <see cref="HubRoles"/>.</summary>
[Description("The app roles a caller can hold. Their token values are in <see cref=\"HubRoles\"/>.")]
public enum HubRole
{
    GemeenteCoordinator,
    GemeenteHandhaving,
    GemeenteAnalist,
    Politie,
    Woningcorporatie,
    Zorgaanbieder,
    ZvhProcesregisseur,
    BiLezer,
    PrivacyFunctionaris,
}

/// <summary>Token values of the roles and the organisation kind each role belongs to.</summary>
public static class HubRoles
{
    private static readonly Dictionary<HubRole, (string Value, OrganisationKind Kind)> Roles = new()
    {
        [HubRole.GemeenteCoordinator] = ("Gemeente.Coordinator", OrganisationKind.Gemeente),
        [HubRole.GemeenteHandhaving] = ("Gemeente.Handhaving", OrganisationKind.Gemeente),
        [HubRole.GemeenteAnalist] = ("Gemeente.Analist", OrganisationKind.Gemeente),
        [HubRole.Politie] = ("Politie", OrganisationKind.Politie),
        [HubRole.Woningcorporatie] = ("Woningcorporatie", OrganisationKind.Woningcorporatie),
        [HubRole.Zorgaanbieder] = ("Zorgaanbieder", OrganisationKind.Zorgaanbieder),
        [HubRole.ZvhProcesregisseur] = ("ZVH.Procesregisseur", OrganisationKind.ZorgEnVeiligheidshuis),
        // BI tools and the privacy officer are run by the municipality.
        [HubRole.BiLezer] = ("BI.Lezer", OrganisationKind.Gemeente),
        [HubRole.PrivacyFunctionaris] = ("Privacy.Functionaris", OrganisationKind.Gemeente),
    };

    public static IReadOnlyCollection<HubRole> All { get; } = Enum.GetValues<HubRole>();

    /// <summary>The value in the token's roles claim, e.g. "Gemeente.Coordinator".</summary>
    public static string TokenValue(this HubRole role) => Roles[role].Value;

    /// <summary>The kind of organisation a holder of this role must belong to.</summary>
    public static OrganisationKind RequiredOrganisationKind(this HubRole role) => Roles[role].Kind;

    public static bool TryParse(string? value, out HubRole role)
    {
        foreach (var (key, (tokenValue, _)) in Roles)
        {
            if (string.Equals(tokenValue, value, StringComparison.Ordinal))
            {
                role = key;
                return true;
            }
        }
        role = default;
        return false;
    }

    /// <summary>A file-system and URL friendly name, e.g. "gemeente-coordinator", used for schema/roles/*.graphql.</summary>
    public static string Slug(this HubRole role) => role.TokenValue().Replace('.', '-').ToLowerInvariant();
}
