using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Metadata.Builders;
using Veiligheid.Data;

namespace Veiligheid.Cases;

internal sealed class CaseConfiguration : IEntityTypeConfiguration<Case>
{
    public void Configure(EntityTypeBuilder<Case> entity)
    {
        entity.ConfigureEditable();
        entity.ConfigureSourced();
        entity.HasOne(c => c.CoordinatingOrganisation).WithMany().OnDelete(DeleteBehavior.Restrict);
        entity.HasIndex(c => new { c.Kind, c.OpenedAt });
        entity.HasIndex(c => c.OpenedAt);
    }
}

internal sealed class CaseSubjectConfiguration : IEntityTypeConfiguration<CaseSubject>
{
    public void Configure(EntityTypeBuilder<CaseSubject> entity)
    {
        entity.HasKey(s => new { s.CaseId, s.PersonId });
        entity.HasOne(s => s.Case).WithMany(c => c.Subjects).OnDelete(DeleteBehavior.Cascade);
        entity.HasOne(s => s.Person).WithMany(p => p.CaseLinks).OnDelete(DeleteBehavior.Cascade);
        entity.HasIndex(s => s.PersonId);
    }
}

internal sealed class CaseLocationConfiguration : IEntityTypeConfiguration<CaseLocation>
{
    public void Configure(EntityTypeBuilder<CaseLocation> entity)
    {
        entity.HasKey(l => new { l.CaseId, l.LocationId });
        entity.HasOne(l => l.Case).WithMany(c => c.Locations).OnDelete(DeleteBehavior.Cascade);
        entity.HasOne(l => l.Location).WithMany(l => l.CaseLinks).OnDelete(DeleteBehavior.Restrict);
        entity.HasIndex(l => l.LocationId);
    }
}

internal sealed class CaseParticipantConfiguration : IEntityTypeConfiguration<CaseParticipant>
{
    public void Configure(EntityTypeBuilder<CaseParticipant> entity)
    {
        entity.HasKey(p => new { p.CaseId, p.OrganisationId });
        entity.HasOne(p => p.Case).WithMany(c => c.Participants).OnDelete(DeleteBehavior.Cascade);
        entity.HasOne(p => p.Organisation).WithMany().OnDelete(DeleteBehavior.Restrict);
        // Need-to-know filters start from the caller's organisation.
        entity.HasIndex(p => p.OrganisationId);
    }
}

internal sealed class CaseStatusChangeConfiguration : IEntityTypeConfiguration<CaseStatusChange>
{
    public void Configure(EntityTypeBuilder<CaseStatusChange> entity)
    {
        entity.HasOne(s => s.Case).WithMany(c => c.StatusChanges).OnDelete(DeleteBehavior.Cascade);
        entity.HasOne(s => s.ByOrganisation).WithMany().OnDelete(DeleteBehavior.Restrict);
    }
}

internal sealed class CaseContributionConfiguration : IEntityTypeConfiguration<CaseContribution>
{
    public void Configure(EntityTypeBuilder<CaseContribution> entity)
    {
        entity.ConfigureSourced();
        entity.Property(c => c.Text).HasMaxLength(4000);
        entity.HasOne(c => c.Case).WithMany(c => c.Contributions).OnDelete(DeleteBehavior.Cascade);
        entity.HasOne(c => c.Organisation).WithMany().OnDelete(DeleteBehavior.Restrict);
    }
}
