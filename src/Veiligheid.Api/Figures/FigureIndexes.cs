using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Metadata.Builders;
using Veiligheid.Cases;
using Veiligheid.Incidents;
using Veiligheid.Interventions;

namespace Veiligheid.Figures;

/// <summary>
/// The indexes the figures need, kept beside the figures (EF Core applies every configuration of an entity). Incident
/// figures filter on a period and group by area, category or time: with (OccurredAt, NeighbourhoodId, Category) the
/// range scan is covering, so a year of a million-incident table is grouped without touching the table rows.
/// </summary>
internal sealed class IncidentFigureIndexes : IEntityTypeConfiguration<Incident>
{
    public void Configure(EntityTypeBuilder<Incident> entity)
        => entity.HasIndex(i => new { i.OccurredAt, i.NeighbourhoodId, i.Category });
}

/// <summary>Case figures count by the date of each event (opened, escalated, closed) within a period.</summary>
internal sealed class CaseFigureIndexes : IEntityTypeConfiguration<Case>
{
    public void Configure(EntityTypeBuilder<Case> entity)
    {
        entity.HasIndex(c => c.EscalatedAt);
        entity.HasIndex(c => c.ClosedAt);
    }
}

/// <summary>Intervention figures count interventions started in a period by kind and status.</summary>
internal sealed class InterventionFigureIndexes : IEntityTypeConfiguration<Intervention>
{
    public void Configure(EntityTypeBuilder<Intervention> entity)
        => entity.HasIndex(i => new { i.StartDate, i.Kind, i.Status });
}
