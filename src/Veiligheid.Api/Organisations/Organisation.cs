using System.ComponentModel;
using Veiligheid.Data;

namespace Veiligheid.Organisations;

/// <summary>The kinds of partner in the safety chain; a caller's slice depends on the kind and on the organisation itself.</summary>
[Description("The kinds of partner in the safety chain; a caller's slice depends on the kind and on the organisation itself.")]
public enum OrganisationKind
{
    [Description("The municipality (lokale kamer, enforcement, analysts).")]
    Gemeente,
    [Description("The police.")]
    Politie,
    [Description("A housing corporation (landlord).")]
    Woningcorporatie,
    [Description("A care provider: GGZ, addiction care, debt counselling.")]
    Zorgaanbieder,
    [Description("The regional Zorg- en Veiligheidshuis (ZVH).")]
    ZorgEnVeiligheidshuis,
}

/// <summary>A partner organisation. Callers are mapped to it by the client application id of their token.</summary>
public sealed class Organisation : IEditable
{
    public int Id { get; set; }

    /// <summary>Stable, human-readable key used in configuration and the development token command.</summary>
    public required string Key { get; set; }

    public required string Name { get; set; }
    public OrganisationKind Kind { get; set; }

    /// <summary>The Entra ID client application id (azp/appid) of this partner's system or front end.</summary>
    public string? ClientAppId { get; set; }

    /// <summary>When set, the organisation may only run operations registered for it (trusted documents).</summary>
    public bool TrustedDocumentsOnly { get; set; }

    public Guid Version { get; set; }
    public DateTime CreatedAt { get; set; }
    public DateTime UpdatedAt { get; set; }
}
