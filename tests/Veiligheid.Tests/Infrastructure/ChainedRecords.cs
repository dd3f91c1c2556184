using Veiligheid.Accountability;

namespace Veiligheid.Tests.Infrastructure;

/// <summary>Processing records written by a test straight into a database, each hashed onto the one before it.</summary>
public static class ChainedRecords
{
    /// <summary>The record at this place in the chain, about this person and/or protected BSN, with its hash set.</summary>
    public static ProcessingRecord After(long sequence, string previousHash, int? personId, string? protectedBsn = null, string purpose = "test")
    {
        var record = new ProcessingRecord
        {
            Sequence = sequence,
            ActionId = Guid.NewGuid(),
            ActionName = "test",
            OccurredAt = DateTime.UtcNow,
            OrganisationId = 1,
            OrganisationKey = "test",
            Role = "Gemeente.Coordinator",
            ApplicationId = "test",
            Purpose = purpose,
            LegalGround = "test",
            PersonId = personId,
            ProtectedBsn = protectedBsn,
            Categories = "Identiteit",
            PreviousHash = previousHash,
            Hash = "",
        };
        record.Hash = ProcessingLog.HashOf(record);
        return record;
    }
}
