using System.ComponentModel;
using System.Linq.Expressions;
using Veiligheid.Data;
using Veiligheid.Locations;
using Veiligheid.Organisations;

namespace Veiligheid.Persons;

/// <summary>A person involved in cases or incidents (betrokkene). Every person in this repository is synthetic.</summary>
public sealed class Person : IEditable, ISourced
{
    public int Id { get; set; }

    /// <summary>Burgerservicenummer: 9 digits passing the 11-proef.</summary>
    public required string Bsn { get; set; }

    public required string GivenName { get; set; }
    public string? SurnamePrefix { get; set; }
    public required string Surname { get; set; }
    public DateOnly DateOfBirth { get; set; }

    public int? AddressId { get; set; }
    public Location? Address { get; set; }

    public List<LifeDomainScore> LifeDomainScores { get; set; } = [];
    public List<PoliceSignal> PoliceSignals { get; set; } = [];
    public List<Tenancy> Tenancies { get; set; } = [];
    public List<Consent> Consents { get; set; } = [];

    /// <summary>The cases this person is a subject of.</summary>
    public List<Cases.CaseSubject> CaseLinks { get; set; } = [];

    /// <summary>The incidents this person is involved in.</summary>
    public List<Incidents.IncidentPerson> IncidentLinks { get; set; } = [];

    public int? SourceOrganisationId { get; set; }
    public string? ExternalId { get; set; }
    public Guid Version { get; set; }
    public DateTime CreatedAt { get; set; }
    public DateTime UpdatedAt { get; set; }
}

/// <summary>The 13 life domains of the Zelfredzaamheid-Matrix.</summary>
[Description("The 13 life domains of the Zelfredzaamheid-Matrix.")]
public enum LifeDomain
{
    [Description("Finances.")]
    Financien,
    [Description("Work and education.")]
    WerkEnOpleiding,
    [Description("Daytime activities.")]
    Tijdsbesteding,
    [Description("Housing.")]
    Huisvesting,
    [Description("Domestic relations.")]
    HuiselijkeRelaties,
    [Description("Mental health.")]
    GeestelijkeGezondheid,
    [Description("Physical health.")]
    LichamelijkeGezondheid,
    [Description("Substance use.")]
    Middelengebruik,
    [Description("Basic activities of daily living.")]
    BasaleAdl,
    [Description("Instrumental activities of daily living.")]
    InstrumenteleAdl,
    [Description("Social network.")]
    SociaalNetwerk,
    [Description("Participation in society.")]
    MaatschappelijkeParticipatie,
    [Description("Justice (contact with the justice system).")]
    Justitie,
}

/// <summary>A self-reliance score on one life domain: 1 acute problem … 5 fully self-reliant, assessed by a partner.</summary>
public sealed class LifeDomainScore
{
    public int Id { get; set; }
    public int PersonId { get; set; }
    public Person Person { get; set; } = null!;
    public LifeDomain Domain { get; set; }
    public int Score { get; set; }
    public DateOnly AssessedOn { get; set; }
    public int AssessedByOrganisationId { get; set; }
    public Organisation AssessedByOrganisation { get; set; } = null!;
}

/// <summary>Kinds of police signal about a person.</summary>
[Description("Kinds of police signal about a person.")]
public enum PoliceSignalKind
{
    [Description("Violence.")]
    Geweld,
    [Description("Weapon possession.")]
    Wapenbezit,
    [Description("Confused behaviour.")]
    Verward,
    [Description("High-impact crime (burglary, robbery, street robbery).")]
    HighImpactCrime,
    [Description("Organised, subversive crime.")]
    Ondermijning,
}

/// <summary>A risk signal the police registered about a person.</summary>
public sealed class PoliceSignal
{
    public int Id { get; set; }
    public int PersonId { get; set; }
    public Person Person { get; set; } = null!;
    public PoliceSignalKind Kind { get; set; }
    public DateOnly RegisteredOn { get; set; }
    public int OrganisationId { get; set; }
    public Organisation Organisation { get; set; } = null!;
}

/// <summary>A tenancy of a dwelling with a housing corporation.</summary>
public sealed class Tenancy
{
    public int Id { get; set; }
    public int PersonId { get; set; }
    public Person Person { get; set; } = null!;
    public int LocationId { get; set; }
    public Location Location { get; set; } = null!;
    public int LandlordOrganisationId { get; set; }
    public Organisation LandlordOrganisation { get; set; } = null!;
    public DateOnly StartDate { get; set; }

    /// <summary>The tenancy's last day; null while it runs with no end agreed.</summary>
    public DateOnly? EndDate { get; set; }

    /// <summary>
    /// Whether the tenancy is current on <paramref name="day"/>: not ended before it (no end date, or an end still to
    /// come: a tenant under notice still lives there). The corporation's live relation with the tenant, which retention
    /// keeps (<see cref="Accountability.Retention"/>); a tenancy that ended before the day is history.
    /// </summary>
    public static Expression<Func<Tenancy, bool>> IsCurrentOn(DateOnly day) => t => t.EndDate == null || t.EndDate >= day;
}

/// <summary>
/// A person's consent that a care provider shares care information (life domains, care trajectories) with another
/// organisation. Withdrawal keeps the row for accountability and ends the sharing at once.
/// </summary>
public sealed class Consent : IEditable
{
    public int Id { get; set; }
    public int PersonId { get; set; }
    public Person Person { get; set; } = null!;

    /// <summary>The care provider whose information is shared.</summary>
    public int CareProviderOrganisationId { get; set; }
    public Organisation CareProviderOrganisation { get; set; } = null!;

    /// <summary>The organisation that may receive it.</summary>
    public int RecipientOrganisationId { get; set; }
    public Organisation RecipientOrganisation { get; set; } = null!;

    public DateOnly GivenOn { get; set; }
    public DateOnly? WithdrawnOn { get; set; }

    public Guid Version { get; set; }
    public DateTime CreatedAt { get; set; }
    public DateTime UpdatedAt { get; set; }
}
