using System.ComponentModel;
using Veiligheid.Data;
using Veiligheid.Locations;
using Veiligheid.Organisations;
using Veiligheid.Persons;

namespace Veiligheid.Incidents;

/// <summary>Incident categories as municipalities use them in their safety reports.</summary>
[Description("Incident categories as municipalities use them in their safety reports.")]
public enum IncidentCategory
{
    [Description("Youth nuisance in public space.")]
    Jeugdoverlast,
    [Description("Noise nuisance.")]
    Geluidsoverlast,
    [Description("Drugs nuisance.")]
    Drugsoverlast,
    [Description("Confused behaviour.")]
    VerwardGedrag,
    [Description("Vandalism.")]
    Vandalisme,
    [Description("Illegal waste dumping.")]
    IllegaalAfvalDumpen,
    [Description("Burglary of a dwelling.")]
    Woninginbraak,
    [Description("Cannabis cultivation.")]
    Hennepteelt,
    [Description("A signal of human trafficking.")]
    SignaalMensenhandel,
    [Description("A dispute between neighbours.")]
    Burenruzie,
    [Description("Bicycle theft.")]
    Fietsendiefstal,
    [Description("Violence.")]
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
[Description("How a person is involved in an incident.")]
public enum IncidentPersonRole
{
    [Description("Suspect or causer.")]
    Verdachte,
    [Description("The person who reported it.")]
    Melder,
    [Description("Victim.")]
    Slachtoffer,
    [Description("Otherwise involved.")]
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
