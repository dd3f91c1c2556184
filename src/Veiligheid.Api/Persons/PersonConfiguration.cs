using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Metadata.Builders;
using Veiligheid.Data;

namespace Veiligheid.Persons;

internal sealed class PersonConfiguration : IEntityTypeConfiguration<Person>
{
    public void Configure(EntityTypeBuilder<Person> entity)
    {
        entity.ConfigureEditable();
        entity.ConfigureSourced();
        entity.Property(p => p.Bsn).HasMaxLength(9).IsFixedLength();
        entity.HasIndex(p => p.Bsn).IsUnique();
        entity.Property(p => p.SurnamePrefix).HasMaxLength(20);
        entity.HasOne(p => p.Address).WithMany().OnDelete(DeleteBehavior.Restrict);
    }
}

internal sealed class LifeDomainScoreConfiguration : IEntityTypeConfiguration<LifeDomainScore>
{
    public void Configure(EntityTypeBuilder<LifeDomainScore> entity)
    {
        entity.HasOne(s => s.Person).WithMany(p => p.LifeDomainScores).OnDelete(DeleteBehavior.Cascade);
        entity.HasOne(s => s.AssessedByOrganisation).WithMany().OnDelete(DeleteBehavior.Restrict);
        entity.ToTable(t => t.HasCheckConstraint("CK_LifeDomainScores_Score", "Score BETWEEN 1 AND 5"));
    }
}

internal sealed class PoliceSignalConfiguration : IEntityTypeConfiguration<PoliceSignal>
{
    public void Configure(EntityTypeBuilder<PoliceSignal> entity)
    {
        entity.HasOne(s => s.Person).WithMany(p => p.PoliceSignals).OnDelete(DeleteBehavior.Cascade);
        entity.HasOne(s => s.Organisation).WithMany().OnDelete(DeleteBehavior.Restrict);
    }
}

internal sealed class TenancyConfiguration : IEntityTypeConfiguration<Tenancy>
{
    public void Configure(EntityTypeBuilder<Tenancy> entity)
    {
        entity.HasOne(t => t.Person).WithMany(p => p.Tenancies).OnDelete(DeleteBehavior.Cascade);
        entity.HasOne(t => t.Location).WithMany().OnDelete(DeleteBehavior.Restrict);
        entity.HasOne(t => t.LandlordOrganisation).WithMany().OnDelete(DeleteBehavior.Restrict);
    }
}

internal sealed class ConsentConfiguration : IEntityTypeConfiguration<Consent>
{
    public void Configure(EntityTypeBuilder<Consent> entity)
    {
        entity.ConfigureEditable();
        entity.HasOne(c => c.Person).WithMany(p => p.Consents).OnDelete(DeleteBehavior.Cascade);
        entity.HasOne(c => c.CareProviderOrganisation).WithMany().OnDelete(DeleteBehavior.Restrict);
        entity.HasOne(c => c.RecipientOrganisation).WithMany().OnDelete(DeleteBehavior.Restrict);
        entity.HasIndex(c => new { c.PersonId, c.RecipientOrganisationId });
        // One active consent per person, care provider and recipient: two registered at once (a retry racing the first)
        // left two active, and withdrawing the one a client got back left the sharing on through the other. Unquoted,
        // the filter reads the same on SQLite and SQL Server.
        entity.HasIndex(c => new { c.PersonId, c.CareProviderOrganisationId, c.RecipientOrganisationId })
            .IsUnique().HasFilter("WithdrawnOn IS NULL").HasDatabaseName("IX_Consents_Active");
    }
}
