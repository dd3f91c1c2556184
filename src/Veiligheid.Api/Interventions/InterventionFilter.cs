using Veiligheid.Access;
using Veiligheid.Cases;
using Veiligheid.GraphQL;
using Veiligheid.Locations;
using Veiligheid.Persons;

namespace Veiligheid.Interventions;

/// <summary>What a list of interventions can be filtered and sorted on; latest start first unless asked otherwise.</summary>
[Category(DataCategory.Interventie)]
public sealed class InterventionFilter : FilterDefinition<Intervention>
{
    public InterventionFilter() : base("Intervention", DataCategory.Interventie, i => i.Id)
    {
        Choice("kind", "What kind of intervention.", i => i.Kind);
        Choice("status", "Its status.", i => i.Status);
        Choice("confidentiality", "Confidentiality level (ZGW).", i => i.Confidentiality);
        Date("startDate", "When it started or starts.", i => i.StartDate, sortable: true);
        Date("endDate", "When it ended.", i => i.EndDate, sortable: true);
        Text("result", "The recorded result.", i => i.Result);
        Reference("executingOrganisation", "The organisation that carries it out (an Organisation id).", "Organisation", i => i.ExecutingOrganisationId);
        Code("neighbourhood", "CBS buurt code of the neighbourhood it covers, for area interventions.", i => i.Neighbourhood!.Code, DataCategory.Register);
        One<CaseFilter, Case>("case", "Its case exists, the caller may see it, and it matches this filter.", DataCategory.Casus,
            i => i.Case, access => access.Cases);
        One<PersonFilter, Person>("person", "The person it is aimed at exists, the caller may see it, and it matches this filter.", DataCategory.Identiteit,
            i => i.Person, access => access.Persons);
        One<LocationFilter, Location>("location", "Its location exists, the caller may see it, and it matches this filter.", DataCategory.Locatie,
            i => i.Location, access => access.Locations);
        DefaultSort("startDate", descending: true);
    }

    /// <summary>
    /// Care data where the caller's slice may hold care interventions (<see cref="CallerAccess.MayReceiveCare"/>), unless the
    /// filter's own <c>kind</c> condition (eq or in, at its top) admits no care kind: a count of a person's interventions
    /// that may be care trajectories says something about their care, as reading one does (logged as Zorg,
    /// <see cref="Accountability.ProcessingObserver.CategoryOfIntervention"/>), though no row is read. Under <c>or</c> or
    /// <c>not</c> a kind is not taken to exclude care: the safe side. A slice without care data holds no care intervention
    /// at all, so its answer says nothing about anyone's care; a slice with it may say something even where it shows none
    /// of this person's. Which persons' care it can hold is not asked here: a person's own list asks it per person
    /// (<see cref="Persons.PersonRelations.InterventionList"/>, <see cref="CallerAccess.CareMayBeAmongRowsOf"/>), a case's
    /// list per subject of the case (<see cref="Cases.CaseRelations.InterventionList"/>); for a person a filter names it is
    /// not asked, and the record errs on the data subject's side.
    /// </summary>
    public override IEnumerable<DataCategory> CategoriesOfRows(IDictionary<string, object?>? filter, CallerAccess access)
    {
        ArgumentNullException.ThrowIfNull(access);
        if (!access.MayReceiveCare) return [];
        if (filter is not null && filter.TryGetValue("kind", out var kind) && kind is IDictionary<string, object?> condition)
        {
            var kinds = Operators.Operands(condition).OfType<InterventionKind>().ToList();
            if (kinds.Count > 0 && !kinds.Any(AccessPolicy.CareInterventionKinds.Contains)) return [];
        }
        return [DataCategory.Zorg];
    }
}
