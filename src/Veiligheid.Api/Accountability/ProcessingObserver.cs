using System.Collections.Concurrent;
using GraphQL;
using GraphQL.Instrumentation;
using GraphQL.Types;
using Veiligheid.Access;
using Veiligheid.Cases;
using Veiligheid.GraphQL;
using Veiligheid.Incidents;
using Veiligheid.Interventions;
using Veiligheid.Persons;

namespace Veiligheid.Accountability;

/// <summary>
/// Field middleware on every schema: each resolved field whose source is a person's data (the person itself, a case or
/// incident link, a tenancy, a police signal, a life-domain score, an intervention aimed at a person, the person
/// overview) notes the person and the field's category in the request's <see cref="ProcessingCollector"/>; a row of a list
/// filtered on its person's data (a case's subjects by surname) notes as well what that filter read of the person
/// (<see cref="ProcessingCollector.AddReadByFilter"/>). Derived from what actually resolved, so the log records exactly
/// what the request processed, whichever query reached it.
/// </summary>
public sealed class ProcessingObserver : IFieldMiddleware
{
    public static ProcessingObserver Instance { get; } = new();

    private static readonly ConcurrentDictionary<(IGraphType, FieldType), DataCategory> FieldCategories = new();

    public async ValueTask<object?> ResolveAsync(IResolveFieldContext context, FieldMiddlewareDelegate next)
    {
        ArgumentNullException.ThrowIfNull(context);
        ArgumentNullException.ThrowIfNull(next);
        var result = await next(context);
        if (context.UserContext is RequestContext hub) Observe(hub.Processing, context);
        return result;
    }

    private static void Observe(ProcessingCollector collector, IResolveFieldContext context)
    {
        // A life domain's field notes its person itself, and only when it gives a score (LifeDomainsType): here it would be
        // noted as Zorg before its value is known, withheld or not.
        if (context.ParentType is LifeDomainsType) return;
        switch (context.Source)
        {
            case Person person:
                collector.Add(person.Id, CategoryOfContainer(context), person.Bsn);
                collector.AddReadByFilter(person, person.Id);
                break;
            case PersonOverview overview:
                collector.Add(overview.Person.Id, CategoryOfContainer(context), overview.Person.Bsn);
                break;
            case TimelineEvent timelineEvent:
                collector.Add(timelineEvent.PersonId, timelineEvent.Category);
                // An intervention on one of the person's cases may be aimed at another subject: its summary is that
                // person's data too (a care intervention: their care data), whichever of its fields were read. The entry's
                // own category is what it is about the timeline's person, which for that person is not care data.
                if (timelineEvent.Intervention is { PersonId: { } aimedAt } aimedAtOther && aimedAt != timelineEvent.PersonId)
                    collector.Add(aimedAt, CategoryOfIntervention(aimedAtOther.Kind, DataCategory.Interventie));
                break;
            case CaseSubject subject:
                collector.Add(subject.PersonId, DataCategory.Casus);
                collector.AddReadByFilter(subject, subject.PersonId);
                break;
            case IncidentPerson link:
                collector.Add(link.PersonId, DataCategory.Politie);
                collector.AddReadByFilter(link, link.PersonId);
                break;
            case Tenancy tenancy:
                collector.Add(tenancy.PersonId, DataCategory.Huisvesting);
                break;
            case PoliceSignal signal:
                collector.Add(signal.PersonId, DataCategory.Politie);
                break;
            case LifeDomainScore score:
                collector.Add(score.PersonId, DataCategory.Zorg);
                break;
            case Intervention { PersonId: { } personId } intervention:
                collector.Add(personId, CategoryOfIntervention(intervention.Kind, CategoryOf(context)));
                break;
        }
    }

    /// <summary>
    /// The category a field of an intervention aimed at a person is logged under: a care intervention is care data
    /// whichever field was read. The compiled read path logs through this too.
    /// </summary>
    internal static DataCategory CategoryOfIntervention(InterventionKind kind, DataCategory fieldCategory)
        => AccessPolicy.CareInterventionKinds.Contains(kind) ? DataCategory.Zorg : fieldCategory;

    /// <summary>
    /// <see cref="CategoryOf"/>, except for a field that holds a person's life domains (the overview's <c>lifeDomains</c>,
    /// category Zorg): by itself it gives no care data, each domain that gives a score notes Zorg, so it is noted as the
    /// person's identity, as <c>Person.lifeDomains</c> is.
    /// </summary>
    private static DataCategory CategoryOfContainer(IResolveFieldContext context)
        => context.FieldDefinition.ResolvedType?.GetNamedType() is LifeDomainsType ? DataCategory.Identiteit : CategoryOf(context);

    /// <summary>The category of the field being resolved (its own, or its type's); a filtered list's persons are noted under it too.</summary>
    internal static DataCategory CategoryOf(IResolveFieldContext context)
        => FieldCategories.GetOrAdd((context.ParentType, context.FieldDefinition), key => SchemaSlice.CategoryOf(key.Item1, key.Item2));
}
