using GraphQL;
using GraphQL.DataLoader;
using GraphQL.Types;
using Microsoft.EntityFrameworkCore;
using Veiligheid.Access;
using Veiligheid.Cases;
using Veiligheid.GraphQL;
using Veiligheid.Incidents;
using Veiligheid.Interventions;
using Veiligheid.Locations;
using Veiligheid.Organisations;

namespace Veiligheid.Persons;

[Category(DataCategory.Identiteit)]
public sealed class PersonType : SlicedObjectGraphType<Person>
{
    public PersonType()
    {
        Name = "Person";
        Description = "A person involved in cases or incidents (betrokkene). A partner sees a person only because of a case or incident it has a part in.";
        Field<NonNullGraphType<IdGraphType>>("id").Description("Opaque global id.").Resolve(ctx => GlobalId.Encode(Name, ctx.Source.Id));
        Field<NonNullGraphType<BsnScalar>>("bsn").Description("Burgerservicenummer.").Resolve(ctx => ctx.Source.Bsn);
        Field<NonNullGraphType<StringGraphType>>("givenName").Description("Given name.").Resolve(ctx => ctx.Source.GivenName);
        Field<StringGraphType>("surnamePrefix").Description("Surname prefix (tussenvoegsel), e.g. 'van der'.").Resolve(ctx => ctx.Source.SurnamePrefix);
        Field<NonNullGraphType<StringGraphType>>("surname").Description("Surname without prefix.").Resolve(ctx => ctx.Source.Surname);
        Field<NonNullGraphType<DateScalar>>("dateOfBirth").Description("Date of birth.").Resolve(ctx => ctx.Source.DateOfBirth);
        Field<LocationType>("address").Description("Current address; null when unknown or not visible to the caller.").Category(DataCategory.Adres)
            .Resolve(ctx => ctx.Source.AddressId is { } id ? ctx.LoadLocation(id) : null);
        Field<NonNullGraphType<ListGraphType<NonNullGraphType<PersonCaseType>>>>("cases").Description("Cases about this person that the caller may see, newest first.").Category(DataCategory.Casus)
            .Arguments(PersonRelations.CaseList.Arguments("the cases that match this filter (it tests the case, not the person's role in it)"))
            .Resolve(ctx => PersonRelations.CaseList.Load(ctx, "person.cases", ctx.Source.Id, rows => rows.Include(s => s.Case)));
        PersonRelations.CaseList.AsPage(Field<NonNullGraphType<ConnectionGraphType<PersonCaseType, CaseSubject>>>("casesPage"), "the cases that match this filter (it tests the case, not the person's role in it)").Category(DataCategory.Casus)
            .Resolve(ctx => PersonRelations.CaseList.LoadPage(ctx, "person.casesPage", ctx.Source.Id));
        Field<NonNullGraphType<ListGraphType<NonNullGraphType<PersonIncidentType>>>>("incidents").Description("Incidents this person was involved in that the caller may see, newest first.").Category(DataCategory.Politie)
            .Arguments(PersonRelations.IncidentList.Arguments("the incidents that match this filter (it tests the incident, not the person's role in it)"))
            .Resolve(ctx => PersonRelations.IncidentList.Load(ctx, "person.incidents", ctx.Source.Id, rows => rows.Include(l => l.Incident)));
        PersonRelations.IncidentList.AsPage(Field<NonNullGraphType<ConnectionGraphType<PersonIncidentType, IncidentPerson>>>("incidentsPage"), "the incidents that match this filter (it tests the incident, not the person's role in it)").Category(DataCategory.Politie)
            .Resolve(ctx => PersonRelations.IncidentList.LoadPage(ctx, "person.incidentsPage", ctx.Source.Id));
        Field<NonNullGraphType<ListGraphType<NonNullGraphType<PoliceSignalType>>>>("policeSignals").Description("Risk signals the police registered, newest first.").Category(DataCategory.Politie)
            .Arguments(PersonRelations.PoliceSignalList.Arguments("the signals that match this filter"))
            .Resolve(ctx => PersonRelations.PoliceSignalList.Load(ctx, "person.policeSignals", ctx.Source.Id));
        PersonRelations.PoliceSignalList.AsPage(Field<NonNullGraphType<ConnectionGraphType<PoliceSignalType, PoliceSignal>>>("policeSignalsPage"), "the signals that match this filter").Category(DataCategory.Politie)
            .Resolve(ctx => PersonRelations.PoliceSignalList.LoadPage(ctx, "person.policeSignalsPage", ctx.Source.Id));
        Field<NonNullGraphType<ListGraphType<NonNullGraphType<TenancyType>>>>("tenancies").Description("Tenancies the caller may see, latest start first.").Category(DataCategory.Huisvesting)
            .Arguments(PersonRelations.TenancyList.Arguments("the tenancies that match this filter"))
            .Resolve(ctx => PersonRelations.TenancyList.Load(ctx, "person.tenancies", ctx.Source.Id));
        PersonRelations.TenancyList.AsPage(Field<NonNullGraphType<ConnectionGraphType<TenancyType, Tenancy>>>("tenanciesPage"), "the tenancies that match this filter").Category(DataCategory.Huisvesting)
            .Resolve(ctx => PersonRelations.TenancyList.LoadPage(ctx, "person.tenanciesPage", ctx.Source.Id));
        Field<NonNullGraphType<ListGraphType<NonNullGraphType<InterventionType>>>>("interventions").Description("Interventions aimed at this person that the caller may see.").Category(DataCategory.Interventie)
            .Arguments(PersonRelations.InterventionList.Arguments("the interventions that match this filter"))
            .Resolve(ctx => PersonRelations.InterventionList.Load(ctx, "person.interventions", ctx.Source.Id));
        PersonRelations.InterventionList.AsPage(Field<NonNullGraphType<ConnectionGraphType<InterventionType, Intervention>>>("interventionsPage"), "the interventions that match this filter").Category(DataCategory.Interventie)
            .Resolve(ctx => PersonRelations.InterventionList.LoadPage(ctx, "person.interventionsPage", ctx.Source.Id));
        Field<NonNullGraphType<LifeDomainsType>>("lifeDomains").Description("Self-reliance per life domain (Zelfredzaamheid-Matrix). Each domain is shared only with consent or under a case's legal ground; a withheld domain is null with an error saying why.")
            .Resolve(ctx => ctx.Source);
    }
}

[Category(DataCategory.Casus)]
public sealed class PersonCaseType : SlicedObjectGraphType<CaseSubject>
{
    public PersonCaseType()
    {
        Name = "PersonCase";
        Description = "A case a person is a subject of, with the person's role in it.";
        Field<NonNullGraphType<DomainEnumType<CaseSubjectRole>>>("role").Description("The person's role in the case.").Resolve(ctx => ctx.Source.Role);
        Field<NonNullGraphType<CaseType>>("case").Description("The case.").Resolve(ctx => ctx.Source.Case);
    }
}

[Category(DataCategory.Politie)]
public sealed class PersonIncidentType : SlicedObjectGraphType<IncidentPerson>
{
    public PersonIncidentType()
    {
        Name = "PersonIncident";
        Description = "An incident a person was involved in, with the person's role in it.";
        Field<NonNullGraphType<DomainEnumType<IncidentPersonRole>>>("role").Description("The person's role in the incident.").Resolve(ctx => ctx.Source.Role);
        Field<NonNullGraphType<IncidentType>>("incident").Description("The incident.").Category(DataCategory.Melding).Resolve(ctx => ctx.Source.Incident);
    }
}

[Category(DataCategory.Politie)]
public sealed class PoliceSignalType : SlicedObjectGraphType<PoliceSignal>
{
    public PoliceSignalType()
    {
        Name = "PoliceSignal";
        Description = "A risk signal the police registered about a person.";
        Field<NonNullGraphType<DomainEnumType<PoliceSignalKind>>>("kind").Description("The kind of signal.").Resolve(ctx => ctx.Source.Kind);
        Field<NonNullGraphType<DateScalar>>("registeredOn").Description("When it was registered.").Resolve(ctx => ctx.Source.RegisteredOn);
        Field<NonNullGraphType<OrganisationType>>("organisation").Description("The police unit that registered it.").Resolve(ctx => ctx.LoadOrganisation(ctx.Source.OrganisationId));
    }
}

[Category(DataCategory.Huisvesting)]
public sealed class TenancyType : SlicedObjectGraphType<Tenancy>
{
    public TenancyType()
    {
        Name = "Tenancy";
        Description = "A tenancy of a dwelling with a housing corporation.";
        Field<LocationType>("dwelling").Description("The dwelling; null when the caller may not see the address.").Category(DataCategory.Locatie)
            .Resolve(ctx => ctx.LoadLocation(ctx.Source.LocationId));
        Field<NonNullGraphType<OrganisationType>>("landlord").Description("The housing corporation.").Resolve(ctx => ctx.LoadOrganisation(ctx.Source.LandlordOrganisationId));
        Field<NonNullGraphType<DateScalar>>("startDate").Description("Start of the tenancy.").Resolve(ctx => ctx.Source.StartDate);
        Field<DateScalar>("endDate").Description("End of the tenancy; null while it runs.").Resolve(ctx => ctx.Source.EndDate);
    }
}

/// <summary>
/// The rows behind a person's lists, in their order: one definition for the resolvers and for the compiled read path
/// (<see cref="GraphQL.Compiled.ReadMap"/>). The resolvers add the Include of the linked case or incident. Each list's
/// parent is a person (<see cref="NestedList{TDefinition, TEntity, TRow}.ParentIsPerson"/>): what it answers, if only a
/// count, is that person's data.
/// </summary>
public static class PersonRelations
{
    // Ties are broken by id, as in every other list: an order the engine may choose differs between two statements (the
    // reference path's batch and the compiled path's subquery), most visibly on SQL Server.

    /// <summary>Links to cases the caller may see, newest case first; filtered and sorted on the case.</summary>
    public static NestedList<CaseFilter, Case, CaseSubject> CaseList { get; } = new(
        "Person.cases", hub => hub.Db.CaseSubjects.Where(hub.Access.Cases.Through<CaseSubject, Case>(s => s.Case)), s => s.PersonId, s => s.Case, ("OPENED_AT", true), ("ID", true))
    {
        ParentIsPerson = true,
    };

    /// <summary>Links to incidents the caller may see, newest incident first; filtered and sorted on the incident.</summary>
    public static NestedList<IncidentFilter, Incident, IncidentPerson> IncidentList { get; } = new(
        "Person.incidents", hub => hub.Db.IncidentPersons.Where(hub.Access.Incidents.Through<IncidentPerson, Incident>(l => l.Incident)), l => l.PersonId, l => l.Incident, ("OCCURRED_AT", true), ("ID", true))
    {
        ParentIsPerson = true,
    };

    /// <summary>
    /// Visible interventions aimed at a person, by start date. Care data (the care trajectories the list may hold) is
    /// logged only for a person some care intervention of whom could be among the caller's rows.
    /// </summary>
    public static NestedList<InterventionFilter, Intervention, Intervention> InterventionList { get; } = new(
        "Person.interventions", hub => hub.Interventions().Where(i => i.PersonId != null), i => i.PersonId!.Value, null, ("START_DATE", false), ("ID", false))
    {
        ParentIsPerson = true,
        ParentsThatMayHold = new Dictionary<DataCategory, Func<RequestContext, System.Linq.Expressions.Expression<Func<Person, bool>>>>
        {
            [DataCategory.Zorg] = hub => hub.Access.CareMayBeAmongRowsOf(hub.Db.Interventions),
        },
    };

    /// <summary>
    /// A person's police signals, newest first; signals of one day in the order recorded. The field exists only for
    /// roles that read police data; the signals have no row rule of their own beyond the person's.
    /// </summary>
    public static NestedList<PoliceSignalFilter, PoliceSignal, PoliceSignal> PoliceSignalList { get; } = new(
        "Person.policeSignals", hub => hub.Db.PoliceSignals, s => s.PersonId, null, ("REGISTERED_ON", true), ("ID", false))
    {
        ParentIsPerson = true,
    };

    /// <summary>The tenancies of a person the caller may see (its tenancy row rule), latest start first; equal starts in the order recorded.</summary>
    public static NestedList<TenancyFilter, Tenancy, Tenancy> TenancyList { get; } = new(
        "Person.tenancies", hub => hub.Tenancies(), t => t.PersonId, null, ("START_DATE", true), ("ID", false))
    {
        ParentIsPerson = true,
    };
}

/// <summary>Loading persons through the caller's row rule.</summary>
public static class PersonLoading
{
    public static IDataLoaderResult<Person?> LoadPerson(this IResolveFieldContext context, int id)
        => context.LoadOne("person", id, hub => hub.Persons(), p => p.Id);
}
