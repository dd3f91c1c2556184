using GraphQL;
using GraphQL.DataLoader;
using GraphQL.Types;
using Veiligheid.Access;
using Veiligheid.GraphQL;
using Veiligheid.Locations;
using Veiligheid.Organisations;
using Veiligheid.Persons;

namespace Veiligheid.Incidents;

[Category(DataCategory.Melding)]
public sealed class IncidentType : SlicedObjectGraphType<Incident>
{
    public IncidentType()
    {
        Name = "Incident";
        Description = "A reported event of nuisance or crime (melding).";
        Field<NonNullGraphType<IdGraphType>>("id").Description("Opaque global id.").Resolve(ctx => GlobalId.Encode(Name, ctx.Source.Id));
        Field<NonNullGraphType<StringGraphType>>("version").Description("The version to send with an edit: an edit based on an outdated version gets a CONFLICT error. Changes on every save.").Resolve(ctx => ctx.Source.Version.ToString());
        Field<NonNullGraphType<DomainEnumType<IncidentCategory>>>("category").Description("What kind of incident.").Resolve(ctx => ctx.Source.Category);
        Field<NonNullGraphType<DateTimeScalar>>("occurredAt").Description("When it happened.").Resolve(ctx => ctx.Source.OccurredAt);
        Field<NonNullGraphType<DateTimeScalar>>("reportedAt").Description("When it was reported.").Resolve(ctx => ctx.Source.ReportedAt);
        Field<NonNullGraphType<BooleanGraphType>>("inPublicSpace").Description("True when it happened in public space rather than at a dwelling.").Resolve(ctx => ctx.Source.InPublicSpace);
        Field<LocationType>("location").Description("Where it happened; null when the caller may not see the address.").Category(DataCategory.Locatie)
            .Resolve(ctx => ctx.LoadLocation(ctx.Source.LocationId));
        Field<NonNullGraphType<NeighbourhoodType>>("neighbourhood").Description("The neighbourhood it happened in.").Category(DataCategory.Register)
            .Resolve(ctx => ctx.LoadOne("neighbourhood", ctx.Source.NeighbourhoodId, hub => hub.Db.Neighbourhoods, n => n.Id));
        Field<NonNullGraphType<OrganisationType>>("reportingOrganisation").Description("The organisation that reported it.")
            .Resolve(ctx => ctx.LoadOrganisation(ctx.Source.ReportingOrganisationId));
        Field<NonNullGraphType<ListGraphType<NonNullGraphType<IncidentPersonType>>>>("persons").Description("Persons involved that the caller may see, with their role.").Category(DataCategory.Politie)
            .Arguments(IncidentRelations.PersonList.Arguments("the involved persons who match this filter (it tests the person, not the role)"))
            .Resolve(ctx => IncidentRelations.PersonList.Load(ctx, "incident.persons", ctx.Source.Id));
        IncidentRelations.PersonList.AsPage(Field<NonNullGraphType<ConnectionGraphType<IncidentPersonType, IncidentPerson>>>("personsPage"), "the involved persons who match this filter (it tests the person, not the role)").Category(DataCategory.Politie)
            .Resolve(ctx => IncidentRelations.PersonList.LoadPage(ctx, "incident.personsPage", ctx.Source.Id));
    }
}

[Category(DataCategory.Politie)]
public sealed class IncidentPersonType : SlicedObjectGraphType<IncidentPerson>
{
    public IncidentPersonType()
    {
        Name = "IncidentPerson";
        Description = "A person involved in an incident, with the person's role.";
        Field<NonNullGraphType<DomainEnumType<IncidentPersonRole>>>("role").Description("The person's role in the incident.").Resolve(ctx => ctx.Source.Role);
        Field<NonNullGraphType<PersonType>>("person").Description("The person.").Category(DataCategory.Identiteit).Resolve(ctx => ctx.LoadPerson(ctx.Source.PersonId));
    }
}

/// <summary>The rows behind an incident's lists: one definition for the resolvers and the compiled read path.</summary>
public static class IncidentRelations
{
    /// <summary>Persons involved that the caller may see, by person; filtered and sorted on the person.</summary>
    public static NestedList<PersonFilter, Person, IncidentPerson> PersonList { get; } = new(
        "Incident.persons", hub => hub.Db.IncidentPersons.Where(hub.Access.Persons.Through<IncidentPerson, Person>(l => l.Person)), l => l.IncidentId, l => l.Person, ("ID", false));
}

/// <summary>Loading incidents through the caller's row rule.</summary>
public static class IncidentLoading
{
    public static IDataLoaderResult<Incident?> LoadIncident(this IResolveFieldContext context, int id)
        => context.LoadOne("incident", id, hub => hub.Incidents(), i => i.Id);
}
