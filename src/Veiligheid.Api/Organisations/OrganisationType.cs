using GraphQL.Types;
using Veiligheid.Access;
using Veiligheid.GraphQL;

namespace Veiligheid.Organisations;

[Category(DataCategory.Register)]
public sealed class OrganisationType : SlicedObjectGraphType<Organisation>
{
    public OrganisationType()
    {
        Name = "Organisation";
        Description = "A partner organisation in the safety chain.";
        Field<NonNullGraphType<IdGraphType>>("id").Description("Opaque global id.").Resolve(ctx => GlobalId.Encode(Name, ctx.Source.Id));
        Field<NonNullGraphType<StringGraphType>>("key").Description("Stable short key, e.g. 'woonstede'.").Resolve(ctx => ctx.Source.Key);
        Field<NonNullGraphType<StringGraphType>>("name").Description("Display name.").Resolve(ctx => ctx.Source.Name);
        Field<NonNullGraphType<DomainEnumType<OrganisationKind>>>("kind").Description("The kind of partner.").Resolve(ctx => ctx.Source.Kind);
    }
}

/// <summary>Loading organisations by id: a register every role may read.</summary>
public static class OrganisationLoading
{
    public static global::GraphQL.DataLoader.IDataLoaderResult<Organisation?> LoadOrganisation(this global::GraphQL.IResolveFieldContext context, int id)
        => context.LoadOne("organisation", id, hub => hub.Db.Organisations, o => o.Id);
}
