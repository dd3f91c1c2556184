using System.Buffers;
using System.Collections.Concurrent;
using System.Data.Common;
using System.Security.Cryptography;
using System.Text;
using System.Threading.Channels;
using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Storage;
using Microsoft.Extensions.Options;
using Veiligheid.Access;
using Veiligheid.Data;
using Veiligheid.Http;

namespace Veiligheid.Accountability;

/// <summary>Settings of the processing log.</summary>
public sealed class ProcessingLogOptions
{
    public const string Section = "ProcessingLog";

    /// <summary>
    /// The secret key (base64, at least 32 bytes) under which BSNs are stored in protected form. Required outside
    /// Development; keep it in a key vault. Without it the log cannot link a data subject's BSN to records.
    /// </summary>
    public string? PseudonymKey { get; set; }

    /// <summary>
    /// Whether this host keeps the index by data subject up to date in the background (<see cref="ProcessingLogIndexer"/>);
    /// on by default. Off, the look-ups by person and BSN stay complete (they read the tail past the index) but get slower as
    /// the tail grows; tests turn it off to see that path.
    /// </summary>
    public bool IndexInBackground { get; set; } = true;

    /// <summary>
    /// The most persons the filter conditions through a relation to persons (names, a date of birth, an address) of one
    /// request may match together, among those the caller may see; 1,000 by default. Each is logged as processed
    /// (<see cref="NamedPersons"/>), so a broad condition (a surname that contains "e"), or many narrow ones, would write
    /// thousands of records for one request and put all those persons in their access reports. Past it the request is
    /// refused and nothing is answered or logged (of a mutation, only what its writes are about).
    /// </summary>
    public int MostPersonsMatched { get; set; } = DefaultMostPersonsMatched;

    /// <summary>The default of <see cref="MostPersonsMatched"/>: ten times the largest page.</summary>
    public const int DefaultMostPersonsMatched = 10 * GraphQL.Paging.MaxPageSize;

    /// <summary>The highest <see cref="MostPersonsMatched"/> taken: a million records for one request is already no log a person can read.</summary>
    public const int HighestMostPersonsMatched = 1_000_000;

    /// <summary>
    /// How many records the index by data subject may be behind the log before /health says Degraded (1,000,000 by
    /// default, at least 1): the look-ups by person and BSN stay complete, but read the records past the index one by one,
    /// so an index that stopped (its file's disk full, say: the hub's log has the indexer's warnings) slows every access
    /// report a little more with each request.
    /// </summary>
    public long IndexBehindDegradedAfter { get; set; } = 1_000_000;
}

/// <summary>
/// Appends the records of one request to the processing log, in one transaction, chained by hash; and checks the chain.
/// Writers in this process take turns (concurrent requests share a commit); writers in other processes wait for the
/// database's write lock (on SQL Server, for the lock on the chain's last record), and the unique sequence number keeps
/// any writer off a fork.
/// </summary>
public sealed class ProcessingLog : IDisposable
{
    public const string GenesisHash = "0000000000000000000000000000000000000000000000000000000000000000";

    // Only for development and tests, so a fresh clone runs without secrets; production refuses to start without a key.
    private static readonly byte[] DevelopmentKey = SHA256.HashData("veiligheid-development-pseudonym-key"u8);

    private readonly SemaphoreSlim _writer = new(1, 1);
    // One pending "records were committed" for the indexer: a second commit before it looks adds nothing (coalesced).
    private readonly Channel<bool> _committed = Channel.CreateBounded<bool>(new BoundedChannelOptions(1) { FullMode = BoundedChannelFullMode.DropWrite, SingleReader = true });
    private readonly List<PendingAppend> _queue = [];
    private readonly byte[] _key;
    private readonly ThreadLocal<IncrementalHash> _hmac;
    private readonly ProtectedForms _protected = new();
    private readonly TimeProvider _clock;
    private readonly int _mostPersonsMatched;
    private SqliteLogWriter? _sqlite; // used and replaced only under _writer
    private long _commits;
    private OperationOutcomes _writes = OperationOutcomes.None; // replaced only under _writer, read by /health

    public ProcessingLog(IOptions<ProcessingLogOptions> options, IHostEnvironment environment, TimeProvider? clock = null)
    {
        ArgumentNullException.ThrowIfNull(options);
        ArgumentNullException.ThrowIfNull(environment);
        _clock = clock ?? TimeProvider.System;
        // Bounded above too: the look-up reads one more than the most, which int.MaxValue would overflow into reading none.
        _mostPersonsMatched = options.Value.MostPersonsMatched is > 0 and <= ProcessingLogOptions.HighestMostPersonsMatched
            ? options.Value.MostPersonsMatched
            : throw new HubConfigurationException(
                $"{ProcessingLogOptions.Section}:MostPersonsMatched must be from 1 to {ProcessingLogOptions.HighestMostPersonsMatched}.");
        if (options.Value.IndexBehindDegradedAfter < 1)
            throw new HubConfigurationException($"{ProcessingLogOptions.Section}:IndexBehindDegradedAfter must be at least 1.");
        var configured = options.Value.PseudonymKey;
        if (!string.IsNullOrWhiteSpace(configured))
        {
            _key = HubConfigurationException.Base64Key($"{ProcessingLogOptions.Section}:PseudonymKey", configured);
        }
        else if (environment.IsDevelopment() || environment.IsEnvironment("Testing"))
        {
            _key = DevelopmentKey;
        }
        else
        {
            throw new HubConfigurationException($"{ProcessingLogOptions.Section}:PseudonymKey is not set: the processing log needs a secret key to protect BSNs.");
        }
        _hmac = new ThreadLocal<IncrementalHash>(() => IncrementalHash.CreateHMAC(HashAlgorithmName.SHA256, _key), trackAllValues: true);
    }

    public void Dispose()
    {
        foreach (var hmac in _hmac.Values) hmac.Dispose();
        _hmac.Dispose();
        _sqlite?.Dispose();
        _writer.Dispose();
    }

    /// <summary>How many transactions this log has committed (group commit shares one between requests); for tests and profiles.</summary>
    internal long Commits => Interlocked.Read(ref _commits);

    /// <summary>What this host's writes of the log came to lately: the outcomes of real commits, for /health.</summary>
    public OperationOutcomes Writes => Volatile.Read(ref _writes);

    /// <summary>
    /// How many requests' records wait for a writer, and whether a writer holds the lock (tests: a writer that took the
    /// queue into its transaction leaves it empty while it holds the lock).
    /// </summary>
    internal (int Queued, bool Writing) State
    {
        get
        {
            lock (_queue) return (_queue.Count, _writer.CurrentCount == 0);
        }
    }

    /// <summary>The protected form of a BSN: HMAC-SHA256 under the hub's key, lowercase hex.</summary>
    /// <remarks>
    /// Each thread keeps one keyed HMAC and resets it after every BSN: the one-shot <c>HMACSHA256.HashData</c> sets the key
    /// up anew each time, 8 µs a BSN against 3.4 under load here, and a request protects one per person it logs. The
    /// forms of the BSNs protected lately are kept (<see cref="ProtectedForms"/>): the persons a partner works on recur
    /// from request to request.
    /// </remarks>
    public string Protect(string bsn)
    {
        ArgumentNullException.ThrowIfNull(bsn);
        return _protected.TryGetValue(bsn, out var kept) ? kept : _protected.Keep(bsn, ComputeProtected(bsn));
    }

    /// <summary>The protected form computed with this thread's keyed HMAC: <see cref="Protect"/> when the form is not kept, and tests.</summary>
    internal string ComputeProtected(string bsn)
    {
        var hmac = _hmac.Value!;
        Span<byte> hash = stackalloc byte[HMACSHA256.HashSizeInBytes];
        var length = Encoding.UTF8.GetMaxByteCount(bsn.Length);
        var bytes = length <= 256 ? stackalloc byte[length] : new byte[length];
        hmac.AppendData(bytes[..Encoding.UTF8.GetBytes(bsn, bytes)]);
        hmac.GetHashAndReset(hash);
        return Convert.ToHexStringLower(hash);
    }

    /// <summary>
    /// Writes one record per processed person of one request; returns once they are committed (durable, see
    /// <see cref="Data.SqliteDurability"/>). Throws when the log cannot be written: the caller then withholds the data.
    /// </summary>
    /// <remarks>
    /// Where the time went, and why it is shaped this way (profile in BENCHMARKS.md, "Processing log overhead"):
    /// <list type="bullet">
    /// <item>Everything but the chain (BSN look-up, HMAC, categories) is computed before the writer lock.</item>
    /// <item>Group commit: requests that arrive while another request's records are being committed queue their records;
    /// whoever takes the writer lock next writes every queued request's records in one transaction, so concurrent
    /// requests share one commit (one fsync) instead of queueing for one each. Each request's records stay
    /// contiguous and in order; a request returns only when the transaction holding its records has committed, and a
    /// failed transaction fails every request in it (each withholds its data).</item>
    /// <item>The chain's last hash is read inside the write transaction (BEGIN IMMEDIATE on SQLite takes the write lock
    /// first, SQL Server's read holds its locks, <see cref="LastRecordSql"/>), not cached: the read costs 0.03 ms, and a cached hash could go stale without a conflict to show it (a
    /// database replaced under a running hub, e.g. by `seed --replace`), where a fresh read cannot. (A connection kept
    /// open, the log's SQLite writer's or a pooled one, still holds the replaced file: restart the hub after replacing it.) The unique
    /// <see cref="ProcessingRecord.Sequence"/> still refuses a fork should two writers ever read the same last record.</item>
    /// <item>On SQLite the records are written through the log's own connection (<see cref="SqliteLogWriter"/>), whose
    /// statements are prepared once per hub rather than once per request. SQL Server keeps the multi-row INSERT through
    /// the request's context (one round trip per hundred records).</item>
    /// </list>
    /// </remarks>
    /// <param name="prepared">The compiled path's kept SQLite statements, when the request has them: the BSNs of persons
    /// reached through a link are then read on one of those connections (<see cref="PersonBsns"/>).</param>
    public async Task AppendAsync(VeiligheidDbContext db, CallerAccess access, string actionName, ProcessingCollector processed, CancellationToken cancellationToken,
        GraphQL.Compiled.SqlitePreparedReads? prepared = null)
    {
        ArgumentNullException.ThrowIfNull(db);
        ArgumentNullException.ThrowIfNull(access);
        ArgumentNullException.ThrowIfNull(processed);
        if (processed.IsEmpty) return;
        var append = new PendingAppend(await DraftAsync(db, access, actionName, processed, cancellationToken, prepared));
        if (append.Records.Count == 0) return; // only ids that name no one (a filter's made-up ids)
        lock (_queue) _queue.Add(append);

        // A request cancelled while it waits here leaves its records queued; the next writer still logs them (the data
        // was processed), and the request returns nothing.
        await _writer.WaitAsync(cancellationToken);
        try
        {
            // Already written when an earlier holder of the lock took this request's records into its transaction.
            if (!append.Committed.IsCompleted)
            {
                List<PendingAppend> batch;
                lock (_queue)
                {
                    batch = [.. _queue];
                    _queue.Clear();
                }
                try
                {
                    // Not the request's token: other requests' records ride on this transaction, and a client that
                    // goes away must not fail theirs. The write itself takes milliseconds.
                    await WriteAsync(db, batch, CancellationToken.None);
                    Interlocked.Increment(ref _commits);
                }
                catch (Exception e)
                {
                    Volatile.Write(ref _writes, _writes.Failed(_clock.GetUtcNow().UtcDateTime, ProcessingLogWrites.KindOf(e)));
                    foreach (var pending in batch) pending.Fail(e);
                    throw;
                }
                Volatile.Write(ref _writes, _writes.Succeeded());
                foreach (var pending in batch) pending.Succeed();
                _committed.Writer.TryWrite(true);
            }
        }
        finally
        {
            _writer.Release();
        }
        // Throws when the transaction that held this request's records failed.
        await append.Committed;
    }

    /// <summary>Waits until records were committed since the last wait returned, or <paramref name="timeout"/> passed (false).</summary>
    internal async Task<bool> WaitForCommitAsync(TimeSpan timeout, CancellationToken cancellationToken)
    {
        using var timer = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        timer.CancelAfter(timeout);
        try
        {
            await _committed.Reader.ReadAsync(timer.Token);
            return true;
        }
        catch (OperationCanceledException) when (!cancellationToken.IsCancellationRequested)
        {
            return false;
        }
    }

    /// <summary>
    /// Runs <paramref name="work"/> while no request of this host is writing the log: the indexer's writes then never make a
    /// request's commit wait for SQLite's write lock (Microsoft.Data.Sqlite retries a busy lock after 150 ms sleeps); a
    /// request arriving meanwhile queues and shares the next commit.
    /// </summary>
    internal async Task<T> BetweenCommitsAsync<T>(Func<Task<T>> work, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(work);
        await _writer.WaitAsync(cancellationToken);
        try
        {
            return await work();
        }
        finally
        {
            _writer.Release();
        }
    }

    /// <summary>The request's records without their place in the chain (sequence, previous hash, hash).</summary>
    internal async Task<List<ProcessingRecord>> DraftAsync(VeiligheidDbContext db, CallerAccess access, string actionName, ProcessingCollector processed, CancellationToken cancellationToken,
        GraphQL.Compiled.SqlitePreparedReads? prepared = null)
    {
        // Person-level data is only reachable under a purpose (the schema without one has no such fields).
        var purpose = access.Purpose ?? throw new InvalidOperationException("Person-level data was processed without a purpose.");

        // Persons named by BSN only (a filter's BSN, an inzage) carry the id too when the hub holds them, whoever may see
        // them: one statement finds them, and each joins the person's record if the request also read the person.
        if (processed.BsnsOnly.Count > 0)
            processed.Identify(await PersonBsns.IdsAsync(db, [.. processed.BsnsOnly], prepared, cancellationToken));
        // Persons a filter through a relation found by their names or address: one statement per condition.
        // (Asked first: nearly every request has none.)
        if (processed.HasMatching) await MatchAsync(db, processed, cancellationToken);
        var persons = processed.Persons;

        // Persons reached through a link only (a case subject's role) carry no BSN yet: one statement fetches them.
        var missing = persons.Where(p => p.Bsn is null && p.PersonId is not null).Select(p => p.PersonId!.Value).ToList();
        if (missing.Count > 0)
        {
            var bsns = await PersonBsns.ReadAsync(db, missing, prepared, cancellationToken);
            foreach (var person in persons) if (person.Bsn is null && person.PersonId is { } id && bsns.TryGetValue(id, out var bsn)) person.Bsn = bsn;
            // An id only named (a filter's) that no held person has names no one: no record. (Checked first: the load
            // test's requests have none, and would copy their 80 persons for nothing.)
            if (persons.Any(NamesNoOne)) persons = [.. persons.Where(p => !NamesNoOne(p))];
        }

        var caller = access.Caller;
        var actionId = Guid.NewGuid();
        var now = _clock.GetUtcNow().UtcDateTime;
        var role = caller.Role.TokenValue();
        var truncatedAction = Truncate(actionName, 200);
        var legalGround = Truncate(purpose.LegalGround, 400);
        var records = new List<ProcessingRecord>(persons.Count);
        foreach (var person in persons)
        {
            records.Add(new ProcessingRecord
            {
                ActionId = actionId,
                ActionName = truncatedAction,
                OccurredAt = now,
                OrganisationId = caller.OrganisationId,
                OrganisationKey = caller.OrganisationKey,
                Role = role,
                ApplicationId = caller.ClientAppId,
                UserId = caller.UserObjectId,
                Purpose = purpose.Key,
                LegalGround = legalGround,
                PersonId = person.PersonId,
                ProtectedBsn = person.Bsn is null ? person.ProtectedBsn : Protect(person.Bsn),
                Categories = person.CategoryList,
                Confidentiality = person.Touched(DataCategory.Zorg) || person.Touched(DataCategory.Politie)
                    ? ProcessingConfidentiality.Vertrouwelijk
                    : ProcessingConfidentiality.Normaal,
                RetentionYears = purpose.RetentionYears,
                Hash = "",
            });
        }
        return records;
    }

    /// <summary>
    /// Notes the persons the request's conditions match (<see cref="ProcessingCollector.Matching"/>): one statement per
    /// condition. The most is for all of them together: split over several conditions (an or of surnames, a list asked
    /// twice), a broad filter would otherwise put as many persons in their access reports as one condition may not. Every
    /// condition is read before any person is noted, so a refusal leaves the collector as the request left it (a
    /// mutation's writes are then logged without them, <see cref="GraphQL.GraphQLRequestExecutor"/>).
    /// </summary>
    private async Task MatchAsync(VeiligheidDbContext db, ProcessingCollector processed, CancellationToken cancellationToken)
    {
        var matched = new List<(IReadOnlyCollection<DataCategory> Categories, List<(int Id, string Bsn)> Persons)>();
        var distinct = new HashSet<int>();
        foreach (var (matching, categories) in processed.Matching)
        {
            var persons = await PersonBsns.MatchingAsync(db, matching, _mostPersonsMatched, cancellationToken);
            distinct.UnionWith(persons.Select(p => p.Id));
            if (distinct.Count > _mostPersonsMatched) throw new TooManyPersonsMatchedException(_mostPersonsMatched);
            matched.Add((categories, persons));
        }
        foreach (var (categories, persons) in matched) processed.Match(categories, persons);
    }

    /// <summary>Chains and inserts the records of these requests in one transaction; called under the writer lock.</summary>
    private Task WriteAsync(VeiligheidDbContext db, List<PendingAppend> batch, CancellationToken cancellationToken)
    {
        if (db.OnSqlite)
        {
            // The writer follows the database the request's context is on (one per hub, but a test host may move it).
            if (_sqlite is not null && !string.Equals(_sqlite.HubConnectionString, db.Database.GetConnectionString(), StringComparison.Ordinal))
            {
                _sqlite.Dispose();
                _sqlite = null;
            }
            _sqlite ??= SqliteLogWriter.For(db);
            if (_sqlite is not null)
            {
                _sqlite.Write((sequence, previous, packed) => Chain(batch, sequence, previous, packed));
                return Task.CompletedTask;
            }
        }
        return WriteThroughContextAsync(db, batch, cancellationToken);
    }

    /// <summary>The rows of these requests' records, each request's contiguous and in order, placed after the chain's end.</summary>
    private LogRows Chain(List<PendingAppend> batch, long sequence, string previous, ArrayBufferWriter<byte>? packedUtf8 = null)
        => Chain(batch.Select(b => b.Records), sequence, previous, WritesPersonRows, packedUtf8);

    /// <summary>
    /// Whether this log writes the earlier form, a person row per record (<see cref="LogRows.AddAction"/>), instead of packing
    /// them into their action: for tests of logs written by the versions of 1 Dec 2026, which hosts keep and read.
    /// </summary>
    internal bool WritesPersonRows { get; set; }

    /// <summary>
    /// Places each request's records after the chain's end and returns the rows that store them: one action per request,
    /// chained as one (<see cref="RecordHasher.ActionHash"/>: the action holds the hash, each record reads it as its own),
    /// one entry per person.
    /// </summary>
    /// <param name="packedUtf8">Where the packed actions' records are written as UTF-8 instead of as their
    /// <see cref="ProcessingAction.Records"/> string (<see cref="LogRows.TryGetPackedUtf8"/>); null for the string.</param>
    internal static LogRows Chain(IEnumerable<List<ProcessingRecord>> requests, long sequence, string previous, bool personRows = false,
        ArrayBufferWriter<byte>? packedUtf8 = null)
    {
        var rows = new LogRows(packedUtf8);
        foreach (var records in requests)
        {
            if (records.Count == 0) continue;
            // Set again on a retry: the chain is re-read each attempt.
            foreach (var record in records)
            {
                record.Sequence = ++sequence;
                record.PreviousHash = previous;
            }
            var hash = RecordHasher.ActionHash(records, previous);
            foreach (var record in records) record.Hash = hash;
            rows.AddAction(records, hash, personRows);
            previous = hash;
        }
        return rows;
    }

    /// <summary>The write on other databases (SQL Server): through the request's context, a multi-row INSERT per hundred rows.</summary>
    private async Task WriteThroughContextAsync(VeiligheidDbContext db, List<PendingAppend> batch, CancellationToken cancellationToken)
    {
        var strategy = db.Database.CreateExecutionStrategy();
        await strategy.ExecuteAsync(async ct =>
        {
            await using var transaction = await db.Database.BeginTransactionAsync(ct);
            var (sequence, previous) = await ReadLastAsync(db, transaction.GetDbTransaction(), ct);
            var rows = Chain(batch, sequence, previous);
            // The actions first: each entry refers to its action (a foreign key).
            await using (var actions = new TableInserter<ProcessingAction>(db, db.Database.GetDbConnection(),
                             transaction.GetDbTransaction(), rowsPerStatement: 100, explicitKeys: true))
            {
                foreach (var action in rows.Actions) await actions.AddAsync(action, ct);
            }
            await using (var entries = new TableInserter<ProcessingLogEntry>(db, db.Database.GetDbConnection(),
                             transaction.GetDbTransaction(), rowsPerStatement: 100, explicitKeys: true))
            {
                foreach (var entry in rows.Entries) await entries.AddAsync(entry, ct);
            }
            await transaction.CommitAsync(ct);
        }, cancellationToken);
    }

    /// <summary>
    /// The statement that reads the chain's last sequence and hash, in the provider's dialect. On SQL Server it holds what
    /// it read (UPDLOCK, HOLDLOCK: the last key and the range after it) to the commit, as SQLite's BEGIN IMMEDIATE does: a
    /// second host's append waits for this one's commit and then reads its last record, where under READ COMMITTED both
    /// read the same one and the second failed on the unique sequence, withholding its request's data. The last record's
    /// hash is its own, or its action's when the action is chained as one (<see cref="RecordHasher.ActionHash"/>).
    /// </summary>
    /// <remarks>
    /// The end is the later of the last person row and the last record of the last action when its records are packed
    /// (<see cref="PackedRecords"/>; one key read at the end of each table). The last person row is the end whatever its
    /// action holds: a left join, and an empty hash where neither the row nor its action has one. Only an edit of the log's file leaves it so (its action's row or hash removed; verify-log shows
    /// it), and the writer then chains on, as it always did over an edited end; an inner join read an earlier end, whose
    /// next sequences were taken, and a NULL hash failed the read, so every request with person data was withheld.
    /// </remarks>
    internal static string LastRecordSql(bool sqlServer) => sqlServer
        ? "SELECT TOP (1) [e].[Sequence], [e].[Hash] FROM (" +
          "SELECT [r].[Sequence], [r].[Hash] FROM (SELECT TOP (1) [l].[Sequence], COALESCE(NULLIF([l].[Hash], N''), [a].[Hash], N'') AS [Hash] " +
          "FROM [ProcessingLog] AS [l] WITH (UPDLOCK, HOLDLOCK) LEFT JOIN [ProcessingActions] AS [a] ON [a].[Id] = [l].[ActionKey] ORDER BY [l].[Sequence] DESC) AS [r] " +
          $"UNION ALL SELECT {PackedRecords.LastSequenceSql(sqlServer, "[p]")}, COALESCE([p].[Hash], N'') " +
          "FROM (SELECT TOP (1) [Id], [Records], [Hash] FROM [ProcessingActions] WITH (UPDLOCK, HOLDLOCK) ORDER BY [Id] DESC) AS [p] WHERE [p].[Records] IS NOT NULL" +
          ") AS [e] ORDER BY [e].[Sequence] DESC;"
        : "SELECT \"e\".\"Sequence\", \"e\".\"Hash\" FROM (" +
          "SELECT * FROM (SELECT \"l\".\"Sequence\" AS \"Sequence\", COALESCE(NULLIF(\"l\".\"Hash\", ''), \"a\".\"Hash\", '') AS \"Hash\" FROM \"ProcessingLog\" AS \"l\" " +
          "LEFT JOIN \"ProcessingActions\" AS \"a\" ON \"a\".\"Id\" = \"l\".\"ActionKey\" ORDER BY \"l\".\"Sequence\" DESC LIMIT 1) " +
          $"UNION ALL SELECT {PackedRecords.LastSequenceSql(sqlServer, "\"p\"")}, COALESCE(\"p\".\"Hash\", '') " +
          "FROM (SELECT \"Id\", \"Records\", \"Hash\" FROM \"ProcessingActions\" ORDER BY \"Id\" DESC LIMIT 1) AS \"p\" WHERE \"p\".\"Records\" IS NOT NULL" +
          ") AS \"e\" ORDER BY \"e\".\"Sequence\" DESC LIMIT 1;";

    /// <summary>
    /// The chain's last sequence and hash (0 and the genesis hash when empty), read in the write transaction. Plain SQL:
    /// 0.03 ms, where the same query through EF Core's LINQ pipeline took 0.2 ms, the largest step of a one-record append
    /// after the commit itself.
    /// </summary>
    private static async Task<(long Sequence, string Hash)> ReadLastAsync(VeiligheidDbContext db, DbTransaction transaction, CancellationToken cancellationToken)
    {
        await using var command = db.Database.GetDbConnection().CreateCommand();
        command.Transaction = transaction;
        command.CommandText = LastRecordSql(db.OnSqlServer);
        await using var reader = await command.ExecuteReaderAsync(cancellationToken);
        return await reader.ReadAsync(cancellationToken) ? (reader.GetInt64(0), reader.GetString(1)) : (0, GenesisHash);
    }

    /// <summary>SHA-256 over the record's fields in a fixed order and the previous hash (<see cref="RecordHasher"/>).</summary>
    public static string HashOf(ProcessingRecord record) => new RecordHasher(record).Hash(record);

    /// <summary>
    /// Walks the chain in sequence order and checks that the stored rows agree with it; the first problem, or none when
    /// the chain is whole. Each record's hash is checked against its fields and the hash of the record before it (not
    /// stored with it: the walk holds it), so a changed record breaks at itself, a changed and re-hashed one at the record
    /// after it, a removed one at the gap, and a changed action at its first record. The walk reads the person rows with
    /// their actions itself (not the view, whose inner join would drop a person row without its action), then the actions
    /// whose records are packed into them, and checks what the writer always makes: each person row has its action, an
    /// action's rows are a run that begins at the action's id, no action is without rows, and a packed action follows at
    /// the next sequence, holds no person rows, has a hash and stores its records in the text the hub writes
    /// (<see cref="PackedRecords.Problem"/>).
    /// </summary>
    /// <remarks>
    /// A hash chain cannot show by itself that records were removed from its end (what is left is a whole chain), nor that
    /// it was written again whole and re-hashed. <paramref name="expected"/> are heads kept elsewhere (what
    /// <see cref="ChainVerification.Head"/> was at an earlier check): the log must still hold each of them, with that hash,
    /// and then holds every record up to it unchanged. The index by data subject is other evidence of a removed end
    /// (<see cref="MissingFromEndAsync"/>). LINQ only, so the same walk runs on SQL Server.
    /// </remarks>
    public static async Task<ChainVerification> VerifyAsync(VeiligheidDbContext db, CancellationToken cancellationToken, IReadOnlyCollection<ChainHead>? expected = null)
    {
        ArgumentNullException.ThrowIfNull(db);
        var heads = (expected ?? []).ToLookup(h => h.Sequence);
        if (heads[0].Where(h => h != ChainHead.Genesis).Select(h => h.Hash).FirstOrDefault() is { } before)
            return new ChainVerification(0, 0, $"a kept head names record 0 with hash {before}, but record 0 is the chain's start, whose hash is {GenesisHash}");
        var previous = GenesisHash;
        long sequence = 1, count = 0, action = 0;
        RecordHasher? hasher = null;
        // The records of the action chained as one being read (RecordHasher.ActionHash): checked together when it ends.
        var run = new List<ProcessingRecord>();
        ProcessingAction? chained = null;
        ChainVerification? EndRun()
        {
            if (chained is null) return null;
            var (first, last) = (run[0].Sequence, run[^1].Sequence);
            if (!string.Equals(RecordHasher.ActionHash(run, previous), chained.Hash, StringComparison.Ordinal))
                return new ChainVerification(count, first,
                    $"records {first} to {last} (one action, chained as one) were changed after they were written, or the record before them was (their action's hash does not match their content and the hash of record {first - 1})");
            foreach (var record in run)
                if (AgainstKeptHead(record.Sequence, chained.Hash!) is { } rewritten) return rewritten;
            (previous, count, chained) = (chained.Hash!, count + run.Count, null);
            run.Clear();
            return null;
        }
        // A kept head naming this record with another hash: the chain was written again up to here.
        ChainVerification? AgainstKeptHead(long at, string hash)
            => heads[at].Select(h => h.Hash).FirstOrDefault(h => !string.Equals(h, hash, StringComparison.Ordinal)) is { } kept
                ? new ChainVerification(count, at, $"record {at} has the hash {hash}, not the kept head's {kept}: the chain was written again from this record or one before it")
                : null;
        await foreach (var row in StoredRecords(db).AsAsyncEnumerable().WithCancellation(cancellationToken))
        {
            var entry = row.Entry;
            // An action chained as one ends where the next row is not its next record, and is checked before that row is:
            // a changed action is found at its first record, before a row out of place after it, and an intact one counts
            // as verified before a gap. A gap after it may have taken records of its own, so the gap is what is reported.
            if (chained is not null && (entry.Sequence != sequence || entry.ActionKey != chained.Id))
            {
                var changed = EndRun();
                if (changed is not null && entry.Sequence == sequence) return changed;
            }
            if (entry.Sequence != sequence)
                return new ChainVerification(count, entry.Sequence, $"record {sequence} is missing (found {entry.Sequence} next)");
            if (row.Action is null)
                return new ChainVerification(count, entry.Sequence, $"record {entry.Sequence} has no action: action {entry.ActionKey}, which it names, is missing");
            if (row.Action.Records is not null)
                return new ChainVerification(count, entry.Sequence,
                    $"record {entry.Sequence} is a person row of action {entry.ActionKey}, whose records are packed into it; the hub writes an action's records one way");
            // The writer keys an action by its first record's sequence and writes its records as one run.
            if (entry.ActionKey != entry.Sequence && entry.ActionKey != action)
                return new ChainVerification(count, entry.Sequence,
                    $"record {entry.Sequence} names action {entry.ActionKey}, which neither begins at it nor is the action of the record before it");
            if (EmptyForNone(row.Action, entry.Sequence, entry.ProtectedBsn) is { } emptied) return new ChainVerification(count, entry.Sequence, emptied);
            action = entry.ActionKey;
            var record = ProcessingRecord.Of(row.Action, entry);
            sequence++;
            if (row.Action.Hash is not null)
            {
                if (row.HasOwnHash)
                    return new ChainVerification(count, entry.Sequence,
                        $"record {entry.Sequence} carries a hash of its own, but its action {entry.ActionKey} is chained as one and holds its records' hash");
                chained ??= row.Action;
                run.Add(record);
                continue;
            }
            record.PreviousHash = previous;
            if (!string.Equals(RecordHasher.Next(ref hasher, record), record.Hash, StringComparison.Ordinal))
                return new ChainVerification(count, record.Sequence,
                    $"record {record.Sequence} was changed after it was written, or the record before it was (its hash does not match its content and the hash of record {sequence - 2})");
            if (AgainstKeptHead(record.Sequence, record.Hash) is { } rewritten) return rewritten;
            previous = record.Hash;
            count++;
        }
        if (EndRun() is { } changedAtEnd) return changedAtEnd;
        // Then the actions whose records are packed into them (PackedRecords), which the hub writes after any person rows:
        // each must begin at the next sequence, hold its records in the form the hub writes, and be chained as one.
        var packed = db.Set<ProcessingAction>().AsNoTracking().Where(a => a.Records != null).OrderBy(a => a.Id).AsAsyncEnumerable();
        await foreach (var stored in packed.WithCancellation(cancellationToken))
        {
            if (stored.Id != sequence)
                return new ChainVerification(count, Math.Min(stored.Id, sequence), stored.Id < sequence
                    ? $"action {stored.Id} packs records from {stored.Id} on, which the log holds before it already"
                    : $"record {sequence} is missing (found {stored.Id} next)");
            if (PackedRecords.Problem(stored.Id, stored.Records!) is { } malformed) return new ChainVerification(count, stored.Id, malformed);
            if (stored.Hash is null)
                return new ChainVerification(count, stored.Id, $"action {stored.Id} packs its records but holds no hash, which the hub always writes for them");
            run.AddRange(PackedRecords.Read(stored.Records!).Select(r => ProcessingRecord.Of(stored, r)));
            foreach (var record in run)
                if (EmptyForNone(stored, record.Sequence, record.ProtectedBsn) is { } emptied) return new ChainVerification(count, record.Sequence, emptied);
            chained = stored;
            sequence += run.Count;
            if (EndRun() is { } changed) return changed;
        }
        var head = new ChainHead(sequence - 1, previous);
        if (await ActionsWithoutRecords(db).FirstOrDefaultAsync(cancellationToken) is { } orphan)
            return new ChainVerification(count, orphan, $"action {orphan} has no records (an action is keyed by the sequence of its first record)");
        var beyond = heads.Select(h => h.Key).Where(s => s > head.Sequence).DefaultIfEmpty().Max();
        if (beyond > 0)
            return new ChainVerification(count, head.Sequence + 1,
                $"the log ends at record {head.Sequence}, but a kept head names record {beyond}: records {head.Sequence + 1} to {beyond} at least were removed from its end");
        return new ChainVerification(count, null, null) { Head = head };
    }

    /// <summary>
    /// The problem when a field the hub leaves NULL where it has no value (the user of a partner system's request, the
    /// protected BSN of a person without one) is stored empty, which the hub never writes: both forms of the hash encode
    /// a missing value as an empty field, so the hash alone holds over NULL edited to ''. Null when there is none.
    /// </summary>
    private static string? EmptyForNone(ProcessingAction action, long sequence, string? protectedBsn)
    {
        const string why = "where the hub stores NULL or a value, never an empty one: the hash does not tell '' from NULL, so it was edited";
        if (action.UserId is { Length: 0 }) return $"action {action.Id} stores an empty UserId {why}";
        if (protectedBsn is { Length: 0 }) return $"record {sequence} stores an empty ProtectedBsn {why}";
        return null;
    }

    /// <summary>
    /// Every person row with its action (null when the action is missing), in sequence order: the chain as stored. The
    /// view's join written as a left join, so a person row whose action is gone is still read. Whether a row holds a hash
    /// of its own is the database's comparison with '', as the view's NULLIF makes it: SQL Server keeps the empty hash
    /// in nchar(64) as 64 spaces (which its comparisons take for empty), SQLite as ''.
    /// </summary>
    internal static IQueryable<StoredRecord> StoredRecords(VeiligheidDbContext db)
        => from entry in db.Set<ProcessingLogEntry>().AsNoTracking()
           join action in db.Set<ProcessingAction>().AsNoTracking() on entry.ActionKey equals action.Id into actions
           from action in actions.DefaultIfEmpty()
           orderby entry.Sequence
           select new StoredRecord { Entry = entry, Action = action, HasOwnHash = entry.Hash != "" };

    /// <summary>
    /// The ids of actions without person rows, lowest first (the writer never makes one): no row at the action's id that
    /// names it. The walk has checked that each action's rows are a run beginning at its id, so an action with rows has
    /// that one; asked so, each action is one look-up by the rows' key (they have no index by action).
    /// </summary>
    internal static IQueryable<long?> ActionsWithoutRecords(VeiligheidDbContext db)
        => db.Set<ProcessingAction>().AsNoTracking()
            .Where(a => a.Records == null && !db.Set<ProcessingLogEntry>().Any(e => e.Sequence == a.Id && e.ActionKey == a.Id))
            .OrderBy(a => a.Id)
            .Select(a => (long?)a.Id);

    /// <summary>The log's last sequence (0 when empty), as it is now.</summary>
    public static async Task<long> EndAsync(VeiligheidDbContext db, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(db);
        var sql = PackedRecords.LogEndSql(db.OnSqlServer, db.OnSqlServer ? "[ProcessingLog]" : "\"ProcessingLog\"",
            db.OnSqlServer ? "[ProcessingActions]" : "\"ProcessingActions\"") + " AS \"Value\"";
        return await db.Database.SqlQueryRaw<long>(sql).SingleAsync(cancellationToken);
    }

    /// <summary>
    /// The records the index by data subject names above the log's end: removed from the log (the indexer copies only
    /// records the log committed, and nothing removes them), or null when there are none. <paramref name="indexEnd"/>
    /// must have been read before this reads the log's end: a record written and indexed in between is then in the log
    /// too, so a check racing the hub never takes a new record for a removed one.
    /// </summary>
    public static async Task<ChainVerification?> MissingFromEndAsync(VeiligheidDbContext db, long indexEnd, CancellationToken cancellationToken)
    {
        var end = await EndAsync(db, cancellationToken);
        return indexEnd <= end ? null : new ChainVerification(end, end + 1,
            $"the log ends at record {end}, but its index by data subject names records up to {indexEnd}: records {end + 1} to {indexEnd} were removed from its end");
    }

    /// <summary>A person only named by id whom neither the hub holds (no BSN found for the id) nor the log knows (no protected form from its records).</summary>
    private static bool NamesNoOne(ProcessedPerson person) => person.NamedOnly && person.Bsn is null && person.ProtectedBsn is null;

    private static string Truncate(string value, int length) => value.Length <= length ? value : value[..length];
}

/// <summary>
/// The rows that store chained records: one <see cref="ProcessingAction"/> per request (a run of records with one action
/// id), its persons packed into it, or in the earlier forms with the <see cref="ProcessingLogEntry"/> of each of its
/// persons. The one place a record is split into them; the view <c>ProcessingRecords</c> reads them back.
/// </summary>
/// <param name="packedUtf8">Where packed actions' records go as UTF-8 (the SQLite writer's reused buffer), or null: then
/// into each action's <see cref="ProcessingAction.Records"/> string.</param>
internal sealed class LogRows(ArrayBufferWriter<byte>? packedUtf8 = null)
{
    // Each action's bytes in packedUtf8, by the action's place in Actions (an empty range: not written there).
    private readonly List<Range> _packed = [];

    public List<ProcessingAction> Actions { get; } = [];
    public List<ProcessingLogEntry> Entries { get; } = [];

    /// <summary>The records of the action at this place in <see cref="Actions"/> as UTF-8, when they were written so.</summary>
    public bool TryGetPackedUtf8(int action, out ReadOnlySpan<byte> utf8)
    {
        var range = _packed[action];
        utf8 = packedUtf8 is null ? default : packedUtf8.WrittenSpan[range];
        return packedUtf8 is not null && !range.Equals(default(Range));
    }

    /// <summary>
    /// Adds the records of one action chained as one (<see cref="RecordHasher.ActionHash"/>): the action with the hash and
    /// its records packed into it (<see cref="PackedRecords"/>); or, with <paramref name="personRows"/>, each record's
    /// entry with an empty hash (the form written between the migrations ProcessingActionHash and PackedRecords; the hub no longer writes it, tests do, as an
    /// earlier version would have).
    /// </summary>
    public void AddAction(IReadOnlyList<ProcessingRecord> records, string hash, bool personRows = false)
    {
        ArgumentNullException.ThrowIfNull(records);
        var action = ProcessingAction.Of(records[0]);
        action.Hash = hash;
        Actions.Add(action);
        if (personRows) foreach (var record in records) Entries.Add(EntryOf(record, action, ""));
        else if (packedUtf8 is not null)
        {
            var start = packedUtf8.WrittenCount;
            PackedRecords.WriteUtf8(records, packedUtf8);
            _packed.Add(start..packedUtf8.WrittenCount);
            return;
        }
        else action.Records = PackedRecords.Write(records);
        _packed.Add(default);
    }

    /// <summary>
    /// Adds records each chained with its own hash (the form written before 1 Dec 2026; the hub no longer writes it, tests
    /// do, as an earlier version would have), in order: a new action wherever the action id changes.
    /// </summary>
    public void Add(IEnumerable<ProcessingRecord> records)
    {
        ArgumentNullException.ThrowIfNull(records);
        ProcessingAction? action = null;
        foreach (var record in records)
        {
            if (action is null || !ProcessingAction.Same(action, record))
            {
                action = ProcessingAction.Of(record);
                Actions.Add(action);
                _packed.Add(default);
            }
            Entries.Add(EntryOf(record, action, record.Hash));
        }
    }

    private static ProcessingLogEntry EntryOf(ProcessingRecord record, ProcessingAction action, string hash) => new()
    {
        Sequence = record.Sequence,
        ActionKey = action.Id,
        PersonId = record.PersonId,
        ProtectedBsn = record.ProtectedBsn,
        Categories = record.Categories,
        Confidentiality = record.Confidentiality,
        Hash = hash,
    };
}

/// <summary>One request's records waiting for a commit, and the request waiting on it.</summary>
internal sealed class PendingAppend(List<ProcessingRecord> records)
{
    private readonly TaskCompletionSource _committed = new(TaskCreationOptions.RunContinuationsAsynchronously);

    public List<ProcessingRecord> Records { get; } = records;

    public Task Committed => _committed.Task;

    public void Succeed() => _committed.TrySetResult();

    public void Fail(Exception exception) => _committed.TrySetException(exception);
}

/// <summary>A person row of the log with its action as stored (the action null when it is missing).</summary>
internal sealed class StoredRecord
{
    public required ProcessingLogEntry Entry { get; init; }
    public ProcessingAction? Action { get; init; }

    /// <summary>Whether the person row stores a hash of its own, as the view reads it (not empty to the database).</summary>
    public bool HasOwnHash { get; init; }
}

/// <summary>The outcome of checking the chain: how many records held, and where and why it broke (null when whole).</summary>
public sealed record ChainVerification(long Verified, long? BrokenAt, string? Problem)
{
    /// <summary>Whether the chain and its rows were found whole.</summary>
    public bool IsIntact => BrokenAt is null;

    /// <summary>The last record of a whole chain (<see cref="ChainHead.Genesis"/> when it is empty): keep it elsewhere to check later that the log still holds it.</summary>
    public ChainHead Head { get; init; } = ChainHead.Genesis;
}

/// <summary>
/// A record's place in the chain and its hash, written <c>sequence:hash</c>: the chain's head as verify-log prints it.
/// Kept outside the hub (a ticket, the operator's notes, another system's log), it lets a later check see what a hash
/// chain alone cannot: records removed from the end, or the whole chain written again and re-hashed (the log no longer
/// holds that record with that hash).
/// </summary>
/// <param name="Sequence">The record's place in the chain; 0 for the head of an empty chain.</param>
/// <param name="Hash">The record's hash, lowercase hex; the genesis hash for sequence 0.</param>
public readonly record struct ChainHead(long Sequence, string Hash)
{
    /// <summary>The head of an empty chain: sequence 0, the genesis hash.</summary>
    public static ChainHead Genesis => new(0, ProcessingLog.GenesisHash);

    /// <summary>The form verify-log prints and <c>--expect</c> reads: <c>sequence:hash</c>.</summary>
    public override string ToString() => string.Create(System.Globalization.CultureInfo.InvariantCulture, $"{Sequence}:{Hash}");

    /// <summary>Reads <c>sequence:hash</c> (a sequence of 0 or more, a SHA-256 in hex); false for anything else.</summary>
    public static bool TryParse(string? text, out ChainHead head)
    {
        head = default;
        var colon = text?.IndexOf(':', StringComparison.Ordinal) ?? -1;
        if (colon <= 0) return false;
        var hash = text![(colon + 1)..].ToLowerInvariant();
        if (!long.TryParse(text.AsSpan(0, colon), System.Globalization.NumberStyles.None, System.Globalization.CultureInfo.InvariantCulture, out var sequence)
            || hash.Length != 64 || !hash.All(char.IsAsciiHexDigitLower))
            return false;
        head = new ChainHead(sequence, hash);
        return true;
    }
}

/// <summary>
/// The protected forms of the BSNs the hub protected lately, by BSN, so a person who recurs in requests is protected once.
/// </summary>
/// <remarks>
/// The form is a pure function of the BSN under the log's key (fixed for the process), so a kept form can never be stale.
/// Bounded: past <see cref="Capacity"/> BSNs it starts empty again rather than track which were used least (about 200
/// bytes an entry, so about 3 MB at the default capacity). What it holds stays in the hub's memory and is never logged:
/// BSNs the hub read to serve requests, and forms that the key, held by the same process, makes again at any time.
/// </remarks>
internal sealed class ProtectedForms(int capacity = ProtectedForms.DefaultCapacity)
{
    /// <summary>The most BSNs kept by default; more than the persons of a page, a busy hour's overviews.</summary>
    internal const int DefaultCapacity = 16_384;

    private ConcurrentDictionary<string, string> _forms = new(StringComparer.Ordinal);
    private int _count;

    /// <summary>The most BSNs kept before it starts empty again.</summary>
    public int Capacity { get; } = capacity > 0 ? capacity : throw new ArgumentOutOfRangeException(nameof(capacity));

    public bool TryGetValue(string bsn, out string form) => Volatile.Read(ref _forms).TryGetValue(bsn, out form!);

    /// <summary>Keeps <paramref name="form"/> for <paramref name="bsn"/> and returns it.</summary>
    public string Keep(string bsn, string form)
    {
        // Counted here, not with the dictionary's Count, which takes all of its locks.
        if (Interlocked.Increment(ref _count) > Capacity)
        {
            Volatile.Write(ref _forms, new ConcurrentDictionary<string, string>(StringComparer.Ordinal));
            Interlocked.Exchange(ref _count, 1);
        }
        Volatile.Read(ref _forms)[bsn] = form;
        return form;
    }
}
