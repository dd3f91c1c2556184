using System.Collections.Concurrent;
using GraphQL.Instrumentation;
using Veiligheid.Access;
using Veiligheid.Accountability;

namespace Veiligheid.GraphQL;

/// <summary>
/// The full contract schema and one schema per role, built once at start-up; and, built on first use and kept, one
/// schema per role and purpose, which is what requests run on (a field the purpose does not cover does not exist there).
/// </summary>
public sealed class SchemaRegistry
{
    private readonly IServiceProvider _services;
    private readonly Dictionary<HubRole, VeiligheidSchema> _byRole;
    private readonly ConcurrentDictionary<(HubRole Role, string Purpose), Lazy<VeiligheidSchema>> _byPurpose = new();

    public SchemaRegistry(IServiceProvider services)
    {
        _services = services;
        Full = Build(services, SchemaSlice.Full);
        _byRole = HubRoles.All.ToDictionary(role => role, role => Build(services, SchemaSlice.For(role)));
    }

    /// <summary>The whole contract (schema/veiligheid.graphql); never executed for a caller.</summary>
    public VeiligheidSchema Full { get; }

    /// <summary>Everything a role may ever read (schema/roles/*.graphql): the union over its purposes.</summary>
    public VeiligheidSchema For(HubRole role) => _byRole[role];

    /// <summary>What a request of this role with this purpose (null: none) may read.</summary>
    public VeiligheidSchema For(HubRole role, ProcessingPurpose? purpose)
        => _byPurpose.GetOrAdd((role, purpose?.Key ?? ""),
            key => new Lazy<VeiligheidSchema>(() => Build(_services, SchemaSlice.For(key.Role, purpose)))).Value;

    private static VeiligheidSchema Build(IServiceProvider services, SchemaSlice slice)
    {
        var schema = new VeiligheidSchema(new SliceServiceProvider(services, slice), slice);
        schema.FieldMiddleware.Use(ProcessingObserver.Instance);
        schema.FieldMiddleware.Use(ConcurrentWriteRetry.Instance);
        schema.Initialize();
        return schema;
    }
}
