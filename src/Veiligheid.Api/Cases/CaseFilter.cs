using Veiligheid.Access;
using Veiligheid.GraphQL;
using Veiligheid.Locations;
using Veiligheid.Persons;

namespace Veiligheid.Cases;

/// <summary>What a list of cases can be filtered and sorted on; newest first unless asked otherwise.</summary>
[Category(DataCategory.Casus)]
public sealed class CaseFilter : FilterDefinition<Case>
{
    public CaseFilter() : base("Case", DataCategory.Casus, c => c.Id)
    {
        Choice("kind", "The kind of case.", c => c.Kind);
        Choice("status", "Where the case is in its flow.", c => c.Status);
        Choice("outcome", "The outcome, once closed.", c => c.Outcome);
        Choice("confidentiality", "Confidentiality level (ZGW).", c => c.Confidentiality);
        Choice("legalGround", "The legal ground the case is handled on.", c => c.LegalGround);
        Text("title", "The working title.", c => c.Title, sortable: true);
        Time("openedAt", "When the case was opened.", c => c.OpenedAt, sortable: true);
        Time("escalatedAt", "When it was escalated to the Zorg- en Veiligheidshuis.", c => c.EscalatedAt, sortable: true);
        Time("closedAt", "When it was closed.", c => c.ClosedAt, sortable: true);
        Reference("coordinatingOrganisation", "The organisation that directs the case (an Organisation id).", "Organisation", c => c.CoordinatingOrganisationId);
        Some<PersonFilter, Person>("subject", "Some subject of the case that the caller may see matches this filter.", DataCategory.Identiteit,
            c => c.Subjects.Select(s => s.Person), access => access.Persons);
        Some<LocationFilter, Location>("location", "Some address of the case that the caller may see matches this filter.", DataCategory.Locatie,
            c => c.Locations.Select(l => l.Location), access => access.Locations);
        DefaultSort("openedAt", descending: true);
    }
}
