using Microsoft.EntityFrameworkCore.Metadata.Builders;

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
        entity.Property(e => e.ExternalId).HasMaxLength(100);
        entity.HasIndex(e => new { e.SourceOrganisationId, e.ExternalId }).IsUnique();
    }
}
