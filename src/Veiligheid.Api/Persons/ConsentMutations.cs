using GraphQL;
using GraphQL.Types;
using Microsoft.EntityFrameworkCore;
using Veiligheid.Access;
using Veiligheid.Cases;
using Veiligheid.Data;
using Veiligheid.GraphQL;
using Veiligheid.Organisations;

namespace Veiligheid.Persons;

/// <summary>Registering and withdrawing a client's consent to share care information.</summary>
public static class ConsentMutations
{
    public static void AddTo(MutationType mutation)
    {
        ArgumentNullException.ThrowIfNull(mutation);
        mutation.Field<NonNullGraphType<ConsentPayloadType>>("registerConsent").Category(DataCategory.Zorg).Writes(WriteAction.RegisterConsent)
            .Description("Registers a client's consent that the caller's organisation shares its care information with a named organisation. Registering an active consent again changes nothing.")
            .Argument<NonNullGraphType<RegisterConsentInputType>>("input", "The consent.")
            .ResolveAsync(async ctx => await RegisterAsync(ctx.Hub(), ctx.GetArgument<RegisterConsentInput>("input"), ctx.DutchToday(), ctx.CancellationToken));
        mutation.Field<NonNullGraphType<ConsentPayloadType>>("withdrawConsent").Category(DataCategory.Zorg).Writes(WriteAction.RegisterConsent)
            .Description("Withdraws a consent the caller's organisation registered.")
            .Argument<NonNullGraphType<WithdrawConsentInputType>>("input", "The withdrawal.")
            .ResolveAsync(async ctx => await WithdrawAsync(ctx.Hub(), ctx.GetArgument<WithdrawConsentInput>("input"), ctx.DutchToday(), ctx.CancellationToken));
    }

    private static async Task<MutationPayload<Consent>> RegisterAsync(RequestContext hub, RegisterConsentInput input, DateOnly today, CancellationToken ct)
    {
        var errors = new InputErrors();
        var personId = errors.Id("personId", input.PersonId, "Person");
        var recipientId = errors.Id("recipientOrganisationId", input.RecipientOrganisationId, "Organisation");
        if (input.GivenOn > today) errors.Invalid("givenOn", "Lies in the future.");
        if (input.GivenOn < EarliestDates.Record) errors.Invalid("givenOn", "Before 1990-01-01.");
        if (errors.Count > 0) return MutationPayload.Failed<Consent>(errors);

        var careProviderId = hub.Access.Caller.OrganisationId;
        if (hub.Access.Caller.OrganisationKind != OrganisationKind.Zorgaanbieder)
            return MutationPayload.Failed<Consent>(MutationErrorCode.Forbidden, null, "Only a care provider registers consent to share its own information.");
        // Its own clients: persons the care provider sees, i.e. subjects of the cases it takes part in.
        if (!await hub.Persons().AnyAsync(p => p.Id == personId, ct)) return MutationPayload.Failed<Consent>(MutationErrorCode.NotFound, "personId", "No person with this id.");
        // A consent is about sharing the person's care information: the write processes the person's care data whatever
        // its response selects (the log notes a read only for the fields that resolve).
        hub.Processing.Add(personId!.Value, DataCategory.Zorg);
        if (!await hub.Db.Organisations.AnyAsync(o => o.Id == recipientId, ct))
            return MutationPayload.Failed<Consent>(MutationErrorCode.NotFound, "recipientOrganisationId", "No organisation with this id.");
        if (recipientId == careProviderId) return MutationPayload.Failed<Consent>(MutationErrorCode.Invalid, "recipientOrganisationId", "The care provider itself needs no consent to read its own information.");

        var active = await hub.Db.Consents.FirstOrDefaultAsync(c => c.PersonId == personId && c.CareProviderOrganisationId == careProviderId
            && c.RecipientOrganisationId == recipientId && c.WithdrawnOn == null, ct);
        if (active is not null) return new MutationPayload<Consent>(active, []);
        var now = DateTime.UtcNow;
        var row = new Consent { PersonId = personId!.Value, CareProviderOrganisationId = careProviderId, RecipientOrganisationId = recipientId!.Value, GivenOn = input.GivenOn };
        hub.Db.Consents.Add(row);
        var failed = await MutationSaving.SaveAsync(hub, row, () => hub.Audit(WriteAction.RegisterConsent, "registerConsent", "Consent", row.Id, WriteChange.Created, now), ct);
        return failed is null ? new MutationPayload<Consent>(row, []) : MutationPayload.Failed<Consent>([failed]);
    }

    private static async Task<MutationPayload<Consent>> WithdrawAsync(RequestContext hub, WithdrawConsentInput input, DateOnly today, CancellationToken ct)
    {
        var errors = new InputErrors();
        var consentId = errors.Id("consentId", input.ConsentId, "Consent");
        var version = errors.Version("version", input.Version);
        if (input.WithdrawnOn > today) errors.Invalid("withdrawnOn", "Lies in the future.");
        if (errors.Count > 0) return MutationPayload.Failed<Consent>(errors);

        var row = await hub.Db.Consents.Where(hub.Access.ConsentsToManage).FirstOrDefaultAsync(c => c.Id == consentId, ct);
        if (row is null) return MutationPayload.Failed<Consent>(MutationErrorCode.NotFound, "consentId", "No consent with this id registered by the caller's organisation.");
        hub.Processing.Add(row.PersonId, DataCategory.Zorg); // as in RegisterAsync
        if (CaseMutations.Conflict(hub.Db, row, version) is { } conflict) return MutationPayload.Failed<Consent>([conflict]);
        if (row.WithdrawnOn is not null) return MutationPayload.Failed<Consent>(MutationErrorCode.Invalid, "consentId", "Already withdrawn.");
        if (input.WithdrawnOn < row.GivenOn) return MutationPayload.Failed<Consent>(MutationErrorCode.Invalid, "withdrawnOn", "Before the consent was given.");
        row.WithdrawnOn = input.WithdrawnOn;
        var now = DateTime.UtcNow;
        var failed = await MutationSaving.SaveAsync(hub, row, () => hub.Audit(WriteAction.RegisterConsent, "withdrawConsent", "Consent", row.Id, WriteChange.Updated, now), ct);
        return failed is null ? new MutationPayload<Consent>(row, []) : MutationPayload.Failed<Consent>([failed]);
    }
}

[Category(DataCategory.Zorg)]
public sealed class ConsentType : SlicedObjectGraphType<Consent>
{
    public ConsentType()
    {
        Name = "Consent";
        Description = "A client's consent that a care provider shares its care information with a named organisation.";
        Field<NonNullGraphType<IdGraphType>>("id").Description("Opaque global id.").Resolve(ctx => GlobalId.Encode(Name, ctx.Source.Id));
        Field<NonNullGraphType<OrganisationType>>("careProvider").Description("The care provider whose information is shared.").Category(DataCategory.Register)
            .Resolve(ctx => ctx.LoadOrganisation(ctx.Source.CareProviderOrganisationId));
        Field<NonNullGraphType<OrganisationType>>("recipient").Description("The organisation that may receive it.").Category(DataCategory.Register)
            .Resolve(ctx => ctx.LoadOrganisation(ctx.Source.RecipientOrganisationId));
        Field<NonNullGraphType<DateScalar>>("givenOn").Description("When it was given.").Resolve(ctx => ctx.Source.GivenOn);
        Field<DateScalar>("withdrawnOn").Description("When it was withdrawn; null while active.").Resolve(ctx => ctx.Source.WithdrawnOn);
        Field<NonNullGraphType<StringGraphType>>("version").Description("The version to send with an edit (optimistic concurrency).").Resolve(ctx => ctx.Source.Version.ToString());
    }
}

[Category(DataCategory.Zorg)]
public sealed class ConsentPayloadType : SlicedObjectGraphType<MutationPayload<Consent>>
{
    public ConsentPayloadType()
    {
        Name = "ConsentPayload";
        Description = "The result of a consent mutation.";
        Field<ConsentType>("consent").Description("The consent after the change; null when nothing was written because of errors.").Resolve(ctx => ctx.Source.Value);
        Field<NonNullGraphType<ListGraphType<NonNullGraphType<MutationErrorType>>>>("errors").Description("Why nothing was written; empty on success.").Resolve(ctx => ctx.Source.Errors);
    }
}
