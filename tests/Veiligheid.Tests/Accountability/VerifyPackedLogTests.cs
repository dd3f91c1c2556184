using System.Text.Json;
using Microsoft.Data.Sqlite;
using Microsoft.EntityFrameworkCore;
using Veiligheid.Accountability;
using Veiligheid.Data;
using Veiligheid.Tests.Infrastructure;

namespace Veiligheid.Tests.Accountability;

/// <summary>
/// verify-log on edits of the packed form (<see cref="PackedRecords"/>), as the log's own writer writes it (the hub's form
/// since the migration PackedRecords, 1 Dec 2026): a request's records as a JSON array in its action's row, hashed with the action (one hash for all).
/// The logs are those of <see cref="LogAsync(string, int[])"/>: two actions, of records 1 to 3 (persons 1, 2 and 3) and
/// of records 4 and 5 (persons 1 and 2), unless a test says otherwise.
/// </summary>
public sealed partial class VerifyLogTests
{
    /// <summary>
    /// An element's field changed in the action's row, the text still as the hub writes it (so only the hash can tell): the
    /// action is found changed at its first record, in the first action and in the last (which no later action follows).
    /// </summary>
    [Theory]
    [InlineData(1, "categories")]
    [InlineData(1, "person")]
    [InlineData(4, "bsn")]
    [InlineData(4, "confidentiality")]
    [InlineData(4, "person")]
    public async Task A_packed_records_field_changed_without_its_actions_hash_breaks_the_action(long action, string field)
    {
        var (path, records) = await LogAsync("packed-changed.db", 3, 2);
        var elements = Copies(records.Where(r => r.Sequence >= action).Take(action == 1 ? 3 : 2));
        var victim = elements[1];
        switch (field)
        {
            case "categories": victim.Categories = "Adres"; break;
            case "person": victim.PersonId = 13; break;
            case "bsn": victim.ProtectedBsn = new string('e', 64); break;
            default: victim.Confidentiality = ProcessingConfidentiality.Vertrouwelijk; break;
        }
        SetRecords(path, action, PackedRecords.Write(elements));
        Assert.Null(PackedRecords.Problem(action, StoredRecords(path, action))); // the hub's own text: only the hash tells

        var result = await VerifyAsync(path);
        Assert.Equal(AccountabilityCommands.ExitBroken, result.Exit);
        Assert.Contains($"BROKEN at record {action}: records {action} to {action + elements.Count - 1} (one action, chained as one) were changed after they were written",
            result.Error, StringComparison.Ordinal);
        Assert.EndsWith($"{action - 1} records before it verified." + Environment.NewLine, result.Error, StringComparison.Ordinal);
    }

    /// <summary>
    /// An element removed from an action or one added to it: the action's hash covers how many records it has. For the
    /// first action the next action's key also no longer follows (a gap, or records held twice), but the action itself is
    /// what changed, and is reported first; the last action has nothing after it to show it.
    /// </summary>
    [Theory]
    [InlineData(1, -1, "records 1 to 2")]
    [InlineData(4, -1, "records 4 to 4")]
    [InlineData(1, +1, "records 1 to 4")]
    [InlineData(4, +1, "records 4 to 6")]
    public async Task A_packed_record_removed_or_added_breaks_its_action(long action, int change, string changed)
    {
        var (path, records) = await LogAsync("packed-count.db", 3, 2);
        var elements = Copies(records.Where(r => r.Sequence >= action).Take(action == 1 ? 3 : 2));
        if (change < 0) elements.RemoveAt(1);
        else elements.Add(Copies([records[2]])[0]); // person 3 once more
        SetRecords(path, action, PackedRecords.Write(elements));

        var result = await VerifyAsync(path);
        Assert.Equal(AccountabilityCommands.ExitBroken, result.Exit);
        Assert.Contains($"BROKEN at record {action}: {changed} (one action, chained as one) were changed after they were written", result.Error, StringComparison.Ordinal);
    }

    /// <summary>
    /// The records' text edited into another than the hub writes, the values read from it the same (or, for 1.0, equal in
    /// value): their hash verifies, but the look-ups compare what SQL reads from the text, so verify-log accepts the hub's
    /// text only (<see cref="PackedRecords.Problem"/>).
    /// </summary>
    [Theory]
    [InlineData("],[", "], [", "stores its records in another text than the hub writes for them")]
    [InlineData("[[1,", "[ [1,", "stores its records in another text than the hub writes for them")]
    [InlineData("\"Identiteit\"", "\"\\u0049dentiteit\"", "stores its records in another text than the hub writes for them")]
    [InlineData("[[1,", "[[1.0,", "stores its records as something else than the hub writes: the records are not a JSON array of [personId, protectedBsn, categories, confidentiality]: a person id that is neither an integer nor null")]
    [InlineData("[[1,", "[[1e0,", "stores its records as something else than the hub writes: the records are not a JSON array of [personId, protectedBsn, categories, confidentiality]: a person id that is neither an integer nor null")]
    public async Task Packed_records_in_another_text_than_the_hubs_fail_though_their_values_verify(string from, string to, string problem)
    {
        var (path, _) = await LogAsync("packed-text.db", 3, 2);
        var stored = StoredRecords(path, 1);
        Assert.Contains(from, stored, StringComparison.Ordinal);
        var edited = stored.Replace(from, to, StringComparison.Ordinal);
        // The same JSON as values: the hash covers the values, so it would hold.
        using (JsonDocument before = JsonDocument.Parse(stored), after = JsonDocument.Parse(edited))
            Assert.True(JsonElement.DeepEquals(before.RootElement, after.RootElement), edited);
        SetRecords(path, 1, edited);

        var result = await VerifyAsync(path);
        Assert.Equal(AccountabilityCommands.ExitBroken, result.Exit);
        Assert.Contains($"BROKEN at record 1: action 1 {problem}", result.Error, StringComparison.Ordinal);
        Assert.EndsWith("0 records before it verified." + Environment.NewLine, result.Error, StringComparison.Ordinal);
    }

    /// <summary>
    /// Why only the hub's text: a person id edited to a string reads as the same number to a reader that converts it, but
    /// SQL compares it as text, and the look-ups by that person leave the record out.
    /// </summary>
    [Fact]
    public async Task A_person_id_stored_as_a_string_in_packed_records_fails_since_the_look_ups_leave_it_out()
    {
        var (path, _) = await LogAsync("packed-string.db", 3, 2);
        Assert.Equal([1L, 4L], await AboutPersonAsync(path, 1));

        SetRecords(path, 4, StoredRecords(path, 4).Replace("[[1,", "[[\"1\",", StringComparison.Ordinal));
        Assert.Equal([1L], await AboutPersonAsync(path, 1));

        var result = await VerifyAsync(path);
        Assert.Equal(AccountabilityCommands.ExitBroken, result.Exit);
        Assert.Contains("BROKEN at record 4: action 4 stores its records as something else than the hub writes", result.Error, StringComparison.Ordinal);
        Assert.Contains("a person id that is neither an integer nor null", result.Error, StringComparison.Ordinal);
    }

    /// <summary>
    /// Records that are no array of the hub's elements: reported as such, not as a log that cannot be read (the view's
    /// json_each fails on some of them, and a reader of the records throws).
    /// </summary>
    [Theory]
    [InlineData("[[1,\"a", "text that is not JSON")]
    [InlineData("[[1,\"a\",\"Identiteit\",\"Normaal\"]]x", "text that is not JSON")]
    [InlineData("{\"1\":[1,null,\"Identiteit\",\"Normaal\"]}", "StartObject where StartArray belongs")]
    [InlineData("null", "Null where StartArray belongs")]
    [InlineData("[1,2,3]", "an element that is not an array")]
    [InlineData("[[1,null,\"Identiteit\"]]", "a confidentiality that is not one of Normaal and Vertrouwelijk")]
    [InlineData("[[1,null,\"Identiteit\",\"Normaal\",5]]", "Number where EndArray belongs")]
    [InlineData("[[1,null,\"Identiteit\",\"Geheim\"]]", "a confidentiality that is not one of Normaal and Vertrouwelijk")]
    [InlineData("[[1,null,\"Identiteit\",\"normaal\"]]", "a confidentiality that is not one of Normaal and Vertrouwelijk")]
    [InlineData("[[1,2,\"Identiteit\",\"Normaal\"]]", "a protected BSN that is neither a string nor null")]
    [InlineData("[[1,null,3,\"Normaal\"]]", "categories that are not a string")]
    [InlineData("[[99999999999,null,\"Identiteit\",\"Normaal\"]]", "a person id that is neither an integer nor null")]
    [InlineData("[[1,null,\"\\ud800\",\"Normaal\"]]", "a string that is not UTF-16 text")]
    [InlineData("[[1,\"\\udc00\",\"Identiteit\",\"Normaal\"]]", "a string that is not UTF-16 text")]
    public async Task Packed_records_that_are_not_the_hubs_array_fail_as_such(string records, string problem)
    {
        var (path, _) = await LogAsync("packed-malformed.db", 3, 2);
        SetRecords(path, 4, records);

        var result = await VerifyAsync(path);
        Assert.Equal(AccountabilityCommands.ExitBroken, result.Exit);
        Assert.DoesNotContain("cannot be read", result.Error, StringComparison.Ordinal);
        Assert.Contains("BROKEN at record 4: action 4 stores its records as something else than the hub writes: the records are not a JSON array of [personId, protectedBsn, categories, confidentiality]: ",
            result.Error, StringComparison.Ordinal);
        Assert.Contains(problem, result.Error, StringComparison.Ordinal);
        Assert.EndsWith("3 records before it verified." + Environment.NewLine, result.Error, StringComparison.Ordinal);
    }

    /// <summary>
    /// The records' text stored as a blob: read as text by the walk, the same text, so the chain verifies; but SQLite's
    /// json_each reads a blob as its binary JSON, so the view would not read them as the hub wrote them.
    /// </summary>
    [Fact]
    public async Task Packed_records_stored_as_a_blob_fail_though_their_hash_verifies()
    {
        var (path, _) = await LogAsync("packed-blob.db", 3, 2);
        Tamper(path, "UPDATE \"ProcessingActions\" SET \"Records\" = CAST(\"Records\" AS BLOB) WHERE \"Id\" = 4;");
        await using (var db = DatabaseSetup.OpenSqliteFileAlone(SqliteLogFile.PathFor(path)))
            Assert.True((await ProcessingLog.VerifyAsync(db, CancellationToken.None)).IsIntact);

        var result = await VerifyAsync(path);
        Assert.Equal(AccountabilityCommands.ExitBroken, result.Exit);
        Assert.Contains($"the row 4 of ProcessingActions in the log's file {SqliteLogFile.PathFor(path)} has Records stored as blob, where the hub stores text", result.Error, StringComparison.Ordinal);
    }

    /// <summary>An action whose records are an empty array: the hub makes an action for at least one record.</summary>
    [Theory]
    [InlineData(1)]
    [InlineData(4)]
    public async Task An_action_packing_an_empty_array_of_records_fails(long action)
    {
        var (path, _) = await LogAsync("packed-empty.db", 3, 2);
        SetRecords(path, action, "[]");

        var result = await VerifyAsync(path);
        Assert.Equal(AccountabilityCommands.ExitBroken, result.Exit);
        Assert.Contains($"BROKEN at record {action}: action {action} stores an empty array of records (the hub makes an action for at least one)", result.Error, StringComparison.Ordinal);
    }

    /// <summary>A packed action's hash cleared: the hub always writes one for the records it packs.</summary>
    [Theory]
    [InlineData(1)]
    [InlineData(4)]
    public async Task A_packed_action_without_its_hash_fails(long action)
    {
        var (path, _) = await LogAsync("packed-unhashed.db", 3, 2);
        Tamper(path, $"UPDATE \"ProcessingActions\" SET \"Hash\" = NULL WHERE \"Id\" = {action};");

        var result = await VerifyAsync(path);
        Assert.Equal(AccountabilityCommands.ExitBroken, result.Exit);
        Assert.Contains($"BROKEN at record {action}: action {action} packs its records but holds no hash, which the hub always writes for them", result.Error, StringComparison.Ordinal);
    }

    /// <summary>
    /// A value the hub leaves NULL stored empty in the packed form (a protected BSN in an element, the action's user): both
    /// hash a missing value and an empty one alike, so the hash holds; and '' is the hub's own text for an empty string.
    /// </summary>
    [Theory]
    [InlineData("bsn", "BROKEN at record 3: record 3 stores an empty ProtectedBsn")]
    [InlineData("user", "BROKEN at record 2: action 2 stores an empty UserId")]
    public async Task An_empty_value_in_packed_records_fails_since_a_hash_cannot_tell_it_from_null(string field, string problem)
    {
        // A record hashed on its own, then an action packing two records; no user (a partner system's request), and the
        // second record without a BSN.
        var path = _directory.File("packed-emptied.db");
        var request = new List<ProcessingRecord>
        {
            ChainedRecords.After(0, ProcessingLog.GenesisHash, personId: 2, protectedBsn: new string('b', 64)),
            ChainedRecords.After(0, ProcessingLog.GenesisHash, personId: 3),
        };
        (request[1].ActionId, request[1].OccurredAt) = (request[0].ActionId, request[0].OccurredAt);
        await using (var db = DatabaseSetup.OpenSqlite(path))
        {
            await db.MigrateAsync();
            using var writer = SqliteLogWriter.For(db)!;
            writer.Write((s, p) => ChainedRecords.Rows(ChainedRecords.After(s + 1, p, personId: 1)));
            writer.Write((s, p) => ProcessingLog.Chain([request], s, p));
        }
        SqliteConnection.ClearAllPools();
        Assert.Equal(AccountabilityCommands.ExitOk, (await VerifyAsync(path)).Exit);

        if (field == "bsn")
        {
            var elements = Copies(request);
            elements[1].ProtectedBsn = "";
            SetRecords(path, 2, PackedRecords.Write(elements));
            Assert.Null(PackedRecords.Problem(2, StoredRecords(path, 2)));
        }
        else
        {
            Tamper(path, "UPDATE \"ProcessingActions\" SET \"UserId\" = '' WHERE \"Id\" = 2;");
        }
        var result = await VerifyAsync(path);
        Assert.Equal(AccountabilityCommands.ExitBroken, result.Exit);
        Assert.Contains(problem, result.Error, StringComparison.Ordinal);
    }

    /// <summary>
    /// Records packed into an action of the earlier form, which has them as person rows: the view then reads each record
    /// twice (its person row, and its element), and the look-ups find it twice. The hub writes an action's records one way.
    /// </summary>
    [Fact]
    public async Task Person_rows_naming_an_action_whose_records_are_packed_fail()
    {
        var (path, records) = await LogAsync("packed-twice.db", personRows: true, 3, 2);
        await AppendAsync(path, [ChainedRecords.After(0, ProcessingLog.GenesisHash, personId: 1, protectedBsn: new string('a', 64))]);
        Assert.Equal(AccountabilityCommands.ExitOk, (await VerifyAsync(path)).Exit);

        // The earlier action's own records, in the hub's text and under its hash: only the form is wrong.
        SetRecords(path, 4, PackedRecords.Write(Copies(records.Skip(3))));
        await using (var db = DatabaseSetup.OpenSqlite(path))
            Assert.Equal([4L, 4L, 5L, 5L], await db.Set<ProcessingRecord>().Where(r => r.Sequence == 4 || r.Sequence == 5).OrderBy(r => r.Sequence).Select(r => r.Sequence).ToListAsync());

        var result = await VerifyAsync(path);
        Assert.Equal(AccountabilityCommands.ExitBroken, result.Exit);
        Assert.Contains("BROKEN at record 4: record 4 is a person row of action 4, whose records are packed into it; the hub writes an action's records one way", result.Error, StringComparison.Ordinal);
        Assert.EndsWith("3 records before it verified." + Environment.NewLine, result.Error, StringComparison.Ordinal);
    }

    /// <summary>
    /// A log of all three forms, as a hub upgraded twice holds it: records hashed each (ChainedRecords), actions chained as
    /// one with person rows (1 Dec 2026), then packed actions (the hub's form now). It verifies whole, across the forms;
    /// a change to a record of any form fails at it; and an action of an earlier form after a packed one is not what any
    /// hub wrote (it packs since it stopped writing person rows).
    /// </summary>
    [Fact]
    public async Task A_log_of_the_three_forms_verifies_and_a_change_to_any_fails()
    {
        var path = _directory.File("three-forms.db");
        await using (var db = DatabaseSetup.OpenSqlite(path))
        {
            await db.MigrateAsync();
            using var writer = SqliteLogWriter.For(db)!;
            writer.Write((s, p) => ChainedRecords.Rows(ChainedRecords.After(s + 1, p, personId: 1)));       // 1
            writer.Write((s, p) => ProcessingLog.Chain([ChainedRecords.Request(2, 3)], s, p, personRows: true));           // 2-3
            writer.Write((s, p) => ProcessingLog.Chain([ChainedRecords.Request(4, 5, 1), ChainedRecords.Request(2)], s, p));             // 4-6, 7
            Assert.Equal(3, await db.Set<ProcessingLogEntry>().CountAsync());
            Assert.Equal(2, await db.Set<ProcessingAction>().CountAsync(a => a.Records != null));
        }
        SqliteConnection.ClearAllPools();
        var intact = await VerifyAsync(path);
        Assert.Equal(AccountabilityCommands.ExitOk, intact.Exit);
        Assert.Contains("7 records verified", intact.Output, StringComparison.Ordinal);
        var head = intact.Output.Split("Head: ")[1].Split(' ')[0];
        Assert.StartsWith("7:", head, StringComparison.Ordinal);
        Assert.Equal(AccountabilityCommands.ExitOk, (await VerifyAsync(path, "--expect", head)).Exit);
        // The look-ups find each person's records of every form.
        Assert.Equal([1L, 6L], await AboutPersonAsync(path, 1));
        Assert.Equal([2L, 7L], await AboutPersonAsync(path, 2));

        // A change in each form, then put back.
        foreach (var (change, back, problem) in new[]
                 {
                     ("UPDATE \"ProcessingLog\" SET \"Categories\" = 'Adres' WHERE \"Sequence\" = 1;", "UPDATE \"ProcessingLog\" SET \"Categories\" = 'Identiteit' WHERE \"Sequence\" = 1;",
                         "BROKEN at record 1: record 1 was changed after it was written"),
                     ("UPDATE \"ProcessingLog\" SET \"Categories\" = 'Adres' WHERE \"Sequence\" = 3;", "UPDATE \"ProcessingLog\" SET \"Categories\" = 'Identiteit' WHERE \"Sequence\" = 3;",
                         "BROKEN at record 2: records 2 to 3 (one action, chained as one) were changed"),
                     ("UPDATE \"ProcessingActions\" SET \"Records\" = replace(\"Records\", 'Identiteit', 'Adres') WHERE \"Id\" = 4;",
                         "UPDATE \"ProcessingActions\" SET \"Records\" = replace(\"Records\", 'Adres', 'Identiteit') WHERE \"Id\" = 4;",
                         "BROKEN at record 4: records 4 to 6 (one action, chained as one) were changed"),
                 })
        {
            Tamper(path, change);
            var broken = await VerifyAsync(path);
            Assert.Equal(AccountabilityCommands.ExitBroken, broken.Exit);
            Assert.Contains(problem, broken.Error, StringComparison.Ordinal);
            Tamper(path, back);
            Assert.Equal(AccountabilityCommands.ExitOk, (await VerifyAsync(path, "--expect", head)).Exit);
        }

        // A person row written after the packed actions (chained on from their end): the walk reads the person rows first,
        // so the packed actions no longer follow them.
        await AppendAsync(path, [ChainedRecords.After(0, ProcessingLog.GenesisHash, personId: 3, protectedBsn: new string('d', 64))], personRows: true);
        var late = await VerifyAsync(path);
        Assert.Equal(AccountabilityCommands.ExitBroken, late.Exit);
        Assert.Contains("BROKEN at record 8: record 4 is missing (found 8 next)", late.Error, StringComparison.Ordinal);
    }

    /// <summary>Copies of these records with the fields a packed element holds, to edit and pack again.</summary>
    private static List<ProcessingRecord> Copies(IEnumerable<ProcessingRecord> records)
        => [.. records.Select(r =>
        {
            var copy = ChainedRecords.After(r.Sequence, r.PreviousHash, r.PersonId, r.ProtectedBsn);
            (copy.Categories, copy.Confidentiality) = (r.Categories, r.Confidentiality);
            return copy;
        })];

    /// <summary>Sets an action's stored records (<see cref="ProcessingAction.Records"/>) to this text, in the log's file alone.</summary>
    private static void SetRecords(string path, long action, string? records)
    {
        using var connection = new SqliteConnection($"Data Source={SqliteLogFile.PathFor(path)};Pooling=False;Foreign Keys=False");
        connection.Open();
        using var command = connection.CreateCommand();
        command.CommandText = "UPDATE \"ProcessingActions\" SET \"Records\" = $records WHERE \"Id\" = $id;";
        command.Parameters.AddWithValue("$records", (object?)records ?? DBNull.Value);
        command.Parameters.AddWithValue("$id", action);
        Assert.Equal(1, command.ExecuteNonQuery());
    }

    /// <summary>An action's stored records, as text.</summary>
    private static string StoredRecords(string path, long action)
        => ReadFile(SqliteLogFile.PathFor(path), $"SELECT \"Records\" FROM \"ProcessingActions\" WHERE \"Id\" = {action};");
}
