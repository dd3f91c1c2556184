using GraphQL.Types;

namespace Veiligheid.GraphQL;

/// <summary>
/// An input object type declared once with all its fields; each per-role schema gets its own instance that keeps only
/// the fields the role may read (the same deferral as <see cref="SlicedObjectGraphType{TSource}"/>). A filter input
/// built on this can never test the value of a field the caller may not read: the argument does not exist for it.
/// </summary>
public abstract class SlicedInputObjectGraphType<TSource> : InputObjectGraphType<TSource>, ISlicedGraphType
{
    private readonly DeclaredFields _fields = new();

    public override FieldType AddField(FieldType fieldType) => _fields.HoldBack(fieldType) ? fieldType : base.AddField(fieldType);

    public void ApplySlice(SchemaSlice slice) => _fields.Release(this, slice, base.AddField);
}
