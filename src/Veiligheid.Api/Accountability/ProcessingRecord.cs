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
/// One entry of the processing log (verwerkingenlogging) as it is read: one person processed by one request, with the
/// fields of the VNG Verwerkingenlogging standard. Append-only; <see cref="Hash"/> covers the fields and the previous
/// record's hash, so a change, or a removal before the last record, breaks the chain that <c>verify-log</c> checks (a
/// removed end shows only against a head kept elsewhere: README, "Keep the head elsewhere").
/// </summary>
/// <remarks>
/// Stored as the standard models it, a verwerkingsactie with its verwerkte objecten: one <see cref="ProcessingAction"/>
/// per request and one <see cref="ProcessingLogEntry"/> per person processed. This read model is the view
/// <c>ProcessingRecords</c> joining each person row with its action (created by the migrations of both providers), so
/// every reader sees one record per person with every field, as before the split.
/// </remarks>
public sealed class ProcessingRecord
{
    /// <summary>Position in the chain, 1, 2, 3 …; unique, so two writers can never fork the chain.</summary>
    public long Sequence { get; set; }

    /// <summary>The request (actie) this record belongs to; one request processing several persons gives several records with one action id.</summary>
    public Guid ActionId { get; set; }

    /// <summary>
    /// The key of the action row it is stored with (<see cref="ProcessingAction.Id"/>, the sequence of the action's first
    /// record). A reader of the log by sequence bounds this too: the view computes a packed record's sequence
    /// (<see cref="PackedRecords"/>), which no index can seek, while this is its action's key.
    /// </summary>
    public long ActionKey { get; set; }

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

    /// <summary>
    /// The hash of the previous record (64 zeros for the first). Not stored: it is the previous record's
    /// <see cref="Hash"/>, which the writer holds when it chains and <c>verify-log</c> holds as it walks in order.
    /// </summary>
    public string PreviousHash { get; set; } = "";

    /// <summary>
    /// The hash that covers this record: SHA-256 over its fields and <see cref="PreviousHash"/>, hex; for a record of an
    /// action chained as one (written since 1 Dec 2026), its action's hash (<see cref="ProcessingAction.Hash"/>).
    /// </summary>
    public required string Hash { get; set; }

    /// <summary>
    /// The record a person row and its action make, as the view <c>ProcessingRecords</c> joins them: for the chain's walk,
    /// which reads the two tables itself so that a person row without its action is seen (the view's inner join drops it).
    /// </summary>
    public static ProcessingRecord Of(ProcessingAction action, ProcessingLogEntry entry)
    {
        ArgumentNullException.ThrowIfNull(entry);
        return Of(action, entry.Sequence, entry.PersonId, entry.ProtectedBsn, entry.Categories, entry.Confidentiality, entry.Hash);
    }

    /// <summary>The record a packed element and its action make, as the view <c>ProcessingRecords</c> reads it: for the chain's walk.</summary>
    public static ProcessingRecord Of(ProcessingAction action, PackedRecord packed)
    {
        ArgumentNullException.ThrowIfNull(action);
        return Of(action, packed.SequenceIn(action.Id), packed.PersonId, packed.ProtectedBsn, packed.Categories, packed.Confidentiality, action.Hash ?? "");
    }

    private static ProcessingRecord Of(ProcessingAction action, long sequence, int? personId, string? protectedBsn, string categories,
        ProcessingConfidentiality confidentiality, string hash)
    {
        ArgumentNullException.ThrowIfNull(action);
        return new ProcessingRecord
        {
            Sequence = sequence,
            ActionKey = action.Id,
            ActionId = action.ActionId,
            ActionName = action.ActionName,
            OccurredAt = action.OccurredAt,
            OrganisationId = action.OrganisationId,
            OrganisationKey = action.OrganisationKey,
            Role = action.Role,
            ApplicationId = action.ApplicationId,
            UserId = action.UserId,
            Purpose = action.Purpose,
            LegalGround = action.LegalGround,
            RetentionYears = action.RetentionYears,
            PersonId = personId,
            ProtectedBsn = protectedBsn,
            Categories = categories,
            Confidentiality = confidentiality,
            Hash = hash,
        };
    }
}

/// <summary>
/// One action (verwerkingsactie) of the processing log: the request's fields, stored once however many persons it
/// processed. Its <see cref="Id"/> is the <see cref="ProcessingLogEntry.Sequence"/> of its first person row, set by the
/// writer as it chains (so no generated key has to be read back before the person rows can refer to it).
/// </summary>
public sealed class ProcessingAction
{
    /// <summary>The sequence of the action's first record; the key.</summary>
    public long Id { get; set; }

    public Guid ActionId { get; set; }
    public required string ActionName { get; set; }
    public DateTime OccurredAt { get; set; }
    public int OrganisationId { get; set; }
    public required string OrganisationKey { get; set; }
    public required string Role { get; set; }
    public required string ApplicationId { get; set; }
    public string? UserId { get; set; }
    public required string Purpose { get; set; }
    public required string LegalGround { get; set; }
    public int RetentionYears { get; set; }

    /// <summary>
    /// The action's hash when its records are chained as one (<see cref="RecordHasher.ActionHash"/>): SHA-256 over its
    /// fields, each of its records' own fields in order, and the hash of the record before it; lowercase hex. Its records
    /// then store no hash of their own (an empty <see cref="ProcessingLogEntry.Hash"/>), and each reads this as its hash.
    /// Null for an action written before (1 Dec 2026), whose records each carry their own.
    /// </summary>
    public string? Hash { get; set; }

    /// <summary>
    /// The action's records packed into its row (<see cref="PackedRecords"/>): a JSON array of one element per record, the
    /// first at <see cref="Id"/>. Null for an action whose records are person rows (<see cref="ProcessingLogEntry"/>; all
    /// written before the migration PackedRecords). An action with packed records is always chained as one (<see cref="Hash"/> set).
    /// </summary>
    public string? Records { get; set; }

    /// <summary>The action of a record: its action fields, keyed by the record's sequence (the action's first record).</summary>
    public static ProcessingAction Of(ProcessingRecord record)
    {
        ArgumentNullException.ThrowIfNull(record);
        return new ProcessingAction
        {
            Id = record.Sequence,
            ActionId = record.ActionId,
            ActionName = record.ActionName,
            OccurredAt = record.OccurredAt,
            OrganisationId = record.OrganisationId,
            OrganisationKey = record.OrganisationKey,
            Role = record.Role,
            ApplicationId = record.ApplicationId,
            UserId = record.UserId,
            Purpose = record.Purpose,
            LegalGround = record.LegalGround,
            RetentionYears = record.RetentionYears,
        };
    }

    /// <summary>Whether the record carries exactly this action's fields (a run of one request's records always does).</summary>
    public static bool Same(ProcessingAction action, ProcessingRecord record)
    {
        ArgumentNullException.ThrowIfNull(action);
        ArgumentNullException.ThrowIfNull(record);
        return action.ActionId == record.ActionId && action.OccurredAt == record.OccurredAt && action.OrganisationId == record.OrganisationId
               && action.RetentionYears == record.RetentionYears && string.Equals(action.ActionName, record.ActionName, StringComparison.Ordinal)
               && string.Equals(action.OrganisationKey, record.OrganisationKey, StringComparison.Ordinal)
               && string.Equals(action.Role, record.Role, StringComparison.Ordinal)
               && string.Equals(action.ApplicationId, record.ApplicationId, StringComparison.Ordinal)
               && string.Equals(action.UserId, record.UserId, StringComparison.Ordinal)
               && string.Equals(action.Purpose, record.Purpose, StringComparison.Ordinal)
               && string.Equals(action.LegalGround, record.LegalGround, StringComparison.Ordinal);
    }
}

/// <summary>
/// One person processed by an action (verwerkt object): the person's fields of a <see cref="ProcessingRecord"/>, its
/// place in the chain and its hash (which covers the action's fields too, so changing an action breaks every record of it).
/// </summary>
public sealed class ProcessingLogEntry
{
    /// <summary>Position in the chain; the key (the rowid on SQLite, the clustered key on SQL Server).</summary>
    public long Sequence { get; set; }

    /// <summary>The <see cref="ProcessingAction.Id"/> of the action it belongs to.</summary>
    public long ActionKey { get; set; }

    public int? PersonId { get; set; }
    public string? ProtectedBsn { get; set; }
    public required string Categories { get; set; }
    public ProcessingConfidentiality Confidentiality { get; set; }

    /// <summary>The record's own hash; empty when its action is chained as one and holds the hash (<see cref="ProcessingAction.Hash"/>).</summary>
    public required string Hash { get; set; }
}

public sealed class ProcessingRecordConfiguration : IEntityTypeConfiguration<ProcessingRecord>
{
    /// <summary>The view joining each person row with its action (created by the migrations).</summary>
    public const string View = "ProcessingRecords";

    public void Configure(EntityTypeBuilder<ProcessingRecord> builder)
    {
        builder.ToView(View);
        builder.HasKey(r => r.Sequence);
        builder.Ignore(r => r.PreviousHash);
        builder.Property(r => r.LegalGround).HasMaxLength(400);
        builder.Property(r => r.Hash).HasMaxLength(64).IsFixedLength();
        builder.Property(r => r.ProtectedBsn).HasMaxLength(64);
    }
}

public sealed class ProcessingActionConfiguration : IEntityTypeConfiguration<ProcessingAction>
{
    public void Configure(EntityTypeBuilder<ProcessingAction> builder)
    {
        builder.ToTable("ProcessingActions");
        builder.HasKey(a => a.Id);
        builder.Property(a => a.Id).ValueGeneratedNever();
        // Grows at one end, as the key does: a request's commit appends to both.
        builder.HasIndex(a => a.OccurredAt);
        builder.Property(a => a.LegalGround).HasMaxLength(400);
        builder.Property(a => a.Hash).HasMaxLength(64).IsFixedLength();
        // Unbounded (the hub's strings are 200 at most by convention): an action holds as many records as its request
        // processed persons, up to ProcessingLogOptions.MostPersonsMatched and a page's more.
        builder.Property(a => a.Records).Metadata.SetMaxLength(null);
    }
}

public sealed class ProcessingLogEntryConfiguration : IEntityTypeConfiguration<ProcessingLogEntry>
{
    public void Configure(EntityTypeBuilder<ProcessingLogEntry> builder)
    {
        builder.ToTable("ProcessingLog");
        // The sequence is the key, so the table is its own index by sequence (no second B-tree to write). Only keys and
        // indexes that grow at one end: a request's commit appends. The look-ups by person and by protected BSN go
        // through the index table the background indexer keeps (ProcessingLogIndex), off the request's commit.
        builder.HasKey(e => e.Sequence);
        builder.Property(e => e.Sequence).ValueGeneratedNever();
        // No index on ActionKey, though EF Core gives a foreign key one (Data.ForeignKeyIndexConventionExcept): a second
        // B-tree that each person row paid for at the request's commit, 4–8 % of the hub's CPU under load (BENCHMARKS.md,
        // "Nineteenth round"). Rows are read by their sequence: the whole log's of a period by the range of sequences its
        // actions span (AccountabilityQueries.LogPeriod), a person's as the index by data subject names them, an action's
        // first row at the action's id (ProcessingLog.ActionsWithoutRecords).
        builder.HasOne<ProcessingAction>().WithMany().HasForeignKey(e => e.ActionKey).OnDelete(DeleteBehavior.Restrict);
        builder.Property(e => e.Hash).HasMaxLength(64).IsFixedLength();
        builder.Property(e => e.ProtectedBsn).HasMaxLength(64);
    }
}
