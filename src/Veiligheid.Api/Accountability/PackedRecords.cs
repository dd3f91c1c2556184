using System.Buffers;
using System.Globalization;
using System.Text;
using System.Text.Json;

namespace Veiligheid.Accountability;

/// <summary>
/// An action's records packed into its row (<see cref="ProcessingAction.Records"/>): the form the log is written in since
/// the migration PackedRecords (1 Dec 2026), one row a request instead of a person row per record. The one place that writes and reads it.
/// </summary>
/// <remarks>
/// A JSON array with one element per record, in sequence order from the action's id: <c>[personId, protectedBsn,
/// "categories", "confidentiality"]</c>, the id and the protected BSN null where the record has none, the confidentiality
/// by name as the person rows store it. The records' other fields are their action's, and their hash is the action's
/// (<see cref="RecordHasher.ActionHash"/>, which covers exactly these fields), so the form needs no hash of its own. The
/// view <c>ProcessingRecords</c> reads the elements as records (<c>json_each</c> on SQLite, <c>OPENJSON</c> on SQL Server).
/// <para>Why: a person row cost 2.3–2.7 µs to insert whatever it held, some 80 of them a request under the load test,
/// where one longer action row costs about what a short one did (BENCHMARKS.md, "Twentieth round").</para>
/// <para>Written in one canonical form (no white space, integers as digits, strings escaped as <see cref="Utf8JsonWriter"/>
/// escapes them), and verify-log accepts only that form (<see cref="Problem"/>): the hash covers the values read, but the
/// hub's queries compare what SQL reads from the text, so an element edited to <c>"13"</c> from <c>13</c> would keep its
/// hash and drop out of person 13's look-ups.</para>
/// </remarks>
public static class PackedRecords
{
    private static readonly JsonWriterOptions Canonical = new() { Indented = false, SkipValidation = false };

    /// <summary>The stored form of these records (one action's, in sequence order).</summary>
    public static string Write(IReadOnlyList<ProcessingRecord> records)
    {
        ArgumentNullException.ThrowIfNull(records);
        return Write(records.Select(PackedRecord.Of), records.Count);
    }

    /// <summary>
    /// The stored form of these records as UTF-8, appended to <paramref name="into"/>: the SQLite writer binds these bytes as
    /// the action's text, where the string of <see cref="Write(IReadOnlyList{ProcessingRecord})"/> cost its UTF-16 copy and
    /// the UTF-8 array the binding made of it again (together a sixth of what the hub allocated a request under the load
    /// test; BENCHMARKS.md, "Twenty-second round").
    /// </summary>
    internal static void WriteUtf8(IReadOnlyList<ProcessingRecord> records, IBufferWriter<byte> into)
    {
        ArgumentNullException.ThrowIfNull(records);
        ArgumentNullException.ThrowIfNull(into);
        using var writer = new Utf8JsonWriter(into, Canonical);
        writer.WriteStartArray();
        for (var r = 0; r < records.Count; r++) WriteElement(writer, PackedRecord.Of(records[r]));
        writer.WriteEndArray();
    }

    private static string Write(IEnumerable<PackedRecord> records, int count)
    {
        var buffer = new ArrayBufferWriter<byte>(count * 112);
        using (var writer = new Utf8JsonWriter(buffer, Canonical))
        {
            writer.WriteStartArray();
            foreach (var record in records) WriteElement(writer, record);
            writer.WriteEndArray();
        }
        return Encoding.UTF8.GetString(buffer.WrittenSpan);
    }

    private static void WriteElement(Utf8JsonWriter writer, PackedRecord record)
    {
        writer.WriteStartArray();
        if (record.PersonId is { } person) writer.WriteNumberValue(person);
        else writer.WriteNullValue();
        if (record.ProtectedBsn is { } bsn) writer.WriteStringValue(bsn);
        else writer.WriteNullValue();
        writer.WriteStringValue(record.Categories);
        writer.WriteStringValue(ConfidentialityName(record.Confidentiality));
        writer.WriteEndArray();
    }

    /// <summary>
    /// The records stored in <paramref name="json"/>, each as a <see cref="PackedRecord"/> with its place in the action; throws
    /// <see cref="FormatException"/> for anything that is not an array of elements of the form (<see cref="Problem"/> says
    /// whether it is also the canonical text).
    /// </summary>
    public static List<PackedRecord> Read(ReadOnlySpan<byte> json)
    {
        var records = new List<PackedRecord>();
        Parse(json, records, null);
        return records;
    }

    /// <summary>
    /// The subject of each record stored in <paramref name="json"/>, in order: its person id and its protected BSN's key
    /// (<see cref="ProcessingLogIndex.KeyOf(string)"/>), for the index's copiers. Throws <see cref="FormatException"/> where
    /// <see cref="Read(ReadOnlySpan{byte})"/> would.
    /// </summary>
    /// <remarks>
    /// Makes no string of a record (the key is read from the protected BSN's UTF-8 bytes): the indexer reads every record
    /// the hub writes, and the strings <see cref="Read(ReadOnlySpan{byte})"/> made of them were an eighth of all the hub
    /// allocated under the load test (BENCHMARKS.md, "Twenty-second round").
    /// </remarks>
    internal static void ReadSubjects(ReadOnlySpan<byte> json, List<(int? PersonId, long? BsnKey)> into)
    {
        ArgumentNullException.ThrowIfNull(into);
        Parse(json, null, into);
    }

    /// <summary>
    /// Reads the records of <paramref name="json"/> into <paramref name="records"/> (with their text) or their subjects into
    /// <paramref name="subjects"/> (without): one parser, so the two refuse the same texts.
    /// </summary>
    private static void Parse(ReadOnlySpan<byte> json, List<PackedRecord>? records, List<(int? PersonId, long? BsnKey)>? subjects)
    {
        var reader = new Utf8JsonReader(json);
        var index = 0;
        try
        {
            Expect(ref reader, JsonTokenType.StartArray);
            while (true)
            {
                Next(ref reader);
                if (reader.TokenType == JsonTokenType.EndArray) break;
                if (reader.TokenType != JsonTokenType.StartArray) throw Malformed("an element that is not an array");
                Next(ref reader);
                int? person = reader.TokenType switch
                {
                    JsonTokenType.Null => null,
                    JsonTokenType.Number when reader.TryGetInt32(out var id) => id,
                    _ => throw Malformed("a person id that is neither an integer nor null"),
                };
                Next(ref reader);
                string? bsn = null;
                long? bsnKey = null;
                switch (reader.TokenType)
                {
                    case JsonTokenType.Null: break;
                    // An escaped value is made a string, which refuses an escaped lone surrogate as Read does (the hub never
                    // escapes a protected BSN); otherwise the subjects' reader takes the key from the bytes.
                    case JsonTokenType.String when records is not null || reader.ValueIsEscaped:
                        bsn = reader.GetString();
                        bsnKey = ProcessingLogIndex.KeyOf(bsn);
                        break;
                    // Unescaped, the value is its bytes as stored, which the reader does not check are UTF-8 (GetString
                    // does, so Read refuses them): checked here, where no string is made.
                    case JsonTokenType.String:
                        bsnKey = ProcessingLogIndex.KeyOf(Utf8Text(reader.ValueSpan));
                        break;
                    default: throw Malformed("a protected BSN that is neither a string nor null");
                }
                Next(ref reader);
                if (reader.TokenType != JsonTokenType.String) throw Malformed("categories that are not a string");
                string? categories = null;
                if (records is not null || reader.ValueIsEscaped) categories = reader.GetString();
                else _ = Utf8Text(reader.ValueSpan); // refused as Read refuses it, though no string is made
                Next(ref reader);
                // Compared as unescaped text, as a string made of it would be: exactly one of the two names.
                var confidentiality =
                    reader.TokenType != JsonTokenType.String ? (ProcessingConfidentiality?)null
                    : reader.ValueTextEquals("Normaal"u8) ? ProcessingConfidentiality.Normaal
                    : reader.ValueTextEquals("Vertrouwelijk"u8) ? ProcessingConfidentiality.Vertrouwelijk
                    : null;
                if (confidentiality is null) throw Malformed("a confidentiality that is not one of Normaal and Vertrouwelijk");
                Expect(ref reader, JsonTokenType.EndArray);
                records?.Add(new PackedRecord(index, person, bsn, categories!, confidentiality.Value));
                subjects?.Add((person, bsnKey));
                index++;
            }
            if (reader.Read()) throw Malformed("text after the array");
        }
        catch (JsonException e)
        {
            throw Malformed($"text that is not JSON ({e.Message})");
        }
        catch (InvalidOperationException e)
        {
            // GetString of an escaped lone surrogate (\ud800): valid JSON, but no text.
            throw Malformed($"a string that is not UTF-16 text ({e.Message})");
        }
    }

    /// <inheritdoc cref="Read(ReadOnlySpan{byte})"/>
    public static List<PackedRecord> Read(string json)
    {
        ArgumentNullException.ThrowIfNull(json);
        return Read(Encoding.UTF8.GetBytes(json));
    }

    /// <summary>
    /// What is wrong with an action's stored records, or null: not an array of elements of the form, no element (an action
    /// is made for at least one record), or not the canonical text the hub writes (see the class's remarks).
    /// </summary>
    public static string? Problem(long actionId, string json)
    {
        ArgumentNullException.ThrowIfNull(json);
        List<PackedRecord> records;
        try
        {
            records = Read(json);
        }
        catch (FormatException e)
        {
            return string.Create(CultureInfo.InvariantCulture, $"action {actionId} stores its records as something else than the hub writes: {e.Message}");
        }
        if (records.Count == 0) return string.Create(CultureInfo.InvariantCulture, $"action {actionId} stores an empty array of records (the hub makes an action for at least one)");
        return string.Equals(Write(records, records.Count), json, StringComparison.Ordinal)
            ? null
            : string.Create(CultureInfo.InvariantCulture,
                $"action {actionId} stores its records in another text than the hub writes for them (the hash covers the values, but the hub's look-ups compare the text SQL reads from it, so it was edited)");
    }

    /// <summary>
    /// Whether <paramref name="records"/> (a T-SQL expression) is a JSON array, as SQL Server tells: the condition its
    /// writer's end (<see cref="LastSequenceSql"/>) and the look for a damaged action (<see cref="ProcessingLogDamage"/>) share.
    /// </summary>
    internal static string IsArrayTSql(string records) => $"ISJSON({records}) = 1 AND LEFT(LTRIM({records}), 1) = N'['";

    /// <summary>
    /// The sequence of the last record of a packed action, in SQL, for the row <paramref name="action"/> (with its
    /// <c>Id</c> and <c>Records</c>): its id plus its records less one. Records that are not a JSON array (only an edit
    /// makes that; verify-log reports it) count as one, so the writer chains on past the action instead of failing every
    /// request, as it does over any edited end of the log.
    /// </summary>
    internal static string LastSequenceSql(bool sqlServer, string action)
        => sqlServer
            ? $"{action}.[Id] + CASE WHEN {IsArrayTSql($"{action}.[Records]")} THEN (SELECT CASE WHEN COUNT_BIG(*) > 0 THEN COUNT_BIG(*) ELSE 1 END FROM OPENJSON({action}.[Records])) ELSE 1 END - 1"
            : $"{action}.\"Id\" + max(COALESCE(json_array_length(CASE WHEN json_valid({action}.\"Records\") THEN {action}.\"Records\" END), 1), 1) - 1";

    /// <summary>
    /// A statement reading the log's last sequence (0 when empty): the last person row's, or the last action's last record
    /// when its records are packed (the hub has packed them since it stopped writing person rows, so a packed action is
    /// never followed by person rows it wrote). One key read at the end of each table.
    /// </summary>
    /// <param name="log">The person rows' table as the statement names it (schema-qualified where it must be).</param>
    /// <param name="actions">The actions' table as the statement names it.</param>
    internal static string LogEndSql(bool sqlServer, string log, string actions)
        => sqlServer
            ? $"SELECT (SELECT MAX([e].[v]) FROM (VALUES (COALESCE((SELECT MAX([Sequence]) FROM {log}), 0)), " +
              $"(COALESCE((SELECT {LastSequenceSql(sqlServer, "[p]")} FROM (SELECT TOP (1) [Id], [Records] FROM {actions} ORDER BY [Id] DESC) AS [p] WHERE [p].[Records] IS NOT NULL), 0))) AS [e]([v]))"
            : $"SELECT max(COALESCE((SELECT max(\"Sequence\") FROM {log}), 0), " +
              $"COALESCE((SELECT {LastSequenceSql(sqlServer, "\"p\"")} FROM (SELECT \"Id\", \"Records\" FROM {actions} ORDER BY \"Id\" DESC LIMIT 1) AS \"p\" WHERE \"p\".\"Records\" IS NOT NULL), 0))";

    private static string ConfidentialityName(ProcessingConfidentiality confidentiality)
        => confidentiality switch
        {
            ProcessingConfidentiality.Normaal => nameof(ProcessingConfidentiality.Normaal),
            ProcessingConfidentiality.Vertrouwelijk => nameof(ProcessingConfidentiality.Vertrouwelijk),
            _ => throw new ArgumentOutOfRangeException(nameof(confidentiality)),
        };

    /// <summary>
    /// An unescaped string's bytes, refused where they are not UTF-8 as <see cref="Utf8JsonReader.GetString"/> refuses them
    /// (<see cref="Utf8JsonReader"/> reads such bytes in a string without a word): the subjects' reader makes no string of
    /// them, and must refuse what <see cref="Read(ReadOnlySpan{byte})"/> does.
    /// </summary>
    private static ReadOnlySpan<byte> Utf8Text(ReadOnlySpan<byte> value)
        => System.Text.Unicode.Utf8.IsValid(value) ? value : throw Malformed("a string that is not UTF-8 text");

    private static void Next(ref Utf8JsonReader reader)
    {
        if (!reader.Read()) throw Malformed("an array that ends early");
    }

    private static void Expect(ref Utf8JsonReader reader, JsonTokenType token)
    {
        Next(ref reader);
        if (reader.TokenType != token) throw Malformed($"{reader.TokenType} where {token} belongs");
    }

    private static FormatException Malformed(string what) => new($"the records are not a JSON array of [personId, protectedBsn, categories, confidentiality]: {what}");
}

/// <summary>One record of an action's packed records: its place in the action (its sequence is the action's id plus it) and its own fields.</summary>
public readonly record struct PackedRecord(int Index, int? PersonId, string? ProtectedBsn, string Categories, ProcessingConfidentiality Confidentiality)
{
    /// <summary>The record's sequence in an action with this id.</summary>
    public long SequenceIn(long actionId) => actionId + Index;

    /// <summary>The packed fields of a record (its place in the action left 0: the writer packs them in order).</summary>
    internal static PackedRecord Of(ProcessingRecord record) => new(0, record.PersonId, record.ProtectedBsn, record.Categories, record.Confidentiality);
}
