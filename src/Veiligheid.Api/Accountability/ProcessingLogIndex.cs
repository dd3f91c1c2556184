using System.Data;
using System.Data.Common;
using System.Globalization;
using System.Linq.Expressions;
using System.Text;
using System.Text.Json;
using Microsoft.Data.SqlClient;
using Microsoft.Data.Sqlite;
using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Metadata.Builders;
using Veiligheid.Data;

namespace Veiligheid.Accountability;

/// <summary>
/// A data subject of the processing log's index (table <c>ProcessingLogIndexSubjects</c>): one person id with one key of a
/// protected BSN, as records carry them. The index's rows (<see cref="LogIndexRun"/>) name records by their subject's
/// small number instead of repeating the person and the BSN key, a run of them a row.
/// Derived data, not part of the log: <see cref="ProcessingLogIndexer"/> adds a subject with the first record about it, and
/// everything here can be made again from the log.
/// </summary>
/// <remarks>
/// Why this shape: the index kept before (one row per record with its sequence, person id and BSN key, and an index on
/// each) put every record at random places in three B-trees; the background copy took 10.8 µs a record of random persons
/// and fell behind under load without limit (BENCHMARKS.md, "Eighteenth round"). Subjects are never removed: a record the
/// indexer copies later may name one its cache holds (two hosts on one file), and a subject no record names only costs a row.
/// </remarks>
public sealed class LogIndexSubject
{
    /// <summary>The subject's number in this index (1, 2, 3 …, not shared with any other file or database).</summary>
    public int Id { get; set; }

    /// <summary>The records' <see cref="ProcessingRecord.PersonId"/>.</summary>
    public int? PersonId { get; set; }

    /// <summary>
    /// The records' <see cref="ProcessingRecord.ProtectedBsn"/> as a key: its first 8 bytes as a signed integer
    /// (<see cref="ProcessingLogIndex.KeyOf"/>). Not the whole protected BSN: two BSNs may share a key (one pair in 2^64), so
    /// the look-up checks every record against the whole protected BSN.
    /// </summary>
    public long? BsnKey { get; set; }
}

/// <summary>
/// One row of the processing log's index by data subject (table <c>ProcessingLogIndexRuns</c>): the records about one
/// subject that one pass of the indexer copied, as a run of their sequences. Keyed by subject, then the run's first
/// sequence: a look-up by person or BSN reads one range of rows per subject, each row holding many of its records. On
/// SQLite the table is WITHOUT ROWID in the index's own file, so this key is its only B-tree (the clustered key on SQL
/// Server).
/// </summary>
/// <remarks>
/// Why runs and not a row per record (the eighteenth round's shape): the persons a partner works on recur from request to
/// request, so a pass of 2,000 records (8,000 now: ProcessingLogIndexer.BatchSize) names far fewer subjects than records (the load test: 80). A row per subject per
/// pass is then an entry a subject in one B-tree (the load test: 80 a pass) where a row per record was 2,000; a record of a subject named once in its pass
/// costs what it did. BENCHMARKS.md, "Nineteenth round".
/// </remarks>
public sealed class LogIndexRun
{
    /// <summary>The <see cref="LogIndexSubject.Id"/> the records are about.</summary>
    public int Subject { get; set; }

    /// <summary>The run's lowest sequence (its first record); with the subject, the key.</summary>
    public long First { get; set; }

    /// <summary>
    /// The records' <see cref="ProcessingRecord.Sequence"/>s, ascending, from <see cref="First"/> on: a
    /// JSON array of integers (SQLite reads it with <c>json_each</c>, SQL Server with <c>OPENJSON</c>); null for a run of
    /// one record, which is <see cref="First"/> alone (a record of a subject its pass names once, the most common kind
    /// where persons do not recur, then costs no array: 6.1 µs a record to index instead of 6.4–7.0 with 1,000,000 records of
    /// random persons; BENCHMARKS.md, "Nineteenth round").
    /// </summary>
    public List<long>? Sequences { get; set; }

    /// <summary>The run's sequences, a run of one included.</summary>
    public IReadOnlyList<long> Records => Sequences ?? [First];
}

/// <summary>
/// A pass of the indexer (table <c>ProcessingLogIndexPasses</c>): the last sequence it copied, written in the transaction
/// that wrote its rows. The highest is the index's watermark: every record up to it is in the index, none above it.
/// </summary>
/// <remarks>
/// A table that grows by one row a batch (about one row per <see cref="ProcessingLogIndexer.BatchSize"/> records) rather than one row updated: its highest key is
/// read from the end of its B-tree, and two indexers never update the same row.
/// </remarks>
public sealed class LogIndexPass
{
    /// <summary>The last sequence the pass copied; the key.</summary>
    public long Through { get; set; }
}

public sealed class LogIndexSubjectConfiguration : IEntityTypeConfiguration<LogIndexSubject>
{
    public void Configure(EntityTypeBuilder<LogIndexSubject> builder)
    {
        builder.ToTable(ProcessingLogIndex.SubjectsTable);
        builder.HasKey(s => s.Id);
        // By person (the key as its second column, so the indexer finds a subject by both from the index alone), and by BSN key.
        builder.HasIndex(s => new { s.PersonId, s.BsnKey });
        builder.HasIndex(s => s.BsnKey);
    }
}

public sealed class LogIndexRunConfiguration : IEntityTypeConfiguration<LogIndexRun>
{
    public void Configure(EntityTypeBuilder<LogIndexRun> builder)
    {
        builder.ToTable(ProcessingLogIndex.RunsTable);
        builder.HasKey(r => new { r.Subject, r.First });
        builder.Property(r => r.First).ValueGeneratedNever();
    }
}

public sealed class LogIndexPassConfiguration : IEntityTypeConfiguration<LogIndexPass>
{
    public void Configure(EntityTypeBuilder<LogIndexPass> builder)
    {
        builder.ToTable(ProcessingLogIndex.PassesTable);
        builder.HasKey(p => p.Through);
        builder.Property(p => p.Through).ValueGeneratedNever();
    }
}

/// <summary>
/// The one place that knows how the processing log is searched by data subject: the records the index names for the
/// subject, or the records past its watermark (the tail the indexer has not copied yet) that are about the subject.
/// Every reader of the log by person or protected BSN goes through <see cref="Subject"/> or <see cref="SubjectBsn"/> (a
/// <see cref="SubjectLog"/>).
/// </summary>
/// <remarks>
/// Correct wherever the indexer stands: the index holds every record up to its watermark (the indexer copies in sequence
/// order and writes each pass's mark with its rows, and records commit in sequence order on both providers, each writer
/// reading the chain's end under the write lock), and the tail is everything above it. The watermark is read first, the
/// two terms then in one statement (<see cref="SubjectLog"/>). On SQLite the index has a file of its own
/// (<see cref="Data.SqliteLogFile.IndexPathFor"/>), read in a snapshot of its own, which is either older than the log's
/// (its tail is then longer, still all in the log's snapshot) or newer (it then names every record the log's snapshot
/// holds, and the tail is empty). The rows come from the log and are checked against the subject again, so an index row
/// that no longer matches a record (the record was removed, or is newer than the log's snapshot) can never add one.
/// </remarks>
public static class ProcessingLogIndex
{
    public const string SubjectsTable = "ProcessingLogIndexSubjects";
    public const string RunsTable = "ProcessingLogIndexRuns";
    public const string PassesTable = "ProcessingLogIndexPasses";

    /// <summary>The index's tables, in the order they are made.</summary>
    public static readonly IReadOnlyList<string> Tables = [SubjectsTable, RunsTable, PassesTable];

    /// <summary>
    /// The records about the person with this internal id, for the index's watermark read before (<see cref="EndAsync"/>;
    /// see <see cref="SubjectLog"/> for why before) and the action of the record after it (<see cref="TailActionAsync"/>).
    /// </summary>
    public static SubjectLog Subject(VeiligheidDbContext db, int personId, long watermark, long tailAction)
        => new(db, nameof(LogIndexSubject.PersonId), personId, nameof(ProcessingRecord.PersonId), personId, r => r.PersonId == personId, watermark, tailAction);

    /// <summary>The records about the person with this protected BSN (<see cref="ProcessingLog.Protect"/>), for the watermark and the tail's action read before.</summary>
    public static SubjectLog SubjectBsn(VeiligheidDbContext db, string protectedBsn, long watermark, long tailAction)
    {
        ArgumentNullException.ThrowIfNull(protectedBsn);
        // Not a protected form (KeyOf is null): no key in the index stands for it, so that part names no record.
        return new(db, nameof(LogIndexSubject.BsnKey), KeyOf(protectedBsn), nameof(ProcessingRecord.ProtectedBsn), protectedBsn,
            r => r.ProtectedBsn == protectedBsn, watermark, tailAction);
    }

    /// <summary>The records about the person with this internal id: the watermark and the tail's action read, then the subject's log made for them.</summary>
    public static async Task<SubjectLog> SubjectAsync(VeiligheidDbContext db, int personId, CancellationToken cancellationToken)
    {
        var watermark = await EndAsync(db, cancellationToken);
        return Subject(db, personId, watermark, await TailActionAsync(db, watermark, cancellationToken));
    }

    /// <summary>The records about the person with this protected BSN: the watermark and the tail's action read, then the subject's log made for them.</summary>
    public static async Task<SubjectLog> SubjectBsnAsync(VeiligheidDbContext db, string protectedBsn, CancellationToken cancellationToken)
    {
        var watermark = await EndAsync(db, cancellationToken);
        return SubjectBsn(db, protectedBsn, watermark, await TailActionAsync(db, watermark, cancellationToken));
    }

    /// <summary>The records about the person with this internal id, as one query (<see cref="SubjectLog.Records"/>; tests).</summary>
    internal static IQueryable<ProcessingRecord> About(VeiligheidDbContext db, int personId, long watermark, long tailAction)
        => Subject(db, personId, watermark, tailAction).Records;

    /// <summary>The records about the person with this protected BSN, as one query (<see cref="SubjectLog.Records"/>; tests).</summary>
    internal static IQueryable<ProcessingRecord> AboutBsn(VeiligheidDbContext db, string protectedBsn, long watermark, long tailAction)
        => SubjectBsn(db, protectedBsn, watermark, tailAction).Records;

    /// <summary><see cref="About(VeiligheidDbContext, int, long, long)"/> with the watermark read first, synchronously (tests).</summary>
    internal static IQueryable<ProcessingRecord> About(VeiligheidDbContext db, int personId)
    {
        var watermark = End(db);
        return About(db, personId, watermark, TailAction(db, watermark).Max() ?? 0);
    }

    /// <summary><see cref="AboutBsn(VeiligheidDbContext, string, long, long)"/> with the watermark read first, synchronously (tests).</summary>
    internal static IQueryable<ProcessingRecord> AboutBsn(VeiligheidDbContext db, string protectedBsn)
    {
        var watermark = End(db);
        return AboutBsn(db, protectedBsn, watermark, TailAction(db, watermark).Max() ?? 0);
    }

    private static long End(VeiligheidDbContext db) => Watermark(db).Max() ?? 0;

    /// <summary>
    /// The key of the action that holds the record after <paramref name="watermark"/> (or the last before it): every record
    /// past the watermark is of this action or a later one. A reader of the tail bounds the actions by it, in a statement
    /// of its own, as a value: the view's packed records have computed sequences, which no index seeks, and SQLite does not
    /// carry a bound that is a subquery into the view's parts (it read every packed action; a value it does).
    /// </summary>
    public static async Task<long> TailActionAsync(VeiligheidDbContext db, long watermark, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(db);
        return await TailAction(db, watermark).MaxAsync(cancellationToken) ?? 0;
    }

    private static IQueryable<long?> TailAction(VeiligheidDbContext db, long watermark)
        => db.Set<ProcessingAction>().Where(a => a.Id <= watermark + 1).Select(a => (long?)a.Id);

    /// <summary>The passes' marks, whose highest is the watermark (<see cref="EndAsync"/>).</summary>
    private static IQueryable<long?> Watermark(VeiligheidDbContext db) => db.Set<LogIndexPass>().Select(p => (long?)p.Through);

    /// <summary>How many hex digits of the protected BSN make its key.</summary>
    private const int KeyDigits = 16;

    /// <summary>
    /// The index's key for a protected BSN: its first 16 hex digits (8 bytes of the HMAC) read big-endian as a signed
    /// 64-bit integer, as T-SQL's <c>TRY_CONVERT(bigint, TRY_CONVERT(binary(8), …, 2))</c> reads them, and as <see cref="KeySql"/>
    /// computes it in SQL. Null for a value that does not start with 16 hex digits, which <see cref="ProcessingLog.Protect"/>
    /// never makes (such a record is then left out of the look-ups by BSN, which only ever ask for a protected form).
    /// </summary>
    public static long? KeyOf(string? protectedBsn)
        => protectedBsn is { Length: >= KeyDigits }
           && ulong.TryParse(protectedBsn.AsSpan(0, KeyDigits), NumberStyles.AllowHexSpecifier, CultureInfo.InvariantCulture, out var key)
            ? unchecked((long)key)
            : null;

    /// <summary><see cref="KeyOf(string)"/> of a protected BSN as SQLite stores it (UTF-8), read without making a string of it.</summary>
    internal static long? KeyOf(ReadOnlySpan<byte> protectedBsn)
        => protectedBsn.Length >= KeyDigits
           && ulong.TryParse(protectedBsn[..KeyDigits], NumberStyles.AllowHexSpecifier, CultureInfo.InvariantCulture, out var key)
            ? unchecked((long)key)
            : null;

    /// <summary>
    /// <see cref="KeyOf(string)"/> as a SQL expression over a column holding a protected BSN, for the copies done in SQL (SQL
    /// Server's indexer, the migrations). SQLite has no function that reads hex as an integer, so each digit is found in a
    /// string of the 16 digits and shifted into place; the shifts wrap as two's complement, as the cast does.
    /// </summary>
    internal static string KeySql(bool sqlServer, string column)
    {
        if (sqlServer) return $"CASE WHEN LEN({column}) >= {KeyDigits} THEN TRY_CONVERT(bigint, TRY_CONVERT(binary(8), LEFT({column}, {KeyDigits}), 2)) END";
        var digits = Enumerable.Range(0, KeyDigits)
            .Select(i => $"((instr('0123456789abcdef', lower(substr({column}, {i + 1}, 1))) - 1) << {4 * (KeyDigits - 1 - i)})");
        return $"CASE WHEN {column} GLOB '{string.Concat(Enumerable.Repeat("[0-9a-fA-F]", KeyDigits))}*' THEN {string.Join(" | ", digits)} END";
    }

    /// <summary>
    /// The sequences the index names for the subjects whose <paramref name="column"/> (person id or BSN key) is the
    /// parameter <paramref name="parameter"/> (none for null: = NULL is never true), as SQL: the subjects by their index,
    /// each one's runs by a range of the runs' key, each run's sequences read from its JSON array with <c>json_each</c>
    /// (SQL Server: <c>OPENJSON</c>), one column named <c>Value</c>.
    /// </summary>
    internal static string IndexedSequencesSql(bool sqlServer, string column, string parameter)
        => sqlServer
            ? $"SELECT CAST([ix_j].[value] AS bigint) AS [Value] FROM [{RunsTable}] AS [ix_r] CROSS APPLY OPENJSON({RunSequences(sqlServer: true, "[ix_r]")}) AS [ix_j] " +
              $"WHERE [ix_r].[Subject] IN (SELECT [ix_s].[Id] FROM [{SubjectsTable}] AS [ix_s] WHERE [ix_s].[{column}] = {parameter})"
            : $"SELECT \"ix_j\".\"value\" AS \"Value\" FROM \"{RunsTable}\" AS \"ix_r\", json_each({RunSequences(sqlServer: false, "\"ix_r\"")}) AS \"ix_j\" " +
              $"WHERE \"ix_r\".\"Subject\" IN (SELECT \"ix_s\".\"Id\" FROM \"{SubjectsTable}\" AS \"ix_s\" WHERE \"ix_s\".\"{column}\" = {parameter})";

    /// <summary>
    /// The records at the sequences <paramref name="sequences"/> selects (one column), in the columns of
    /// <see cref="ProcessingRecord"/>, whichever form they are stored in: a person row at the sequence with its action, or
    /// else the element at the sequence's place in the last action at or before it, when that action's records are packed
    /// and reach that far (<see cref="PackedRecords"/>). A sequence the log holds neither way gives no record, as the
    /// view's inner join gives none for a person row without its action.
    /// </summary>
    internal static string RecordsAtSql(bool sqlServer, string sequences)
    {
        string[] actionColumns = ["ActionId", "ActionName", "OccurredAt", "OrganisationId", "OrganisationKey", "Role", "ApplicationId", "UserId", "Purpose", "LegalGround", "RetentionYears"];
        if (sqlServer)
        {
            string Element(int index, string type) =>
                $"CAST(JSON_VALUE([a].[Records], CONCAT(N'$[', [q].[Value] - [a].[Id], N'][{index}]')) AS {type})";
            string Field(string column, int index, string type) => $"CASE WHEN [l].[Sequence] IS NOT NULL THEN [l].[{column}] ELSE {Element(index, type)} END AS [{column}]";
            return $"SELECT [q].[Value] AS [Sequence], [a].[Id] AS [ActionKey], {string.Join(", ", actionColumns.Select(c => $"[a].[{c}]"))}, " +
                   $"{Field("PersonId", 0, "int")}, {Field("ProtectedBsn", 1, "nvarchar(64)")}, {Field("Categories", 2, "nvarchar(200)")}, {Field("Confidentiality", 3, "nvarchar(40)")}, " +
                   "CASE WHEN [l].[Sequence] IS NOT NULL THEN COALESCE(NULLIF([l].[Hash], N''), [a].[Hash]) ELSE [a].[Hash] END AS [Hash] " +
                   $"FROM ({sequences}) AS [q] LEFT JOIN [ProcessingLog] AS [l] ON [l].[Sequence] = [q].[Value] " +
                   "INNER JOIN [ProcessingActions] AS [a] ON [a].[Id] = COALESCE([l].[ActionKey], (SELECT MAX([b].[Id]) FROM [ProcessingActions] AS [b] WHERE [b].[Id] <= [q].[Value])) " +
                   "WHERE [l].[Sequence] IS NOT NULL OR JSON_QUERY([a].[Records], CONCAT(N'$[', [q].[Value] - [a].[Id], N']')) IS NOT NULL";
        }
        string SqliteField(string column, int index) =>
            $"CASE WHEN \"l\".\"Sequence\" IS NOT NULL THEN \"l\".\"{column}\" ELSE \"a\".\"Records\" ->> ('$[' || (\"q\".\"Value\" - \"a\".\"Id\") || '][{index}]') END AS \"{column}\"";
        return $"SELECT \"q\".\"Value\" AS \"Sequence\", \"a\".\"Id\" AS \"ActionKey\", {string.Join(", ", actionColumns.Select(c => $"\"a\".\"{c}\""))}, " +
               $"{SqliteField("PersonId", 0)}, {SqliteField("ProtectedBsn", 1)}, {SqliteField("Categories", 2)}, {SqliteField("Confidentiality", 3)}, " +
               "CASE WHEN \"l\".\"Sequence\" IS NOT NULL THEN COALESCE(NULLIF(\"l\".\"Hash\", ''), \"a\".\"Hash\") ELSE \"a\".\"Hash\" END AS \"Hash\" " +
               $"FROM ({sequences}) AS \"q\" LEFT JOIN \"ProcessingLog\" AS \"l\" ON \"l\".\"Sequence\" = \"q\".\"Value\" " +
               "INNER JOIN \"ProcessingActions\" AS \"a\" ON \"a\".\"Id\" = COALESCE(\"l\".\"ActionKey\", (SELECT max(\"b\".\"Id\") FROM \"ProcessingActions\" AS \"b\" WHERE \"b\".\"Id\" <= \"q\".\"Value\")) " +
               "WHERE \"l\".\"Sequence\" IS NOT NULL OR \"q\".\"Value\" - \"a\".\"Id\" < json_array_length(\"a\".\"Records\")";
    }

    /// <summary>
    /// The highest id of a person the hub held when it logged them (null when none): the records that carry a protected BSN
    /// (the writer protects the BSN it read of the person) and a person id. A record with an id and no BSN names an id the
    /// hub did not hold then, which says nothing about what the hub's file gave out (a look-up by a made-up id wrote such
    /// records). The index's, read from the end of its subjects by person (the first with a record: subjects stay when a
    /// cut log's rows go), and the tail's past its watermark, as every look-up here reads them; not a scan of the whole log,
    /// which grows for years.
    /// </summary>
    /// <param name="unreadable">Told of each action of the tail left out because SQL cannot read its records (an edit of the
    /// log's file; <see cref="ProcessingLogDamage.LeavingOutUnreadableAsync{T}"/>): the indexer stops before such an action,
    /// so it stays in the tail, and the hub still starts.</param>
    public static async Task<int?> HighestPersonIdAsync(VeiligheidDbContext db, CancellationToken cancellationToken, Action<DamagedAction>? unreadable = null)
    {
        ArgumentNullException.ThrowIfNull(db);
        // The watermark first, as every look-up here reads it (SubjectLog): the index then names at least every record up
        // to it, however far another host's indexer moves on meanwhile; read after the index, a batch indexed between the
        // two reads was in neither.
        var watermark = await EndAsync(db, cancellationToken);
        var indexed = await HighestIndexedPersonIdAsync(db, cancellationToken);
        var tailAction = await TailActionAsync(db, watermark, cancellationToken);
        var tail = await ProcessingLogDamage.LeavingOutUnreadableAsync(db, tailAction, without =>
                ProcessingLogDamage.Without(db.Set<ProcessingRecord>().Where(r => r.ActionKey >= tailAction && r.Sequence > watermark && r.ProtectedBsn != null), without)
                    .MaxAsync(r => r.PersonId, cancellationToken),
            unreadable, cancellationToken);
        return indexed is null ? tail : tail is null ? indexed : Math.Max(indexed.Value, tail.Value);
    }

    /// <summary>The highest person id of a subject with a BSN key that a row of the index names: the first such from the top (nearly always the first).</summary>
    private static async Task<int?> HighestIndexedPersonIdAsync(VeiligheidDbContext db, CancellationToken cancellationToken)
    {
        const int page = 64;
        for (var skip = 0; ; skip += page)
        {
            var subjects = await db.Set<LogIndexSubject>().Where(s => s.PersonId != null && s.BsnKey != null)
                .OrderByDescending(s => s.PersonId).ThenByDescending(s => s.BsnKey).Skip(skip).Take(page).Select(s => new { s.Id, s.PersonId }).ToListAsync(cancellationToken);
            if (subjects.Count == 0) return null;
            foreach (var subject in subjects)
                if (await db.Set<LogIndexRun>().AnyAsync(r => r.Subject == subject.Id, cancellationToken)) return subject.PersonId;
        }
    }

    /// <summary>The index's watermark (0 when empty): the last record it names, the highest pass's.</summary>
    public static async Task<long> EndAsync(VeiligheidDbContext db, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(db);
        return await Watermark(db).MaxAsync(cancellationToken) ?? 0;
    }

    /// <summary>
    /// How many records verify-log compares with their index rows at a time (<see cref="DisagreementAsync"/>): the subject of
    /// each is held in an array of this many numbers (16 MiB), filled by one scan of the index's rows.
    /// </summary>
    internal static int CompareWindow { get; set; } = 1 << 22;

    /// <summary>
    /// For verify-log: the first record up to <paramref name="indexEnd"/> that the index does not name as the log does
    /// (no row, two rows, or a row under another person or BSN key), as a problem to report; null when the index agrees
    /// with the log. The look-ups by person and BSN, and so the access reports, find a record at or below the index's end
    /// only through its row (<see cref="SubjectLog"/>), so a row missing or altered leaves that record out, though the chain
    /// is whole. A disagreeing index was edited, or records were removed from the log's end and written again at the same
    /// sequences before the indexer removed the rows above the end. The index's rows are in subject order, so a window of
    /// sequences at a time: one scan of the rows puts each record's subject in its place, then the log's records of the
    /// window are read in order and compared (on SQL Server both are one context). The log's records must be whole up to
    /// the index's end (the chain's walk and <see cref="ProcessingLog.MissingFromEndAsync"/> checked them first).
    /// </summary>
    public static async Task<string?> DisagreementAsync(VeiligheidDbContext log, VeiligheidDbContext index, long indexEnd, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(log);
        ArgumentNullException.ThrowIfNull(index);
        if (indexEnd <= 0) return null;
        var subjects = await index.Set<LogIndexSubject>().AsNoTracking().ToDictionaryAsync(s => s.Id, s => (s.PersonId, s.BsnKey), cancellationToken);
        for (long from = 0; from < indexEnd; from += CompareWindow)
        {
            var to = Math.Min(from + CompareWindow, indexEnd);
            var named = new int[to - from]; // each record's subject, 0 for none yet (subjects are numbered from 1)
            // A run that may reach into the window: its first record at or below the window's end, and in the window or
            // followed by more (a run of one is its first record alone; runs of more are few where most are of one).
            var runs = index.Set<LogIndexRun>().AsNoTracking().Where(r => r.First <= to && (r.First > from || r.Sequences != null)).AsAsyncEnumerable();
            // Closed before the log's records are read: on SQL Server both are one context, and one connection.
            await using (var reading = runs.GetAsyncEnumerator(cancellationToken))
            {
                while (true)
                {
                    var (run, unreadable) = await NextRunAsync(reading);
                    if (unreadable is not null) return unreadable;
                    if (run is null) break;
                    if (run.Subject == 0 || !subjects.ContainsKey(run.Subject))
                        return string.Create(CultureInfo.InvariantCulture, $"its index by data subject names records from {run.First} on under a subject it does not hold");
                    if (RunProblem(run) is { } malformed) return malformed;
                    foreach (var sequence in run.Records)
                    {
                        if (sequence <= from || sequence > to) continue;
                        ref var slot = ref named[sequence - from - 1];
                        if (slot != 0)
                            return string.Create(CultureInfo.InvariantCulture, $"its index by data subject names record {sequence} more than once");
                        slot = run.Subject;
                    }
                }
            }
            string? Compare(long sequence, int? personId, long? bsnKey)
            {
                var subject = named[sequence - from - 1];
                if (subject == 0)
                    return string.Create(CultureInfo.InvariantCulture, $"its index by data subject has no row for record {sequence}");
                return subjects[subject] != (personId, bsnKey)
                    ? string.Create(CultureInfo.InvariantCulture, $"its index by data subject names record {sequence} under another person or BSN than the log does")
                    : null;
            }
            // Both forms of the log's records (the chain's walk checked each sequence is stored once): the person rows of
            // the window, then the packed records of the actions reaching into it.
            var rows = log.Set<ProcessingLogEntry>().AsNoTracking().Where(e => e.Sequence > from && e.Sequence <= to)
                .OrderBy(e => e.Sequence).Select(e => new { e.Sequence, e.PersonId, e.ProtectedBsn }).AsAsyncEnumerable();
            await foreach (var row in rows.WithCancellation(cancellationToken))
                if (Compare(row.Sequence, row.PersonId, KeyOf(row.ProtectedBsn)) is { } disagreeing) return disagreeing;
            var firstAction = await TailActionAsync(log, from, cancellationToken);
            var packed = log.Set<ProcessingAction>().AsNoTracking().Where(a => a.Id >= firstAction && a.Id <= to && a.Records != null)
                .OrderBy(a => a.Id).Select(a => new { a.Id, a.Records }).AsAsyncEnumerable();
            var elements = new List<(int? PersonId, long? BsnKey)>();
            await foreach (var action in packed.WithCancellation(cancellationToken))
            {
                elements.Clear();
                PackedRecords.ReadSubjects(Encoding.UTF8.GetBytes(action.Records!), elements);
                for (var i = 0; i < elements.Count; i++)
                {
                    var sequence = action.Id + i;
                    if (sequence > from && sequence <= to && Compare(sequence, elements[i].PersonId, elements[i].BsnKey) is { } disagreeing) return disagreeing;
                }
            }
        }
        return null;
    }

    /// <summary>
    /// The next run verify-log reads (null at the end), or what is wrong with its sequences when they cannot be read as a
    /// JSON array of integers. On SQL Server nothing else checks that first (on SQLite
    /// <see cref="SqliteLogFile.IndexStoredFormProblemAsync"/> does), and EF Core's reading of the array throws; the
    /// look-ups by person and BSN, whose OPENJSON fails on it, fail for that subject.
    /// </summary>
    private static async Task<(LogIndexRun? Run, string? Unreadable)> NextRunAsync(IAsyncEnumerator<LogIndexRun> reading)
    {
        try
        {
            return (await reading.MoveNextAsync() ? reading.Current : null, null);
        }
        catch (Exception e) when (e is JsonException or FormatException or InvalidOperationException)
        {
            return (null, $"its index by data subject holds a run whose Sequences are stored as something else than a JSON array of integers ({e.Message})");
        }
    }

    /// <summary>
    /// A run's sequences as a JSON array in SQL, for <c>json_each</c> and <c>OPENJSON</c>: the stored array, or for a run of
    /// one (<see cref="LogIndexRun.Sequences"/> null) an array of its first sequence.
    /// </summary>
    internal static string RunSequences(bool sqlServer, string run)
        => sqlServer
            ? $"COALESCE({run}.[Sequences], CONCAT(N'[', {run}.[First], N']'))"
            : $"COALESCE({run}.\"Sequences\", json_array({run}.\"First\"))";

    /// <summary>A run's sequences in their stored form, the JSON array EF Core writes for <see cref="LogIndexRun.Sequences"/> (<c>[3,17,42]</c>), or null for a run of one.</summary>
    internal static string? SequencesJson(IReadOnlyList<long> sequences, StringBuilder buffer)
    {
        ArgumentNullException.ThrowIfNull(sequences);
        ArgumentNullException.ThrowIfNull(buffer);
        if (sequences.Count == 1) return null; // a run of one: its first sequence alone
        buffer.Clear().Append('[');
        for (var i = 0; i < sequences.Count; i++)
        {
            if (i > 0) buffer.Append(',');
            buffer.Append(CultureInfo.InvariantCulture, $"{sequences[i]}");
        }
        return buffer.Append(']').ToString();
    }

    /// <summary>
    /// What is wrong with a run as stored, or null: the indexer writes its sequences ascending, none below 1, from its
    /// <see cref="LogIndexRun.First"/> on (the key the removal above a cut log's end reads), and a run of one as no array.
    /// </summary>
    internal static string? RunProblem(LogIndexRun run)
    {
        ArgumentNullException.ThrowIfNull(run);
        var sequences = run.Records;
        var ordered = sequences.Count > 0 && sequences[0] >= 1 && (run.Sequences is null || run.Sequences.Count > 1);
        for (var i = 1; ordered && i < sequences.Count; i++) ordered = sequences[i] > sequences[i - 1];
        return ordered && sequences[0] == run.First
            ? null
            : string.Create(CultureInfo.InvariantCulture,
                $"its index by data subject holds a run of subject {run.Subject} from {run.First} whose sequences are not an ascending run from it (or are an array of one, which the indexer stores as none)");
    }

    /// <summary>
    /// SQL Server's indexer, before each pass: removes the index's records and passes above the log's last record (the runs
    /// wholly above it, and from a run reaching over it the sequences above it), and returns how many records went. Nothing
    /// removes log records; records above its end mean records were removed from it (or the log was restored without its
    /// index), and the indexer says so (<see cref="ProcessingLogIndexer"/>). Reads one key at each end when there is
    /// nothing to remove; the runs above the end are found by a scan, which only such a log needs. The
    /// watermark is read first, with UPDLOCK and HOLDLOCK as the copy reads it: another host's indexer adds no pass until
    /// this transaction ends, and each pass it added before names records the log's end, read next, includes. Read after
    /// the log's end, the watermark could be a pass that indexer added meanwhile, for records written since: a whole log
    /// taken for a cut one, its rows removed and a warning of removed records.
    /// </summary>
    internal static readonly string SqlServerTrim = $$"""
        SET NOCOUNT ON;
        DECLARE @watermark bigint = (SELECT COALESCE(MAX([p].[Through]), 0) FROM [ProcessingLogIndexPasses] AS [p] WITH (UPDLOCK, HOLDLOCK));
        DECLARE @end bigint = ({{PackedRecords.LogEndSql(sqlServer: true, "[ProcessingLog]", "[ProcessingActions]")}});
        DECLARE @removed int = 0;
        IF @watermark > @end
        BEGIN
            SET @removed = (SELECT COUNT(*) FROM [ProcessingLogIndexRuns] AS [r] CROSS APPLY OPENJSON({{RunSequences(sqlServer: true, "[r]")}}) AS [j]
                            WHERE CAST([j].[value] AS bigint) > @end);
            DELETE FROM [ProcessingLogIndexRuns] WHERE [First] > @end;
            -- What is left of a run reaching over the end (its first is at or below it): its sequences up to it, a run of
            -- one then its first alone (the count is of the sequences kept: an array of one is not a run the indexer writes).
            UPDATE [r] SET [Sequences] = [k].[Sequences]
            FROM [ProcessingLogIndexRuns] AS [r]
            CROSS APPLY (SELECT CASE WHEN COUNT(*) > 1 THEN N'[' + STRING_AGG(CAST([j].[value] AS nvarchar(max)), N',') WITHIN GROUP (ORDER BY CAST([j].[key] AS int)) + N']' END AS [Sequences]
                         FROM OPENJSON([r].[Sequences]) AS [j] WHERE CAST([j].[value] AS bigint) <= @end) AS [k]
            WHERE [r].[Sequences] IS NOT NULL AND EXISTS (SELECT 1 FROM OPENJSON([r].[Sequences]) AS [j] WHERE CAST([j].[value] AS bigint) > @end);
            DELETE FROM [ProcessingLogIndexPasses] WHERE [Through] > @end;
        END;
        SELECT @removed;
        """;

    /// <summary>
    /// SQL Server's indexer: copies the next <paramref name="batch"/> records past the watermark into the index in one batch
    /// of statements, and returns how many it copied. The watermark is read with UPDLOCK and HOLDLOCK, so a second indexer
    /// (two hosts on one database) waits for the first's commit, then reads past it: no record copied twice, no gap, and
    /// no subject added twice. The subjects the batch's records name and the index does not hold yet are added first, then
    /// one run per subject (STRING_AGG … WITHIN GROUP, SQL Server 2017 and later; replacing a run of the same key that a
    /// trim left above the watermark), then the pass's mark. Returns the count and the packed action it stopped before because
    /// its records are not a JSON array (NULL when none; <see cref="SqliteIndexCopier.UnreadableAction"/>).
    /// </summary>
    internal static string SqlServerCopy(int batch)
    {
        // Equal where both are null too (T-SQL's INTERSECT compares so), in a form the optimizer turns into a seek.
        const string same = "EXISTS (SELECT [t].[PersonId], [t].[BsnKey] INTERSECT SELECT [s].[PersonId], [s].[BsnKey])";
        return string.Create(CultureInfo.InvariantCulture, $"""
            SET NOCOUNT ON;
            DECLARE @watermark bigint = (SELECT COALESCE(MAX([p].[Through]), 0) FROM [ProcessingLogIndexPasses] AS [p] WITH (UPDLOCK, HOLDLOCK));
            -- The packed records past the watermark, from the action holding the record after it up to the last action that
            -- can hold one of the next {batch}: the records after the first action past the watermark are contiguous from its
            -- key, so they lie within {batch} sequences of it (the next {batch} actions instead held some 80 times the batch,
            -- each parsed and cut again). Then the batch is the first {batch} of both forms.
            DECLARE @tailAction bigint = COALESCE((SELECT MAX([Id]) FROM [ProcessingActions] WHERE [Id] <= @watermark + 1), 0);
            DECLARE @lastAction bigint = COALESCE((SELECT MIN([Id]) FROM [ProcessingActions] WHERE [Id] > @watermark), @watermark) + {batch - 1};
            -- A packed action among them whose records are not a JSON array (only an edit of the log makes one; verify-log
            -- reports it) fails OPENJSON, and one with an element not of the hub's form the CAST below or the reads: the batch ends before it, and so does the index until the log is restored (whose
            -- records it holds is not known, so they stay in the tail the look-ups read; SqliteIndexCopier.UnreadableAction).
            DECLARE @unreadable bigint = (SELECT MIN([u].[Id]) FROM [ProcessingActions] AS [u]
                WHERE [u].[Id] >= @tailAction AND [u].[Id] <= @lastAction AND [u].[Records] IS NOT NULL
                    AND ({ProcessingLogDamage.NotJsonSql(sqlServer: true, "u")} OR {ProcessingLogDamage.RecordNotOfTheFormSql(sqlServer: true, "u")}));
            DECLARE @tail TABLE ([Sequence] bigint NOT NULL PRIMARY KEY, [PersonId] int NULL, [BsnKey] bigint NULL);
            INSERT INTO @tail ([Sequence], [PersonId], [BsnKey])
            SELECT TOP ({batch}) [l].[Sequence], [l].[PersonId], {KeySql(sqlServer: true, "[l].[ProtectedBsn]")} FROM [ProcessingLog] AS [l]
            WHERE [l].[Sequence] > @watermark AND (@unreadable IS NULL OR [l].[Sequence] < @unreadable) ORDER BY [l].[Sequence];
            INSERT INTO @tail ([Sequence], [PersonId], [BsnKey])
            SELECT [a].[Id] + CAST([r].[key] AS bigint), CAST(JSON_VALUE([r].[value], '$[0]') AS int), {KeySql(sqlServer: true, "JSON_VALUE([r].[value], '$[1]')")}
            FROM (SELECT [Id], [Records] FROM [ProcessingActions] WHERE [Id] >= @tailAction AND [Id] <= @lastAction AND [Id] < COALESCE(@unreadable, @lastAction + 1)
                  AND [Records] IS NOT NULL) AS [a]
            CROSS APPLY OPENJSON([a].[Records]) AS [r]
            WHERE [a].[Id] + CAST([r].[key] AS bigint) > @watermark
              AND NOT EXISTS (SELECT 1 FROM @tail AS [e] WHERE [e].[Sequence] = [a].[Id] + CAST([r].[key] AS bigint));
            DELETE FROM @tail WHERE [Sequence] > (SELECT MAX([k].[Sequence]) FROM (SELECT TOP ({batch}) [Sequence] FROM @tail ORDER BY [Sequence]) AS [k]);
            INSERT INTO [ProcessingLogIndexSubjects] ([PersonId], [BsnKey])
            SELECT DISTINCT [t].[PersonId], [t].[BsnKey] FROM @tail AS [t]
            WHERE NOT EXISTS (SELECT 1 FROM [ProcessingLogIndexSubjects] AS [s] WHERE {same});
            DECLARE @runs TABLE ([Subject] int NOT NULL, [First] bigint NOT NULL, [Sequences] nvarchar(max) NULL, PRIMARY KEY ([Subject], [First]));
            INSERT INTO @runs ([Subject], [First], [Sequences])
            SELECT [s].[Id], MIN([t].[Sequence]),
                CASE WHEN COUNT(*) > 1 THEN N'[' + STRING_AGG(CAST([t].[Sequence] AS nvarchar(max)), N',') WITHIN GROUP (ORDER BY [t].[Sequence]) + N']' END
            FROM @tail AS [t] INNER JOIN [ProcessingLogIndexSubjects] AS [s] ON {same} GROUP BY [s].[Id];
            -- A run the trim cut at a removed end of the log stands above the watermark it lowered, at the key this pass
            -- writes again from the log: replaced, as SQLite's INSERT OR REPLACE does (an INSERT alone would fail on the key
            -- at every pass from then on).
            DELETE [r] FROM [ProcessingLogIndexRuns] AS [r] INNER JOIN @runs AS [n] ON [n].[Subject] = [r].[Subject] AND [n].[First] = [r].[First];
            INSERT INTO [ProcessingLogIndexRuns] ([Subject], [First], [Sequences]) SELECT [Subject], [First], [Sequences] FROM @runs;
            INSERT INTO [ProcessingLogIndexPasses] ([Through]) SELECT MAX([t].[Sequence]) FROM @tail AS [t] HAVING COUNT(*) > 0;
            SELECT COUNT(*), @unreadable FROM @tail;
            """);
    }
}
