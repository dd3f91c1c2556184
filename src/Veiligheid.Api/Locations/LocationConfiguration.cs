using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Metadata.Builders;
using Veiligheid.Data;

namespace Veiligheid.Locations;

internal sealed class DistrictConfiguration : IEntityTypeConfiguration<District>
{
    public void Configure(EntityTypeBuilder<District> entity)
    {
        entity.Property(d => d.Code).HasMaxLength(8);
        entity.HasIndex(d => d.Code).IsUnique();
    }
}

internal sealed class NeighbourhoodConfiguration : IEntityTypeConfiguration<Neighbourhood>
{
    public void Configure(EntityTypeBuilder<Neighbourhood> entity)
    {
        entity.Property(n => n.Code).HasMaxLength(10);
        entity.HasIndex(n => n.Code).IsUnique();
        entity.HasOne(n => n.District).WithMany(d => d.Neighbourhoods).OnDelete(DeleteBehavior.Restrict);
    }
}

internal sealed class LocationConfiguration : IEntityTypeConfiguration<Location>
{
    public void Configure(EntityTypeBuilder<Location> entity)
    {
        entity.ConfigureEditable();
        entity.ConfigureSourced();
        entity.Property(l => l.BagId).HasMaxLength(16).IsFixedLength();
        entity.HasIndex(l => l.BagId).IsUnique();
        entity.Property(l => l.Postcode).HasMaxLength(6);
        entity.Property(l => l.HouseNumberAddition).HasMaxLength(10);
        entity.HasOne(l => l.Neighbourhood).WithMany().OnDelete(DeleteBehavior.Restrict);
        entity.HasOne(l => l.OwnerOrganisation).WithMany().OnDelete(DeleteBehavior.Restrict);
    }
}
