using Veiligheid.Access;

namespace Veiligheid.GraphQL;

/// <summary>The full contract schema and one schema per role, built once at start-up.</summary>
public sealed class SchemaRegistry
{
    private readonly Dictionary<HubRole, VeiligheidSchema> _byRole;

    public SchemaRegistry(IServiceProvider services)
    {
        Full = Build(services, SchemaSlice.Full);
        _byRole = HubRoles.All.ToDictionary(role => role, role => Build(services, SchemaSlice.For(role)));
    }

    /// <summary>The whole contract (schema/veiligheid.graphql); never executed for a caller.</summary>
    public VeiligheidSchema Full { get; }

    public VeiligheidSchema For(HubRole role) => _byRole[role];

    private static VeiligheidSchema Build(IServiceProvider services, SchemaSlice slice)
    {
        var schema = new VeiligheidSchema(new SliceServiceProvider(services, slice), slice);
        schema.Initialize();
        return schema;
    }
}
