using Veiligheid.Data;
using Veiligheid.Interventions;
using Veiligheid.Locations;
using Veiligheid.Organisations;
using Veiligheid.Persons;

namespace Veiligheid.Cases;

/// <summary>The kinds of joint case.</summary>
public enum CaseKind
{
    Woonoverlast,
    ZorgEnVeiligheid,
    Jeugdoverlast,
    Ondermijning,
}

/// <summary>A case's status; the allowed flow is Gemeld → InBehandeling → (OpgeschaaldNaarZvh →) Afgesloten.</summary>
public enum CaseStatus
{
    Gemeld,
    InBehandeling,
    OpgeschaaldNaarZvh,
    Afgesloten,
}

/// <summary>The outcome a closed case ends with.</summary>
public enum CaseOutcome
{
    OverlastGestopt,
    AanvaardbaarNiveau,
    NietOpgelost,
}

/// <summary>The eight confidentiality levels of the ZGW standard, least to most restrictive; the order is the numeric value.</summary>
public enum ConfidentialityLevel
{
    Openbaar = 0,
    BeperktOpenbaar = 1,
    Intern = 2,
    Zaakvertrouwelijk = 3,
    Vertrouwelijk = 4,
    Confidentieel = 5,
    Geheim = 6,
    ZeerGeheim = 7,
}

/// <summary>The legal ground a case is handled on; it decides which life domains the participants may share.</summary>
public enum LegalGround
{
    /// <summary>Public-order duties of the mayor (Gemeentewet art. 172): no care domains.</summary>
    GemeentewetOpenbareOrde,
    /// <summary>The regional Zorg- en Veiligheidshuis covenant: the domains agreed in it.</summary>
    ConvenantZorgEnVeiligheid,
    /// <summary>Wet verplichte ggz: mental-health domains.</summary>
    WetVerplichteGgz,
    /// <summary>Wmo 2015 support: self-reliance domains.</summary>
    Wmo,
}

/// <summary>A case (casus): the unit of joint work between partners.</summary>
public sealed class Case : IEditable, ISourced
{
    public int Id { get; set; }
    public CaseKind Kind { get; set; }
    public required string Title { get; set; }
    public CaseStatus Status { get; set; }
    public CaseOutcome? Outcome { get; set; }
    public ConfidentialityLevel Confidentiality { get; set; }
    public LegalGround LegalGround { get; set; }
    public DateTime OpenedAt { get; set; }
    public DateTime? EscalatedAt { get; set; }
    public DateTime? ClosedAt { get; set; }

    public int CoordinatingOrganisationId { get; set; }
    public Organisation CoordinatingOrganisation { get; set; } = null!;

    public List<CaseSubject> Subjects { get; set; } = [];
    public List<CaseLocation> Locations { get; set; } = [];
    public List<CaseParticipant> Participants { get; set; } = [];
    public List<Intervention> Interventions { get; set; } = [];
    public List<CaseStatusChange> StatusChanges { get; set; } = [];
    public List<CaseContribution> Contributions { get; set; } = [];

    public int? SourceOrganisationId { get; set; }
    public string? ExternalId { get; set; }
    public Guid Version { get; set; }
    public DateTime CreatedAt { get; set; }
    public DateTime UpdatedAt { get; set; }
}

/// <summary>How a person is a subject of a case.</summary>
public enum CaseSubjectRole
{
    Veroorzaker,
    Melder,
    Betrokkene,
}

/// <summary>A person who is a subject of a case.</summary>
public sealed class CaseSubject
{
    public int CaseId { get; set; }
    public Case Case { get; set; } = null!;
    public int PersonId { get; set; }
    public Person Person { get; set; } = null!;
    public CaseSubjectRole Role { get; set; }
}

/// <summary>A location a case is about.</summary>
public sealed class CaseLocation
{
    public int CaseId { get; set; }
    public Case Case { get; set; } = null!;
    public int LocationId { get; set; }
    public Location Location { get; set; } = null!;
}

/// <summary>An organisation taking part in a case: the basis of need-to-know.</summary>
public sealed class CaseParticipant
{
    public int CaseId { get; set; }
    public Case Case { get; set; } = null!;
    public int OrganisationId { get; set; }
    public Organisation Organisation { get; set; } = null!;
    public DateTime JoinedAt { get; set; }
}

/// <summary>One step in a case's status history.</summary>
public sealed class CaseStatusChange
{
    public int Id { get; set; }
    public int CaseId { get; set; }
    public Case Case { get; set; } = null!;
    public CaseStatus? FromStatus { get; set; }
    public CaseStatus ToStatus { get; set; }
    public DateTime ChangedAt { get; set; }
    public int ByOrganisationId { get; set; }
    public Organisation ByOrganisation { get; set; } = null!;
}

/// <summary>A partner's note on a case.</summary>
public sealed class CaseContribution
{
    public int Id { get; set; }
    public int CaseId { get; set; }
    public Case Case { get; set; } = null!;
    public int OrganisationId { get; set; }
    public Organisation Organisation { get; set; } = null!;
    public required string Text { get; set; }
    public DateTime CreatedAt { get; set; }
}
