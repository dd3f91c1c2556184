using System.ComponentModel;
using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Metadata.Builders;

namespace Veiligheid.Accountability;

/// <summary>Confidentiality of a processing record (VNG Verwerkingenlogging: vertrouwelijkheid).</summary>
[Description("Confidentiality of a processing record (VNG Verwerkingenlogging: vertrouwelijkheid).")]
public enum ProcessingConfidentiality
{
    [Description("Ordinary personal data.")]
    Normaal,
    [Description("Special or criminal personal data (AVG art. 9 and 10): care or police information.")]
    Vertrouwelijk,
}

/// <summary>
/// One entry of the processing log (verwerkingenlogging): one person processed by one request, with the fields of the VNG
/// Verwerkingenlogging standard. Append-only; <see cref="Hash"/> covers the fields and the previous record's hash, so any
/// change or removal breaks the chain that <c>verify-log</c> checks.
/// </summary>
public sealed class ProcessingRecord
{
    public long Id { get; set; }

    /// <summary>Position in the chain, 1, 2, 3 …; unique, so two writers can never fork the chain.</summary>
    public long Sequence { get; set; }

    /// <summary>The request (actie) this record belongs to; one request processing several persons gives several records with one action id.</summary>
    public Guid ActionId { get; set; }

    /// <summary>The GraphQL operation name (actienaam), or "(anonymous)".</summary>
    public required string ActionName { get; set; }

    /// <summary>When the processing happened (tijdstip), UTC.</summary>
    public DateTime OccurredAt { get; set; }

    public int OrganisationId { get; set; }
    public required string OrganisationKey { get; set; }

    /// <summary>The app role the request was served under.</summary>
    public required string Role { get; set; }

    /// <summary>The client application (systeem).</summary>
    public required string ApplicationId { get; set; }

    /// <summary>The signed-in user's object id (gebruiker); null for a partner system.</summary>
    public string? UserId { get; set; }

    /// <summary>The purpose key (verwerkingsactiviteit) from the purposes register.</summary>
    public required string Purpose { get; set; }

    /// <summary>The purpose's legal ground (grondslag) at the time.</summary>
    public required string LegalGround { get; set; }

    /// <summary>The person's internal id; null when the person is no longer held (an access report after retention).</summary>
    public int? PersonId { get; set; }

    /// <summary>The BSN in protected form: HMAC-SHA256 with the hub's pseudonym key, hex. Never the BSN itself.</summary>
    public string? ProtectedBsn { get; set; }

    /// <summary>The data categories touched, comma separated, e.g. "Casus,Identiteit".</summary>
    public required string Categories { get; set; }

    public ProcessingConfidentiality Confidentiality { get; set; }

    /// <summary>The retention term in years (bewaartermijn) of the purpose.</summary>
    public int RetentionYears { get; set; }

    /// <summary>The hash of the previous record (64 zeros for the first).</summary>
    public required string PreviousHash { get; set; }

    /// <summary>SHA-256 over this record's fields and <see cref="PreviousHash"/>, hex.</summary>
    public required string Hash { get; set; }
}

public sealed class ProcessingRecordConfiguration : IEntityTypeConfiguration<ProcessingRecord>
{
    public void Configure(EntityTypeBuilder<ProcessingRecord> builder)
    {
        builder.ToTable("ProcessingLog");
        // Only indexes that grow at one end: a request's commit appends to them. The look-ups by person and by protected
        // BSN go through the index table the background indexer keeps (ProcessingLogIndex), off the request's commit.
        builder.HasIndex(r => r.Sequence).IsUnique();
        builder.HasIndex(r => r.OccurredAt);
        builder.Property(r => r.LegalGround).HasMaxLength(400);
        builder.Property(r => r.PreviousHash).HasMaxLength(64).IsFixedLength();
        builder.Property(r => r.Hash).HasMaxLength(64).IsFixedLength();
        builder.Property(r => r.ProtectedBsn).HasMaxLength(64);
    }
}
