using GraphQL;
using GraphQL.Types;
using Microsoft.EntityFrameworkCore;
using Veiligheid.Access;
using Veiligheid.Accountability;
using Veiligheid.Cases;
using Veiligheid.Incidents;
using Veiligheid.Interventions;
using Veiligheid.Locations;
using Veiligheid.Organisations;
using Veiligheid.Persons;

namespace Veiligheid.GraphQL;

/// <summary>The entry points for reading. Every list and lookup starts from the caller's visible rows.</summary>
[Category(DataCategory.Register)]
public sealed class QueryType : SlicedObjectGraphType<object>
{
    public QueryType()
    {
        Name = "Query";
        Description = "Read access to the shared data of the safety chain. Every list, count and lookup contains only what the caller's organisation and role may see; an id of something hidden answers exactly like an id that does not exist.";

        Field<NonNullGraphType<ViewerType>>("viewer").Description("Who the hub takes the caller to be: role and organisation, from the token.")
            .Resolve(ctx => ctx.Hub().Access.Caller);
        Field<NonNullGraphType<ListGraphType<NonNullGraphType<OrganisationType>>>>("organisations").Description("The partner organisations, by name: a register of a dozen partners that every role reads whole, so it takes no filter, sort or paging.")
            .ResolveAsync(async ctx => await ctx.Hub().Db.Organisations.AsNoTracking().OrderBy(o => o.Name).ToListAsync(ctx.CancellationToken));
        Field<NonNullGraphType<ListGraphType<NonNullGraphType<DistrictType>>>>("districts").Description("The districts of the municipality, by code: a fixed register read whole, so it takes no filter, sort or paging (a district's neighbourhoods take a filter).")
            .ResolveAsync(async ctx => await ctx.Hub().Db.Districts.AsNoTracking().OrderBy(d => d.Code).ToListAsync(ctx.CancellationToken));

        Field<NonNullGraphType<ConnectionGraphType<PersonType, Person>>>("persons").Category(DataCategory.Identiteit)
            .Description("Persons the caller may see (through its cases, incidents or dwellings), by surname unless ordered otherwise.")
            .Arguments(ListQuerying.Arguments<PersonFilter, Person>())
            .ResolveAsync(async ctx => await ctx.Hub().Persons().AsNoTracking().ToFilteredPageAsync<PersonFilter, Person>(ctx));
        ById<PersonType, Person>("person", "A person by id.", DataCategory.Identiteit, (ctx, id) => ctx.LoadPerson(id));
        Field<PersonType>("personByBsn").Category(DataCategory.Identiteit)
            .Description("A person by BSN; null when no person with this BSN is visible to the caller.")
            .Argument<NonNullGraphType<BsnScalar>>("bsn", "The BSN.")
            .ResolveAsync(async ctx =>
            {
                var bsn = ctx.GetArgument<string>("bsn");
                var person = await ctx.Hub().Persons().AsNoTracking().FirstOrDefaultAsync(p => p.Bsn == bsn, ctx.CancellationToken);
                // Asking for a person by BSN processes that person whatever comes back, as a filter naming the BSN does
                // (Accountability.NamedPersons): logged by BSN, with the id where the hub holds the person.
                ctx.Hub().Processing.AddByBsn(bsn, DataCategory.Identiteit);
                return person;
            });

        Field<NonNullGraphType<ConnectionGraphType<CaseType, Case>>>("cases").Category(DataCategory.Casus)
            .Description("Cases the caller's organisation takes part in, newest first unless ordered otherwise.")
            .Arguments(ListQuerying.Arguments<CaseFilter, Case>())
            .ResolveAsync(async ctx => await ctx.Hub().Cases().AsNoTracking().ToFilteredPageAsync<CaseFilter, Case>(ctx));
        ById<CaseType, Case>("case", "A case by id.", DataCategory.Casus, (ctx, id) => ctx.LoadCase(id));

        Field<NonNullGraphType<ConnectionGraphType<IncidentType, Incident>>>("incidents").Category(DataCategory.Melding)
            .Description("Incidents the caller may see, newest first unless ordered otherwise.")
            .Arguments(ListQuerying.Arguments<IncidentFilter, Incident>())
            .ResolveAsync(async ctx => await ctx.Hub().Incidents().AsNoTracking().ToFilteredPageAsync<IncidentFilter, Incident>(ctx));
        ById<IncidentType, Incident>("incident", "An incident by id.", DataCategory.Melding, (ctx, id) => ctx.LoadIncident(id));

        Field<NonNullGraphType<ConnectionGraphType<InterventionType, Intervention>>>("interventions").Category(DataCategory.Interventie)
            .Description("Interventions the caller may see, latest start first unless ordered otherwise.")
            .Arguments(ListQuerying.Arguments<InterventionFilter, Intervention>())
            .ResolveAsync(async ctx => await ctx.Hub().Interventions().AsNoTracking().ToFilteredPageAsync<InterventionFilter, Intervention>(ctx));
        ById<InterventionType, Intervention>("intervention", "An intervention by id.", DataCategory.Interventie, (ctx, id) => ctx.LoadIntervention(id));

        Field<NonNullGraphType<ConnectionGraphType<LocationType, Location>>>("locations").Category(DataCategory.Locatie)
            .Description("Addresses the caller may see, by postcode and house number unless ordered otherwise.")
            .Arguments(ListQuerying.Arguments<LocationFilter, Location>())
            .ResolveAsync(async ctx => await ctx.Hub().Locations().AsNoTracking().ToFilteredPageAsync<LocationFilter, Location>(ctx));
        ById<LocationType, Location>("location", "An address by id.", DataCategory.Locatie, (ctx, id) => ctx.LoadLocation(id));
        Field<LocationType>("locationByBagId").Category(DataCategory.Locatie)
            .Description("An address by BAG verblijfsobject id; null when not visible to the caller.")
            .Argument<NonNullGraphType<BagIdScalar>>("bagId", "The BAG verblijfsobject id.")
            .ResolveAsync(async ctx =>
            {
                var bagId = ctx.GetArgument<string>("bagId");
                return await ctx.Hub().Locations().AsNoTracking().FirstOrDefaultAsync(l => l.BagId == bagId, ctx.CancellationToken);
            });

        this.AddAccountabilityFields();
        Field<NonNullGraphType<Figures.FiguresType>>("figures").Category(DataCategory.Cijfers)
            .Description("Aggregated figures (hotspots, hotcrimes, hottimes, trends, cases, interventions) with small counts suppressed; never a person.")
            .Resolve(_ => new object());
    }

    /// <summary>A lookup by global id: a malformed id, an id of another type and a hidden row all answer null.</summary>
    private void ById<TGraphType, T>(string name, string description, DataCategory category,
        Func<IResolveFieldContext<object>, int, object?> load) where TGraphType : IGraphType
    {
        var typeName = ConnectionGraphType<TGraphType, T>.NodeName();
        Field<TGraphType>(name).Category(category)
            .Description(description + " Null when it does not exist or the caller may not see it.")
            .Argument<NonNullGraphType<IdGraphType>>("id", $"The {typeName}'s global id.")
            .Resolve(ctx => GlobalId.TryDecode(ctx.GetArgument<string>("id"), typeName, out var id) ? load(ctx, id) : null);
    }
}

[Category(DataCategory.Register)]
public sealed class ViewerType : SlicedObjectGraphType<Caller>
{
    public ViewerType()
    {
        Name = "Viewer";
        Description = "The caller as the hub established it from the token and its organisation register.";
        Field<NonNullGraphType<StringGraphType>>("role").Description("The app role the request is served under, e.g. 'Politie'.").Resolve(ctx => ctx.Source.Role.TokenValue());
        Field<NonNullGraphType<OrganisationType>>("organisation").Description("The caller's organisation.").Resolve(ctx => ctx.LoadOrganisation(ctx.Source.OrganisationId));
        Field<NonNullGraphType<BooleanGraphType>>("isUser").Description("True for a person signed in through a front end, false for a partner system.").Resolve(ctx => ctx.Source.IsUser);
    }
}
