using Veiligheid.Access;
using Veiligheid.GraphQL;

namespace Veiligheid.Locations;

/// <summary>What a district's neighbourhoods can be filtered and sorted on (<c>District.neighbourhoods</c>); by code unless asked otherwise.</summary>
[Category(DataCategory.Register)]
public sealed class NeighbourhoodFilter : FilterDefinition<Neighbourhood>
{
    public NeighbourhoodFilter() : base("Neighbourhood", DataCategory.Register, n => n.Id)
    {
        Code("code", "CBS buurt code (BU + 8 digits); a prefix selects several.", n => n.Code, sortable: true);
        Text("name", "Name of the neighbourhood.", n => n.Name, sortable: true);
    }
}
