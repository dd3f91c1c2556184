using Veiligheid.Access;
using Veiligheid.GraphQL;

namespace Veiligheid.Locations;

/// <summary>What a list of addresses can be filtered and sorted on; by postcode and house number unless asked otherwise.</summary>
[Category(DataCategory.Locatie)]
public sealed class LocationFilter : FilterDefinition<Location>
{
    public LocationFilter() : base("Location", DataCategory.Locatie, l => l.Id)
    {
        Code("bagId", "BAG verblijfsobject id.", l => l.BagId);
        Text("street", "Street name.", l => l.Street, sortable: true);
        Number("houseNumber", "House number.", l => l.HouseNumber, sortable: true);
        Code("postcode", "Postcode without a space, e.g. 1234AB; a prefix such as 1234 selects an area.", l => l.Postcode, sortable: true);
        Text("city", "Place name.", l => l.City, sortable: true);
        Code("neighbourhood", "CBS buurt code of the neighbourhood (BU + 8 digits).", l => l.Neighbourhood.Code, DataCategory.Register);
        Code("district", "CBS wijk code of the district (WK + 6 digits).", l => l.Neighbourhood.District.Code, DataCategory.Register);
        Reference("owner", "The housing corporation that owns the dwelling (an Organisation id).", "Organisation", l => l.OwnerOrganisationId);
        DefaultSort("postcode", descending: false);
        DefaultSort("houseNumber", descending: false);
    }
}
