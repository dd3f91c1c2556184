using System.ComponentModel;
using Veiligheid.Cases;
using Veiligheid.Data;
using Veiligheid.Locations;
using Veiligheid.Organisations;
using Veiligheid.Persons;

namespace Veiligheid.Interventions;

/// <summary>What a partner can do about a case, a person or an area.</summary>
[Description("What a partner can do about a case, a person or an area.")]
public enum InterventionKind
{
    [Description("A talk.")]
    Gesprek,
    [Description("A warning (letter).")]
    Waarschuwing,
    [Description("Neighbour mediation.")]
    Buurtbemiddeling,
    [Description("A behavioural order.")]
    Gedragsaanwijzing,
    [Description("A care trajectory (care data).")]
    Zorgtraject,
    [Description("Debt counselling (care data).")]
    Schuldhulpverlening,
    [Description("A tenancy procedure.")]
    Huurprocedure,
    [Description("Closure of premises.")]
    SluitingPand,
    [Description("Police or BOA deployment in an area.")]
    InzetPolitieBoa,
    [Description("Integrated inspection of a location.")]
    IntegraleControle,
    [Description("An administrative fine.")]
    BestuurlijkeBoete,
}

/// <summary>The status of an intervention; the flow is <see cref="InterventionFlow"/>'s.</summary>
[Description("The status of an intervention. The flow: " + InterventionFlow.Summary + ". A change outside it is refused with INVALID_TRANSITION.")]
public enum InterventionStatus
{
    [Description("Planned.")]
    Gepland,
    [Description("Under way.")]
    Lopend,
    [Description("Completed, with an end date and a result; final.")]
    Afgerond,
    [Description("Cancelled; final.")]
    Geannuleerd,
}

/// <summary>The objection status of an administrative fine.</summary>
[Description("The objection status of an administrative fine.")]
public enum ObjectionStatus
{
    [Description("No objection lodged.")]
    Geen,
    [Description("Objection lodged, not yet decided.")]
    Ingediend,
    [Description("Objection upheld.")]
    Toegewezen,
    [Description("Objection rejected.")]
    Afgewezen,
}

/// <summary>The collection status of an administrative fine.</summary>
[Description("The collection status of an administrative fine.")]
public enum CollectionStatus
{
    [Description("Not yet paid.")]
    Openstaand,
    [Description("Paid.")]
    Betaald,
    [Description("In collection.")]
    Invordering,
    [Description("Uncollectable.")]
    Oninbaar,
}

/// <summary>An intervention by one partner, on a case, a person, a location or a neighbourhood.</summary>
public sealed class Intervention : IEditable, ISourced
{
    public int Id { get; set; }
    public InterventionKind Kind { get; set; }
    public InterventionStatus Status { get; set; }
    public ConfidentialityLevel Confidentiality { get; set; }
    public DateOnly StartDate { get; set; }
    public DateOnly? EndDate { get; set; }

    /// <summary>Short result as recorded by the executing partner.</summary>
    public string? Result { get; set; }

    public int ExecutingOrganisationId { get; set; }
    public Organisation ExecutingOrganisation { get; set; } = null!;

    public int? CaseId { get; set; }
    public Case? Case { get; set; }
    public int? PersonId { get; set; }
    public Person? Person { get; set; }
    public int? LocationId { get; set; }
    public Location? Location { get; set; }
    public int? NeighbourhoodId { get; set; }
    public Neighbourhood? Neighbourhood { get; set; }

    /// <summary>Fine amount in euro cents, for administrative fines.</summary>
    public int? FineAmountCents { get; set; }
    public ObjectionStatus? FineObjection { get; set; }
    public CollectionStatus? FineCollection { get; set; }

    public int? SourceOrganisationId { get; set; }
    public string? ExternalId { get; set; }
    public Guid Version { get; set; }
    public DateTime CreatedAt { get; set; }
    public DateTime UpdatedAt { get; set; }
}
