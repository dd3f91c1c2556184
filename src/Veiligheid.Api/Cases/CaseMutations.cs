using System.Linq.Expressions;
using GraphQL;
using GraphQL.Types;
using Microsoft.EntityFrameworkCore;
using Veiligheid.Access;
using Veiligheid.Data;
using Veiligheid.GraphQL;
using Veiligheid.Locations;
using Veiligheid.Organisations;
using Veiligheid.Persons;

namespace Veiligheid.Cases;

/// <summary>Opening cases, adding to them, moving them along their flow, and partners' notes.</summary>
public static class CaseMutations
{
    /// <summary>The allowed status flow in words (<see cref="AllowedTransitions"/>), for the schema's descriptions.</summary>
    public const string FlowSummary = "Gemeld → InBehandeling → (OpgeschaaldNaarZvh →) Afgesloten";

    /// <summary>The allowed status flow: <see cref="FlowSummary"/>.</summary>
    public static IReadOnlyDictionary<CaseStatus, IReadOnlySet<CaseStatus>> AllowedTransitions { get; } = new Dictionary<CaseStatus, IReadOnlySet<CaseStatus>>
    {
        [CaseStatus.Gemeld] = new HashSet<CaseStatus> { CaseStatus.InBehandeling },
        [CaseStatus.InBehandeling] = new HashSet<CaseStatus> { CaseStatus.OpgeschaaldNaarZvh, CaseStatus.Afgesloten },
        [CaseStatus.OpgeschaaldNaarZvh] = new HashSet<CaseStatus> { CaseStatus.Afgesloten },
        [CaseStatus.Afgesloten] = new HashSet<CaseStatus>(),
    };

    /// <summary>The highest confidentiality level a role of a Zorg- en Veiligheidshuis reads, by the access policy.</summary>
    private static readonly ConfidentialityLevel ZvhCeiling = AccessPolicy.Roles
        .Where(r => r.Key.RequiredOrganisationKind() == OrganisationKind.ZorgEnVeiligheidshuis && r.Value.Cases is not null)
        .Max(r => r.Value.MaxConfidentiality);

    public static void AddTo(MutationType mutation)
    {
        ArgumentNullException.ThrowIfNull(mutation);
        mutation.Field<NonNullGraphType<CasePayloadType>>("openCase").Category(DataCategory.Casus).Writes(WriteAction.OpenCase)
            .Description("Opens a case coordinated by the caller's organisation. With an externalId, opening it again updates it (idempotent).")
            .Argument<NonNullGraphType<OpenCaseInputType>>("input", "The case.")
            .ResolveAsync(async ctx => await OpenAsync(ctx.Hub(), ctx.GetArgument<OpenCaseInput>("input"), ctx.CancellationToken));
        mutation.Field<NonNullGraphType<CasePayloadType>>("changeCaseStatus").Category(DataCategory.Casus).Writes(WriteAction.ChangeCaseStatus)
            .Description("Moves a case along its flow: take it up, escalate it to the Zorg- en Veiligheidshuis, or close it with an outcome. Only the coordinating organisation does this.")
            .Argument<NonNullGraphType<ChangeCaseStatusInputType>>("input", "The change.")
            .ResolveAsync(async ctx => await ChangeStatusAsync(ctx.Hub(), ctx.GetArgument<ChangeCaseStatusInput>("input"), ctx.CancellationToken));
        mutation.Field<NonNullGraphType<CasePayloadType>>("addCaseSubject").Category(DataCategory.Identiteit).Writes(WriteAction.AddToCase)
            .Description("Adds a person to a case the caller's organisation takes part in.")
            .Argument<NonNullGraphType<AddCaseSubjectInputType>>("input", "The person and role.")
            .ResolveAsync(async ctx => await AddSubjectAsync(ctx.Hub(), ctx.GetArgument<AddCaseSubjectInput>("input"), ctx.DutchToday(), ctx.CancellationToken));
        mutation.Field<NonNullGraphType<CasePayloadType>>("addCaseLocation").Category(DataCategory.Locatie).Writes(WriteAction.AddToCase)
            .Description("Adds an address to a case the caller's organisation takes part in.")
            .Argument<NonNullGraphType<AddCaseLocationInputType>>("input", "The address.")
            .ResolveAsync(async ctx => await AddLocationAsync(ctx.Hub(), ctx.GetArgument<AddCaseLocationInput>("input"), ctx.CancellationToken));
        mutation.Field<NonNullGraphType<CasePayloadType>>("addCaseParticipant").Category(DataCategory.Casus).Writes(WriteAction.AddToCase)
            .Description("Adds a partner organisation to a case the caller's organisation takes part in.")
            .Argument<NonNullGraphType<AddCaseParticipantInputType>>("input", "The organisation.")
            .ResolveAsync(async ctx => await AddParticipantAsync(ctx.Hub(), ctx.GetArgument<AddCaseParticipantInput>("input"), ctx.CancellationToken));
        mutation.Field<NonNullGraphType<CasePayloadType>>("addCaseContribution").Category(DataCategory.Casus).Writes(WriteAction.AddContribution)
            .Description("Adds the caller's organisation's note to a case it takes part in. With an externalId, sending the same note again adds nothing (idempotent); "
                + "a note is not edited or moved, so the same externalId with another case or text is refused (INVALID on externalId).")
            .Argument<NonNullGraphType<AddCaseContributionInputType>>("input", "The note.")
            .ResolveAsync(async ctx => await AddContributionAsync(ctx.Hub(), ctx.GetArgument<AddCaseContributionInput>("input"), ctx.CancellationToken));
    }

    private static async Task<MutationPayload<Case>> OpenAsync(RequestContext hub, OpenCaseInput input, CancellationToken ct)
    {
        var errors = new InputErrors();
        errors.ExternalId("externalId", input.ExternalId, required: false);
        errors.Text("title", input.Title, 200, required: true);
        var confidentiality = input.Confidentiality ?? (input.Kind == CaseKind.Ondermijning ? ConfidentialityLevel.Geheim : ConfidentialityLevel.Zaakvertrouwelijk);
        if (confidentiality > hub.Access.Role.MaxConfidentiality)
            errors.Invalid("confidentiality", $"Above the caller's own highest level ({hub.Access.Role.MaxConfidentiality}): the caller could not see the case.");
        var version = errors.Version("version", input.Version);
        if (errors.Count > 0) return MutationPayload.Failed<Case>(errors);

        var organisationId = hub.Access.Caller.OrganisationId;
        var now = DateTime.UtcNow;
        bool Unchanged(Case row) => row.Kind == input.Kind && row.Title == input.Title && row.Confidentiality == confidentiality && row.LegalGround == input.LegalGround;
        Case? row = null;
        if (!string.IsNullOrWhiteSpace(input.ExternalId))
        {
            (row, var refusal) = await Replays.FindAsync(hub.Cases(), hub.Db.Cases,
                c => c.SourceOrganisationId == organisationId && c.ExternalId == input.ExternalId,
                "This externalId belongs to an earlier case of the caller's organisation that the caller may not see; it is not opened again.", ct);
            if (refusal is not null) return MutationPayload.Failed<Case>([refusal]);
            // A closed case is final: its kind, confidentiality and legal ground decided who saw it and how long it is
            // kept, and changing them afterwards would reopen it to others (an ondermijning case made openbaar).
            if (row is { Status: CaseStatus.Afgesloten } && !Unchanged(row))
                return MutationPayload.Failed<Case>(MutationErrorCode.Invalid, "externalId", "This externalId names a closed case, which is not changed any more.");
        }
        var created = row is null;
        if (row is null)
        {
            row = new Case
            {
                Title = input.Title,
                Status = CaseStatus.Gemeld,
                OpenedAt = now,
                CoordinatingOrganisationId = organisationId,
                SourceOrganisationId = string.IsNullOrWhiteSpace(input.ExternalId) ? null : organisationId,
                ExternalId = string.IsNullOrWhiteSpace(input.ExternalId) ? null : input.ExternalId,
            };
            row.StatusChanges.Add(new CaseStatusChange { FromStatus = null, ToStatus = CaseStatus.Gemeld, ChangedAt = now, ByOrganisationId = organisationId });
            hub.Db.Cases.Add(row);
        }
        else if (Conflict(hub.Db, row, version) is { } conflict)
        {
            return MutationPayload.Failed<Case>([conflict]);
        }
        else if (Unchanged(row))
        {
            return new MutationPayload<Case>(row, []);
        }
        // A legal ground that covers life domains the case's old one did not shows its readers those scores of every
        // subject from now on: care data disclosed by this write.
        var sharesMoreCare = !created && !AccessPolicy.LegalGroundCoverage[input.LegalGround].IsSubsetOf(AccessPolicy.LegalGroundCoverage[row.LegalGround]);
        row.Kind = input.Kind;
        row.Title = input.Title;
        row.Confidentiality = confidentiality;
        row.LegalGround = input.LegalGround;
        // A new case has no subjects to disclose; another kind or level of an existing one may give it new readers.
        if (created) return await SaveAsync(hub, row, WriteAction.OpenCase, "openCase", WriteChange.Created, now, ct);
        var saved = await SaveNotingDisclosureAsync(hub, row, WriteAction.OpenCase, "openCase", now, ct);
        if (sharesMoreCare && saved.Errors.Count == 0) await NoteSubjectsDisclosedAsync(hub, row.Id, ct, DataCategory.Zorg);
        return saved;
    }

    private static async Task<MutationPayload<Case>> ChangeStatusAsync(RequestContext hub, ChangeCaseStatusInput input, CancellationToken ct)
    {
        var errors = new InputErrors();
        var caseId = errors.Id("caseId", input.CaseId, "Case");
        var version = errors.Version("version", input.Version);
        var zvhId = errors.Id("zvhOrganisationId", input.ZvhOrganisationId, "Organisation");
        if (input.Status == CaseStatus.Afgesloten && input.Outcome is null) errors.Invalid("outcome", "Closing a case needs an outcome.");
        if (input.Status != CaseStatus.Afgesloten && input.Outcome is not null) errors.Invalid("outcome", "Only a closed case has an outcome.");
        if (input.Status == CaseStatus.OpgeschaaldNaarZvh && input.ZvhOrganisationId is null) errors.Invalid("zvhOrganisationId", "Escalation names the Zorg- en Veiligheidshuis that takes the case over.");
        if (input.Status != CaseStatus.OpgeschaaldNaarZvh && input.ZvhOrganisationId is not null) errors.Invalid("zvhOrganisationId", "Only an escalation names a Zorg- en Veiligheidshuis.");
        if (errors.Count > 0) return MutationPayload.Failed<Case>(errors);

        var (row, error) = await FindCaseAsync(hub, caseId!.Value, hub.Access.CasesToMoveOn,
            "Only the case's coordinating organisation changes its status.", ct);
        if (row is null) return MutationPayload.Failed<Case>([error!]);
        if (zvhId is { } zvh && !await hub.Db.Organisations.AnyAsync(o => o.Id == zvh && o.Kind == OrganisationKind.ZorgEnVeiligheidshuis, ct))
            return MutationPayload.Failed<Case>(MutationErrorCode.NotFound, "zvhOrganisationId", "No Zorg- en Veiligheidshuis with this id.");
        if (Conflict(hub.Db, row, version) is { } conflict) return MutationPayload.Failed<Case>([conflict]);
        if (!AllowedTransitions[row.Status].Contains(input.Status))
            return MutationPayload.Failed<Case>(MutationErrorCode.InvalidTransition, "status",
                $"A case cannot go from {row.Status} to {input.Status}; allowed from {row.Status}: {(AllowedTransitions[row.Status].Count == 0 ? "none" : string.Join(", ", AllowedTransitions[row.Status]))}.");
        // The Zorg- en Veiligheidshuis takes the case over: above its highest level the case would be escalated to no one.
        if (zvhId is not null && row.Confidentiality > ZvhCeiling)
            return MutationPayload.Failed<Case>(MutationErrorCode.Invalid, "zvhOrganisationId",
                $"The case is {row.Confidentiality}; a Zorg- en Veiligheidshuis reads cases up to {ZvhCeiling}, so it could not take this one over.");

        var now = DateTime.UtcNow;
        var organisationId = hub.Access.Caller.OrganisationId;
        hub.Db.CaseStatusChanges.Add(new CaseStatusChange { CaseId = row.Id, FromStatus = row.Status, ToStatus = input.Status, ChangedAt = now, ByOrganisationId = organisationId });
        row.Status = input.Status;
        var zvhJoins = false;
        if (input.Status == CaseStatus.OpgeschaaldNaarZvh)
        {
            row.EscalatedAt = now;
            zvhJoins = !await hub.Db.CaseParticipants.AnyAsync(p => p.CaseId == row.Id && p.OrganisationId == zvhId!.Value, ct);
            if (zvhJoins) hub.Db.CaseParticipants.Add(new CaseParticipant { CaseId = row.Id, OrganisationId = zvhId!.Value, JoinedAt = now });
        }
        if (input.Status == CaseStatus.Afgesloten)
        {
            row.ClosedAt = now;
            row.Outcome = input.Outcome;
        }
        var saved = await SaveAsync(hub, row, WriteAction.ChangeCaseStatus, "changeCaseStatus", WriteChange.Updated, now, ct);
        // An escalation makes the Zorg- en Veiligheidshuis a participant: it discloses the case's subjects to it, as
        // addCaseParticipant does, and is logged for each of them alike.
        if (zvhJoins && saved.Errors.Count == 0) await NoteSubjectsDisclosedAsync(hub, row.Id, ct);
        return saved;
    }

    /// <summary>
    /// Notes for the processing log each subject of a case that a new participant may read from now on: the write
    /// discloses them (verstrekking), whatever its response selects; the record names the caller, who made the disclosure.
    /// </summary>
    private static async Task NoteSubjectsDisclosedAsync(RequestContext hub, int caseId, CancellationToken ct, DataCategory category = DataCategory.Casus)
    {
        foreach (var subject in await hub.Db.CaseSubjects.AsNoTracking().Where(s => s.CaseId == caseId).Select(s => s.PersonId).ToListAsync(ct))
            hub.Processing.Add(subject, category);
    }

    /// <summary>
    /// Saves a change of a case that may give it new readers (<see cref="CaseAudience"/>: an address at a corporation's
    /// dwelling, another kind, a lower level), and notes its subjects as disclosed when it did, as a new participant does.
    /// </summary>
    private static async Task<MutationPayload<Case>> SaveNotingDisclosureAsync(RequestContext hub, Case row, WriteAction action, string operation, DateTime now, CancellationToken ct)
    {
        var readers = await CaseAudience.ReadersAsync(hub.Db, ct);
        var before = await CaseAudience.AdmittedAsync(hub.Db, readers, row.Id, ct);
        var saved = await SaveAsync(hub, row, action, operation, WriteChange.Updated, now, ct);
        if (saved.Errors.Count == 0 && !(await CaseAudience.AdmittedAsync(hub.Db, readers, row.Id, ct)).IsSubsetOf(before))
            await NoteSubjectsDisclosedAsync(hub, row.Id, ct);
        return saved;
    }

    private static async Task<MutationPayload<Case>> AddSubjectAsync(RequestContext hub, AddCaseSubjectInput input, DateOnly today, CancellationToken ct)
    {
        var errors = new InputErrors();
        var caseId = errors.Id("caseId", input.CaseId, "Case");
        if (!Bsn.IsValid(input.Bsn)) errors.Invalid("bsn", "Not a BSN: nine digits that pass the 11-proef.");
        errors.Text("givenName", input.GivenName, 200, required: false);
        errors.Text("surnamePrefix", input.SurnamePrefix, 20, required: false);
        errors.Text("surname", input.Surname, 200, required: false);
        if (input.DateOfBirth is { } born && born > today) errors.Invalid("dateOfBirth", "Lies in the future.");
        if (input.DateOfBirth < EarliestDates.Birth) errors.Invalid("dateOfBirth", "Before 1900-01-01.");
        if (errors.Count > 0) return MutationPayload.Failed<Case>(errors);

        var (row, error) = await FindCaseToAddToAsync(hub, caseId!.Value, "Only the case's coordinating and participating organisations add to it.", ct);
        if (row is null) return MutationPayload.Failed<Case>([error!]);

        var now = DateTime.UtcNow;
        var person = await hub.Db.Persons.FirstOrDefaultAsync(p => p.Bsn == input.Bsn, ct);
        // A person the caller cannot see, whether the hub holds the BSN or not, needs the names and date of birth, and
        // their absence is answered alike: the answer must not tell whether the hub holds a BSN (that alone says a
        // citizen is known to the safety chain). A person the caller sees is linked by BSN alone.
        var visible = person is not null && await hub.Persons().AnyAsync(p => p.Id == person.Id, ct);
        if (!visible)
        {
            const string required = "Required for a person you do not see yet: the names and date of birth as registered, or to register a new person.";
            if (string.IsNullOrWhiteSpace(input.GivenName)) errors.Invalid("givenName", required);
            if (string.IsNullOrWhiteSpace(input.Surname)) errors.Invalid("surname", required);
            if (input.DateOfBirth is null) errors.Invalid("dateOfBirth", required);
            if (errors.Count > 0) return MutationPayload.Failed<Case>(errors);
        }
        if (person is null)
        {
            // A person the hub does not know yet is registered by the partner that brings the person into a case.
            var newPerson = new Person { Bsn = input.Bsn, GivenName = input.GivenName!, SurnamePrefix = input.SurnamePrefix, Surname = input.Surname!, DateOfBirth = input.DateOfBirth!.Value };
            hub.Db.CaseSubjects.Add(new CaseSubject { CaseId = row.Id, Person = newPerson, Role = input.Role });
            var failed = await MutationSaving.SaveAsync(hub, row, () =>
            {
                hub.Audit(WriteAction.AddToCase, "addCaseSubject", "Person", newPerson.Id, WriteChange.Created, now);
                hub.Audit(WriteAction.AddToCase, "addCaseSubject", "Case", row.Id, WriteChange.Updated, now);
            }, ct);
            if (failed is not null) return MutationPayload.Failed<Case>([failed]);
            NoteSubject(hub, newPerson.Id, input.Bsn);
            return new MutationPayload<Case>(row, []);
        }
        // From here the answer tells the caller the hub holds this BSN, whatever follows: the person is processed. What
        // is left of the question "is this BSN held" takes the person's names and date of birth to ask, and is logged.
        hub.Processing.Add(person.Id, DataCategory.Identiteit, person.Bsn);
        // Linking makes the person visible to the case's partners. A person the caller cannot see yet is linked only
        // when the caller shows it knows who it is (names and date of birth as registered); otherwise adding any BSN
        // to an own case would reveal anyone in the hub.
        if (!visible && !SamePerson(person, input))
            return MutationPayload.Failed<Case>(MutationErrorCode.Invalid, "bsn", "Give the person's given name, surname and date of birth as registered with this BSN.");
        NoteSubject(hub, person.Id, person.Bsn);
        var existing = await hub.Db.CaseSubjects.FirstOrDefaultAsync(s => s.CaseId == row.Id && s.PersonId == person.Id, ct);
        if (existing is null) hub.Db.CaseSubjects.Add(new CaseSubject { CaseId = row.Id, PersonId = person.Id, Role = input.Role });
        else if (existing.Role == input.Role) return new MutationPayload<Case>(row, []);
        else existing.Role = input.Role;
        return await SaveAsync(hub, row, WriteAction.AddToCase, "addCaseSubject", WriteChange.Updated, now, ct);
    }

    /// <summary>
    /// Notes for the processing log a person made a case's subject: the write processes the person's identity and case
    /// data whatever its response selects (the log notes a read only for the fields that resolve).
    /// </summary>
    private static void NoteSubject(RequestContext hub, int personId, string bsn)
    {
        hub.Processing.Add(personId, DataCategory.Identiteit, bsn);
        hub.Processing.Add(personId, DataCategory.Casus);
    }

    private static bool SamePerson(Person person, AddCaseSubjectInput input)
        => string.Equals(person.GivenName, input.GivenName?.Trim(), StringComparison.OrdinalIgnoreCase)
           && string.Equals(person.Surname, input.Surname?.Trim(), StringComparison.OrdinalIgnoreCase)
           && person.DateOfBirth == input.DateOfBirth;

    private static async Task<MutationPayload<Case>> AddLocationAsync(RequestContext hub, AddCaseLocationInput input, CancellationToken ct)
    {
        var errors = new InputErrors();
        var caseId = errors.Id("caseId", input.CaseId, "Case");
        if (!AreaCodes.IsBagVerblijfsobjectId(input.BagId)) errors.Invalid("bagId", "Not a BAG verblijfsobject id: 16 digits, the 4-digit municipality code, 01, then a 10-digit serial.");
        if (errors.Count > 0) return MutationPayload.Failed<Case>(errors);
        var (row, error) = await FindCaseToAddToAsync(hub, caseId!.Value, "Only the case's coordinating and participating organisations add to it.", ct);
        if (row is null) return MutationPayload.Failed<Case>([error!]);
        var locationId = await hub.Locations().Where(l => l.BagId == input.BagId).Select(l => (int?)l.Id).FirstOrDefaultAsync(ct);
        if (locationId is null) return MutationPayload.Failed<Case>(MutationErrorCode.NotFound, "bagId", "No address with this BAG id that the caller may see.");
        if (await hub.Db.CaseLocations.AnyAsync(l => l.CaseId == row.Id && l.LocationId == locationId, ct)) return new MutationPayload<Case>(row, []);
        hub.Db.CaseLocations.Add(new CaseLocation { CaseId = row.Id, LocationId = locationId.Value });
        return await SaveNotingDisclosureAsync(hub, row, WriteAction.AddToCase, "addCaseLocation", DateTime.UtcNow, ct);
    }

    private static async Task<MutationPayload<Case>> AddParticipantAsync(RequestContext hub, AddCaseParticipantInput input, CancellationToken ct)
    {
        var errors = new InputErrors();
        var caseId = errors.Id("caseId", input.CaseId, "Case");
        var organisationId = errors.Id("organisationId", input.OrganisationId, "Organisation");
        if (errors.Count > 0) return MutationPayload.Failed<Case>(errors);
        var (row, error) = await FindCaseToAddToAsync(hub, caseId!.Value, "Only the case's coordinating and participating organisations add to it.", ct);
        if (row is null) return MutationPayload.Failed<Case>([error!]);
        if (!await hub.Db.Organisations.AnyAsync(o => o.Id == organisationId, ct))
            return MutationPayload.Failed<Case>(MutationErrorCode.NotFound, "organisationId", "No organisation with this id.");
        if (row.CoordinatingOrganisationId == organisationId || await hub.Db.CaseParticipants.AnyAsync(p => p.CaseId == row.Id && p.OrganisationId == organisationId, ct))
            return new MutationPayload<Case>(row, []);
        var now = DateTime.UtcNow;
        hub.Db.CaseParticipants.Add(new CaseParticipant { CaseId = row.Id, OrganisationId = organisationId!.Value, JoinedAt = now });
        // A new participant that may read the case from now on is disclosed its subjects; one whose roles read nothing at
        // this case's level (a corporation on a Geheim case) or that read it already (its own dwelling's woonoverlast) is not.
        return await SaveNotingDisclosureAsync(hub, row, WriteAction.AddToCase, "addCaseParticipant", now, ct);
    }

    private static async Task<MutationPayload<Case>> AddContributionAsync(RequestContext hub, AddCaseContributionInput input, CancellationToken ct)
    {
        var errors = new InputErrors();
        errors.ExternalId("externalId", input.ExternalId, required: false);
        var caseId = errors.Id("caseId", input.CaseId, "Case");
        errors.Text("text", input.Text, 4000, required: true);
        if (errors.Count > 0) return MutationPayload.Failed<Case>(errors);

        var organisationId = hub.Access.Caller.OrganisationId;
        var externalId = string.IsNullOrWhiteSpace(input.ExternalId) ? null : input.ExternalId;
        if (externalId is not null)
        {
            // The earlier note counts as the caller's only on a case the caller still sees: a replay answers that case.
            var (earlier, refusal) = await Replays.FindAsync(
                hub.Cases().SelectMany(c => c.Contributions).AsNoTracking(), hub.Db.CaseContributions,
                c => c.SourceOrganisationId == organisationId && c.ExternalId == externalId,
                "This externalId belongs to an earlier note of the caller's organisation on a case the caller may not see; it is not added again.", ct);
            if (refusal is not null) return MutationPayload.Failed<Case>([refusal]);
            if (earlier is not null) return await ReplayContributionAsync(hub, earlier, caseId!.Value, input.Text, ct);
        }

        var (row, error) = await FindCaseToAddToAsync(hub, caseId!.Value, "Only the case's coordinating and participating organisations add to it.", ct);
        if (row is null) return MutationPayload.Failed<Case>([error!]);
        var now = DateTime.UtcNow;
        hub.Db.CaseContributions.Add(new CaseContribution
        {
            CaseId = row.Id,
            OrganisationId = organisationId,
            Text = input.Text,
            CreatedAt = now,
            SourceOrganisationId = externalId is null ? null : organisationId,
            ExternalId = externalId,
        });
        return await SaveAsync(hub, row, WriteAction.AddContribution, "addCaseContribution", WriteChange.Updated, now, ct);
    }

    /// <summary>
    /// A note sent again with its externalId: the same note on the same case adds nothing and answers the case as it is,
    /// also once the case is closed (nothing is added to it). A note is never edited or moved: the other participants
    /// have read it as it was, and the hub has no edit of notes, so another case or another text under the same
    /// externalId is a mistake in the partner's system (an id used twice), refused rather than silently applied.
    /// </summary>
    private static async Task<MutationPayload<Case>> ReplayContributionAsync(RequestContext hub, CaseContribution earlier, int caseId, string text, CancellationToken ct)
    {
        if (earlier.CaseId != caseId)
            return MutationPayload.Failed<Case>(MutationErrorCode.Invalid, "externalId",
                "This externalId names a note of the caller's organisation on another case; a note is not moved: send this one under a new externalId.");
        if (!string.Equals(earlier.Text, text, StringComparison.Ordinal))
            return MutationPayload.Failed<Case>(MutationErrorCode.Invalid, "externalId",
                "This externalId names a note of the caller's organisation with another text; a note is not rewritten: send this one under a new externalId.");
        var row = await hub.Cases().FirstOrDefaultAsync(c => c.Id == caseId, ct);
        return row is null
            ? MutationPayload.Failed<Case>(MutationErrorCode.NotFound, "caseId", "No case with this id.")
            : new MutationPayload<Case>(row, []);
    }

    /// <summary>
    /// The case when the caller may write to it. A case the caller cannot see answers NOT_FOUND, exactly like one that
    /// does not exist; a visible case the write rule excludes answers FORBIDDEN.
    /// </summary>
    /// <summary>
    /// A case the caller may add to (a subject, location, participant, contribution or intervention), as
    /// <see cref="FindCaseAsync"/> finds it; a closed case is refused: what it holds and who sees it were settled when it
    /// closed (a participant added afterwards would read its subjects), and its retention term runs from then.
    /// </summary>
    internal static async Task<(Case? Case, MutationError? Error)> FindCaseToAddToAsync(RequestContext hub, int id, string forbidden,
        CancellationToken ct, string field = "caseId")
    {
        var (row, error) = await FindCaseAsync(hub, id, hub.Access.CasesToAddTo, forbidden, ct, field);
        return row is { Status: CaseStatus.Afgesloten }
            ? (null, new MutationError(MutationErrorCode.Invalid, field, "The case is closed: nothing is added to it any more."))
            : (row, error);
    }

    internal static async Task<(Case? Case, MutationError? Error)> FindCaseAsync(RequestContext hub, int id,
        Expression<Func<Case, bool>> writable, string forbidden, CancellationToken ct, string field = "caseId")
    {
        var row = await hub.Db.Cases.Where(writable).FirstOrDefaultAsync(c => c.Id == id, ct);
        if (row is not null) return (row, null);
        return await hub.Cases().AnyAsync(c => c.Id == id, ct)
            ? (null, new MutationError(MutationErrorCode.Forbidden, field, forbidden))
            : (null, new MutationError(MutationErrorCode.NotFound, field, "No case with this id."));
    }

    /// <summary>A CONFLICT when the client's version is outdated; otherwise the client's version becomes the one the
    /// UPDATE must still find, so a concurrent save in between fails too.</summary>
    internal static MutationError? Conflict<T>(VeiligheidDbContext db, T row, Guid? clientVersion) where T : class, IEditable
    {
        if (clientVersion is not { } version) return null;
        if (version != row.Version) return new MutationError(MutationErrorCode.Conflict, "version", "Changed since this version was read; read it again, then retry.", row.Version);
        db.Entry(row).Property(r => r.Version).OriginalValue = version;
        return null;
    }

    private static async Task<MutationPayload<Case>> SaveAsync(RequestContext hub, Case row, WriteAction action, string operation, WriteChange change, DateTime now, CancellationToken ct)
    {
        var error = await MutationSaving.SaveAsync(hub, row, () => hub.Audit(action, operation, "Case", row.Id, change, now), ct);
        return error is null ? new MutationPayload<Case>(row, []) : MutationPayload.Failed<Case>([error]);
    }
}

[Category(DataCategory.Casus)]
public sealed class CasePayloadType : SlicedObjectGraphType<MutationPayload<Case>>
{
    public CasePayloadType()
    {
        Name = "CasePayload";
        Description = "The result of a case mutation.";
        Field<CaseType>("case").Description("The case after the change; null when nothing was written because of errors.").Resolve(ctx => ctx.Source.Value);
        Field<NonNullGraphType<ListGraphType<NonNullGraphType<MutationErrorType>>>>("errors").Description("Why nothing was written; empty on success.").Resolve(ctx => ctx.Source.Errors);
    }
}
