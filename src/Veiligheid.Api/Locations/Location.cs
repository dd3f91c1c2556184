using Veiligheid.Data;
using Veiligheid.Organisations;

namespace Veiligheid.Locations;

/// <summary>A district (wijk) of the municipality, identified by its CBS code WK + 6 digits.</summary>
public sealed class District
{
    public int Id { get; set; }
    public required string Code { get; set; }
    public required string Name { get; set; }
    public List<Neighbourhood> Neighbourhoods { get; set; } = [];
}

/// <summary>A neighbourhood (buurt) inside a district, identified by its CBS code BU + 8 digits.</summary>
public sealed class Neighbourhood
{
    public int Id { get; set; }
    public required string Code { get; set; }
    public required string Name { get; set; }
    public int DistrictId { get; set; }
    public District District { get; set; } = null!;
}

/// <summary>An address: a BAG verblijfsobject with its WGS84 point, inside a neighbourhood; a dwelling may be owned by a housing corporation.</summary>
public sealed class Location : IEditable, ISourced
{
    public int Id { get; set; }

    /// <summary>BAG verblijfsobject id: 16 digits, kept as a string because leading zeros matter.</summary>
    public required string BagId { get; set; }

    public required string Street { get; set; }
    public int HouseNumber { get; set; }
    public string? HouseNumberAddition { get; set; }
    public required string Postcode { get; set; }
    public required string City { get; set; }
    public double Latitude { get; set; }
    public double Longitude { get; set; }

    public int NeighbourhoodId { get; set; }
    public Neighbourhood Neighbourhood { get; set; } = null!;

    /// <summary>The housing corporation that owns the dwelling, if any.</summary>
    public int? OwnerOrganisationId { get; set; }
    public Organisation? OwnerOrganisation { get; set; }

    /// <summary>The cases about this location.</summary>
    public List<Cases.CaseLocation> CaseLinks { get; set; } = [];

    public int? SourceOrganisationId { get; set; }
    public string? ExternalId { get; set; }
    public Guid Version { get; set; }
    public DateTime CreatedAt { get; set; }
    public DateTime UpdatedAt { get; set; }
}
