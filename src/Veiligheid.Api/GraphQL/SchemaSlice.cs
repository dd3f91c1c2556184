using GraphQL.Types;
using Veiligheid.Access;

namespace Veiligheid.GraphQL;

/// <summary>
/// The part of the schema one role sees, derived from the access policy: a field exists for the role when the role is
/// granted the field's category and every object type the field returns exists for the role too.
/// </summary>
public sealed class SchemaSlice
{
    private SchemaSlice(HubRole? role, IReadOnlySet<DataCategory> categories, ProcessingPurpose? purpose = null)
    {
        Role = role;
        Categories = categories;
        Purpose = purpose;
    }

    /// <summary>The slice of a role under a purpose (or without one): the role's categories narrowed to the purpose's.</summary>
    public static SchemaSlice For(HubRole role, ProcessingPurpose? purpose) => new(role, Purposes.Effective(role, purpose), purpose);

    /// <summary>The purpose this slice is narrowed to; null for a role's whole slice and for requests without a purpose.</summary>
    public ProcessingPurpose? Purpose { get; }

    /// <summary>The whole contract: every field of every type (schema/veiligheid.graphql). Never served to a caller.</summary>
    public static SchemaSlice Full { get; } = new(null, new HashSet<DataCategory>(Enum.GetValues<DataCategory>()));

    public static SchemaSlice For(HubRole role) => new(role, AccessPolicy.Roles[role].Categories);

    /// <summary>The role this slice is for; null for the full contract.</summary>
    public HubRole? Role { get; }

    public IReadOnlySet<DataCategory> Categories { get; }

    public bool AllowsField(IGraphType parent, FieldType field)
        => Categories.Contains(CategoryOf(parent, field)) && field.Type is { } type && AllowsGraphType(type) && AllowsWrite(field);

    /// <summary>A mutation field exists for a role only when the role may perform its write action.</summary>
    private bool AllowsWrite(FieldType field)
        => field.GetMetadata<WriteAction?>(WriteActionMetadata.Key) is not { } action
           || Role is not { } role
           || AccessPolicy.Roles[role].Writes.Contains(action);

    /// <summary>True when the (possibly wrapped or generic) graph type exists in this slice.</summary>
    public bool AllowsGraphType(Type graphType)
    {
        if (CategoryAttribute.Of(graphType) is { } category && !Categories.Contains(category)) return false;
        return !graphType.IsGenericType || graphType.GetGenericArguments().All(AllowsGraphType);
    }

    /// <summary>A field's category: its own when declared, else its type's.</summary>
    public static DataCategory CategoryOf(IGraphType parent, FieldType field)
    {
        ArgumentNullException.ThrowIfNull(parent);
        ArgumentNullException.ThrowIfNull(field);
        return field.GetMetadata<DataCategory?>(DataCategoryMetadata.Key)
            ?? CategoryAttribute.Of(parent.GetType())
            ?? throw new InvalidOperationException($"Field {parent.Name}.{field.Name} has no data category.");
    }
}

/// <summary>The data category of a graph type: the type exists for a role only when the role is granted it.</summary>
[AttributeUsage(AttributeTargets.Class, Inherited = false)]
public sealed class CategoryAttribute(DataCategory category) : Attribute
{
    public DataCategory Category { get; } = category;

    public static DataCategory? Of(Type type)
        => (type.GetCustomAttributes(typeof(CategoryAttribute), false).FirstOrDefault() as CategoryAttribute)?.Category;
}
