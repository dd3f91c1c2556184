using GraphQL.Types;
using Veiligheid.GraphQL;

namespace Veiligheid.Cases;

/// <summary>A new case; the caller's organisation coordinates it.</summary>
public sealed class OpenCaseInput
{
    public string? ExternalId { get; set; }
    public CaseKind Kind { get; set; }
    public string Title { get; set; } = "";
    public ConfidentialityLevel? Confidentiality { get; set; }
    public LegalGround LegalGround { get; set; }
    public string? Version { get; set; }
}

public sealed class OpenCaseInputType : InputObjectGraphType<OpenCaseInput>
{
    public OpenCaseInputType()
    {
        Name = "OpenCaseInput";
        Description = "A new case. The caller's organisation becomes its coordinating organisation; it starts as Gemeld.";
        Field<StringGraphType>("externalId").Description("The case's id in the caller's own system (at most 100 characters, compared exactly, so 'abc' and 'ABC' are two ids; no whitespace at either end): opening it again with the same externalId updates it instead of opening a second case.");
        Field<NonNullGraphType<DomainEnumType<CaseKind>>>("kind").Description("The kind of case.");
        Field<NonNullGraphType<StringGraphType>>("title").Description("A short working title (at most 200 characters); never a person's name.");
        Field<DomainEnumType<ConfidentialityLevel>>("confidentiality").Description("Confidentiality level; not above the caller's own highest level. Default: Geheim for ondermijning, Zaakvertrouwelijk otherwise.");
        Field<NonNullGraphType<DomainEnumType<LegalGround>>>("legalGround").Description("The legal ground the case is handled on.");
        Field<StringGraphType>("version").Description("When updating through externalId: the version last read; a different stored version gives CONFLICT.");
    }
}

/// <summary>Moves a case along its flow.</summary>
public sealed class ChangeCaseStatusInput
{
    public string CaseId { get; set; } = "";
    public string Version { get; set; } = "";
    public CaseStatus Status { get; set; }
    public CaseOutcome? Outcome { get; set; }
    public string? ZvhOrganisationId { get; set; }
}

public sealed class ChangeCaseStatusInputType : InputObjectGraphType<ChangeCaseStatusInput>
{
    public ChangeCaseStatusInputType()
    {
        Name = "ChangeCaseStatusInput";
        Description = "A status change along the flow " + CaseMutations.FlowSummary + ". Only the coordinating organisation changes a case's status.";
        Field<NonNullGraphType<IdGraphType>>("caseId").Description("The case's global id.");
        Field<NonNullGraphType<StringGraphType>>("version").Description("The case's version as last read: an outdated version gives CONFLICT.");
        Field<NonNullGraphType<DomainEnumType<CaseStatus>>>("status").Description("The new status.");
        Field<DomainEnumType<CaseOutcome>>("outcome").Description("Required when closing (Afgesloten); not allowed otherwise.");
        Field<IdGraphType>("zvhOrganisationId").Description("Required when escalating (OpgeschaaldNaarZvh): the Zorg- en Veiligheidshuis taking the case over, which joins it as a participant. Not for a case above the highest confidentiality level a Zorg- en Veiligheidshuis reads.");
    }
}

/// <summary>Adds a person to a case as a subject.</summary>
public sealed class AddCaseSubjectInput
{
    public string CaseId { get; set; } = "";
    public string Bsn { get; set; } = "";
    public CaseSubjectRole Role { get; set; }
    public string? GivenName { get; set; }
    public string? SurnamePrefix { get; set; }
    public string? Surname { get; set; }
    public DateOnly? DateOfBirth { get; set; }
}

public sealed class AddCaseSubjectInputType : InputObjectGraphType<AddCaseSubjectInput>
{
    public AddCaseSubjectInputType()
    {
        Name = "AddCaseSubjectInput";
        Description = "A person to add to a case. A person the hub does not know yet is registered with the names given.";
        Field<NonNullGraphType<IdGraphType>>("caseId").Description("The case's global id.");
        Field<NonNullGraphType<StringGraphType>>("bsn").Description("The person's BSN: nine digits passing the 11-proef.");
        Field<NonNullGraphType<DomainEnumType<CaseSubjectRole>>>("role").Description("The person's role in the case.");
        Field<StringGraphType>("givenName").Description("Given name; required when the hub does not know the person yet.");
        Field<StringGraphType>("surnamePrefix").Description("Surname prefix (tussenvoegsel), at most 20 characters.");
        Field<StringGraphType>("surname").Description("Surname; required when the hub does not know the person yet.");
        Field<DateScalar>("dateOfBirth").Description("Date of birth, not in the future, not before 1900-01-01; required when the hub does not know the person yet.");
    }
}

/// <summary>Adds an address to a case.</summary>
public sealed class AddCaseLocationInput
{
    public string CaseId { get; set; } = "";
    public string BagId { get; set; } = "";
}

public sealed class AddCaseLocationInputType : InputObjectGraphType<AddCaseLocationInput>
{
    public AddCaseLocationInputType()
    {
        Name = "AddCaseLocationInput";
        Description = "An address to add to a case.";
        Field<NonNullGraphType<IdGraphType>>("caseId").Description("The case's global id.");
        Field<NonNullGraphType<StringGraphType>>("bagId").Description("BAG verblijfsobject id of the address (16 digits); an address the caller may see.");
    }
}

/// <summary>Adds a partner organisation to a case.</summary>
public sealed class AddCaseParticipantInput
{
    public string CaseId { get; set; } = "";
    public string OrganisationId { get; set; } = "";
}

public sealed class AddCaseParticipantInputType : InputObjectGraphType<AddCaseParticipantInput>
{
    public AddCaseParticipantInputType()
    {
        Name = "AddCaseParticipantInput";
        Description = "A partner organisation to add to a case; it then sees the case (need-to-know).";
        Field<NonNullGraphType<IdGraphType>>("caseId").Description("The case's global id.");
        Field<NonNullGraphType<IdGraphType>>("organisationId").Description("The organisation's global id.");
    }
}

/// <summary>A partner's note on a case.</summary>
public sealed class AddCaseContributionInput
{
    public string? ExternalId { get; set; }
    public string CaseId { get; set; } = "";
    public string Text { get; set; } = "";
}

public sealed class AddCaseContributionInputType : InputObjectGraphType<AddCaseContributionInput>
{
    public AddCaseContributionInputType()
    {
        Name = "AddCaseContributionInput";
        Description = "A note on a case by the caller's organisation.";
        Field<StringGraphType>("externalId").Description("The note's id in the caller's own system (at most 100 characters, compared exactly, so 'abc' and 'ABC' are two ids; no whitespace at either end): "
            + "sending the same note again adds nothing. A note is not edited or moved: the same externalId with another caseId or text is refused (INVALID on externalId).");
        Field<NonNullGraphType<IdGraphType>>("caseId").Description("The case's global id.");
        Field<NonNullGraphType<StringGraphType>>("text").Description("The note, at most 4,000 characters; never a BSN.");
    }
}
