using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Metadata.Builders;
using Veiligheid.Data;

namespace Veiligheid.Organisations;

internal sealed class OrganisationConfiguration : IEntityTypeConfiguration<Organisation>
{
    public void Configure(EntityTypeBuilder<Organisation> entity)
    {
        entity.ConfigureEditable();
        entity.Property(o => o.Key).HasMaxLength(60);
        entity.HasIndex(o => o.Key).IsUnique();
        entity.Property(o => o.ClientAppId).HasMaxLength(64);
        entity.HasIndex(o => o.ClientAppId).IsUnique();
    }
}
