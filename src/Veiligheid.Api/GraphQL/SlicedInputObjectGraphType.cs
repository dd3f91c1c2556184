using GraphQL.Types;

namespace Veiligheid.GraphQL;

/// <summary>
/// An input object type declared once with all its fields; each per-role schema gets its own instance that keeps only
/// the fields the role may read (the same deferral as <see cref="SlicedObjectGraphType{TSource}"/>). A filter input
/// built on this can never test the value of a field the caller may not read: the argument does not exist for it.
/// </summary>
public abstract class SlicedInputObjectGraphType<TSource> : InputObjectGraphType<TSource>, ISlicedGraphType
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
