using System.Globalization;
using System.Security.Cryptography;
using System.Text;
using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Storage;
using Microsoft.Extensions.Options;
using Veiligheid.Access;
using Veiligheid.Data;

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
}

/// <summary>
/// Appends the records of one request to the processing log, in one transaction, chained by hash; and checks the chain.
/// Writers in this process take turns; writers in other processes are kept off a fork by the unique sequence number.
/// </summary>
public sealed class ProcessingLog : IDisposable
{
    public const string GenesisHash = "0000000000000000000000000000000000000000000000000000000000000000";

    // Only for development and tests, so a fresh clone runs without secrets; production refuses to start without a key.
    private static readonly byte[] DevelopmentKey = SHA256.HashData("veiligheid-development-pseudonym-key"u8);

    private readonly SemaphoreSlim _writer = new(1, 1);
    private readonly byte[] _key;
    private readonly TimeProvider _clock;

    public ProcessingLog(IOptions<ProcessingLogOptions> options, IHostEnvironment environment, TimeProvider? clock = null)
    {
        ArgumentNullException.ThrowIfNull(options);
        ArgumentNullException.ThrowIfNull(environment);
        _clock = clock ?? TimeProvider.System;
        var configured = options.Value.PseudonymKey;
        if (!string.IsNullOrWhiteSpace(configured))
        {
            _key = Convert.FromBase64String(configured);
            if (_key.Length < 32) throw new InvalidOperationException($"{ProcessingLogOptions.Section}:PseudonymKey must be at least 32 bytes (base64).");
        }
        else if (environment.IsDevelopment() || environment.IsEnvironment("Testing"))
        {
            _key = DevelopmentKey;
        }
        else
        {
            throw new InvalidOperationException($"{ProcessingLogOptions.Section}:PseudonymKey is not set: the processing log needs a secret key to protect BSNs.");
        }
    }

    public void Dispose() => _writer.Dispose();

    /// <summary>The protected form of a BSN: HMAC-SHA256 under the hub's key, lowercase hex.</summary>
    public string Protect(string bsn) => Convert.ToHexStringLower(HMACSHA256.HashData(_key, Encoding.UTF8.GetBytes(bsn)));

    /// <summary>Writes one record per processed person of one request. Throws when the log cannot be written.</summary>
    public async Task AppendAsync(VeiligheidDbContext db, CallerAccess access, string actionName, ProcessingCollector processed, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(db);
        ArgumentNullException.ThrowIfNull(access);
        ArgumentNullException.ThrowIfNull(processed);
        if (processed.IsEmpty) return;
        // Person-level data is only reachable under a purpose (the schema without one has no such fields).
        var purpose = access.Purpose ?? throw new InvalidOperationException("Person-level data was processed without a purpose.");
        var persons = processed.Persons;

        // Persons reached through a link only (a case subject's role) carry no BSN yet: one statement fetches them.
        var missing = persons.Where(p => p.Bsn is null && p.PersonId is not null).Select(p => p.PersonId!.Value).ToList();
        if (missing.Count > 0)
        {
            var bsns = await db.Persons.AsNoTracking().Where(p => missing.Contains(p.Id)).Select(p => new { p.Id, p.Bsn }).ToDictionaryAsync(p => p.Id, p => p.Bsn, cancellationToken);
            foreach (var person in persons) if (person.Bsn is null && person.PersonId is { } id && bsns.TryGetValue(id, out var bsn)) person.Bsn = bsn;
        }

        var caller = access.Caller;
        var actionId = Guid.NewGuid();
        var now = _clock.GetUtcNow().UtcDateTime;
        await _writer.WaitAsync(cancellationToken);
        try
        {
            var strategy = db.Database.CreateExecutionStrategy();
            await strategy.ExecuteAsync(async ct =>
            {
                await using var transaction = await db.Database.BeginTransactionAsync(ct);
                var last = await db.Set<ProcessingRecord>().AsNoTracking().OrderByDescending(r => r.Sequence)
                    .Select(r => new { r.Sequence, r.Hash }).FirstOrDefaultAsync(ct);
                var sequence = last?.Sequence ?? 0;
                var previous = last?.Hash ?? GenesisHash;
                var records = new List<ProcessingRecord>(persons.Count);
                foreach (var person in persons)
                {
                    var record = new ProcessingRecord
                    {
                        Sequence = ++sequence,
                        ActionId = actionId,
                        ActionName = Truncate(actionName, 200),
                        OccurredAt = now,
                        OrganisationId = caller.OrganisationId,
                        OrganisationKey = caller.OrganisationKey,
                        Role = caller.Role.TokenValue(),
                        ApplicationId = caller.ClientAppId,
                        UserId = caller.UserObjectId,
                        Purpose = purpose.Key,
                        LegalGround = Truncate(purpose.LegalGround, 400),
                        PersonId = person.PersonId,
                        ProtectedBsn = person.Bsn is null ? null : Protect(person.Bsn),
                        Categories = string.Join(",", person.Categories),
                        Confidentiality = person.Categories.Contains(DataCategory.Zorg) || person.Categories.Contains(DataCategory.Politie)
                            ? ProcessingConfidentiality.Vertrouwelijk
                            : ProcessingConfidentiality.Normaal,
                        RetentionYears = purpose.RetentionYears,
                        PreviousHash = previous,
                        Hash = "",
                    };
                    record.Hash = HashOf(record);
                    previous = record.Hash;
                    records.Add(record);
                }
                // One multi-row INSERT per hundred records instead of a statement per record: the log's cost must
                // not grow with the page a partner asks for.
                await using (var inserter = new TableInserter<ProcessingRecord>(db, db.Database.GetDbConnection(),
                                 transaction.GetDbTransaction(), rowsPerStatement: 100, explicitKeys: false))
                {
                    foreach (var record in records) await inserter.AddAsync(record, ct);
                }
                await transaction.CommitAsync(ct);
            }, cancellationToken);
        }
        finally
        {
            _writer.Release();
        }
    }

    /// <summary>SHA-256 over the record's fields in a fixed order and the previous hash.</summary>
    public static string HashOf(ProcessingRecord record)
    {
        ArgumentNullException.ThrowIfNull(record);
        var canonical = string.Join('\u001f',
            record.Sequence.ToString(CultureInfo.InvariantCulture),
            record.ActionId.ToString("D"),
            record.ActionName,
            record.OccurredAt.ToString("yyyy-MM-dd'T'HH:mm:ss.fffffff", CultureInfo.InvariantCulture),
            record.OrganisationId.ToString(CultureInfo.InvariantCulture),
            record.OrganisationKey,
            record.Role,
            record.ApplicationId,
            record.UserId ?? "",
            record.Purpose,
            record.LegalGround,
            record.PersonId?.ToString(CultureInfo.InvariantCulture) ?? "",
            record.ProtectedBsn ?? "",
            record.Categories,
            record.Confidentiality.ToString(),
            record.RetentionYears.ToString(CultureInfo.InvariantCulture),
            record.PreviousHash);
        return Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(canonical)));
    }

    /// <summary>Walks the chain in sequence order; the first broken link, or null when the chain is whole.</summary>
    public static async Task<ChainVerification> VerifyAsync(VeiligheidDbContext db, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(db);
        var previous = GenesisHash;
        long expected = 1, count = 0;
        await foreach (var record in db.Set<ProcessingRecord>().AsNoTracking().OrderBy(r => r.Sequence).AsAsyncEnumerable().WithCancellation(cancellationToken))
        {
            if (record.Sequence != expected)
                return new ChainVerification(count, record.Sequence, $"record {expected} is missing (found {record.Sequence} next)");
            if (!string.Equals(record.PreviousHash, previous, StringComparison.Ordinal))
                return new ChainVerification(count, record.Sequence, $"record {record.Sequence} does not point at the hash of record {expected - 1}");
            if (!string.Equals(HashOf(record), record.Hash, StringComparison.Ordinal))
                return new ChainVerification(count, record.Sequence, $"record {record.Sequence} was changed after it was written (its hash does not match its content)");
            previous = record.Hash;
            expected++;
            count++;
        }
        return new ChainVerification(count, null, null);
    }

    private static string Truncate(string value, int length) => value.Length <= length ? value : value[..length];
}

/// <summary>The outcome of checking the chain: how many records held, and where and why it broke (null when whole).</summary>
public sealed record ChainVerification(long Verified, long? BrokenAt, string? Problem)
{
    public bool IsIntact => BrokenAt is null;
}
