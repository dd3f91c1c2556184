using Microsoft.EntityFrameworkCore;
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

    /// <summary>
    /// The records of one request about these persons (one action id and time; each person's protected BSN made of its
    /// id), not yet placed in the chain: <see cref="ProcessingLog.Chain"/> places and hashes them.
    /// </summary>
    public static List<ProcessingRecord> Request(params int[] persons)
    {
        ArgumentNullException.ThrowIfNull(persons);
        var request = persons.Select(p => After(0, ProcessingLog.GenesisHash, personId: p, protectedBsn: new string((char)('a' + p), 64))).ToList();
        foreach (var record in request.Skip(1)) (record.ActionId, record.OccurredAt) = (request[0].ActionId, request[0].OccurredAt);
        return request;
    }

    /// <summary>The rows that store these chained records (an action per run of one action id, an entry per record).</summary>
    internal static LogRows Rows(params ProcessingRecord[] records)
    {
        var rows = new LogRows();
        rows.Add(records);
        return rows;
    }

    /// <summary>Adds the rows of these chained records to the context (saved with its next SaveChanges).</summary>
    public static void AddTo(DbContext db, params ProcessingRecord[] records)
    {
        ArgumentNullException.ThrowIfNull(db);
        var rows = Rows(records);
        db.AddRange(rows.Actions);
        db.AddRange(rows.Entries);
    }

    /// <summary>
    /// Inserts the record into the processing log as it was stored before the actions were split off (one wide table
    /// with every field and the previous hash, migrations Initial and ProcessingLogSubjects), for the migration tests.
    /// </summary>
    public static void InsertIntoWideTable(DbContext db, ProcessingRecord r)
    {
        ArgumentNullException.ThrowIfNull(db);
        ArgumentNullException.ThrowIfNull(r);
        // As EF Core stores them on SQLite: a GUID as uppercase text, an enum by name.
        var actionId = r.ActionId.ToString("D").ToUpperInvariant();
        var confidentiality = r.Confidentiality.ToString();
        db.Database.ExecuteSql($"""
            INSERT INTO "ProcessingLog" ("Sequence", "ActionId", "ActionName", "OccurredAt", "OrganisationId", "OrganisationKey", "Role",
                "ApplicationId", "UserId", "Purpose", "LegalGround", "PersonId", "ProtectedBsn", "Categories", "Confidentiality",
                "RetentionYears", "PreviousHash", "Hash")
            VALUES ({r.Sequence}, {actionId}, {r.ActionName}, {r.OccurredAt}, {r.OrganisationId}, {r.OrganisationKey}, {r.Role},
                {r.ApplicationId}, {r.UserId}, {r.Purpose}, {r.LegalGround}, {r.PersonId}, {r.ProtectedBsn}, {r.Categories}, {confidentiality},
                {r.RetentionYears}, {r.PreviousHash}, {r.Hash})
            """);
    }
}
