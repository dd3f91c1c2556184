using GraphQL.Builders;
using GraphQL.Types;
using Veiligheid.Access;

namespace Veiligheid.GraphQL;

/// <summary>A graph type whose fields are cut to a role's slice before the schema is built.</summary>
public interface ISlicedGraphType
{
    void ApplySlice(SchemaSlice slice);
}

/// <summary>
/// An object type declared once with all its fields; each per-role schema gets its own instance that keeps only the
/// fields the role may read. Fields are held back while the constructor declares them (their category may be set
/// after the builder is created) and added when the slice is applied, so a hidden field never exists in that schema:
/// not in introspection, not in validation, not in "did you mean" suggestions.
/// </summary>
public abstract class SlicedObjectGraphType<TSource> : ObjectGraphType<TSource>, ISlicedGraphType
{
    private readonly List<FieldType> _declared = [];
    private bool _sliced;

    public override FieldType AddField(FieldType fieldType)
    {
        if (_sliced) return base.AddField(fieldType);
        _declared.Add(fieldType);
        return fieldType;
    }

    public void ApplySlice(SchemaSlice slice)
    {
        ArgumentNullException.ThrowIfNull(slice);
        if (_sliced) throw new InvalidOperationException($"{GetType().Name} was already sliced.");
        _sliced = true;
        foreach (var field in _declared.Where(f => slice.AllowsField(this, f)))
        {
            base.AddField(field);
        }
    }
}

/// <summary>Builder extensions for declaring a field's data category.</summary>
public static class FieldCategoryExtensions
{
    public static FieldBuilder<TSource, TReturn> Category<TSource, TReturn>(this FieldBuilder<TSource, TReturn> builder, DataCategory category)
    {
        ArgumentNullException.ThrowIfNull(builder);
        builder.FieldType.Metadata[DataCategoryMetadata.Key] = category;
        return builder;
    }
}
