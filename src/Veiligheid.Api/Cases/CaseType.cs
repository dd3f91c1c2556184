using GraphQL;
using GraphQL.DataLoader;
using GraphQL.Types;
using Microsoft.EntityFrameworkCore;
using Veiligheid.Access;
using Veiligheid.GraphQL;
using Veiligheid.Interventions;
using Veiligheid.Locations;
using Veiligheid.Organisations;
using Veiligheid.Persons;

namespace Veiligheid.Cases;

[Category(DataCategory.Casus)]
public sealed class CaseType : SlicedObjectGraphType<Case>
{
    public CaseType()
    {
        Name = "Case";
        Description = "A case (casus): the unit of joint work between partners. Visible only to the organisations that take part in it, up to the caller's confidentiality level.";
        Field<NonNullGraphType<IdGraphType>>("id").Description("Opaque global id.").Resolve(ctx => GlobalId.Encode(Name, ctx.Source.Id));
        Field<NonNullGraphType<StringGraphType>>("version").Description("The version to send with an edit: an edit based on an outdated version gets a CONFLICT error. Changes on every save.").Resolve(ctx => ctx.Source.Version.ToString());
        Field<NonNullGraphType<DomainEnumType<CaseKind>>>("kind").Description("The kind of case.").Resolve(ctx => ctx.Source.Kind);
        Field<NonNullGraphType<StringGraphType>>("title").Description("A short working title; never a person's name.").Resolve(ctx => ctx.Source.Title);
        Field<NonNullGraphType<DomainEnumType<CaseStatus>>>("status").Description("Where the case is in its flow.").Resolve(ctx => ctx.Source.Status);
        Field<DomainEnumType<CaseOutcome>>("outcome").Description("The outcome, once closed.").Resolve(ctx => ctx.Source.Outcome);
        Field<NonNullGraphType<DomainEnumType<ConfidentialityLevel>>>("confidentiality").Description("Confidentiality level (ZGW).").Resolve(ctx => ctx.Source.Confidentiality);
        Field<NonNullGraphType<DomainEnumType<LegalGround>>>("legalGround").Description("The legal ground the case is handled on; it decides which life domains participants may share.").Resolve(ctx => ctx.Source.LegalGround);
        Field<NonNullGraphType<DateTimeScalar>>("openedAt").Description("When the case was opened.").Resolve(ctx => ctx.Source.OpenedAt);
        Field<DateTimeScalar>("escalatedAt").Description("When it was escalated to the Zorg- en Veiligheidshuis, if it was.").Resolve(ctx => ctx.Source.EscalatedAt);
        Field<DateTimeScalar>("closedAt").Description("When it was closed, if it is.").Resolve(ctx => ctx.Source.ClosedAt);
        Field<NonNullGraphType<OrganisationType>>("coordinatingOrganisation").Description("The organisation that directs the case.")
            .Resolve(ctx => ctx.LoadOrganisation(ctx.Source.CoordinatingOrganisationId));
        Field<NonNullGraphType<ListGraphType<NonNullGraphType<CaseParticipantType>>>>("participants").Description("The organisations taking part: the basis of need-to-know. By joining, then by organisation.")
            .Arguments(CaseRelations.ParticipantList.Arguments("the participants that match this filter"))
            .Resolve(ctx => CaseRelations.ParticipantList.Load(ctx, "case.participants", ctx.Source.Id));
        CaseRelations.ParticipantList.AsPage(Field<NonNullGraphType<ConnectionGraphType<CaseParticipantType, CaseParticipant>>>("participantsPage"), "the participants that match this filter")
            .Resolve(ctx => CaseRelations.ParticipantList.LoadPage(ctx, "case.participantsPage", ctx.Source.Id));
        Field<NonNullGraphType<ListGraphType<NonNullGraphType<CaseSubjectType>>>>("subjects").Description("The persons the case is about, that the caller may see, with their role.")
            .Arguments(CaseRelations.SubjectList.Arguments("the subjects whose person matches this filter (it tests the person, not the role)"))
            .Resolve(ctx => CaseRelations.SubjectList.Load(ctx, "case.subjects", ctx.Source.Id));
        CaseRelations.SubjectList.AsPage(Field<NonNullGraphType<ConnectionGraphType<CaseSubjectType, CaseSubject>>>("subjectsPage"), "the subjects whose person matches this filter (it tests the person, not the role)")
            .Resolve(ctx => CaseRelations.SubjectList.LoadPage(ctx, "case.subjectsPage", ctx.Source.Id));
        Field<NonNullGraphType<ListGraphType<NonNullGraphType<LocationType>>>>("locations").Description("The addresses the case is about, that the caller may see.").Category(DataCategory.Locatie)
            .Arguments(CaseRelations.LocationList.Arguments("the addresses that match this filter"))
            .Resolve(ctx => CaseRelations.LocationList.Load(ctx, "case.locations", ctx.Source.Id, rows => rows.Include(l => l.Location))
                .Then(links => (IReadOnlyList<Location>)links.Select(l => l.Location).ToList()));
        CaseRelations.LocationList.AsPage(Field<NonNullGraphType<ConnectionGraphType<LocationType, Location>>>("locationsPage"), "the addresses that match this filter").Category(DataCategory.Locatie)
            .Resolve(ctx => CaseRelations.LocationList.LoadPage(ctx, "case.locationsPage", ctx.Source.Id).Then(page => page.Select(l => l.Location)));
        Field<NonNullGraphType<ListGraphType<NonNullGraphType<InterventionType>>>>("interventions").Description("Interventions on this case that the caller may see, by start date.").Category(DataCategory.Interventie)
            .Arguments(CaseRelations.InterventionList.Arguments("the interventions that match this filter"))
            .Resolve(ctx => CaseRelations.InterventionList.Load(ctx, "case.interventions", ctx.Source.Id));
        CaseRelations.InterventionList.AsPage(Field<NonNullGraphType<ConnectionGraphType<InterventionType, Intervention>>>("interventionsPage"), "the interventions that match this filter").Category(DataCategory.Interventie)
            .Resolve(ctx => CaseRelations.InterventionList.LoadPage(ctx, "case.interventionsPage", ctx.Source.Id));
        Field<NonNullGraphType<ListGraphType<NonNullGraphType<CaseStatusChangeType>>>>("statusHistory").Description("Every status change, oldest first.")
            .Arguments(CaseRelations.StatusHistoryList.Arguments("the status changes that match this filter"))
            .Resolve(ctx => CaseRelations.StatusHistoryList.Load(ctx, "case.statusHistory", ctx.Source.Id));
        CaseRelations.StatusHistoryList.AsPage(Field<NonNullGraphType<ConnectionGraphType<CaseStatusChangeType, CaseStatusChange>>>("statusHistoryPage"), "the status changes that match this filter")
            .Resolve(ctx => CaseRelations.StatusHistoryList.LoadPage(ctx, "case.statusHistoryPage", ctx.Source.Id));
        Field<NonNullGraphType<ListGraphType<NonNullGraphType<CaseContributionType>>>>("contributions").Description("Partners' notes on the case, oldest first.")
            .Arguments(CaseRelations.ContributionList.Arguments("the contributions that match this filter"))
            .Resolve(ctx => CaseRelations.ContributionList.Load(ctx, "case.contributions", ctx.Source.Id));
        CaseRelations.ContributionList.AsPage(Field<NonNullGraphType<ConnectionGraphType<CaseContributionType, CaseContribution>>>("contributionsPage"), "the contributions that match this filter")
            .Resolve(ctx => CaseRelations.ContributionList.LoadPage(ctx, "case.contributionsPage", ctx.Source.Id));
    }
}

[Category(DataCategory.Casus)]
public sealed class CaseParticipantType : SlicedObjectGraphType<CaseParticipant>
{
    public CaseParticipantType()
    {
        Name = "CaseParticipant";
        Description = "An organisation taking part in a case.";
        Field<NonNullGraphType<OrganisationType>>("organisation").Description("The organisation.").Resolve(ctx => ctx.LoadOrganisation(ctx.Source.OrganisationId));
        Field<NonNullGraphType<DateTimeScalar>>("joinedAt").Description("When it joined the case.").Resolve(ctx => ctx.Source.JoinedAt);
    }
}

[Category(DataCategory.Casus)]
public sealed class CaseSubjectType : SlicedObjectGraphType<CaseSubject>
{
    public CaseSubjectType()
    {
        Name = "CaseSubject";
        Description = "A person a case is about, with the role the person has in it.";
        Field<NonNullGraphType<DomainEnumType<CaseSubjectRole>>>("role").Description("The person's role in the case.").Resolve(ctx => ctx.Source.Role);
        Field<NonNullGraphType<PersonType>>("person").Description("The person.").Category(DataCategory.Identiteit)
            .Resolve(ctx => ctx.LoadPerson(ctx.Source.PersonId));
    }
}

[Category(DataCategory.Casus)]
public sealed class CaseStatusChangeType : SlicedObjectGraphType<CaseStatusChange>
{
    public CaseStatusChangeType()
    {
        Name = "CaseStatusChange";
        Description = "One step in a case's status history.";
        Field<DomainEnumType<CaseStatus>>("fromStatus").Description("The status before; null when the case was opened.").Resolve(ctx => ctx.Source.FromStatus);
        Field<NonNullGraphType<DomainEnumType<CaseStatus>>>("toStatus").Description("The status after.").Resolve(ctx => ctx.Source.ToStatus);
        Field<NonNullGraphType<DateTimeScalar>>("changedAt").Description("When it changed.").Resolve(ctx => ctx.Source.ChangedAt);
        Field<NonNullGraphType<OrganisationType>>("by").Description("The organisation that changed it.").Resolve(ctx => ctx.LoadOrganisation(ctx.Source.ByOrganisationId));
    }
}

[Category(DataCategory.Casus)]
public sealed class CaseContributionType : SlicedObjectGraphType<CaseContribution>
{
    public CaseContributionType()
    {
        Name = "CaseContribution";
        Description = "A partner's note on a case, shared with the case's participants.";
        Field<NonNullGraphType<OrganisationType>>("organisation").Description("The organisation that wrote it.").Resolve(ctx => ctx.LoadOrganisation(ctx.Source.OrganisationId));
        Field<NonNullGraphType<StringGraphType>>("text").Description("The note.").Resolve(ctx => ctx.Source.Text);
        Field<NonNullGraphType<DateTimeScalar>>("createdAt").Description("When it was written.").Resolve(ctx => ctx.Source.CreatedAt);
    }
}

/// <summary>
/// The rows behind a case's lists, in their order: one definition for the resolvers and for the compiled read path
/// (<see cref="GraphQL.Compiled.ReadMap"/>), so both read exactly the same rows.
/// </summary>
public static class CaseRelations
{
    /// <summary>Subjects of cases that the caller may see as persons, by person; filtered and sorted on the person.</summary>
    public static NestedList<PersonFilter, Person, CaseSubject> SubjectList { get; } = new(
        "Case.subjects", hub => hub.Db.CaseSubjects.Where(hub.Access.CaseSubjects), s => s.CaseId, s => s.Person, ("ID", false))
    {
        // Under a case the caller may see, the rule's case test holds for every link: what is left of it is tested.
        VisibleUnderVisibleParent = hub => hub.Access.CaseSubjectsOfVisibleCase is { } rule ? hub.Db.CaseSubjects.Where(rule) : hub.Db.CaseSubjects,
    };

    /// <summary>
    /// Visible interventions that belong to a case, by start date. What the list answers, if only a count or no rows, says
    /// something about the care of the case's subjects where it may hold care trajectories: logged as care data of each
    /// subject some care intervention of whom could be among the caller's rows, by the condition of a person's own list
    /// (<see cref="PersonRelations.InterventionList"/>) and, as a case's list also holds them, of a care intervention on
    /// their case aimed at no one (<see cref="CallerAccess.CareMayBeAmongCaseRowsOf"/>). A count of its other interventions
    /// is the case's data.
    /// </summary>
    public static NestedList<InterventionFilter, Intervention, Intervention> InterventionList { get; } = new(
        "Case.interventions", hub => hub.Interventions().Where(i => i.CaseId != null), i => i.CaseId!.Value, null, ("START_DATE", false), ("ID", false))
    {
        ParentIsCase = true,
        ParentsThatMayHold = new Dictionary<DataCategory, Func<RequestContext, System.Linq.Expressions.Expression<Func<Person, bool>>>>
        {
            [DataCategory.Zorg] = hub => hub.Access.CareMayBeAmongCaseRowsOf(hub.Db.Interventions),
        },
    };

    /// <summary>Links to the addresses of a case that the caller may see, by address; filtered and sorted on the address.</summary>
    public static NestedList<LocationFilter, Location, CaseLocation> LocationList { get; } = new(
        "Case.locations", hub => hub.Db.CaseLocations.Where(hub.Access.Locations.Through<CaseLocation, Location>(l => l.Location)), l => l.CaseId, l => l.Location, ("ID", false));

    // A case's participants, status history and contributions are visible with the case: the list's parent is the row
    // rule (a case the caller may not see is never a parent), as it always was for these lists.

    /// <summary>The organisations taking part in a case, by joining; equal moments by organisation.</summary>
    public static NestedList<CaseParticipantFilter, CaseParticipant, CaseParticipant> ParticipantList { get; } = new(
        "Case.participants", hub => hub.Db.CaseParticipants, p => p.CaseId, null, ("JOINED_AT", false), ("ID", false));

    /// <summary>A case's status changes, oldest first; equal moments in the order recorded.</summary>
    public static NestedList<CaseStatusChangeFilter, CaseStatusChange, CaseStatusChange> StatusHistoryList { get; } = new(
        "Case.statusHistory", hub => hub.Db.CaseStatusChanges, s => s.CaseId, null, ("CHANGED_AT", false), ("ID", false));

    /// <summary>Partners' notes on a case, oldest first; equal moments in the order recorded.</summary>
    public static NestedList<CaseContributionFilter, CaseContribution, CaseContribution> ContributionList { get; } = new(
        "Case.contributions", hub => hub.Db.CaseContributions, c => c.CaseId, null, ("CREATED_AT", false), ("ID", false));

    /// <summary>Links from an address to the cases about it that the caller may see, newest first; filtered and sorted on the case.</summary>
    public static NestedList<CaseFilter, Case, CaseLocation> OfLocationList { get; } = new(
        "Location.cases", hub => hub.Db.CaseLocations.Where(hub.Access.Cases.Through<CaseLocation, Case>(l => l.Case)), l => l.LocationId, l => l.Case, ("OPENED_AT", true));
}

/// <summary>Loading cases through the caller's row rule.</summary>
public static class CaseLoading
{
    public static IDataLoaderResult<Case?> LoadCase(this IResolveFieldContext context, int id)
        => context.LoadOne("case", id, hub => hub.Cases(), c => c.Id);

    public static IDataLoaderResult<IReadOnlyList<Case>> LoadCasesOfLocation(this IResolveFieldContext context, int locationId)
        => CaseRelations.OfLocationList.Load(context, "location.cases", locationId, rows => rows.Include(l => l.Case))
            .Then(links => (IReadOnlyList<Case>)links.Select(l => l.Case).ToList());
}
