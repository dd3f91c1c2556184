using GraphQL;
using GraphQL.DataLoader;
using GraphQL.Types;
using Veiligheid.Access;
using Veiligheid.Cases;
using Veiligheid.GraphQL;
using Veiligheid.Locations;
using Veiligheid.Organisations;
using Veiligheid.Persons;

namespace Veiligheid.Interventions;

[Category(DataCategory.Interventie)]
public sealed class InterventionType : SlicedObjectGraphType<Intervention>
{
    public InterventionType()
    {
        Name = "Intervention";
        Description = "What a partner does about a case, a person or an area. Care interventions are shared beyond their executor only with the person's consent.";
        Field<NonNullGraphType<IdGraphType>>("id").Description("Opaque global id.").Resolve(ctx => GlobalId.Encode(Name, ctx.Source.Id));
        Field<NonNullGraphType<StringGraphType>>("version").Description("The version to send with an edit: an edit based on an outdated version gets a CONFLICT error. Changes on every save.").Resolve(ctx => ctx.Source.Version.ToString());
        Field<NonNullGraphType<DomainEnumType<InterventionKind>>>("kind").Description("What kind of intervention.").Resolve(ctx => ctx.Source.Kind);
        Field<NonNullGraphType<DomainEnumType<InterventionStatus>>>("status").Description("Its status.").Resolve(ctx => ctx.Source.Status);
        Field<NonNullGraphType<DomainEnumType<ConfidentialityLevel>>>("confidentiality").Description("Confidentiality level (ZGW).").Resolve(ctx => ctx.Source.Confidentiality);
        Field<NonNullGraphType<DateScalar>>("startDate").Description("When it started or starts.").Resolve(ctx => ctx.Source.StartDate);
        Field<DateScalar>("endDate").Description("When it ended; null while it runs.").Resolve(ctx => ctx.Source.EndDate);
        Field<StringGraphType>("result").Description("Short result recorded by the executing partner.").Resolve(ctx => ctx.Source.Result);
        Field<NonNullGraphType<OrganisationType>>("executingOrganisation").Description("The organisation that carries it out.")
            .Resolve(ctx => ctx.LoadOrganisation(ctx.Source.ExecutingOrganisationId));
        Field<CaseType>("case").Description("The case it belongs to; null when none or not visible to the caller.").Category(DataCategory.Casus)
            .Resolve(ctx => ctx.Source.CaseId is { } id ? ctx.LoadCase(id) : null);
        Field<PersonType>("person").Description("The person it is aimed at; null when none or not visible to the caller.").Category(DataCategory.Identiteit)
            .Resolve(ctx => ctx.Source.PersonId is { } id ? ctx.LoadPerson(id) : null);
        Field<LocationType>("location").Description("The location it is about; null when none or not visible to the caller.").Category(DataCategory.Locatie)
            .Resolve(ctx => ctx.Source.LocationId is { } id ? ctx.LoadLocation(id) : null);
        Field<NeighbourhoodType>("neighbourhood").Description("The neighbourhood it covers, for area interventions.").Category(DataCategory.Register)
            .Resolve(ctx => ctx.Source.NeighbourhoodId is { } id ? ctx.LoadOne("neighbourhood", id, hub => hub.Db.Neighbourhoods, n => n.Id) : null);
        Field<FineType>("fine").Description("Fine details, for administrative fines.").Category(DataCategory.Handhaving)
            .Resolve(ctx => ctx.Source.Kind == InterventionKind.BestuurlijkeBoete ? ctx.Source : null);
    }
}

[Category(DataCategory.Handhaving)]
public sealed class FineType : SlicedObjectGraphType<Intervention>
{
    public FineType()
    {
        Name = "Fine";
        Description = "An administrative fine with its objection and collection status.";
        Field<NonNullGraphType<DecimalGraphType>>("amount").Description("Amount in euro.").Resolve(ctx => (ctx.Source.FineAmountCents ?? 0) / 100m);
        Field<NonNullGraphType<DomainEnumType<ObjectionStatus>>>("objection").Description("Objection status.").Resolve(ctx => ctx.Source.FineObjection ?? ObjectionStatus.Geen);
        Field<NonNullGraphType<DomainEnumType<CollectionStatus>>>("collection").Description("Collection status.").Resolve(ctx => ctx.Source.FineCollection ?? CollectionStatus.Openstaand);
    }
}

/// <summary>Loading interventions through the caller's row rule.</summary>
public static class InterventionLoading
{
    public static IDataLoaderResult<Intervention?> LoadIntervention(this IResolveFieldContext context, int id)
        => context.LoadOne("intervention", id, hub => hub.Interventions(), i => i.Id);
}
