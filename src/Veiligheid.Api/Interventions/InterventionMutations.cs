using GraphQL;
using GraphQL.Types;
using Microsoft.EntityFrameworkCore;
using Veiligheid.Access;
using Veiligheid.Cases;
using Veiligheid.Data;
using Veiligheid.GraphQL;
using Veiligheid.Locations;

namespace Veiligheid.Interventions;

/// <summary>Recording, updating and completing the caller's own interventions.</summary>
public static class InterventionMutations
{
    public static void AddTo(MutationType mutation)
    {
        ArgumentNullException.ThrowIfNull(mutation);
        mutation.Field<NonNullGraphType<InterventionPayloadType>>("recordIntervention").Category(DataCategory.Interventie).Writes(WriteAction.RecordIntervention)
            .Description("Records an intervention the caller's organisation executes. With an externalId, recording it again updates it (idempotent). "
                + "A new intervention may start in any status; recording it again moves its status only along the flow (" + InterventionFlow.Summary + "), else INVALID_TRANSITION on status. Afgerond needs endDate and result.")
            .Argument<NonNullGraphType<RecordInterventionInputType>>("input", "The intervention.")
            .ResolveAsync(async ctx => await RecordAsync(ctx.Hub(), ctx.GetArgument<RecordInterventionInput>("input"), ctx.DutchToday(), ctx.CancellationToken));
        mutation.Field<NonNullGraphType<InterventionPayloadType>>("updateIntervention").Category(DataCategory.Interventie).Writes(WriteAction.RecordIntervention)
            .Description("Edits an intervention the caller's organisation executes, based on the version the caller read. The status moves only along the flow ("
                + InterventionFlow.Summary + "), else INVALID_TRANSITION on status; a final intervention keeps its status, but its end date and result may still be corrected. Afgerond needs an end date and a result, sent or stored.")
            .Argument<NonNullGraphType<UpdateInterventionInputType>>("input", "The edit.")
            .ResolveAsync(async ctx =>
            {
                var input = ctx.GetArgument<UpdateInterventionInput>("input");
                return await EditAsync(ctx.Hub(), input.Id, input.Version, input.Status, "status", input.EndDate, input.Result, "updateIntervention", ctx.DutchToday(), ctx.CancellationToken);
            });
        mutation.Field<NonNullGraphType<InterventionPayloadType>>("completeIntervention").Category(DataCategory.Interventie).Writes(WriteAction.RecordIntervention)
            .Description("Completes an intervention the caller's organisation executes (Gepland or Lopend → Afgerond), with its end date and result. "
                + "A Geannuleerd intervention is refused (INVALID_TRANSITION, on the whole input); on an Afgerond one it corrects the end date and result.")
            .Argument<NonNullGraphType<CompleteInterventionInputType>>("input", "The completion.")
            .ResolveAsync(async ctx =>
            {
                var input = ctx.GetArgument<CompleteInterventionInput>("input");
                return await EditAsync(ctx.Hub(), input.Id, input.Version, InterventionStatus.Afgerond, null, input.EndDate, input.Result, "completeIntervention", ctx.DutchToday(), ctx.CancellationToken,
                    resultRequired: true);
            });
    }

    private static async Task<MutationPayload<Intervention>> RecordAsync(RequestContext hub, RecordInterventionInput input, DateOnly today, CancellationToken ct)
    {
        var errors = new InputErrors();
        errors.ExternalId("externalId", input.ExternalId, required: false);
        errors.Text("result", input.Result, 1000, required: false);
        var caseId = errors.Id("caseId", input.CaseId, "Case");
        // Aiming it at a person processes the person: only under a purpose (and role) that covers persons, as on the read
        // side, where no filter names a person without Identiteit.
        int? personId = null;
        if (input.PersonId is not null && !hub.Access.Grants(DataCategory.Identiteit))
            errors.Invalid("personId", "An intervention is aimed at a person only by a role under a purpose that covers persons (Identiteit).");
        else
            personId = errors.Id("personId", input.PersonId, "Person");
        if (input.BagId is not null && !AreaCodes.IsBagVerblijfsobjectId(input.BagId))
            errors.Invalid("bagId", "Not a BAG verblijfsobject id: 16 digits, the 4-digit municipality code, 01, then a 10-digit serial.");
        if (input.NeighbourhoodCode is not null && !AreaCodes.IsNeighbourhoodCode(input.NeighbourhoodCode))
            errors.Invalid("neighbourhoodCode", "Not a CBS buurt code: BU followed by 8 digits.");
        if (input.CaseId is null && input.PersonId is null && input.BagId is null && input.NeighbourhoodCode is null)
            errors.Invalid("caseId", "An intervention is aimed at a case, a person, an address or a neighbourhood: give at least one.");
        if (input.StartDate < EarliestDates.Record) errors.Invalid("startDate", "Before 1990-01-01.");
        if (input.EndDate is { } end && end < input.StartDate) errors.Invalid("endDate", "Before startDate.");
        if (input.EndDate is { } ended && ended > today) errors.Invalid("endDate", "Lies in the future.");
        if (input.FineAmount is { } amount)
        {
            if (input.Kind != InterventionKind.BestuurlijkeBoete) errors.Invalid("fineAmount", "Only an administrative fine (BestuurlijkeBoete) has an amount.");
            else if (amount <= 0 || amount > 1_000_000 || decimal.Round(amount, 2) != amount) errors.Invalid("fineAmount", "More than 0, at most 1,000,000, at most 2 decimals.");
        }
        // A care intervention is care data: recorded only by a caller that may read it under the request's purpose, so a
        // partner cannot write what it could not read back (and what another purpose of its own would then show it).
        if (AccessPolicy.CareInterventionKinds.Contains(input.Kind) && !hub.Access.Grants(DataCategory.Zorg))
            errors.Invalid("kind", "A care intervention is recorded only by a role that holds care data (Zorg), under a purpose that covers it.");
        if (input.Confidentiality is { } level && level > hub.Access.Role.MaxConfidentiality)
            errors.Invalid("confidentiality", $"Above the caller's own highest level ({hub.Access.Role.MaxConfidentiality}).");
        var version = errors.Version("version", input.Version);
        if (errors.Count > 0) return MutationPayload.Failed<Intervention>(errors);

        Case? @case = null;
        if (caseId is { } cid)
        {
            var (found, error) = await CaseMutations.FindCaseToAddToAsync(hub, cid, "Only the case's coordinating and participating organisations record interventions on it.", ct);
            if (found is null) errors.Add(error!);
            @case = found;
        }
        if (personId is { } pid && !await hub.Persons().AnyAsync(p => p.Id == pid, ct)) errors.NotFound("personId", "No person with this id.");
        int? locationId = null;
        if (input.BagId is not null && errors.Count == 0)
        {
            locationId = await hub.Locations().Where(l => l.BagId == input.BagId).Select(l => (int?)l.Id).FirstOrDefaultAsync(ct);
            if (locationId is null) errors.NotFound("bagId", "No address with this BAG id that the caller may see.");
        }
        int? neighbourhoodId = null;
        if (input.NeighbourhoodCode is not null && errors.Count == 0)
        {
            neighbourhoodId = await hub.Db.Neighbourhoods.Where(n => n.Code == input.NeighbourhoodCode).Select(n => (int?)n.Id).FirstOrDefaultAsync(ct);
            if (neighbourhoodId is null) errors.NotFound("neighbourhoodCode", "No neighbourhood with this CBS code in the municipality.");
        }
        if (errors.Count > 0) return MutationPayload.Failed<Intervention>(errors);

        var organisationId = hub.Access.Caller.OrganisationId;
        var now = DateTime.UtcNow;
        Intervention? row = null;
        if (!string.IsNullOrWhiteSpace(input.ExternalId))
        {
            (row, var refusal) = await Replays.FindAsync(hub.Db.Interventions.Where(hub.Access.InterventionsToEdit), hub.Db.Interventions,
                i => i.SourceOrganisationId == organisationId && i.ExternalId == input.ExternalId,
                "This externalId belongs to an earlier record of the caller's organisation that the caller may not edit; it is not recorded again.", ct);
            if (refusal is not null) return MutationPayload.Failed<Intervention>([refusal]);
        }
        var created = row is null;
        // A write processes the persons it is about whatever its response selects (the log notes a read only for the
        // fields that resolve): the person it was aimed at before this write, if recorded again, and the one after.
        if (row?.PersonId is { } before) NotePerson(hub, before, row.Kind);
        if (personId is { } after) NotePerson(hub, after, input.Kind);
        if (row is not null && CaseMutations.Conflict(hub.Db, row, version) is { } conflict) return MutationPayload.Failed<Intervention>([conflict]);
        // "Default Gepland" is where a new intervention starts: a replay without a status keeps the stored one, rather
        // than sending a completed intervention back to Gepland (which the flow refuses).
        var status = input.Status ?? row?.Status ?? InterventionStatus.Gepland;
        var refused = InterventionFlow.Check(row?.Status, status, input.EndDate, input.Result, "status", row is null ? null : (row.EndDate, row.Result));
        if (refused.Count > 0) return MutationPayload.Failed<Intervention>(refused);
        if (row is null)
        {
            row = new Intervention
            {
                ExecutingOrganisationId = organisationId,
                SourceOrganisationId = string.IsNullOrWhiteSpace(input.ExternalId) ? null : organisationId,
                ExternalId = string.IsNullOrWhiteSpace(input.ExternalId) ? null : input.ExternalId,
            };
            hub.Db.Interventions.Add(row);
        }
        row.Kind = input.Kind;
        row.Status = status;
        row.Confidentiality = input.Confidentiality ?? @case?.Confidentiality ?? ConfidentialityLevel.Zaakvertrouwelijk;
        row.StartDate = input.StartDate;
        row.EndDate = input.EndDate;
        row.Result = input.Result;
        row.CaseId = caseId;
        row.PersonId = personId;
        row.LocationId = locationId;
        row.NeighbourhoodId = neighbourhoodId;
        row.FineAmountCents = input.FineAmount is { } euro ? (int)(euro * 100) : null;
        if (row.Kind == InterventionKind.BestuurlijkeBoete)
        {
            row.FineObjection ??= ObjectionStatus.Geen;
            row.FineCollection ??= CollectionStatus.Openstaand;
        }
        if (!created && !hub.Db.Entry(row).Properties.Any(p => p.IsModified)) return new MutationPayload<Intervention>(row, []);
        var failed = await MutationSaving.SaveAsync(hub, row,
            () => hub.Audit(WriteAction.RecordIntervention, "recordIntervention", "Intervention", row.Id, created ? WriteChange.Created : WriteChange.Updated, now), ct);
        return failed is null ? new MutationPayload<Intervention>(row, []) : MutationPayload.Failed<Intervention>([failed]);
    }

    /// <summary>Notes for the processing log the person an intervention of this kind is aimed at, under the category a read of it is logged under.</summary>
    private static void NotePerson(RequestContext hub, int personId, InterventionKind kind)
        => hub.Processing.Add(personId, Accountability.ProcessingObserver.CategoryOfIntervention(kind, DataCategory.Interventie));

    /// <param name="statusField">The input field that sets <paramref name="status"/>, named when the flow refuses it;
    /// null for completeIntervention, whose input has none.</param>
    private static async Task<MutationPayload<Intervention>> EditAsync(RequestContext hub, string id, string versionText,
        InterventionStatus? status, string? statusField, DateOnly? endDate, string? result, string operation, DateOnly today, CancellationToken ct, bool resultRequired = false)
    {
        var errors = new InputErrors();
        var interventionId = errors.Id("id", id, "Intervention");
        var version = errors.Version("version", versionText);
        // A completion is its result: a blank one would close the intervention with nothing to show for it.
        errors.Text("result", result, 1000, required: resultRequired);
        if (endDate is { } e && e > today) errors.Invalid("endDate", "Lies in the future.");
        if (errors.Count > 0) return MutationPayload.Failed<Intervention>(errors);

        var row = await hub.Db.Interventions.Where(hub.Access.InterventionsToEdit).FirstOrDefaultAsync(i => i.Id == interventionId, ct);
        if (row is null)
        {
            return await hub.Interventions().AnyAsync(i => i.Id == interventionId, ct)
                ? MutationPayload.Failed<Intervention>(MutationErrorCode.Forbidden, "id", "Only the executing organisation edits an intervention.")
                : MutationPayload.Failed<Intervention>(MutationErrorCode.NotFound, "id", "No intervention with this id.");
        }
        if (row.PersonId is { } personId) NotePerson(hub, personId, row.Kind); // as in RecordAsync
        if (CaseMutations.Conflict(hub.Db, row, version) is { } conflict) return MutationPayload.Failed<Intervention>([conflict]);
        if ((endDate ?? row.EndDate) is { } end && end < row.StartDate) return MutationPayload.Failed<Intervention>(MutationErrorCode.Invalid, "endDate", "Before the start date.");
        // Omitted fields stay as they are, so the row after this edit is what the flow judges.
        var refused = InterventionFlow.Check(row.Status, status ?? row.Status, endDate ?? row.EndDate, result ?? row.Result, statusField, (row.EndDate, row.Result));
        if (refused.Count > 0) return MutationPayload.Failed<Intervention>(refused);
        if (status is { } s) row.Status = s;
        if (endDate is not null) row.EndDate = endDate;
        if (result is not null) row.Result = result;
        var now = DateTime.UtcNow;
        // Saved even when nothing changed: the version moves, so an edit always answers with a version nobody else holds.
        hub.Db.Entry(row).State = EntityState.Modified;
        var failed = await MutationSaving.SaveAsync(hub, row,
            () => hub.Audit(WriteAction.RecordIntervention, operation, "Intervention", row.Id, WriteChange.Updated, now), ct);
        return failed is null ? new MutationPayload<Intervention>(row, []) : MutationPayload.Failed<Intervention>([failed]);
    }
}

[Category(DataCategory.Interventie)]
public sealed class InterventionPayloadType : SlicedObjectGraphType<MutationPayload<Intervention>>
{
    public InterventionPayloadType()
    {
        Name = "InterventionPayload";
        Description = "The result of an intervention mutation.";
        Field<InterventionType>("intervention").Description("The intervention after the change; null when nothing was written because of errors.").Resolve(ctx => ctx.Source.Value);
        Field<NonNullGraphType<ListGraphType<NonNullGraphType<MutationErrorType>>>>("errors").Description("Why nothing was written; empty on success.").Resolve(ctx => ctx.Source.Errors);
    }
}
