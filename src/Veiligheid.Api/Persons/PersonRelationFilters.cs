using Veiligheid.Access;
using Veiligheid.GraphQL;
using Veiligheid.Locations;

namespace Veiligheid.Persons;

/// <summary>What a person's police signals can be filtered and sorted on (<c>Person.policeSignals</c>); newest first unless asked otherwise.</summary>
[Category(DataCategory.Politie)]
public sealed class PoliceSignalFilter : FilterDefinition<PoliceSignal>
{
    public PoliceSignalFilter() : base("PoliceSignal", DataCategory.Politie, s => s.Id,
        "The order the hub recorded the signals in.")
    {
        Choice("kind", "The kind of signal.", s => s.Kind);
        Date("registeredOn", "When it was registered.", s => s.RegisteredOn, sortable: true);
        Reference("organisation", "The police unit that registered it (an Organisation id).", "Organisation", s => s.OrganisationId);
    }
}

/// <summary>What a person's tenancies can be filtered and sorted on (<c>Person.tenancies</c>); latest start first unless asked otherwise.</summary>
[Category(DataCategory.Huisvesting)]
public sealed class TenancyFilter : FilterDefinition<Tenancy>
{
    public TenancyFilter() : base("Tenancy", DataCategory.Huisvesting, t => t.Id,
        "The order the hub recorded the tenancies in.")
    {
        Date("startDate", "Start of the tenancy.", t => t.StartDate, sortable: true);
        Date("endDate", "End of the tenancy (absent while it runs).", t => t.EndDate, sortable: true);
        Reference("landlord", "The housing corporation (an Organisation id).", "Organisation", t => t.LandlordOrganisationId);
        One<LocationFilter, Location>("dwelling", "The dwelling exists, the caller may see it, and it matches this filter.", DataCategory.Locatie,
            t => t.Location, access => access.Locations);
    }
}
