using System.Buffers.Text;
using System.Globalization;
using System.Security.Cryptography;
using System.Text;

namespace Veiligheid.Accountability;

/// <summary>
/// The processing log's hashes: a record's (SHA-256 over the record's fields in a fixed order, separated by U+001F, then
/// the previous record's hash; lowercase hex), written until 1 Dec 2026, and an action's (<see cref="ActionHash"/>),
/// written since. The one definition of both forms (<see cref="ProcessingLog.HashOf"/> and the chain's writer and
/// verifier all hash through here), so records written by any version verify with any other.
/// </summary>
/// <remarks>
/// A hasher encodes one action's fields (the request's: operation, time, organisation, role, application, user,
/// purpose, legal ground, retention) to UTF-8 once; each record of that action then adds only its own fields (sequence,
/// person, protected BSN, categories, confidentiality, previous hash) into a reused buffer. Joining all seventeen fields
/// into a string and encoding it per record took 5 µs a record, most of a chain step's time (BENCHMARKS.md,
/// "Processing log overhead"). Not thread-safe: one hasher per writer or verifier at a time.
/// </remarks>
internal sealed class RecordHasher
{
    private const byte Separator = 0x1f;

    private readonly ProcessingAction _action;
    // From the separator after the sequence to the one before the person id, and the separator before the retention
    // term to the one before the previous hash: the action's fields in their places in the form.
    private readonly byte[] _actionFields;
    private readonly byte[] _retention;
    private byte[] _buffer = new byte[512];

    // One SHA-256 per thread, reset after each record: the one-shot SHA256.HashData sets OpenSSL's digest up anew per call,
    // 1.3 µs for a record's 300 bytes against 0.7–1.0 µs reused here, and a request hashes one record per person.
    [ThreadStatic]
    private static IncrementalHash? t_sha256;

    public RecordHasher(ProcessingRecord record)
    {
        ArgumentNullException.ThrowIfNull(record);
        _action = ProcessingAction.Of(record);
        _actionFields = Encoding.UTF8.GetBytes(string.Join('\u001f', ["", .. ActionFields(record), ""]));
        _retention = Encoding.UTF8.GetBytes(string.Create(CultureInfo.InvariantCulture, $"\u001f{record.RetentionYears}\u001f"));
    }

    /// <summary>Whether <paramref name="record"/> carries this hasher's action fields (every record of one request does).</summary>
    public bool Covers(ProcessingRecord record) => ProcessingAction.Same(_action, record);

    /// <summary>
    /// The hash of each record in a run of records each hashed on its own (the form before actions chained as one, as
    /// the chain's walk verifies them): <paramref name="hasher"/> is kept while the records share its action's fields and
    /// replaced by one for the next action where they change.
    /// </summary>
    public static string Next(ref RecordHasher? hasher, ProcessingRecord record)
    {
        ArgumentNullException.ThrowIfNull(record);
        if (hasher is null || !hasher.Covers(record)) hasher = new RecordHasher(record);
        return hasher.HashCovered(record);
    }

    /// <summary>The hash of <paramref name="record"/>, whose action fields must be this hasher's (<see cref="Covers"/>).</summary>
    public string Hash(ProcessingRecord record)
    {
        ArgumentNullException.ThrowIfNull(record);
        if (!Covers(record)) throw new ArgumentException("The record belongs to another action than this hasher's.", nameof(record));
        return HashCovered(record);
    }

    private string HashCovered(ProcessingRecord record)
    {
        var bsn = record.ProtectedBsn ?? "";
        var confidentiality = Enum.GetName(record.Confidentiality) ?? record.Confidentiality.ToString(); // the name, without boxing
        var most = 20 + _actionFields.Length + 11 + 1 + Encoding.UTF8.GetMaxByteCount(bsn.Length) + 1
                   + Encoding.UTF8.GetMaxByteCount(record.Categories.Length) + 1 + Encoding.UTF8.GetMaxByteCount(confidentiality.Length)
                   + _retention.Length + Encoding.UTF8.GetMaxByteCount(record.PreviousHash.Length);
        if (_buffer.Length < most) _buffer = new byte[most];
        var span = _buffer.AsSpan();
        var at = Number(span, record.Sequence);
        at += Copy(span[at..], _actionFields);
        if (record.PersonId is { } person) at += Number(span[at..], person);
        span[at++] = Separator;
        at += Encoding.UTF8.GetBytes(bsn, span[at..]);
        span[at++] = Separator;
        at += Encoding.UTF8.GetBytes(record.Categories, span[at..]);
        span[at++] = Separator;
        at += Encoding.UTF8.GetBytes(confidentiality, span[at..]);
        at += Copy(span[at..], _retention);
        at += Encoding.UTF8.GetBytes(record.PreviousHash, span[at..]);
        Span<byte> hash = stackalloc byte[SHA256.HashSizeInBytes];
        var sha256 = t_sha256 ??= IncrementalHash.CreateHash(HashAlgorithmName.SHA256);
        sha256.AppendData(span[..at]);
        sha256.GetHashAndReset(hash);
        return Convert.ToHexStringLower(hash);
    }

    /// <summary>
    /// The hash of an action whose records are chained as one (<see cref="ProcessingAction.Hash"/>): SHA-256 over
    /// <c>vlog-action-1</c>, the action's eleven fields, its first sequence and its number of records, separated by
    /// U+001F; then each record's person id, protected BSN, categories and confidentiality, each record led by U+001E and
    /// its fields separated by U+001F; then U+001E and the hash of the record before the action; lowercase hex. One hash
    /// a request instead of one a person: each of those took an OpenSSL digest's set-up and a hex string, together 5–8 %
    /// of the hub's CPU under load (BENCHMARKS.md, "Eighteenth round"). A change to any record, or a record removed from
    /// or added to the run, changes the action's hash; the records of one action are found wrong together.
    /// </summary>
    /// <param name="records">The action's records in sequence order, consecutive from the first, all with its fields.</param>
    /// <param name="previous">The hash of the record before the action (<see cref="ProcessingLog.GenesisHash"/> for the first).</param>
    public static string ActionHash(IReadOnlyList<ProcessingRecord> records, string previous)
    {
        ArgumentNullException.ThrowIfNull(records);
        ArgumentNullException.ThrowIfNull(previous);
        if (records.Count == 0) throw new ArgumentException("An action has at least one record.", nameof(records));
        var first = records[0];
        var head = string.Join('\u001f',
            [
                "vlog-action-1",
                .. ActionFields(first),
                first.RetentionYears.ToString(CultureInfo.InvariantCulture),
                first.Sequence.ToString(CultureInfo.InvariantCulture),
                records.Count.ToString(CultureInfo.InvariantCulture),
            ]);
        var most = Encoding.UTF8.GetMaxByteCount(head.Length) + 1 + Encoding.UTF8.GetMaxByteCount(previous.Length);
        foreach (var record in records)
            most += 1 + 11 + 1 + Encoding.UTF8.GetMaxByteCount((record.ProtectedBsn ?? "").Length) + 1
                    + Encoding.UTF8.GetMaxByteCount(record.Categories.Length) + 1 + 16;
        var rented = System.Buffers.ArrayPool<byte>.Shared.Rent(most);
        try
        {
            var span = rented.AsSpan();
            var at = Encoding.UTF8.GetBytes(head, span);
            var action = ProcessingAction.Of(first);
            for (var i = 0; i < records.Count; i++)
            {
                var record = records[i];
                if (record.Sequence != first.Sequence + i || !ProcessingAction.Same(action, record))
                    throw new ArgumentException("An action's records are consecutive and share its fields.", nameof(records));
                span[at++] = RecordMark;
                if (record.PersonId is { } person) at += Number(span[at..], person);
                span[at++] = Separator;
                at += Encoding.UTF8.GetBytes(record.ProtectedBsn ?? "", span[at..]);
                span[at++] = Separator;
                at += Encoding.UTF8.GetBytes(record.Categories, span[at..]);
                span[at++] = Separator;
                at += Encoding.UTF8.GetBytes(Enum.GetName(record.Confidentiality) ?? record.Confidentiality.ToString(), span[at..]);
            }
            span[at++] = RecordMark;
            at += Encoding.UTF8.GetBytes(previous, span[at..]);
            Span<byte> hash = stackalloc byte[SHA256.HashSizeInBytes];
            var sha256 = t_sha256 ??= IncrementalHash.CreateHash(HashAlgorithmName.SHA256);
            sha256.AppendData(span[..at]);
            sha256.GetHashAndReset(hash);
            return Convert.ToHexStringLower(hash);
        }
        finally
        {
            System.Buffers.ArrayPool<byte>.Shared.Return(rented);
        }
    }

    /// <summary>
    /// The action's fields as both forms hash them, in their order: id, name, time (to the tick, with a T), organisation id
    /// and key, role, application, user (empty for none), purpose, legal ground.
    /// </summary>
    private static string[] ActionFields(ProcessingRecord record) =>
    [
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
    ];

    /// <summary>Leads each record in an action's hash (<see cref="ActionHash"/>).</summary>
    private const byte RecordMark = 0x1e;

    private static int Number(Span<byte> destination, long value)
    {
        if (!Utf8Formatter.TryFormat(value, destination, out var written)) throw new InvalidOperationException("The hash buffer is too small.");
        return written;
    }

    private static int Copy(Span<byte> destination, byte[] source)
    {
        source.CopyTo(destination);
        return source.Length;
    }
}
