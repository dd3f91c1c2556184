using GraphQL.Types;
using Microsoft.Extensions.DependencyInjection;

namespace Veiligheid.GraphQL;

/// <summary>The hub's schema: one instance per slice (the full contract, and one per role).</summary>
public sealed class VeiligheidSchema : Schema
{
    public VeiligheidSchema(IServiceProvider services, SchemaSlice slice) : base(services)
    {
        Slice = slice;
        Description = "Veiligheid: the information hub of the municipality's safety chain (police, housing corporations, care providers, the municipality's lokale kamer of Zorg en Veiligheid and the regional Zorg- en Veiligheidshuis). Each partner sees only its slice.";
        Query = services.GetRequiredService<QueryType>();
        // A type without fields is invalid GraphQL: a role that may write nothing has no Mutation type at all.
        var mutation = services.GetRequiredService<MutationType>();
        if (mutation.Fields.Count > 0) Mutation = mutation;
    }

    public SchemaSlice Slice { get; }
}

/// <summary>
/// Builds a schema's graph types for one slice: every type is constructed fresh for the slice and cut to it before
/// the schema initialises, so no two schemas share a type instance.
/// </summary>
internal sealed class SliceServiceProvider(IServiceProvider root, SchemaSlice slice) : IServiceProvider
{
    private readonly Dictionary<Type, object> _graphTypes = [];

    public object? GetService(Type serviceType)
    {
        if (serviceType == typeof(SchemaSlice)) return slice;
        if (!typeof(IGraphType).IsAssignableFrom(serviceType) || serviceType.IsAbstract || serviceType.IsInterface)
            return root.GetService(serviceType);
        if (!_graphTypes.TryGetValue(serviceType, out var graphType))
        {
            graphType = ActivatorUtilities.CreateInstance(this, serviceType);
            if (graphType is ISlicedGraphType sliced) sliced.ApplySlice(slice);
            _graphTypes[serviceType] = graphType;
        }
        return graphType;
    }
}
