using System.ComponentModel;
using Veiligheid.Data;
using Veiligheid.Interventions;
using Veiligheid.Locations;
using Veiligheid.Organisations;
using Veiligheid.Persons;

namespace Veiligheid.Cases;

/// <summary>The kinds of joint case.</summary>
[Description("The kinds of joint case.")]
public enum CaseKind
{
    [Description("Neighbour nuisance at home.")]
    Woonoverlast,
    [Description("A person with complex multi-problems: nuisance or crime combined with debts, homelessness, addiction or psychiatric problems.")]
    ZorgEnVeiligheid,
    [Description("Nuisance by groups of young people in public space.")]
    Jeugdoverlast,
    [Description("Organised, subversive crime: cannabis, trafficking, fraud, money laundering, illegal subletting. Visible only to the partners named on the case.")]
    Ondermijning,
}

/// <summary>A case's status; the allowed flow is <see cref="CaseMutations.FlowSummary"/>.</summary>
[Description("A case's status; the allowed flow is " + CaseMutations.FlowSummary + ".")]
public enum CaseStatus
{
    [Description("Reported, not yet taken up.")]
    Gemeld,
    [Description("In progress in the lokale kamer.")]
    InBehandeling,
    [Description("Escalated to the Zorg- en Veiligheidshuis.")]
    OpgeschaaldNaarZvh,
    [Description("Closed with an outcome.")]
    Afgesloten,
}

/// <summary>The outcome a closed case ends with.</summary>
[Description("The outcome a closed case ends with.")]
public enum CaseOutcome
{
    [Description("The nuisance stopped.")]
    OverlastGestopt,
    [Description("The nuisance was reduced to an acceptable level.")]
    AanvaardbaarNiveau,
    [Description("Not resolved.")]
    NietOpgelost,
}

/// <summary>The eight confidentiality levels of the ZGW standard, least to most restrictive; the order is the numeric value.</summary>
[Description("The eight confidentiality levels of the ZGW standard, least to most restrictive; the order is the numeric value.")]
public enum ConfidentialityLevel
{
    [Description("Public.")]
    Openbaar = 0,
    [Description("Restricted public.")]
    BeperktOpenbaar = 1,
    [Description("Internal.")]
    Intern = 2,
    [Description("Confidential to the case.")]
    Zaakvertrouwelijk = 3,
    [Description("Confidential.")]
    Vertrouwelijk = 4,
    [Description("Highly confidential.")]
    Confidentieel = 5,
    [Description("Secret.")]
    Geheim = 6,
    [Description("Top secret.")]
    ZeerGeheim = 7,
}

/// <summary>The legal ground a case is handled on; it decides which life domains the participants may share.</summary>
[Description("The legal ground a case is handled on; it decides which life domains the participants may share.")]
public enum LegalGround
{
    [Description("Public-order duties of the mayor (Gemeentewet art. 172): covers no care domains.")]
    GemeentewetOpenbareOrde,
    [Description("The regional Zorg- en Veiligheidshuis covenant: covers all life domains.")]
    ConvenantZorgEnVeiligheid,
    [Description("Wet verplichte ggz: covers mental health, substance use and justice.")]
    WetVerplichteGgz,
    [Description("Wmo 2015 support: covers the self-reliance domains.")]
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
[Description("How a person is a subject of a case.")]
public enum CaseSubjectRole
{
    [Description("The person causing the nuisance.")]
    Veroorzaker,
    [Description("The person complaining about it.")]
    Melder,
    [Description("Otherwise involved.")]
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

/// <summary>
/// A partner's note on a case. One sent with the partner system's own id (<see cref="ISourced.ExternalId"/>) is added
/// once: sent again, it is the same note. It is not editable: a note once shared is never rewritten or moved.
/// </summary>
public sealed class CaseContribution : ISourced
{
    public int Id { get; set; }
    public int CaseId { get; set; }
    public Case Case { get; set; } = null!;
    public int OrganisationId { get; set; }
    public Organisation Organisation { get; set; } = null!;
    public required string Text { get; set; }
    public DateTime CreatedAt { get; set; }

    /// <summary>The organisation whose system sent the note with an externalId (its writer); null without one.</summary>
    public int? SourceOrganisationId { get; set; }
    public string? ExternalId { get; set; }
}
