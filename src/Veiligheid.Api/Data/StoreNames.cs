using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Infrastructure;
using Microsoft.EntityFrameworkCore.Metadata;
using Microsoft.EntityFrameworkCore.Storage;

namespace Veiligheid.Data;

/// <summary>
/// An entity's table and its columns' names as the context's provider quotes them, read from EF Core's model: for the few
/// statements the hub writes by hand, so a renamed table or column in the model renames them too.
/// </summary>
internal sealed class StoreNames
{
    private readonly IEntityType _entity;
    private readonly StoreObjectIdentifier _table;
    private readonly ISqlGenerationHelper _sql;

    private StoreNames(DbContext db, Type entityType)
    {
        _entity = db.Model.FindEntityType(entityType) ?? throw new InvalidOperationException($"{entityType.Name} is not in the model.");
        _table = StoreObjectIdentifier.Table(_entity.GetTableName()!, _entity.GetSchema());
        _sql = db.GetService<ISqlGenerationHelper>();
        Table = _sql.DelimitIdentifier(_table.Name, _table.Schema);
    }

    /// <summary>The names of <typeparamref name="TEntity"/>'s table in <paramref name="db"/>'s model.</summary>
    public static StoreNames Of<TEntity>(DbContext db) where TEntity : class
    {
        ArgumentNullException.ThrowIfNull(db);
        return new StoreNames(db, typeof(TEntity));
    }

    /// <summary>The table, quoted (with its schema where it has one).</summary>
    public string Table { get; }

    /// <summary>The column of the property with this name, quoted.</summary>
    public string Column(string property)
        => _sql.DelimitIdentifier((_entity.FindProperty(property) ?? throw new ArgumentException($"{_entity.ClrType.Name} has no property {property}.", nameof(property)))
            .GetColumnName(_table)!);
}
