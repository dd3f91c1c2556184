using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Metadata.Builders;
using Veiligheid.Data;

namespace Veiligheid.Interventions;

internal sealed class InterventionConfiguration : IEntityTypeConfiguration<Intervention>
{
    public void Configure(EntityTypeBuilder<Intervention> entity)
    {
        entity.ConfigureEditable();
        entity.ConfigureSourced();
        entity.Property(i => i.Result).HasMaxLength(1000);
        entity.HasOne(i => i.ExecutingOrganisation).WithMany().OnDelete(DeleteBehavior.Restrict);
        entity.HasOne(i => i.Case).WithMany(c => c.Interventions).OnDelete(DeleteBehavior.Cascade);
        entity.HasOne(i => i.Person).WithMany().OnDelete(DeleteBehavior.Restrict);
        entity.HasOne(i => i.Location).WithMany().OnDelete(DeleteBehavior.Restrict);
        entity.HasOne(i => i.Neighbourhood).WithMany().OnDelete(DeleteBehavior.Restrict);
        entity.HasIndex(i => new { i.Kind, i.StartDate });
    }
}
