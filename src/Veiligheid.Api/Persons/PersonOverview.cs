using GraphQL;
using GraphQL.DataLoader;
using GraphQL.Types;
using Microsoft.EntityFrameworkCore;
using Veiligheid.Access;
using Veiligheid.Cases;
using Veiligheid.GraphQL;
using Veiligheid.Incidents;
using Veiligheid.Interventions;
using Veiligheid.Locations;
using Veiligheid.Organisations;
using Description = System.ComponentModel.DescriptionAttribute;

namespace Veiligheid.Persons;

/// <summary>The lokale kamer's integrated overview of one visible person.</summary>
public sealed record PersonOverview(Person Person);

/// <summary>What kind of event a timeline entry is.</summary>
[Description("What kind of event a timeline entry is.")]
public enum TimelineEventKind
{
    [Description("An incident the person was involved in.")]
    Incident,
    [Description("An intervention aimed at the person or on one of the person's cases.")]
    Intervention,
    [Description("A status change of one of the person's cases.")]
    StatusChange,
    [Description("A partner's contribution (note) on one of the person's cases.")]
    Contribution,
}

/// <summary>Why part of the overview is withheld.</summary>
[Description("Why part of the overview is withheld.")]
public enum WithholdingReason
{
    [Description("The caller's role is not granted this category of data.")]
    NotGrantedToRole,
    [Description("The request's purpose does not cover this category of data.")]
    NotCoveredByPurpose,
    [Description("The person gave the caller's organisation no consent, and no legal ground of a shared case covers it.")]
    NoConsentOrLegalGround,
}

/// <summary>One entry of a person's timeline across partners; <see cref="Category"/>: what it is about that person (the log's category for them).</summary>
public sealed record TimelineEvent(int PersonId, TimelineEventKind Kind, DataCategory Category, DateTime At, int OrganisationId, string Summary,
    int? CaseId, Incident? Incident = null, Intervention? Intervention = null);

/// <summary>A part of the overview the caller does not get, and why.</summary>
public sealed record WithheldPart(string Part, DataCategory Category, WithholdingReason Reason, string Explanation);

[Category(DataCategory.Identiteit)]
public sealed class PersonOverviewType : SlicedObjectGraphType<PersonOverview>
{
    public PersonOverviewType()
    {
        Name = "PersonOverview";
        Description = "The lokale kamer's integrated overview of one person across partners. Every part is exactly what the caller's role and the request's purpose allow; 'withheld' lists what is left out and why.";
        Field<NonNullGraphType<PersonType>>("person").Description("Identity (and, through the person, whatever else the caller may read).").Resolve(ctx => ctx.Source.Person);
        Field<LocationType>("address").Description("Current address; null when unknown or not visible.").Category(DataCategory.Adres)
            .Resolve(ctx => ctx.Source.Person.AddressId is { } id ? ctx.LoadLocation(id) : null);
        Field<NonNullGraphType<ListGraphType<NonNullGraphType<PersonCaseType>>>>("currentCases").Category(DataCategory.Casus)
            .Description("The person's cases that are not closed and that the caller may see, newest first; each with its participants and coordinating organisation. The overview's fixed selection, so it takes no filter (person.cases does).")
            .Resolve(ctx => ctx.LoadMany("overview.currentCases", ctx.Source.Person.Id,
                hub => hub.Db.CaseSubjects.Where(hub.Access.Cases.Through<CaseSubject, Case>(s => s.Case))
                    .Where(s => s.Case.Status != CaseStatus.Afgesloten).Include(s => s.Case).OrderByDescending(s => s.Case.OpenedAt), s => s.PersonId));
        Field<NonNullGraphType<ListGraphType<NonNullGraphType<TimelineEventType>>>>("timeline").Category(DataCategory.Casus)
            .Description("Incidents, interventions, status changes and contributions around the person across partners, oldest first: only the kinds the caller's role and purpose cover, only rows the caller may see. Merged across kinds, so it takes no filter; each kind's own list does (person.incidents, person.interventions, a case's statusHistory and contributions).")
            .Resolve(ctx => ctx.LoadTimeline(ctx.Source.Person.Id));
        Field<NonNullGraphType<LifeDomainsType>>("lifeDomains").Category(DataCategory.Zorg)
            .Description("Self-reliance per life domain; a domain without consent or legal ground is null with an error, and listed in 'withheld'.")
            .Resolve(ctx => ctx.Source.Person);
        Field<NonNullGraphType<ListGraphType<NonNullGraphType<WithheldPartType>>>>("withheld")
            .Description("The parts of the overview the caller does not get, and why: not granted to the role, not covered by the purpose, or no consent or legal ground. A handful of entries computed for the overview: no arguments.")
            .Resolve(ctx => ctx.LoadWithheld(ctx.Source.Person.Id));
    }
}

[Category(DataCategory.Casus)]
public sealed class TimelineEventType : SlicedObjectGraphType<TimelineEvent>
{
    public TimelineEventType()
    {
        Name = "TimelineEvent";
        Description = "One event in a person's timeline across partners.";
        Field<NonNullGraphType<DomainEnumType<TimelineEventKind>>>("kind").Description("What kind of event.").Resolve(ctx => ctx.Source.Kind);
        Field<NonNullGraphType<DateTimeScalar>>("at").Description("When it happened (for dated events: midnight UTC of that day).").Resolve(ctx => ctx.Source.At);
        Field<NonNullGraphType<OrganisationType>>("organisation").Description("The partner it came from.").Category(DataCategory.Register)
            .Resolve(ctx => ctx.LoadOrganisation(ctx.Source.OrganisationId));
        Field<NonNullGraphType<StringGraphType>>("summary").Description("A short description: category, kind and status, the status step, or the contribution's text.").Resolve(ctx => ctx.Source.Summary);
        Field<CaseType>("case").Description("The case it belongs to, if any and visible.").Resolve(ctx => ctx.Source.CaseId is { } id ? ctx.LoadCase(id) : null);
        Field<IncidentType>("incident").Description("The incident, for incident events.").Category(DataCategory.Melding).Resolve(ctx => ctx.Source.Incident);
        Field<InterventionType>("intervention").Description("The intervention, for intervention events.").Category(DataCategory.Interventie).Resolve(ctx => ctx.Source.Intervention);
    }
}

[Category(DataCategory.Identiteit)]
public sealed class WithheldPartType : SlicedObjectGraphType<WithheldPart>
{
    public WithheldPartType()
    {
        Name = "WithheldPart";
        Description = "A part of the person overview the caller does not get, and why.";
        Field<NonNullGraphType<StringGraphType>>("part").Description("Which part, e.g. 'lifeDomains', 'lifeDomains.financien', 'timeline.incidents'.").Resolve(ctx => ctx.Source.Part);
        Field<NonNullGraphType<StringGraphType>>("category").Description("The data category of the part.").Resolve(ctx => ctx.Source.Category.ToString());
        Field<NonNullGraphType<DomainEnumType<WithholdingReason>>>("reason").Description("Why it is withheld.").Resolve(ctx => ctx.Source.Reason);
        Field<NonNullGraphType<StringGraphType>>("explanation").Description("The reason in words.").Resolve(ctx => ctx.Source.Explanation);
    }
}

/// <summary>Loading the overview's timeline and withheld parts: a fixed number of statements, however many cases or incidents.</summary>
public static class PersonOverviewLoading
{
    private static readonly (string Part, DataCategory[] Categories)[] Parts =
    [
        ("identity", [DataCategory.Identiteit]),
        ("address", [DataCategory.Adres]),
        ("currentCases", [DataCategory.Casus]),
        ("timeline.caseHistory", [DataCategory.Casus]),
        ("timeline.incidents", [DataCategory.Melding, DataCategory.Politie]),
        ("timeline.interventions", [DataCategory.Interventie]),
        ("timeline.careInterventions", [DataCategory.Zorg]),
        ("policeSignals", [DataCategory.Politie]),
        ("tenancies", [DataCategory.Huisvesting]),
        ("lifeDomains", [DataCategory.Zorg]),
    ];

    public static IDataLoaderResult<IReadOnlyList<WithheldPart>> LoadWithheld(this IResolveFieldContext context, int personId)
    {
        var access = context.Hub().Access;
        var byPolicy = new List<WithheldPart>();
        foreach (var (part, categories) in Parts)
        {
            foreach (var category in categories)
            {
                if (!access.Role.Categories.Contains(category))
                {
                    byPolicy.Add(new WithheldPart(part, category, WithholdingReason.NotGrantedToRole,
                        $"The role '{access.Caller.Role.TokenValue()}' is not granted {category} data."));
                    break;
                }
                if (!access.Grants(category))
                {
                    byPolicy.Add(new WithheldPart(part, category, WithholdingReason.NotCoveredByPurpose,
                        $"The purpose '{access.Purpose?.Key}' does not cover {category} data."));
                    break;
                }
            }
        }
        if (!access.Grants(DataCategory.Zorg)) return new Completed<IReadOnlyList<WithheldPart>>(byPolicy);
        return context.LoadLifeDomains(personId).Then(shared =>
        {
            var parts = new List<WithheldPart>(byPolicy);
            foreach (var domain in Enum.GetValues<LifeDomain>())
            {
                try
                {
                    shared.Get(domain);
                }
                catch (ExecutionError)
                {
                    parts.Add(new WithheldPart($"lifeDomains.{System.Text.Json.JsonNamingPolicy.CamelCase.ConvertName(domain.ToString())}", DataCategory.Zorg,
                        WithholdingReason.NoConsentOrLegalGround,
                        $"The person gave your organisation no consent for '{domain}', and no legal ground of a case you share with the person covers it."));
                }
            }
            return (IReadOnlyList<WithheldPart>)parts;
        });
    }

    public static IDataLoaderResult<IReadOnlyList<TimelineEvent>> LoadTimeline(this IResolveFieldContext context, int personId)
    {
        var hub = context.Hub();
        // Whatever entries it holds, none of a kind included: the timeline says as much about the person as their lists do.
        foreach (var category in TimelineCategories(hub.Access)) hub.Processing.Add(personId, category);
        return hub.Loader<int, IReadOnlyList<TimelineEvent>>("overview.timeline", (ids, ct) => FetchTimelineAsync(hub, ids, ct), []).Load(personId);
    }

    /// <summary>
    /// The categories the caller's timeline is about, as its entries of each kind included are logged: what it reveals about
    /// its person even with no entry of a kind (as a person's interventions do, NestedList.RevealedAboutParent). Care data
    /// (Zorg) not here: only for the persons one of whose care trajectories could be among the caller's entries, which
    /// <see cref="FetchTimelineAsync"/> finds (<see cref="CallerAccess.CareMayBeAmongRowsOf"/>), as a person's interventions
    /// list does.
    /// </summary>
    private static IEnumerable<DataCategory> TimelineCategories(CallerAccess access)
    {
        if (HasCaseHistory(access)) yield return DataCategory.Casus;
        if (HasIncidents(access)) yield return DataCategory.Politie;
        if (HasInterventions(access)) yield return DataCategory.Interventie;
    }

    // The kinds of entries the timeline includes for this caller; FetchTimelineAsync reads these, TimelineCategories logs them.
    private static bool HasCaseHistory(CallerAccess access) => access.Grants(DataCategory.Casus);

    private static bool HasIncidents(CallerAccess access) => access.Grants(DataCategory.Melding) && access.Grants(DataCategory.Politie);

    private static bool HasInterventions(CallerAccess access) => access.Grants(DataCategory.Interventie);

    private static bool HasCareInterventions(CallerAccess access) => HasInterventions(access) && access.MayReceiveCare;

    private static async Task<IReadOnlyDictionary<int, IReadOnlyList<TimelineEvent>>> FetchTimelineAsync(RequestContext hub, IReadOnlyList<int> ids, CancellationToken ct)
    {
        var access = hub.Access;
        var events = new List<TimelineEvent>();
        var caseLinks = await hub.Db.CaseSubjects.AsNoTracking().WhereKeyIn(s => s.PersonId, ids)
            .Where(access.Cases.Through<CaseSubject, Case>(s => s.Case))
            .Select(s => new { s.PersonId, s.CaseId }).ToListAsync(ct);
        var caseIds = caseLinks.Select(l => l.CaseId).Distinct().ToList();
        var personsOfCase = caseLinks.ToLookup(l => l.CaseId, l => l.PersonId);

        if (HasCaseHistory(access) && caseIds.Count > 0)
        {
            var changes = await hub.Db.CaseStatusChanges.AsNoTracking().WhereKeyIn(s => s.CaseId, caseIds).ToListAsync(ct);
            events.AddRange(changes.SelectMany(s => personsOfCase[s.CaseId].Select(p => new TimelineEvent(p, TimelineEventKind.StatusChange, DataCategory.Casus,
                s.ChangedAt, s.ByOrganisationId, s.FromStatus is { } from ? $"{from} → {s.ToStatus}" : $"opened as {s.ToStatus}", s.CaseId))));
            var contributions = await hub.Db.CaseContributions.AsNoTracking().WhereKeyIn(c => c.CaseId, caseIds).ToListAsync(ct);
            events.AddRange(contributions.SelectMany(c => personsOfCase[c.CaseId].Select(p => new TimelineEvent(p, TimelineEventKind.Contribution, DataCategory.Casus,
                c.CreatedAt, c.OrganisationId, c.Text, c.CaseId))));
        }

        if (HasIncidents(access))
        {
            var incidents = await hub.Db.IncidentPersons.AsNoTracking().WhereKeyIn(l => l.PersonId, ids)
                .Where(access.Incidents.Through<IncidentPerson, Incident>(l => l.Incident)).Include(l => l.Incident).ToListAsync(ct);
            events.AddRange(incidents.Select(l => new TimelineEvent(l.PersonId, TimelineEventKind.Incident, DataCategory.Politie,
                l.Incident.OccurredAt, l.Incident.ReportingOrganisationId, $"{l.Incident.Category} ({l.Role})", null, Incident: l.Incident)));
        }

        if (HasInterventions(access))
        {
            var personIds = ids.ToList();
            var mayReadCare = HasCareInterventions(access);
            // Whatever care entries it holds, none included: a person's timeline says something about their care where one
            // of their care trajectories could be among the caller's entries (one query for the batch).
            if (mayReadCare)
            {
                foreach (var id in await hub.Db.Persons.AsNoTracking().Where(p => personIds.Contains(p.Id))
                             .Where(access.CareMayBeAmongRowsOf(hub.Db.Interventions)).Select(p => p.Id).ToListAsync(ct))
                    hub.Processing.Add(id, DataCategory.Zorg);
            }
            var interventions = await hub.Interventions().AsNoTracking()
                .Where(i => (i.PersonId != null && personIds.Contains(i.PersonId.Value)) || (i.CaseId != null && caseIds.Contains(i.CaseId.Value)))
                .ToListAsync(ct);
            foreach (var i in interventions)
            {
                var isCare = AccessPolicy.CareInterventionKinds.Contains(i.Kind);
                if (isCare && !mayReadCare) continue;
                // On the timeline of the person it is aimed at and of every subject of its case alike, whichever of them the
                // batch holds: which other overviews a request asks for does not change a person's timeline.
                var about = new HashSet<int>();
                if (i.PersonId is { } pid && personIds.Contains(pid)) about.Add(pid);
                if (i.CaseId is { } cid) about.UnionWith(personsOfCase[cid]);
                events.AddRange(about.Select(p => new TimelineEvent(p, TimelineEventKind.Intervention, CategoryOnTimelineOf(p, i, isCare),
                    i.StartDate.ToDateTime(TimeOnly.MinValue, DateTimeKind.Utc), i.ExecutingOrganisationId, $"{i.Kind} ({i.Status})", i.CaseId, Intervention: i)));
            }
        }

        return events.GroupBy(e => e.PersonId).ToDictionary(g => g.Key,
            g => (IReadOnlyList<TimelineEvent>)g.OrderBy(e => e.At).ThenBy(e => e.Kind).ToList());
    }

    /// <summary>
    /// What an intervention entry on <paramref name="personId"/>'s timeline is about that person: a care intervention aimed
    /// at them, or at no one on their case, is their care data; one aimed at another subject of their case is that subject's
    /// care data (logged for them, ProcessingObserver) and for this person an intervention on their case, as the case's
    /// interventions list is. Otherwise the timeline of a person with no care of their own that the caller could see was
    /// logged as that person's care data because of a co-subject's care trajectory.
    /// </summary>
    private static DataCategory CategoryOnTimelineOf(int personId, Intervention intervention, bool isCare)
        => isCare && (intervention.PersonId is null || intervention.PersonId == personId) ? DataCategory.Zorg : DataCategory.Interventie;

    private sealed class Completed<T>(T value) : IDataLoaderResult<T>
    {
        public Task<T> GetResultAsync(CancellationToken cancellationToken = default) => Task.FromResult(value);

        async Task<object?> IDataLoaderResult.GetResultAsync(CancellationToken cancellationToken) => await GetResultAsync(cancellationToken);
    }
}
