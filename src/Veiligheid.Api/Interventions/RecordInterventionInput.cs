using GraphQL.Types;
using Veiligheid.Cases;
using Veiligheid.GraphQL;

namespace Veiligheid.Interventions;

/// <summary>An intervention executed by the caller's organisation.</summary>
public sealed class RecordInterventionInput
{
    public string? ExternalId { get; set; }
    public InterventionKind Kind { get; set; }
    public InterventionStatus? Status { get; set; }
    public ConfidentialityLevel? Confidentiality { get; set; }
    public DateOnly StartDate { get; set; }
    public DateOnly? EndDate { get; set; }
    public string? Result { get; set; }
    public string? CaseId { get; set; }
    public string? PersonId { get; set; }
    public string? BagId { get; set; }
    public string? NeighbourhoodCode { get; set; }
    public decimal? FineAmount { get; set; }
    public string? Version { get; set; }
}

public sealed class RecordInterventionInputType : InputObjectGraphType<RecordInterventionInput>
{
    public RecordInterventionInputType()
    {
        Name = "RecordInterventionInput";
        Description = "An intervention the caller's organisation executes, aimed at a case, a person, an address or a neighbourhood (at least one).";
        Field<StringGraphType>("externalId").Description("The intervention's id in the caller's own system (at most 100 characters, compared exactly, so 'abc' and 'ABC' are two ids; no whitespace at either end): recording it again updates it instead of adding a second one.");
        Field<NonNullGraphType<DomainEnumType<InterventionKind>>>("kind").Description("What kind of intervention.");
        Field<DomainEnumType<InterventionStatus>>("status").Description("Its status. A new intervention starts in any status (default Gepland); recorded again, it moves only along the flow ("
            + InterventionFlow.Summary + "), and without a status it keeps the stored one. Afgerond needs endDate and result.");
        Field<DomainEnumType<ConfidentialityLevel>>("confidentiality").Description("Confidentiality level, not above the caller's own highest level; default the case's level, else Zaakvertrouwelijk.");
        Field<NonNullGraphType<DateScalar>>("startDate").Description("When it starts or started; not before 1990.");
        Field<DateScalar>("endDate").Description("When it ended; not before startDate, not in the future.");
        Field<StringGraphType>("result").Description("Short result, at most 1,000 characters; never a BSN or a name.");
        Field<IdGraphType>("caseId").Description("The case it belongs to: one the caller's organisation takes part in.");
        Field<IdGraphType>("personId").Description("The person it is aimed at: one the caller may see, under a purpose that covers persons (Identiteit).");
        Field<StringGraphType>("bagId").Description("BAG verblijfsobject id of the address it is about (16 digits).");
        Field<StringGraphType>("neighbourhoodCode").Description("CBS buurt code (BU + 8 digits) of the neighbourhood it covers, for area interventions.");
        Field<DecimalGraphType>("fineAmount").Description("Fine amount in euro, for administrative fines only; more than 0, at most 2 decimals.");
        Field<StringGraphType>("version").Description("When updating through externalId: the version last read; a different stored version gives CONFLICT.");
    }
}

/// <summary>An edit of an intervention the caller's organisation executes.</summary>
public sealed class UpdateInterventionInput
{
    public string Id { get; set; } = "";
    public string Version { get; set; } = "";
    public InterventionStatus? Status { get; set; }
    public DateOnly? EndDate { get; set; }
    public string? Result { get; set; }
}

public sealed class UpdateInterventionInputType : InputObjectGraphType<UpdateInterventionInput>
{
    public UpdateInterventionInputType()
    {
        Name = "UpdateInterventionInput";
        Description = "An edit of an intervention the caller's organisation executes; omitted fields stay as they are.";
        Field<NonNullGraphType<IdGraphType>>("id").Description("The intervention's global id.");
        Field<NonNullGraphType<StringGraphType>>("version").Description("The version as last read: an outdated version gives CONFLICT, never a silent overwrite.");
        Field<DomainEnumType<InterventionStatus>>("status").Description("The new status, along the flow (" + InterventionFlow.Summary + "); staying in the same status is no change of it. Afgerond needs an end date and a result, sent here or stored.");
        Field<DateScalar>("endDate").Description("When it ended; not before the start date, not in the future.");
        Field<StringGraphType>("result").Description("Short result, at most 1,000 characters.");
    }
}

/// <summary>Completes an intervention.</summary>
public sealed class CompleteInterventionInput
{
    public string Id { get; set; } = "";
    public string Version { get; set; } = "";
    public DateOnly EndDate { get; set; }
    public string Result { get; set; } = "";
}

public sealed class CompleteInterventionInputType : InputObjectGraphType<CompleteInterventionInput>
{
    public CompleteInterventionInputType()
    {
        Name = "CompleteInterventionInput";
        Description = "Completes an intervention the caller's organisation executes (Gepland or Lopend → Afgerond) with its end date and result; on an Afgerond one, corrects them.";
        Field<NonNullGraphType<IdGraphType>>("id").Description("The intervention's global id.");
        Field<NonNullGraphType<StringGraphType>>("version").Description("The version as last read: an outdated version gives CONFLICT.");
        Field<NonNullGraphType<DateScalar>>("endDate").Description("When it ended; not before the start date, not in the future.");
        Field<NonNullGraphType<StringGraphType>>("result").Description("The result, not blank, at most 1,000 characters.");
    }
}
