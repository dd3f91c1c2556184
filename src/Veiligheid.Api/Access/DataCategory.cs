namespace Veiligheid.Access;

/// <summary>
/// The categories of data the hub shares. Every schema field belongs to exactly one; roles are granted categories, and a
/// request's purpose can narrow them further. The processing log records categories, not fields.
/// </summary>
public enum DataCategory
{
    /// <summary>Register data anyone in the chain may know: organisations, districts, neighbourhoods.</summary>
    Register,
    /// <summary>Who a person is: BSN, name, date of birth.</summary>
    Identiteit,
    /// <summary>Where a person lives.</summary>
    Adres,
    /// <summary>Care information: life-domain scores, care and debt trajectories.</summary>
    Zorg,
    /// <summary>Police information about a person: risk signals, involvement in incidents.</summary>
    Politie,
    /// <summary>Tenancy and tenancy measures.</summary>
    Huisvesting,
    /// <summary>Cases: kind, status, participants, subjects, history and contributions.</summary>
    Casus,
    /// <summary>Incidents (meldingen): what, when and where.</summary>
    Melding,
    /// <summary>Interventions other than care: talks, warnings, orders, deployments, inspections.</summary>
    Interventie,
    /// <summary>Enforcement detail: fine amounts, objections and collection.</summary>
    Handhaving,
    /// <summary>Addresses and points of locations, and who owns a dwelling.</summary>
    Locatie,
    /// <summary>Aggregated figures with small counts suppressed: never a person.</summary>
    Cijfers,
    /// <summary>The processing log (verwerkingenlogging) and data subjects' access reports.</summary>
    Verwerkingslog,
}

/// <summary>Metadata key under which a field's category is stored on its GraphQL field definition.</summary>
public static class DataCategoryMetadata
{
    public const string Key = "veiligheid:category";
}
