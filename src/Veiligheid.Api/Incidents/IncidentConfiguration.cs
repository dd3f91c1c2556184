using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Metadata.Builders;
using Veiligheid.Data;

namespace Veiligheid.Incidents;

internal sealed class IncidentConfiguration : IEntityTypeConfiguration<Incident>
{
    public void Configure(EntityTypeBuilder<Incident> entity)
    {
        entity.ConfigureEditable();
        entity.ConfigureSourced();
        entity.HasOne(i => i.Location).WithMany().OnDelete(DeleteBehavior.Restrict);
        entity.HasOne(i => i.Neighbourhood).WithMany().OnDelete(DeleteBehavior.Restrict);
        entity.HasOne(i => i.ReportingOrganisation).WithMany().OnDelete(DeleteBehavior.Restrict);
        // The figures group by period, area and category; partners page by time within an area.
        entity.HasIndex(i => i.OccurredAt);
        entity.HasIndex(i => new { i.NeighbourhoodId, i.OccurredAt });
        entity.HasIndex(i => new { i.Category, i.OccurredAt });
        entity.HasIndex(i => new { i.LocationId, i.OccurredAt });
    }
}

internal sealed class IncidentPersonConfiguration : IEntityTypeConfiguration<IncidentPerson>
{
    public void Configure(EntityTypeBuilder<IncidentPerson> entity)
    {
        entity.HasKey(ip => new { ip.IncidentId, ip.PersonId });
        entity.HasOne(ip => ip.Incident).WithMany(i => i.Persons).OnDelete(DeleteBehavior.Cascade);
        entity.HasOne(ip => ip.Person).WithMany(p => p.IncidentLinks).OnDelete(DeleteBehavior.Cascade);
        entity.HasIndex(ip => ip.PersonId);
    }
}
