using Veiligheid.Access;
using Veiligheid.GraphQL;
using Veiligheid.Locations;
using Veiligheid.Persons;

namespace Veiligheid.Incidents;

/// <summary>What a list of incidents can be filtered and sorted on; newest first unless asked otherwise.</summary>
[Category(DataCategory.Melding)]
public sealed class IncidentFilter : FilterDefinition<Incident>
{
    public IncidentFilter() : base("Incident", DataCategory.Melding, i => i.Id)
    {
        Choice("category", "What kind of incident.", i => i.Category);
        Time("occurredAt", "When it happened.", i => i.OccurredAt, sortable: true);
        Time("reportedAt", "When it was reported.", i => i.ReportedAt, sortable: true);
        Flag("inPublicSpace", "True when it happened in public space.", i => i.InPublicSpace);
        Code("neighbourhood", "CBS buurt code of the neighbourhood it happened in.", i => i.Neighbourhood.Code, DataCategory.Register);
        Code("district", "CBS wijk code of the district it happened in.", i => i.Neighbourhood.District.Code, DataCategory.Register);
        Reference("reportingOrganisation", "The organisation that reported it (an Organisation id).", "Organisation", i => i.ReportingOrganisationId);
        One<LocationFilter, Location>("location", "The address, when the caller may see it, matches this filter.", DataCategory.Locatie,
            i => i.Location, access => access.Locations);
        Some<PersonFilter, Person>("person", "Some person involved that the caller may see matches this filter.", DataCategory.Politie,
            i => i.Persons.Select(p => p.Person), access => access.Persons);
        DefaultSort("occurredAt", descending: true);
    }
}
