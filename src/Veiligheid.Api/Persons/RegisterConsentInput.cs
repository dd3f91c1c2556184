using GraphQL.Types;
using Veiligheid.GraphQL;

namespace Veiligheid.Persons;

/// <summary>A client's consent that the caller (a care provider) shares its care information with an organisation.</summary>
public sealed class RegisterConsentInput
{
    public string PersonId { get; set; } = "";
    public string RecipientOrganisationId { get; set; } = "";
    public DateOnly GivenOn { get; set; }
}

public sealed class RegisterConsentInputType : InputObjectGraphType<RegisterConsentInput>
{
    public RegisterConsentInputType()
    {
        Name = "RegisterConsentInput";
        Description = "A client's consent that the caller's organisation (a care provider) shares its care information (life domains, care trajectories) with a named organisation.";
        Field<NonNullGraphType<IdGraphType>>("personId").Description("The client's global id: a person the caller may see.");
        Field<NonNullGraphType<IdGraphType>>("recipientOrganisationId").Description("The organisation that may receive the information.");
        Field<NonNullGraphType<DateScalar>>("givenOn").Description("When the consent was given; not in the future, not before 1990-01-01.");
    }
}

/// <summary>Withdraws a consent.</summary>
public sealed class WithdrawConsentInput
{
    public string ConsentId { get; set; } = "";
    public string Version { get; set; } = "";
    public DateOnly WithdrawnOn { get; set; }
}

public sealed class WithdrawConsentInputType : InputObjectGraphType<WithdrawConsentInput>
{
    public WithdrawConsentInputType()
    {
        Name = "WithdrawConsentInput";
        Description = "Withdraws a consent the caller's organisation registered; sharing stops at once, the record stays for accountability.";
        Field<NonNullGraphType<IdGraphType>>("consentId").Description("The consent's global id.");
        Field<NonNullGraphType<StringGraphType>>("version").Description("The consent's version as last read: an outdated version gives CONFLICT.");
        Field<NonNullGraphType<DateScalar>>("withdrawnOn").Description("When it was withdrawn; not before it was given, not in the future.");
    }
}
