using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Metadata.Builders;
using Veiligheid.Access;

namespace Veiligheid.Data;

/// <summary>What a write did to a row.</summary>
public enum WriteChange
{
    Created,
    Updated,
}

/// <summary>
/// One write, for accountability: who (organisation, role, application, user) did what to which row, when. Written in
/// the same transaction as the change itself, so a write without its audit row cannot exist. Never holds a BSN, a name
/// or any other content of the row.
/// </summary>
public sealed class WriteAudit
{
    public long Id { get; set; }
    public DateTime At { get; set; }
    public int OrganisationId { get; set; }
    public required string Role { get; set; }
    public required string ClientAppId { get; set; }
    public string? UserObjectId { get; set; }
    public WriteAction Action { get; set; }

    /// <summary>The GraphQL field that did it, e.g. "reportIncidents".</summary>
    public required string Operation { get; set; }

    /// <summary>The entity type written, e.g. "Incident".</summary>
    public required string EntityType { get; set; }

    public int EntityId { get; set; }
    public WriteChange Change { get; set; }
}

internal sealed class WriteAuditConfiguration : IEntityTypeConfiguration<WriteAudit>
{
    public void Configure(EntityTypeBuilder<WriteAudit> entity)
    {
        entity.Property(a => a.Role).HasMaxLength(40);
        entity.Property(a => a.ClientAppId).HasMaxLength(64);
        entity.Property(a => a.UserObjectId).HasMaxLength(64);
        entity.Property(a => a.Operation).HasMaxLength(60);
        entity.Property(a => a.EntityType).HasMaxLength(40);
        entity.HasIndex(a => new { a.EntityType, a.EntityId });
        entity.HasIndex(a => new { a.OrganisationId, a.At });
    }
}
