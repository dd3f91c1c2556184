using GraphQL;
using GraphQL.DataLoader;
using GraphQL.Types;
using Veiligheid.Access;
using Veiligheid.Cases;
using Veiligheid.GraphQL;
using Veiligheid.Incidents;
using Veiligheid.Organisations;

namespace Veiligheid.Locations;

[Category(DataCategory.Register)]
public sealed class DistrictType : SlicedObjectGraphType<District>
{
    public DistrictType()
    {
        Name = "District";
        Description = "A district (wijk) of the municipality.";
        Field<NonNullGraphType<IdGraphType>>("id").Description("Opaque global id.").Resolve(ctx => GlobalId.Encode(Name, ctx.Source.Id));
        Field<NonNullGraphType<StringGraphType>>("code").Description("CBS wijk code: WK + 6 digits.").Resolve(ctx => ctx.Source.Code);
        Field<NonNullGraphType<StringGraphType>>("name").Description("Name of the district.").Resolve(ctx => ctx.Source.Name);
        Field<NonNullGraphType<ListGraphType<NonNullGraphType<NeighbourhoodType>>>>("neighbourhoods")
            .Description("The neighbourhoods in this district, by code.")
            .Arguments(DistrictRelations.NeighbourhoodList.Arguments("the neighbourhoods that match this filter"))
            .Resolve(ctx => DistrictRelations.NeighbourhoodList.Load(ctx, "district.neighbourhoods", ctx.Source.Id));
        DistrictRelations.NeighbourhoodList.AsPage(Field<NonNullGraphType<ConnectionGraphType<NeighbourhoodType, Neighbourhood>>>("neighbourhoodsPage"), "the neighbourhoods that match this filter")
            .Resolve(ctx => DistrictRelations.NeighbourhoodList.LoadPage(ctx, "district.neighbourhoodsPage", ctx.Source.Id));
    }
}

[Category(DataCategory.Register)]
public sealed class NeighbourhoodType : SlicedObjectGraphType<Neighbourhood>
{
    public NeighbourhoodType()
    {
        Name = "Neighbourhood";
        Description = "A neighbourhood (buurt) inside a district.";
        Field<NonNullGraphType<IdGraphType>>("id").Description("Opaque global id.").Resolve(ctx => GlobalId.Encode(Name, ctx.Source.Id));
        Field<NonNullGraphType<StringGraphType>>("code").Description("CBS buurt code: BU + 8 digits.").Resolve(ctx => ctx.Source.Code);
        Field<NonNullGraphType<StringGraphType>>("name").Description("Name of the neighbourhood.").Resolve(ctx => ctx.Source.Name);
        Field<NonNullGraphType<DistrictType>>("district").Description("The district it lies in.")
            .Resolve(ctx => ctx.LoadOne("district", ctx.Source.DistrictId, hub => hub.Db.Districts, d => d.Id));
    }
}

[Category(DataCategory.Locatie)]
public sealed class LocationType : SlicedObjectGraphType<Location>
{
    public LocationType()
    {
        Name = "Location";
        Description = "An address: a BAG verblijfsobject with its point, in a neighbourhood; a dwelling may be owned by a housing corporation.";
        Field<NonNullGraphType<IdGraphType>>("id").Description("Opaque global id.").Resolve(ctx => GlobalId.Encode(Name, ctx.Source.Id));
        Field<NonNullGraphType<BagIdScalar>>("bagId").Description("BAG verblijfsobject id.").Resolve(ctx => ctx.Source.BagId);
        Field<NonNullGraphType<StringGraphType>>("street").Description("Street name.").Resolve(ctx => ctx.Source.Street);
        Field<NonNullGraphType<IntGraphType>>("houseNumber").Description("House number.").Resolve(ctx => ctx.Source.HouseNumber);
        Field<StringGraphType>("houseNumberAddition").Description("House number addition (letter or suffix), if any.").Resolve(ctx => ctx.Source.HouseNumberAddition);
        Field<NonNullGraphType<StringGraphType>>("postcode").Description("Postcode without a space, e.g. 1234AB.").Resolve(ctx => ctx.Source.Postcode);
        Field<NonNullGraphType<StringGraphType>>("city").Description("Place name.").Resolve(ctx => ctx.Source.City);
        Field<NonNullGraphType<FloatGraphType>>("latitude").Description("WGS84 latitude.").Resolve(ctx => ctx.Source.Latitude);
        Field<NonNullGraphType<FloatGraphType>>("longitude").Description("WGS84 longitude.").Resolve(ctx => ctx.Source.Longitude);
        Field<NonNullGraphType<NeighbourhoodType>>("neighbourhood").Description("The neighbourhood the address lies in.").Category(DataCategory.Register)
            .Resolve(ctx => ctx.LoadOne("neighbourhood", ctx.Source.NeighbourhoodId, hub => hub.Db.Neighbourhoods, n => n.Id));
        Field<OrganisationType>("owner").Description("The housing corporation that owns the dwelling; null when not owned by a partner.")
            .Resolve(ctx => ctx.Source.OwnerOrganisationId is { } id ? ctx.LoadOrganisation(id) : null);
        Field<NonNullGraphType<ConnectionGraphType<IncidentType, Incident>>>("incidents").Category(DataCategory.Melding)
            .Description("Incidents at this address that the caller may see, newest first unless ordered otherwise.")
            .Arguments(ListQuerying.Arguments<IncidentFilter, Incident>())
            .Resolve(ctx => ctx.LoadFilteredPage<IncidentFilter, Incident, Location>("location.incidents", ctx.Source.Id,
                hub => hub.Db.Locations, l => l.Id, hub => hub.Incidents(), i => i.LocationId));
        Field<NonNullGraphType<ListGraphType<NonNullGraphType<CaseType>>>>("cases").Category(DataCategory.Casus)
            .Description("Cases about this address that the caller may see.")
            .Arguments(CaseRelations.OfLocationList.Arguments("the cases that match this filter"))
            .Resolve(ctx => ctx.LoadCasesOfLocation(ctx.Source.Id));
        CaseRelations.OfLocationList.AsPage(Field<NonNullGraphType<ConnectionGraphType<CaseType, Case>>>("casesPage"), "the cases that match this filter").Category(DataCategory.Casus)
            .Resolve(ctx => CaseRelations.OfLocationList.LoadPage(ctx, "location.casesPage", ctx.Source.Id).Then(page => page.Select(l => l.Case)));
    }
}

/// <summary>The rows behind a district's list: the neighbourhoods are a register every role reads, by code.</summary>
public static class DistrictRelations
{
    public static NestedList<NeighbourhoodFilter, Neighbourhood, Neighbourhood> NeighbourhoodList { get; } = new(
        "District.neighbourhoods", hub => hub.Db.Neighbourhoods, n => n.DistrictId, null, ("CODE", false), ("ID", false));
}

/// <summary>Loading locations through the caller's row rule.</summary>
public static class LocationLoading
{
    public static IDataLoaderResult<Location?> LoadLocation(this IResolveFieldContext context, int id)
        => context.LoadOne("location", id, hub => hub.Locations(), l => l.Id);
}
