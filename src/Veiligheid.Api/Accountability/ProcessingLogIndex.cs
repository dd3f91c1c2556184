using System.Globalization;
using System.Linq.Expressions;
using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Metadata.Builders;
using Veiligheid.Data;

namespace Veiligheid.Accountability;

/// <summary>
/// One row of the processing log's index by data subject (table <c>ProcessingLogSubjects</c>): a record's place in the
/// chain with the person it is about. Derived data, not part of the log: <see cref="ProcessingLogIndexer"/> copies it from
/// the durable records in the background, and it can always be rebuilt from them.
/// </summary>
/// <remarks>
/// Why it exists: the log's own indexes by person and by protected BSN put a request's records at random places in two
/// B-trees, so a request's durable commit wrote mostly index pages (BENCHMARKS.md, "Processing log overhead"). The log
/// itself (keyed by sequence) and its actions' indexes grow at one end; this table takes the random-order indexes off the
/// request's commit.
/// </remarks>
public sealed class ProcessingLogSubject
{
    /// <summary>The record's <see cref="ProcessingRecord.Sequence"/>; the key.</summary>
    public long Sequence { get; set; }

    /// <summary>The record's <see cref="ProcessingRecord.PersonId"/>.</summary>
    public int? PersonId { get; set; }

    /// <summary>
    /// The record's <see cref="ProcessingRecord.ProtectedBsn"/> as a key: its first 8 bytes as a signed integer
    /// (<see cref="ProcessingLogIndex.KeyOf"/>). Not the whole protected BSN: an index entry of 8 bytes instead of 64
    /// characters keeps the index a third the size and its background copy faster under load (BENCHMARKS.md, "Tenth
    /// round"). Two BSNs may share a key (one pair in 2^64); the look-up checks every record against the whole protected BSN.
    /// </summary>
    public long? BsnKey { get; set; }
}

public sealed class ProcessingLogSubjectConfiguration : IEntityTypeConfiguration<ProcessingLogSubject>
{
    public void Configure(EntityTypeBuilder<ProcessingLogSubject> builder)
    {
        builder.ToTable(ProcessingLogIndex.Table);
        // Sequence is the key and the rowid on SQLite (INTEGER PRIMARY KEY) and the clustered key on SQL Server, so the
        // indexes below carry it already: a look-up by person or BSN yields the sequences from the index alone.
        builder.HasKey(s => s.Sequence);
        builder.Property(s => s.Sequence).ValueGeneratedNever();
        builder.HasIndex(s => s.PersonId);
        builder.HasIndex(s => s.BsnKey);
    }
}

/// <summary>
/// The one place that knows how the processing log is searched by data subject: the records the index names for the
/// subject, or the records past its watermark (the tail the indexer has not copied yet) that are about the subject.
/// Every reader of the log by person or protected BSN goes through <see cref="About"/> or <see cref="AboutBsn"/>.
/// </summary>
/// <remarks>
/// Correct wherever the indexer stands: the index holds every record up to its highest sequence (the indexer copies in
/// sequence order, and records commit in sequence order on both providers, each writer reading the chain's end under the
/// write lock), and the tail is everything above it. Both terms are in one statement. On SQL Server one snapshot answers
/// both; on SQLite the index has a file of its own (<see cref="Data.SqliteLogFile.IndexPathFor"/>), read in a snapshot of
/// its own, which is either older than the log's (its tail is then longer, still all in the log's snapshot) or newer (it
/// then names every record the log's snapshot holds, and the tail is empty). The rows come from the log and are checked
/// against the subject again, so an index row that no longer matches a record (the record was removed, or is newer than
/// the log's snapshot) can never add one.
/// </remarks>
public static class ProcessingLogIndex
{
    public const string Table = "ProcessingLogSubjects";

    /// <summary>The records about the person with this internal id, as one query (period, order and paging compose on it).</summary>
    public static IQueryable<ProcessingRecord> About(VeiligheidDbContext db, int personId)
        => Matching(db, s => s.PersonId == personId, e => e.PersonId == personId, r => r.PersonId == personId);

    /// <summary>The records about the person with this protected BSN (<see cref="ProcessingLog.Protect"/>), as one query.</summary>
    public static IQueryable<ProcessingRecord> AboutBsn(VeiligheidDbContext db, string protectedBsn)
    {
        ArgumentNullException.ThrowIfNull(protectedBsn);
        // Not a protected form (KeyOf is null): no key in the index stands for it, so that part names no record.
        Expression<Func<ProcessingLogSubject, bool>> indexed = KeyOf(protectedBsn) is { } key ? s => s.BsnKey == key : s => false;
        return Matching(db, indexed, e => e.ProtectedBsn == protectedBsn, r => r.ProtectedBsn == protectedBsn);
    }

    /// <summary>
    /// The index's key for a protected BSN: its first 16 hex digits (8 bytes of the HMAC) read big-endian as a signed
    /// 64-bit integer, as T-SQL's <c>TRY_CONVERT(bigint, TRY_CONVERT(binary(8), …, 2))</c> reads them, and as <see cref="KeySql"/>
    /// computes it in SQLite. Null for a value that does not start with 16 hex digits, which <see cref="ProcessingLog.Protect"/>
    /// never makes (such a record is then left out of the look-ups by BSN, which only ever ask for a protected form).
    /// </summary>
    public static long? KeyOf(string? protectedBsn)
        => protectedBsn is { Length: >= KeyDigits }
           && ulong.TryParse(protectedBsn.AsSpan(0, KeyDigits), NumberStyles.AllowHexSpecifier, CultureInfo.InvariantCulture, out var key)
            ? unchecked((long)key)
            : null;

    /// <summary>How many hex digits of the protected BSN make its key.</summary>
    private const int KeyDigits = 16;

    /// <summary>
    /// <see cref="KeyOf"/> as a SQL expression over a column holding a protected BSN, for the copies done in SQL (SQL
    /// Server's indexer, an in-memory SQLite database's). SQLite has no function that reads hex as an integer, so each digit
    /// is found in a string of the 16 digits and shifted into place; the shifts wrap as two's complement, as the cast does.
    /// </summary>
    internal static string KeySql(bool sqlServer, string column)
    {
        if (sqlServer) return $"CASE WHEN LEN({column}) >= {KeyDigits} THEN TRY_CONVERT(bigint, TRY_CONVERT(binary(8), LEFT({column}, {KeyDigits}), 2)) END";
        var digits = Enumerable.Range(0, KeyDigits)
            .Select(i => $"((instr('0123456789abcdef', lower(substr({column}, {i + 1}, 1))) - 1) << {4 * (KeyDigits - 1 - i)})");
        return $"CASE WHEN {column} GLOB '{string.Concat(Enumerable.Repeat("[0-9a-fA-F]", KeyDigits))}*' THEN {string.Join(" | ", digits)} END";
    }

    /// <summary>
    /// <c>WHERE subject AND Sequence IN (the index's sequences for the subject UNION ALL the tail's)</c>. Shaped so for
    /// SQLite's planner (EXPLAIN QUERY PLAN, 1,000,000 records): the IN list is built from the index and from a range of
    /// the Sequence index, then each record is found by its Sequence, in order, so no sort and no scan. Written as
    /// <c>IN … OR Sequence &gt; watermark</c> instead, the planner walked the whole Sequence index backwards for the
    /// ORDER BY … LIMIT of a page (0.5 s), or the OccurredAt index for a period (5 s). The tail is read from the person
    /// rows alone (<see cref="ProcessingLogEntry"/>: the subject is theirs), the records themselves from the view with
    /// their action.
    /// </summary>
    private static IQueryable<ProcessingRecord> Matching(VeiligheidDbContext db, Expression<Func<ProcessingLogSubject, bool>> indexed,
        Expression<Func<ProcessingLogEntry, bool>> tail, Expression<Func<ProcessingRecord, bool>> recorded)
    {
        ArgumentNullException.ThrowIfNull(db);
        var subjects = db.Set<ProcessingLogSubject>();
        var entries = db.Set<ProcessingLogEntry>();
        var sequences = subjects.Where(indexed).Select(s => s.Sequence)
            .Concat(entries.Where(e => e.Sequence > (subjects.Max(s => (long?)s.Sequence) ?? 0)).Where(tail).Select(e => e.Sequence));
        return db.Set<ProcessingRecord>().AsNoTracking().Where(recorded).Where(r => sequences.Contains(r.Sequence));
    }

    /// <summary>
    /// The highest id of a person the hub held when it logged them (null when none): the records that carry a protected BSN
    /// (the writer protects the BSN it read of the person) and a person id. A record with an id and no BSN names an id the
    /// hub did not hold then, which says nothing about what the hub's file gave out (a look-up by a made-up id wrote such
    /// records). The index's, read from the end of its index by person, and the tail's past its watermark, as every
    /// look-up here reads them; not a scan of the whole log, which grows for years.
    /// </summary>
    public static async Task<int?> HighestPersonIdAsync(VeiligheidDbContext db, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(db);
        var indexed = await db.Set<ProcessingLogSubject>().Where(s => s.PersonId != null && s.BsnKey != null)
            .OrderByDescending(s => s.PersonId).Select(s => s.PersonId).FirstOrDefaultAsync(cancellationToken);
        var watermark = await EndAsync(db, cancellationToken);
        var tail = await db.Set<ProcessingLogEntry>().Where(e => e.Sequence > watermark && e.ProtectedBsn != null).MaxAsync(e => e.PersonId, cancellationToken);
        return indexed is null ? tail : tail is null ? indexed : Math.Max(indexed.Value, tail.Value);
    }

    /// <summary>The index's highest sequence (0 when empty): the last record it names.</summary>
    public static async Task<long> EndAsync(VeiligheidDbContext db, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(db);
        return await db.Set<ProcessingLogSubject>().MaxAsync(s => (long?)s.Sequence, cancellationToken) ?? 0;
    }

    /// <summary>How many records verify-log compares with their index rows at a time (<see cref="DisagreementAsync"/>).</summary>
    private const int CompareBatch = 10_000;

    /// <summary>
    /// For verify-log: the first record up to <paramref name="indexEnd"/> that the index does not name as the log does
    /// (no row, or a row with another person or BSN key), as a problem to report; null when the index agrees with the log.
    /// The look-ups by person and BSN, and so the access reports, find a record at or below the index's end only through
    /// its row (<see cref="Matching"/>), so a row missing or altered leaves that record out, though the chain is whole. A
    /// disagreeing index was edited, or records were removed from the log's end and written again at the same sequences
    /// before the indexer removed the rows above the end. Reads both a batch at a time, by sequence, one statement at a
    /// time (on SQL Server both are one context); the log's records must be whole up to the index's end (the chain's walk
    /// and <see cref="ProcessingLog.MissingFromEndAsync"/> checked them first).
    /// </summary>
    public static async Task<string?> DisagreementAsync(VeiligheidDbContext log, VeiligheidDbContext index, long indexEnd, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(log);
        ArgumentNullException.ThrowIfNull(index);
        for (long from = 0; from < indexEnd; from += CompareBatch)
        {
            var to = Math.Min(from + CompareBatch, indexEnd);
            var rows = await index.Set<ProcessingLogSubject>().AsNoTracking().Where(s => s.Sequence > from && s.Sequence <= to)
                .OrderBy(s => s.Sequence).Select(s => new { s.Sequence, s.PersonId, s.BsnKey }).ToListAsync(cancellationToken);
            var records = await log.Set<ProcessingLogEntry>().AsNoTracking().Where(e => e.Sequence > from && e.Sequence <= to)
                .OrderBy(e => e.Sequence).Select(e => new { e.Sequence, e.PersonId, e.ProtectedBsn }).ToListAsync(cancellationToken);
            // The records are every sequence of the range, and each row's sequence is one of them: in step, one to one.
            for (var i = 0; i < records.Count; i++)
            {
                var record = records[i];
                if (i >= rows.Count || rows[i].Sequence != record.Sequence)
                    return string.Create(CultureInfo.InvariantCulture, $"its index by data subject has no row for record {record.Sequence}");
                if (rows[i].PersonId != record.PersonId || rows[i].BsnKey != KeyOf(record.ProtectedBsn))
                    return string.Create(CultureInfo.InvariantCulture, $"its index by data subject names record {record.Sequence} under another person or BSN than the log does");
            }
        }
        return null;
    }

    /// <summary>
    /// Removes index rows above the log's last record. Nothing removes log records; rows above its end mean records were
    /// removed from it (or the log was restored without its index), and the indexer says so before it removes them
    /// (<see cref="ProcessingLogIndexer"/>). Reads one index entry at each end when there is nothing to remove.
    /// </summary>
    internal static string TrimSql(bool sqlServer) => sqlServer
        ? "DELETE FROM [ProcessingLogSubjects] WHERE [Sequence] > (SELECT COALESCE(MAX([Sequence]), 0) FROM [ProcessingLog]);"
        : "DELETE FROM \"ProcessingLogSubjects\" WHERE \"Sequence\" > (SELECT COALESCE(MAX(\"Sequence\"), 0) FROM \"ProcessingLog\");";

    /// <summary>The index's watermark: its highest sequence (SQLite's indexer, on the index's own file).</summary>
    internal const string WatermarkSql = "SELECT COALESCE(MAX(\"Sequence\"), 0) FROM \"main\".\"ProcessingLogSubjects\";";

    /// <summary>SQLite's indexer: the log's last sequence (for <see cref="TrimAboveSql"/>).</summary>
    internal const string LogEndSql = "SELECT COALESCE(MAX(\"Sequence\"), 0) FROM \"log\".\"ProcessingLog\";";

    /// <summary>SQLite's indexer's read: the next <c>$batch</c> records past <c>$watermark</c>, in order (it makes the BSN keys itself).</summary>
    internal const string TailSql =
        "SELECT \"Sequence\", \"PersonId\", \"ProtectedBsn\" FROM \"log\".\"ProcessingLog\" WHERE \"Sequence\" > $watermark ORDER BY \"Sequence\" LIMIT $batch;";

    /// <summary>SQLite's indexer: <see cref="TrimSql"/> with the log's end as read by <see cref="LogEndSql"/>.</summary>
    internal const string TrimAboveSql = "DELETE FROM \"main\".\"ProcessingLogSubjects\" WHERE \"Sequence\" > $end;";

    /// <summary>SQLite's indexer: one index row (its values bound by position, in this order); a row already there (another indexer's) is left.</summary>
    internal const string InsertOneSql = "INSERT OR IGNORE INTO \"main\".\"ProcessingLogSubjects\" (\"Sequence\", \"PersonId\", \"BsnKey\") VALUES ($sequence, $person, $key);";

    /// <summary>
    /// Copies the next <paramref name="batch"/> records past the watermark into the index, in sequence order, in one statement: the
    /// watermark is read inside it, so two indexers (two hosts on one database) cannot copy a record twice or leave a
    /// gap. SQLite's INSERT takes the write lock before it reads, and OR IGNORE skips a row already there; on SQL Server
    /// UPDLOCK and HOLDLOCK on the watermark make a second indexer wait for the first's commit, then read past it.
    /// </summary>
    internal static string CopySql(bool sqlServer, int batch) => sqlServer
        ? string.Create(CultureInfo.InvariantCulture, $"""
          INSERT INTO [ProcessingLogSubjects] ([Sequence], [PersonId], [BsnKey])
          SELECT TOP ({batch}) [l].[Sequence], [l].[PersonId], {KeySql(sqlServer: true, "[l].[ProtectedBsn]")} FROM [ProcessingLog] AS [l]
          WHERE [l].[Sequence] > (SELECT COALESCE(MAX([s].[Sequence]), 0) FROM [ProcessingLogSubjects] AS [s] WITH (UPDLOCK, HOLDLOCK))
          ORDER BY [l].[Sequence];
          """)
        : string.Create(CultureInfo.InvariantCulture, $"""
          INSERT OR IGNORE INTO "ProcessingLogSubjects" ("Sequence", "PersonId", "BsnKey")
          SELECT "Sequence", "PersonId", {KeySql(sqlServer: false, "\"ProtectedBsn\"")} FROM "ProcessingLog"
          WHERE "Sequence" > (SELECT COALESCE(MAX("Sequence"), 0) FROM "ProcessingLogSubjects")
          ORDER BY "Sequence" LIMIT {batch};
          """);
}
