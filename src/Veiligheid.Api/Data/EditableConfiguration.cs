using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Metadata.Builders;
using Microsoft.EntityFrameworkCore.Query.SqlExpressions;

namespace Veiligheid.Data;

/// <summary>The column rules every editable, partner-sourced entity shares.</summary>
internal static class EditableConfiguration
{
    public static void ConfigureEditable<T>(this EntityTypeBuilder<T> entity) where T : class, IEditable
        => entity.Property(e => e.Version).IsConcurrencyToken();

    /// <summary>One row per (source organisation, external id): the basis of idempotent upserts. SQL Server gets EF's
    /// default IS NOT NULL filter on this index, SQLite treats NULLs as distinct: rows the hub made itself never collide.</summary>
    public static void ConfigureSourced<T>(this EntityTypeBuilder<T> entity) where T : class, ISourced
    {
        entity.Property(e => e.ExternalId).HasMaxLength(ExternalIds.MaxLength);
        entity.HasIndex(e => new { e.SourceOrganisationId, e.ExternalId }).IsUnique();
    }

    /// <summary>
    /// <see cref="ExternalIds.Exact"/> in a query is the externalId column as it is: SQLite compares it by its default
    /// collation, BINARY, already (for both models; <see cref="UseBinaryExternalIds"/> changes it for SQL Server).
    /// </summary>
    public static void MapExactExternalIds(this ModelBuilder model)
        => model.HasDbFunction(ExternalIds.ExactMethod).HasTranslation(arguments => arguments[0]);

    /// <summary>
    /// SQL Server compares every externalId column by <see cref="ExternalIds.SqlServerCollation"/>, so 'abc' and 'ABC' are
    /// two keys there as on SQLite. The database's default collation (case-insensitive) made them one: the unique index
    /// refused what SQLite accepted, and a replay by 'ABC' found and edited the row of 'abc'. In a query,
    /// <see cref="ExternalIds.Exact"/> names that collation on the column (see there why). Only the SQL Server model has
    /// this: SQLite has no such collation, nor needs one.
    /// </summary>
    public static void UseBinaryExternalIds(this ModelBuilder model)
    {
        foreach (var sourced in model.Model.GetEntityTypes().Where(t => typeof(ISourced).IsAssignableFrom(t.ClrType)).ToList())
            model.Entity(sourced.ClrType).Property(nameof(ISourced.ExternalId)).UseCollation(ExternalIds.SqlServerCollation);
        model.HasDbFunction(ExternalIds.ExactMethod)
            .HasTranslation(arguments => new CollateExpression(arguments[0], ExternalIds.SqlServerCollation));
    }
}
