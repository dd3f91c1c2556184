using Veiligheid.Data;
using Veiligheid.Locations;
using Veiligheid.Organisations;
using Veiligheid.Persons;

namespace Veiligheid.Incidents;

/// <summary>Incident categories as municipalities use them in their safety reports.</summary>
public enum IncidentCategory
{
    Jeugdoverlast,
    Geluidsoverlast,
    Drugsoverlast,
    VerwardGedrag,
    Vandalisme,
    IllegaalAfvalDumpen,
    Woninginbraak,
    Hennepteelt,
    SignaalMensenhandel,
    Burenruzie,
    Fietsendiefstal,
    Geweld,
}

/// <summary>A reported event of nuisance or crime (melding / overlastfeit).</summary>
public sealed class Incident : IEditable, ISourced
{
    public int Id { get; set; }
    public IncidentCategory Category { get; set; }

    /// <summary>When it happened, UTC.</summary>
    public DateTime OccurredAt { get; set; }

    /// <summary>When it was reported, UTC.</summary>
    public DateTime ReportedAt { get; set; }

    public int LocationId { get; set; }
    public Location Location { get; set; } = null!;

    /// <summary>Denormalised from the location so hotspot figures group without a join; set by the hub on write.</summary>
    public int NeighbourhoodId { get; set; }
    public Neighbourhood Neighbourhood { get; set; } = null!;

    public int ReportingOrganisationId { get; set; }
    public Organisation ReportingOrganisation { get; set; } = null!;

    /// <summary>True when it happened in public space (street, park) rather than in or at a dwelling.</summary>
    public bool InPublicSpace { get; set; }

    public List<IncidentPerson> Persons { get; set; } = [];

    public int? SourceOrganisationId { get; set; }
    public string? ExternalId { get; set; }
    public Guid Version { get; set; }
    public DateTime CreatedAt { get; set; }
    public DateTime UpdatedAt { get; set; }
}

/// <summary>How a person is involved in an incident.</summary>
public enum IncidentPersonRole
{
    Verdachte,
    Melder,
    Slachtoffer,
    Betrokkene,
}

/// <summary>A person involved in an incident.</summary>
public sealed class IncidentPerson
{
    public int IncidentId { get; set; }
    public Incident Incident { get; set; } = null!;
    public int PersonId { get; set; }
    public Person Person { get; set; } = null!;
    public IncidentPersonRole Role { get; set; }
}
