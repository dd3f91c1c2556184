using GraphQL;
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
    private readonly DeclaredFields _fields = new();

    public override FieldType AddField(FieldType fieldType) => _fields.HoldBack(fieldType) ? fieldType : base.AddField(fieldType);

    public void ApplySlice(SchemaSlice slice) => _fields.Release(this, slice, base.AddField);
}

/// <summary>
/// Holds a sliced type's fields back while its constructor declares them, and releases the ones a slice allows: the one
/// mechanism behind <see cref="SlicedObjectGraphType{TSource}"/> and <see cref="SlicedInputObjectGraphType{TSource}"/>.
/// </summary>
internal sealed class DeclaredFields
{
    private readonly List<FieldType> _declared = [];
    private bool _sliced;

    /// <summary>True when the field was held back; false once the slice is applied (the field is then the type's own).</summary>
    public bool HoldBack(FieldType field)
    {
        if (_sliced) return false;
        _declared.Add(field);
        return true;
    }

    public void Release(IGraphType owner, SchemaSlice slice, Func<FieldType, FieldType> add)
    {
        ArgumentNullException.ThrowIfNull(slice);
        if (_sliced) throw new InvalidOperationException($"{owner.GetType().Name} was already sliced.");
        _sliced = true;
        foreach (var field in _declared.Where(f => slice.AllowsField(owner, f) && Requirement(slice, f)))
        {
            // An argument whose input type the slice lacks goes too: a case's subjects can be listed by a role that may
            // not read persons, but not filtered on them (nor paged with cursors, which hold the persons' sort keys).
            if (field.Arguments is { } arguments && arguments.Any(a => !Allows(slice, a)))
                field.Arguments = new QueryArguments(arguments.Where(a => Allows(slice, a)));
            add(field);
        }
    }

    private static bool Allows(SchemaSlice slice, QueryArgument argument)
        => (argument.Type is not { } type || slice.AllowsGraphType(type)) && Requirement(slice, argument);

    /// <summary>A field or argument that exists only with another graph type (<see cref="NestedListCursors.RequiresKey"/>).</summary>
    private static bool Requirement(SchemaSlice slice, IProvideMetadata item)
        => item.GetMetadata<Type?>(NestedListCursors.RequiresKey) is not { } required || slice.AllowsGraphType(required);
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
