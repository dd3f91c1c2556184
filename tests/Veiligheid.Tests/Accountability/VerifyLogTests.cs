using System.Collections.Concurrent;
using System.Security.Cryptography;
using Microsoft.AspNetCore.Hosting;
using Microsoft.Data.Sqlite;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Microsoft.SqlServer.TransactSql.ScriptDom;
using Veiligheid.Accountability;
using Veiligheid.Data;
using Veiligheid.Tests.Infrastructure;

namespace Veiligheid.Tests.Accountability;

/// <summary>
/// verify-log on a log whose stored rows were edited: rows that disagree with the chain, an end removed (seen against a
/// kept head, or through the index by data subject), a chain written again; and a log whose index cannot be read. The log
/// is written by the log's own writer (<see cref="SqliteLogWriter"/>, as the hub writes it): in the hub's form, a request's
/// records packed into its action (<see cref="PackedRecords"/>), or where a test says so in the earlier form, a person row
/// per record (<c>personRows</c>), which logs written before the migration PackedRecords (1 Dec 2026) hold and the hub still reads and verifies.
/// </summary>
public sealed partial class VerifyLogTests : IDisposable
{
    private readonly TestDirectory _directory = new();

    public void Dispose() => _directory.Dispose();

    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public async Task A_whole_log_prints_its_head_and_a_later_check_against_that_head_passes(bool personRows)
    {
        var (path, records) = await LogAsync("whole.db", personRows, 3, 2);

        var first = await VerifyAsync(path);
        Assert.Equal(AccountabilityCommands.ExitOk, first.Exit);
        Assert.Contains("5 records verified", first.Output, StringComparison.Ordinal);
        var head = $"5:{records[^1].Hash}";
        Assert.Contains($"Head: {head} ", first.Output, StringComparison.Ordinal);

        var second = await VerifyAsync(path, "--expect", head, "--expect", $"2:{records[1].Hash.ToUpperInvariant()}");
        Assert.Equal(AccountabilityCommands.ExitOk, second.Exit);
        Assert.Equal(AccountabilityCommands.ExitUsage, (await VerifyAsync(path, "--expect", "5:not-a-hash")).Exit);
    }

    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public async Task Records_removed_from_the_end_fail_against_a_kept_head(bool personRows)
    {
        var (path, records) = await LogAsync("truncated.db", personRows, 3, 2, 2);
        var head = $"7:{records[^1].Hash}";

        // The last request's records and its action go (packed, the action's row is all of them; in the earlier form its
        // person rows go with it): what is left is a whole chain of 5.
        Tamper(path, "DELETE FROM \"ProcessingLog\" WHERE \"Sequence\" >= 6; DELETE FROM \"ProcessingActions\" WHERE \"Id\" = 6;");
        Assert.Equal(AccountabilityCommands.ExitOk, (await VerifyAsync(path)).Exit); // a hash chain alone cannot tell
        var truncated = await VerifyAsync(path, "--expect", head);
        Assert.Equal(AccountabilityCommands.ExitBroken, truncated.Exit);
        Assert.Contains("BROKEN at record 6: the log ends at record 5, but a kept head names record 7", truncated.Error, StringComparison.Ordinal);

        // Every record gone.
        Tamper(path, "DELETE FROM \"ProcessingLog\"; DELETE FROM \"ProcessingActions\";");
        Assert.Equal(AccountabilityCommands.ExitOk, (await VerifyAsync(path)).Exit);
        var empty = await VerifyAsync(path, "--expect", head);
        Assert.Equal(AccountabilityCommands.ExitBroken, empty.Exit);
        Assert.Contains("BROKEN at record 1: the log ends at record 0", empty.Error, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public async Task A_last_record_changed_and_hashed_again_fails_against_a_kept_head(bool personRows)
    {
        var (path, records) = await LogAsync("rehashed.db", personRows, 3, 2);
        var head = $"5:{records[^1].Hash}";

        // Nothing comes after the last action to show the change: its new hash is as good as the old. Packed, the action's
        // records are written again in the hub's own text, so only the kept head can tell.
        var last = records[^1];
        last.Categories = "Adres";
        var rehashed = RecordHasher.ActionHash([records[3], last], records[2].Hash);
        Tamper(path, personRows
            ? $"UPDATE \"ProcessingLog\" SET \"Categories\" = 'Adres' WHERE \"Sequence\" = 5; UPDATE \"ProcessingActions\" SET \"Hash\" = '{rehashed}' WHERE \"Id\" = 4;"
            : $"UPDATE \"ProcessingActions\" SET \"Records\" = '{PackedRecords.Write([records[3], last])}', \"Hash\" = '{rehashed}' WHERE \"Id\" = 4;");
        Assert.Equal(AccountabilityCommands.ExitOk, (await VerifyAsync(path)).Exit);

        var result = await VerifyAsync(path, "--expect", head);
        Assert.Equal(AccountabilityCommands.ExitBroken, result.Exit);
        Assert.Contains($"BROKEN at record 5: record 5 has the hash {rehashed}, not the kept head's {records[^1].Hash}", result.Error, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Person_rows_whose_action_is_gone_break_the_log()
    {
        // The earlier form: a packed action's records go with its row (Records_removed_from_the_end_fail_against_a_kept_head).
        var (path, _) = await LogAsync("actionless.db", personRows: true, 3, 2);

        // Only possible with the foreign key check off: the view's inner join then drops records 4 and 5.
        Tamper(path, "DELETE FROM \"ProcessingActions\" WHERE \"Id\" = 4;");

        var result = await VerifyAsync(path);
        Assert.Equal(AccountabilityCommands.ExitBroken, result.Exit);
        Assert.Contains("BROKEN at record 4: record 4 has no action: action 4, which it names, is missing", result.Error, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("DELETE FROM \"ProcessingActions\" WHERE \"Id\" = 5;")]
    [InlineData("UPDATE \"ProcessingLog\" SET \"ActionKey\" = 1 WHERE \"Sequence\" = 5;")]
    public async Task A_changed_action_is_found_at_its_first_record_before_a_row_out_of_place_after_it(string after)
    {
        // Three requests of two records, each an action chained as one; the second's records changed, then a row after
        // them put out of place. The walk checks an action's records together once it has read them all, and must do so
        // before it judges the row after them: else the log read as broken only at record 5, with records 3 and 4
        // neither counted as verified nor named.
        // The earlier form: a row out of place after an action is a person row (packed, each action is read whole).
        var (path, _) = await LogAsync("twice.db", personRows: true, 2, 2, 2);
        Tamper(path, "UPDATE \"ProcessingLog\" SET \"Categories\" = 'Adres' WHERE \"Sequence\" = 3;");
        Tamper(path, after);

        var result = await VerifyAsync(path);
        Assert.Equal(AccountabilityCommands.ExitBroken, result.Exit);
        Assert.Contains("BROKEN at record 3: records 3 to 4 (one action, chained as one) were changed", result.Error, StringComparison.Ordinal);
        Assert.EndsWith("2 records before it verified." + Environment.NewLine, result.Error, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData(true, "DELETE FROM \"ProcessingLog\" WHERE \"Sequence\" = 5;", "BROKEN at record 6: record 5 is missing (found 6 next). 4 records before it verified.")]
    [InlineData(false, "DELETE FROM \"ProcessingActions\" WHERE \"Id\" = 3;", "BROKEN at record 3: record 3 is missing (found 5 next). 2 records before it verified.")]
    public async Task The_records_of_an_intact_action_before_a_gap_count_as_verified(bool personRows, string tampering, string problem)
    {
        // A person row removed from the earlier form; packed, the middle action's row (its two records).
        var (path, _) = await LogAsync("gap.db", personRows, 2, 2, 2);
        Tamper(path, tampering);

        var result = await VerifyAsync(path);
        Assert.Equal(AccountabilityCommands.ExitBroken, result.Exit);
        Assert.Contains(problem, result.Error, StringComparison.Ordinal);
    }

    [Fact]
    public async Task An_action_without_records_breaks_the_log()
    {
        var (path, _) = await LogAsync("orphan.db", 3, 2);

        // An action at the next sequence: every later write would fail on its key, while the chain itself is whole.
        Tamper(path, """
            INSERT INTO "ProcessingActions" ("Id", "ActionId", "ActionName", "OccurredAt", "OrganisationId", "OrganisationKey", "Role", "ApplicationId", "UserId", "Purpose", "LegalGround", "RetentionYears")
            SELECT 6, "ActionId", "ActionName", "OccurredAt", "OrganisationId", "OrganisationKey", "Role", "ApplicationId", "UserId", "Purpose", "LegalGround", "RetentionYears" FROM "ProcessingActions" WHERE "Id" = 4;
            """);

        var result = await VerifyAsync(path);
        Assert.Equal(AccountabilityCommands.ExitBroken, result.Exit);
        Assert.Contains("BROKEN at record 6: action 6 has no records", result.Error, StringComparison.Ordinal);
    }

    [Fact]
    public async Task An_action_keyed_by_another_sequence_than_its_first_records_breaks_the_log()
    {
        // The earlier form: its person rows name the action (a packed action rekeyed is a gap, as above).
        var (path, _) = await LogAsync("rekeyed.db", personRows: true, 3, 2);

        Tamper(path, "UPDATE \"ProcessingActions\" SET \"Id\" = 5 WHERE \"Id\" = 4; UPDATE \"ProcessingLog\" SET \"ActionKey\" = 5 WHERE \"ActionKey\" = 4;");

        var result = await VerifyAsync(path);
        Assert.Equal(AccountabilityCommands.ExitBroken, result.Exit);
        Assert.Contains("BROKEN at record 4: record 4 names action 5, which neither begins at it nor is the action of the record before it", result.Error, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public async Task Index_rows_above_the_logs_end_show_records_removed_from_it(bool personRows)
    {
        var (path, _) = await LogAsync("indexed.db", personRows, 3, 2);
        Assert.Equal(5, await IndexAsync(path)); // the indexer's copy

        Tamper(path, "DELETE FROM \"ProcessingLog\" WHERE \"Sequence\" >= 4; DELETE FROM \"ProcessingActions\" WHERE \"Id\" = 4;");
        var truncated = await VerifyAsync(path);
        Assert.Equal(AccountabilityCommands.ExitBroken, truncated.Exit);
        Assert.Contains("BROKEN at record 4: the log ends at record 3, but its index by data subject names records up to 5", truncated.Error, StringComparison.Ordinal);

        Tamper(path, "DELETE FROM \"ProcessingLog\"; DELETE FROM \"ProcessingActions\";");
        var emptied = await VerifyAsync(path);
        Assert.Equal(AccountabilityCommands.ExitBroken, emptied.Exit);
        Assert.Contains("BROKEN at record 1: the log ends at record 0", emptied.Error, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_log_of_records_hashed_each_then_of_actions_hashed_as_one_verifies_and_a_change_to_either_fails()
    {
        // Records an earlier version wrote (each with its own hash, ChainedRecords), then the version of 1 Dec 2026 (one
        // hash per action, held by the action, and a person row per record): the person rows are what is edited here (the
        // three forms together: A_log_of_the_three_forms_verifies_and_a_change_to_any_fails).
        var path = _directory.File("forms.db");
        await using (var db = DatabaseSetup.OpenSqlite(path))
        {
            await db.MigrateAsync();
            using var writer = SqliteLogWriter.For(db)!;
            writer.Write((s, p) => ChainedRecords.Rows(ChainedRecords.After(s + 1, p, personId: 1)));
            writer.Write((s, p) => ChainedRecords.Rows(ChainedRecords.After(s + 1, p, personId: 2)));
            var request = new List<ProcessingRecord> { ChainedRecords.After(0, ProcessingLog.GenesisHash, personId: 3), ChainedRecords.After(0, ProcessingLog.GenesisHash, personId: 4) };
            (request[1].ActionId, request[1].OccurredAt) = (request[0].ActionId, request[0].OccurredAt);
            writer.Write((s, p) => ProcessingLog.Chain([request], s, p, personRows: true));
            Assert.All(await db.Set<ProcessingLogEntry>().Where(e => e.Sequence > 2).ToListAsync(), e => Assert.Equal("", e.Hash));
            Assert.Equal(request[1].Hash, (await db.Set<ProcessingAction>().SingleAsync(a => a.Id == 3)).Hash);
            // Every record reads the hash that covers it: its own, or its action's.
            Assert.Equal(request[1].Hash, (await db.Set<ProcessingRecord>().SingleAsync(r => r.Sequence == 4)).Hash);
        }
        SqliteConnection.ClearAllPools();
        var intact = await VerifyAsync(path);
        Assert.Equal(AccountabilityCommands.ExitOk, intact.Exit);
        Assert.Contains("4 records verified", intact.Output, StringComparison.Ordinal);
        var head = intact.Output.Split("Head: ")[1].Split(' ')[0];
        Assert.Equal(AccountabilityCommands.ExitOk, (await VerifyAsync(path, "--expect", head)).Exit);

        Tamper(path, "UPDATE \"ProcessingLog\" SET \"Categories\" = 'Zorg' WHERE \"Sequence\" = 4;");
        Assert.Contains("BROKEN at record 3: records 3 to 4 (one action, chained as one) were changed after they were written", (await VerifyAsync(path)).Error, StringComparison.Ordinal);
        Tamper(path, "UPDATE \"ProcessingLog\" SET \"Categories\" = 'Identiteit' WHERE \"Sequence\" = 4; UPDATE \"ProcessingLog\" SET \"PersonId\" = 9 WHERE \"Sequence\" = 2;");
        Assert.Contains("BROKEN at record 2: record 2 was changed after it was written", (await VerifyAsync(path)).Error, StringComparison.Ordinal);
        Tamper(path, "UPDATE \"ProcessingLog\" SET \"PersonId\" = 2 WHERE \"Sequence\" = 2;");
        Assert.Equal(AccountabilityCommands.ExitOk, (await VerifyAsync(path)).Exit);

        // A record of an action chained as one that carries a hash of its own is not what the writer makes.
        Tamper(path, $"UPDATE \"ProcessingLog\" SET \"Hash\" = '{new string('0', 64)}' WHERE \"Sequence\" = 3;");
        Assert.Contains("BROKEN at record 3: record 3 carries a hash of its own, but its action 3 is chained as one", (await VerifyAsync(path)).Error, StringComparison.Ordinal);
        Tamper(path, "UPDATE \"ProcessingLog\" SET \"Hash\" = '' WHERE \"Sequence\" = 3;");

        // The last record removed: the log's end is whole, but its last action's hash covers the records it had. Each
        // record hashed on its own showed this only against a kept head.
        Tamper(path, "DELETE FROM \"ProcessingLog\" WHERE \"Sequence\" = 4;");
        Assert.Contains("BROKEN at record 3: records 3 to 3 (one action, chained as one) were changed", (await VerifyAsync(path)).Error, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Records_of_actions_chained_as_one_verify_when_their_empty_hash_reads_back_padded_as_SQL_Servers_nchar_gives_it()
    {
        // The earlier form: the empty hash is a person row's (a packed record has no hash of its own to store).
        var (path, records) = await LogAsync("padded.db", personRows: true, 3, 2);

        // SQL Server stores the entries' empty hash in nchar(64) as 64 spaces and SqlClient reads it so; the view's and the
        // writer's NULLIF(Hash, N'') take it for empty (trailing spaces do not count in its comparisons). Every record the
        // hub wrote on SQL Server read as one carrying a hash of its own.
        await using (var padded = PaddedAsSqlServerReads(path))
        {
            Assert.All(await padded.Set<ProcessingLogEntry>().AsNoTracking().ToListAsync(), e => Assert.Equal(new string(' ', 64), e.Hash));
            var verification = await ProcessingLog.VerifyAsync(padded, CancellationToken.None);
            Assert.True(verification.IsIntact, verification.Problem);
            Assert.Equal(new ChainHead(5, records[^1].Hash), verification.Head);
        }

        // On SQLite a stored blank is no empty hash: the view gives it as the record's hash, so it is one of its own.
        Tamper(path, "UPDATE \"ProcessingLog\" SET \"Hash\" = ' ' WHERE \"Sequence\" = 2;");
        Assert.Contains("BROKEN at record 2: record 2 carries a hash of its own", (await VerifyAsync(path)).Error, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("UPDATE \"ProcessingLog\" SET \"ProtectedBsn\" = '' WHERE \"Sequence\" = 1;", "BROKEN at record 1: record 1 stores an empty ProtectedBsn")]
    [InlineData("UPDATE \"ProcessingActions\" SET \"UserId\" = '' WHERE \"Id\" = 1;", "BROKEN at record 1: action 1 stores an empty UserId")]
    [InlineData("UPDATE \"ProcessingActions\" SET \"UserId\" = '' WHERE \"Id\" = 2;", "BROKEN at record 2: action 2 stores an empty UserId")]
    [InlineData("UPDATE \"ProcessingLog\" SET \"ProtectedBsn\" = '' WHERE \"Sequence\" = 3;", "BROKEN at record 3: record 3 stores an empty ProtectedBsn")]
    public async Task An_empty_value_where_the_hub_stores_null_fails_since_a_hash_cannot_tell_them_apart(string tampering, string problem)
    {
        // A record hashed on its own, then an action chained as one with person rows (the form of 1 Dec 2026); no user (a
        // partner system's request) and no BSN. Both forms hash a missing value and an empty one alike, so the hash holds
        // with '' for NULL. (Packed: An_empty_value_in_packed_records_fails_since_a_hash_cannot_tell_it_from_null.)
        var path = _directory.File("emptied.db");
        await using (var db = DatabaseSetup.OpenSqlite(path))
        {
            await db.MigrateAsync();
            using var writer = SqliteLogWriter.For(db)!;
            writer.Write((s, p) => ChainedRecords.Rows(ChainedRecords.After(s + 1, p, personId: 1)));
            var request = new List<ProcessingRecord> { ChainedRecords.After(0, ProcessingLog.GenesisHash, personId: 2), ChainedRecords.After(0, ProcessingLog.GenesisHash, personId: 3) };
            (request[1].ActionId, request[1].OccurredAt) = (request[0].ActionId, request[0].OccurredAt);
            writer.Write((s, p) => ProcessingLog.Chain([request], s, p, personRows: true));
        }
        SqliteConnection.ClearAllPools();
        Assert.Equal(AccountabilityCommands.ExitOk, (await VerifyAsync(path)).Exit);

        Tamper(path, tampering);
        var result = await VerifyAsync(path);
        Assert.Equal(AccountabilityCommands.ExitBroken, result.Exit);
        Assert.Contains(problem, result.Error, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("UPDATE \"ProcessingActions\" SET \"OccurredAt\" = 'yesterday' WHERE \"Id\" = 4;", false)]
    [InlineData("UPDATE \"ProcessingActions\" SET \"ActionId\" = 'an action' WHERE \"Id\" = 4;", false)]
    [InlineData("UPDATE \"ProcessingActions\" SET \"OccurredAt\" = 'yesterday' WHERE \"Id\" = 4;", true)]
    [InlineData("UPDATE \"ProcessingActions\" SET \"ActionId\" = 'an action' WHERE \"Id\" = 4;", true)]
    [InlineData("UPDATE \"ProcessingLog\" SET \"Confidentiality\" = 'Geheim' WHERE \"Sequence\" = 5;", true)]
    [InlineData("UPDATE \"ProcessingLog\" SET \"PersonId\" = 99999999999 WHERE \"Sequence\" = 5;", true)]
    public async Task A_value_that_cannot_be_read_as_its_columns_type_fails_the_log_without_an_unhandled_error(string tampering, bool personRows)
    {
        // A person row's values in the earlier form (a packed record's are checked as text: Packed_records_in_another_text_than_the_hubs_fail).
        var (path, _) = await LogAsync("unreadable.db", personRows, 3, 2);
        Tamper(path, tampering);

        var result = await VerifyAsync(path);
        Assert.Equal(AccountabilityCommands.ExitBroken, result.Exit);
        Assert.Contains("The processing log cannot be read: a value in it is not of its column's type", result.Error, StringComparison.Ordinal);
    }

    /// <summary>A context on the log's file that reads each entry's hash as SqlClient reads an nchar(64): padded with spaces.</summary>
    private static SqliteVeiligheidDbContext PaddedAsSqlServerReads(string path)
    {
        var builder = new DbContextOptionsBuilder<SqliteVeiligheidDbContext>();
        builder.UseSqlite(new SqliteConnectionStringBuilder { DataSource = SqliteLogFile.PathFor(path), Mode = SqliteOpenMode.ReadOnly, Pooling = false }.ToString())
            .AddInterceptors(new FixedLengthHashReads());
        return new SqliteVeiligheidDbContext(builder.Options);
    }

    private sealed class FixedLengthHashReads : Microsoft.EntityFrameworkCore.Diagnostics.IMaterializationInterceptor
    {
        public object InitializedInstance(Microsoft.EntityFrameworkCore.Diagnostics.MaterializationInterceptionData materializationData, object entity)
        {
            if (entity is ProcessingLogEntry entry) entry.Hash = entry.Hash.PadRight(64);
            return entity;
        }
    }

    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public async Task An_index_naming_a_record_twice_or_under_a_subject_it_does_not_hold_fails(bool personRows)
    {
        var (path, _) = await LogAsync("twice.db", personRows, 3, 2);
        await IndexAsync(path);
        var index = SqliteLogFile.IndexPathFor(path);
        Assert.Equal(AccountabilityCommands.ExitOk, (await VerifyAsync(path)).Exit);

        // The runs: person 1's records 1 and 4, person 2's 2 and 5, person 3's record 3 alone (a run of one, no array).
        Assert.Equal(["1:[1,4]", "2:[2,5]", "3:"], RunsOf(index));

        // Record 3's run under a subject number the index's subjects do not have.
        TamperFile(index, "UPDATE \"ProcessingLogIndexRuns\" SET \"Subject\" = 999 WHERE \"First\" = 3;");
        var unheld = await VerifyAsync(path);
        Assert.Equal(AccountabilityCommands.ExitBroken, unheld.Exit);
        Assert.Contains("its index by data subject names records from 3 on under a subject it does not hold", unheld.Error, StringComparison.Ordinal);

        // Back, and then also in a second subject's run (record 1's, another person's).
        TamperFile(index, "UPDATE \"ProcessingLogIndexRuns\" SET \"Subject\" = (SELECT \"Id\" FROM \"ProcessingLogIndexSubjects\" WHERE \"PersonId\" = 3) WHERE \"First\" = 3;");
        Assert.Equal(AccountabilityCommands.ExitOk, (await VerifyAsync(path)).Exit);
        TamperFile(index, "UPDATE \"ProcessingLogIndexRuns\" SET \"Sequences\" = '[1,3,4]' WHERE \"First\" = 1;");
        var twice = await VerifyAsync(path);
        Assert.Equal(AccountabilityCommands.ExitBroken, twice.Exit);
        Assert.Contains("its index by data subject names record 3 more than once", twice.Error, StringComparison.Ordinal);
    }

    /// <summary>
    /// The comparison reads each form's records (<see cref="ProcessingLogIndex.DisagreementAsync"/>): the person rows of a
    /// window, and the packed records of the actions reaching into it (here the first action's three records span the
    /// first two windows of two).
    /// </summary>
    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public async Task Index_rows_missing_or_naming_another_person_fail_since_the_look_ups_leave_those_records_out(bool personRows)
    {
        var (path, records) = await LogAsync("misindexed.db", personRows, 3, 2);
        await IndexAsync(path);
        var subject = records[3].ProtectedBsn!; // record 4's, and record 1's
        Assert.Equal([1L, 4L], await AboutBsnAsync(path, subject));

        TamperFile(SqliteLogFile.IndexPathFor(path), "UPDATE \"ProcessingLogIndexRuns\" SET \"Sequences\" = NULL WHERE \"First\" = 1;"); // [1,4] to 1 alone
        Assert.Equal([1L], await AboutBsnAsync(path, subject)); // what an access report reads: record 4 is gone from it
        var missing = await VerifyAsync(path);
        Assert.Equal(AccountabilityCommands.ExitBroken, missing.Exit);
        Assert.Contains("The processing log's chain is whole (5 records verified), but the hub does not read it as written: its index by data subject has no row for record 4, so the look-ups by person and BSN, and the access reports, leave that record out", missing.Error, StringComparison.Ordinal);
        Assert.Contains("move " + SqliteLogFile.IndexPathFor(path), missing.Error, StringComparison.Ordinal);
        Assert.Empty(missing.Output);
        // The same found in windows of two sequences (a large log's are 4 million): record 4 in the second window.
        var window = ProcessingLogIndex.CompareWindow;
        try
        {
            ProcessingLogIndex.CompareWindow = 2;
            Assert.Contains("its index by data subject has no row for record 4,", (await VerifyAsync(path)).Error, StringComparison.Ordinal);
        }
        finally
        {
            ProcessingLogIndex.CompareWindow = window;
        }

        // Put back in record 2's run, under its person and BSN.
        TamperFile(SqliteLogFile.IndexPathFor(path), "UPDATE \"ProcessingLogIndexRuns\" SET \"Sequences\" = '[2,4,5]' WHERE \"First\" = 2;");
        Assert.Equal([1L], await AboutBsnAsync(path, subject));
        var other = await VerifyAsync(path);
        Assert.Equal(AccountabilityCommands.ExitBroken, other.Exit);
        Assert.Contains("its index by data subject names record 4 under another person or BSN than the log does", other.Error, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Index_values_stored_in_another_form_fail_since_the_look_ups_compare_what_is_stored()
    {
        var (path, records) = await LogAsync("misstored-index.db", 3, 2);
        await IndexAsync(path);
        var index = SqliteLogFile.IndexPathFor(path);
        var subject = records[3].ProtectedBsn!; // record 4's, and record 1's (person 1)

        // The subject number of records 1 and 4's run as text: read converted it is the number it was, and the index seems
        // to agree with the log.
        TamperFile(index, "UPDATE \"ProcessingLogIndexRuns\" SET \"Subject\" = \"Subject\" || 'x' WHERE \"First\" = 1;");
        Assert.Empty(await AboutBsnAsync(path, subject));
        var subjectAsText = await VerifyAsync(path);
        Assert.Equal(AccountabilityCommands.ExitBroken, subjectAsText.Exit);
        Assert.Contains($"x, 1 of ProcessingLogIndexRuns in the index's file {index} has Subject stored as text, where the hub stores integer", subjectAsText.Error, StringComparison.Ordinal);

        // Back; then the run's sequences with record 4's as text, and not an array at all.
        TamperFile(index, "UPDATE \"ProcessingLogIndexRuns\" SET \"Subject\" = CAST(rtrim(\"Subject\", 'x') AS INTEGER) WHERE \"First\" = 1;");
        Assert.Equal(AccountabilityCommands.ExitOk, (await VerifyAsync(path)).Exit);
        foreach (var sequences in new[] { "[1,\"4\"]", "[1,4", "{\"1\":4}" })
        {
            TamperFile(index, $"UPDATE \"ProcessingLogIndexRuns\" SET \"Sequences\" = '{sequences}' WHERE \"First\" = 1;");
            var misstored = await VerifyAsync(path);
            Assert.Equal(AccountabilityCommands.ExitBroken, misstored.Exit);
            Assert.Contains("has Sequences stored as something else than a JSON array of integers", misstored.Error, StringComparison.Ordinal);
        }
        TamperFile(index, "UPDATE \"ProcessingLogIndexRuns\" SET \"Sequences\" = '[1,4]' WHERE \"First\" = 1;");
        Assert.Equal(AccountabilityCommands.ExitOk, (await VerifyAsync(path)).Exit);

        // Person 1's id in its subject as text: no look-up by that person finds the records the index names.
        TamperFile(index, "UPDATE \"ProcessingLogIndexSubjects\" SET \"PersonId\" = \"PersonId\" || 'x' WHERE \"PersonId\" = 1;");
        Assert.Empty(await AboutPersonAsync(path, 1));
        var personAsText = await VerifyAsync(path);
        Assert.Equal(AccountabilityCommands.ExitBroken, personAsText.Exit);
        Assert.Contains("of ProcessingLogIndexSubjects in the index's file", personAsText.Error, StringComparison.Ordinal);
        Assert.Contains("has PersonId stored as text, where the hub stores integer", personAsText.Error, StringComparison.Ordinal);
    }

    /// <summary>
    /// On SQL Server nothing checks the runs' stored arrays before verify-log compares the index with the log (on SQLite
    /// the stored forms' check does), and EF Core's reading of one that is not a JSON array of integers throws: a problem
    /// to report, not an unhandled error. Read here from the index's file alone, as that comparison reads it.
    /// </summary>
    [Fact]
    public async Task A_runs_sequences_that_cannot_be_read_are_reported_by_the_comparison_with_the_log()
    {
        var (path, _) = await LogAsync("unreadable-run.db", 3, 2);
        await IndexAsync(path);
        var index = SqliteLogFile.IndexPathFor(path);
        foreach (var sequences in new[] { "[1,4", "[1,\"4\"]", "{\"1\":4}", "[1,4.5]" })
        {
            TamperFile(index, $"UPDATE \"ProcessingLogIndexRuns\" SET \"Sequences\" = '{sequences}' WHERE \"First\" = 1;");
            await using var log = DatabaseSetup.OpenSqliteFileAlone(SqliteLogFile.PathFor(path));
            await using var indexDb = DatabaseSetup.OpenSqliteFileAlone(index);
            var problem = await ProcessingLogIndex.DisagreementAsync(log, indexDb, 5, CancellationToken.None);
            Assert.NotNull(problem);
            Assert.Contains("holds a run whose Sequences are stored as something else than a JSON array of integers", problem, StringComparison.Ordinal);
        }
    }

    /// <summary>
    /// An index file of an earlier version's shape (the rows per record of the shape before the runs, with its passes),
    /// as an upgrade leaves it until the hub's next start makes it again: verify-log says the index is not the hub's,
    /// as for any other definition, and not that the log cannot be read (its reads of the runs found no such table).
    /// </summary>
    [Fact]
    public async Task An_index_file_of_an_earlier_shape_is_said_to_be_one_and_the_log_is_read()
    {
        var (path, _) = await LogAsync("earlier-index.db", 3, 2);
        await IndexAsync(path);
        TamperFile(SqliteLogFile.IndexPathFor(path), """
            CREATE TABLE "ProcessingLogIndexRecords" ("Subject" INTEGER NOT NULL, "Sequence" INTEGER NOT NULL, CONSTRAINT "PK_ProcessingLogIndexRecords" PRIMARY KEY ("Subject", "Sequence")) WITHOUT ROWID;
            INSERT INTO "ProcessingLogIndexRecords" SELECT r."Subject", j."value" FROM "ProcessingLogIndexRuns" AS r, json_each(COALESCE(r."Sequences", json_array(r."First"))) AS j;
            DROP TABLE "ProcessingLogIndexRuns";
            """);

        var result = await VerifyAsync(path);
        Assert.Equal(AccountabilityCommands.ExitBroken, result.Exit);
        Assert.DoesNotContain("cannot be read", result.Error, StringComparison.Ordinal);
        Assert.Contains("chain is whole (5 records verified)", result.Error, StringComparison.Ordinal);
        Assert.Contains("is not the table the hub makes", result.Error, StringComparison.Ordinal);
        Assert.Contains("an earlier version's index, left until the hub's next start, is made again by that start", result.Error, StringComparison.Ordinal);

        // The hub's start makes it again, and the indexer fills it.
        await IndexAsync(path);
        Assert.Equal(AccountabilityCommands.ExitOk, (await VerifyAsync(path)).Exit);
    }

    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public async Task Records_removed_from_the_end_and_written_again_before_the_indexer_saw_it_fail_without_a_kept_head(bool personRows)
    {
        var (path, records) = await LogAsync("rewritten.db", personRows, 3, 2);
        await IndexAsync(path);

        // The last request removed, and the hub's next request written at its sequences before the indexer's next pass.
        Tamper(path, "DELETE FROM \"ProcessingLog\" WHERE \"Sequence\" >= 4; DELETE FROM \"ProcessingActions\" WHERE \"Id\" = 4;");
        await AppendAsync(path, [ChainedRecords.After(0, ProcessingLog.GenesisHash, personId: 9, protectedBsn: new string('f', 64)),
            ChainedRecords.After(0, ProcessingLog.GenesisHash, personId: 9, protectedBsn: new string('f', 64))], personRows);
        Assert.Empty(await AboutBsnAsync(path, new string('f', 64))); // the stale index rows hide the new records

        var result = await VerifyAsync(path);
        Assert.Equal(AccountabilityCommands.ExitBroken, result.Exit);
        Assert.Contains("its index by data subject names record 4 under another person or BSN than the log does", result.Error, StringComparison.Ordinal);
        Assert.Equal(AccountabilityCommands.ExitBroken, (await VerifyAsync(path, "--expect", $"5:{records[^1].Hash}")).Exit);
    }

    [Theory]
    [InlineData(true, """
        CREATE TRIGGER "Hide" AFTER INSERT ON "ProcessingLog" WHEN NEW."PersonId" = 9
        BEGIN DELETE FROM "ProcessingLog" WHERE "Sequence" = NEW."Sequence"; END;
        """)]
    [InlineData(false, """
        CREATE TRIGGER "Hide" AFTER INSERT ON "ProcessingActions" WHEN NEW."Records" LIKE '%[9,%'
        BEGIN DELETE FROM "ProcessingActions" WHERE "Id" = NEW."Id"; END;
        """)]
    public async Task A_trigger_in_the_logs_file_fails_and_never_runs_on_the_logs_writes(bool personRows, string trigger)
    {
        var (path, _) = await LogAsync("triggered.db", personRows, 3, 2);
        // Removes every record about person 9 as it is written (packed, the action that holds one, with its request's
        // other records). The last of the log, the next request's first record takes its sequence, and the chain closes
        // over it: nothing in the rows shows it was ever written.
        Tamper(path, trigger);

        await AppendAsync(path, [ChainedRecords.After(0, ProcessingLog.GenesisHash, personId: 1, protectedBsn: new string('a', 64)),
            ChainedRecords.After(0, ProcessingLog.GenesisHash, personId: 9, protectedBsn: new string('f', 64))], personRows);
        await AppendAsync(path, [ChainedRecords.After(0, ProcessingLog.GenesisHash, personId: 2, protectedBsn: new string('b', 64))], personRows);

        await using (var db = DatabaseSetup.OpenSqlite(path))
            Assert.Equal([1, 2, 3, 1, 2, 1, 9, 2], await db.Set<ProcessingRecord>().OrderBy(r => r.Sequence).Select(r => r.PersonId).ToListAsync());
        var result = await VerifyAsync(path);
        Assert.Equal(AccountabilityCommands.ExitBroken, result.Exit);
        Assert.Contains($"the log's file {SqliteLogFile.PathFor(path)} holds the trigger Hide", result.Error, StringComparison.Ordinal);
        Assert.Contains("The processing log's chain is whole (8 records verified)", result.Error, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_view_of_the_log_other_than_the_hubs_fails()
    {
        var (path, records) = await LogAsync("reviewed.db", 3, 2);
        // The hub's view (both its parts, the person rows' and the packed records'), but every action shown as organisation
        // 2's: the reports would name another organisation.
        var view = ReadFile(SqliteLogFile.PathFor(path), "SELECT \"sql\" FROM sqlite_master WHERE \"name\" = 'ProcessingRecords';");
        Assert.Equal(2, view.Split("\"a\".\"OrganisationId\"").Length - 1);
        Tamper(path, $"DROP VIEW \"ProcessingRecords\"; {view.Replace("\"a\".\"OrganisationId\"", "2 AS \"OrganisationId\"", StringComparison.Ordinal)};");
        await using (var db = DatabaseSetup.OpenSqlite(path))
            Assert.All(await db.Set<ProcessingRecord>().ToListAsync(), r => Assert.Equal(2, r.OrganisationId));
        Assert.Equal(1, records[0].OrganisationId);

        var result = await VerifyAsync(path);
        Assert.Equal(AccountabilityCommands.ExitBroken, result.Exit);
        Assert.Contains($"the view ProcessingRecords in the log's file {SqliteLogFile.PathFor(path)} is not the one the hub makes", result.Error, StringComparison.Ordinal);
    }

    [Fact]
    public async Task An_object_under_a_name_of_the_logs_in_another_file_fails()
    {
        var (path, records) = await LogAsync("shadowed.db", 3, 2);
        var subject = records[0].ProtectedBsn!;
        Assert.Equal([1L, 4L], await AboutBsnAsync(path, subject));

        // In the database file, SQLite finds it before the index's own: the look-ups then take the index for complete up to
        // its pass, and find nothing below it.
        TamperFile(path, "CREATE TABLE \"ProcessingLogIndexPasses\" (\"Through\" INTEGER PRIMARY KEY); INSERT INTO \"ProcessingLogIndexPasses\" VALUES (100);");
        Assert.Empty(await AboutBsnAsync(path, subject));
        var inHub = await VerifyAsync(path);
        Assert.Equal(AccountabilityCommands.ExitBroken, inHub.Exit);
        Assert.Contains($"the database file {Path.GetFullPath(path)} holds the table ProcessingLogIndexPasses, under a name of the processing log's", inHub.Error, StringComparison.Ordinal);
        TamperFile(path, "DROP TABLE \"ProcessingLogIndexPasses\";");
        Assert.Equal(AccountabilityCommands.ExitOk, (await VerifyAsync(path)).Exit);

        // In the log's file it comes before the index's file too; and a trigger on the index would run on the indexer's writes.
        Tamper(path, "CREATE VIEW \"ProcessingLogIndexPasses\" AS SELECT 100 AS \"Through\";");
        Assert.Contains("holds the view ProcessingLogIndexPasses, under the name of the log's index by data subject", (await VerifyAsync(path)).Error, StringComparison.Ordinal);
        Tamper(path, "DROP VIEW \"ProcessingLogIndexPasses\";");
        TamperFile(SqliteLogFile.IndexPathFor(path), "CREATE TRIGGER \"Drop\" AFTER INSERT ON \"ProcessingLogIndexRuns\" BEGIN DELETE FROM \"ProcessingLogIndexRuns\" WHERE \"First\" = NEW.\"First\"; END;");
        Assert.Contains("is not the table the hub makes (another definition, or a trigger on it)", (await VerifyAsync(path)).Error, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Values_stored_in_another_form_than_the_hubs_fail_though_their_hashes_verify()
    {
        // The earlier form, whose person rows store each value in a column of its own (a packed record's values are
        // checked as the hub's text: Packed_records_in_another_text_than_the_hubs_fail).
        var (path, records) = await LogAsync("restyled.db", personRows: true, 3, 2);
        Assert.Equal([1L, 4L], await AboutPersonAsync(path, 1));

        // Read as 1 by the walk (so the hash holds), compared as text by the queries.
        Tamper(path, "UPDATE \"ProcessingLog\" SET \"PersonId\" = '1x' WHERE \"Sequence\" = 4;");
        Assert.Equal([1L], await AboutPersonAsync(path, 1));
        var person = await VerifyAsync(path);
        Assert.Equal(AccountabilityCommands.ExitBroken, person.Exit);
        Assert.Contains("the row 4 of ProcessingLog in the log's file " + SqliteLogFile.PathFor(path) + " has PersonId stored as text, where the hub stores integer", person.Error, StringComparison.Ordinal);
        Tamper(path, "UPDATE \"ProcessingLog\" SET \"PersonId\" = 1 WHERE \"Sequence\" = 4;");
        Assert.Equal(AccountabilityCommands.ExitOk, (await VerifyAsync(path)).Exit);

        // The same moment to the walk, but after every time of its day to a period's comparison.
        Tamper(path, "UPDATE \"ProcessingActions\" SET \"OccurredAt\" = replace(\"OccurredAt\", ' ', 'T') WHERE \"Id\" = 4;");
        await using (var db = DatabaseSetup.OpenSqlite(path))
            Assert.Empty(await db.Set<ProcessingRecord>().Where(r => r.Sequence == 4 && r.OccurredAt < records[3].OccurredAt.AddSeconds(1)).ToListAsync());
        var time = await VerifyAsync(path);
        Assert.Equal(AccountabilityCommands.ExitBroken, time.Exit);
        Assert.Contains("the row 4 of ProcessingActions in the log's file " + SqliteLogFile.PathFor(path) + " has OccurredAt stored as text in another form than the hub's", time.Error, StringComparison.Ordinal);
    }

    [Fact]
    public async Task An_unreadable_index_file_is_said_apart_from_the_chains_verdict()
    {
        var (path, _) = await LogAsync("garbled.db", 3, 2);
        await File.WriteAllBytesAsync(SqliteLogFile.IndexPathFor(path), RandomNumberGenerator.GetBytes(16384));

        var result = await VerifyAsync(path);
        Assert.Equal(AccountabilityCommands.ExitOk, result.Exit);
        Assert.Contains("5 records verified", result.Output, StringComparison.Ordinal);
        Assert.Contains("index by data subject could not be read", result.Error, StringComparison.Ordinal);
        Assert.Contains("the chain's verdict does not depend on it", result.Error, StringComparison.Ordinal);
    }

    [Fact]
    public void The_walks_queries_are_valid_TSql()
    {
        using var sqlServer = new SqlServerDesignTimeFactory().CreateDbContext([]);
        var statements = new[]
        {
            ProcessingLog.StoredRecords(sqlServer).ToQueryString(),
            ProcessingLog.ActionsWithoutRecords(sqlServer).Take(1).ToQueryString(),
        };
        foreach (var statement in statements)
        {
            new TSql160Parser(initialQuotedIdentifiers: true).Parse(new StringReader(statement), out var errors);
            Assert.True(errors.Count == 0, statement + "\n" + string.Join("\n", errors.Select(e => $"line {e.Line}: {e.Message}")));
        }
        Assert.Contains("LEFT JOIN [ProcessingActions]", statements[0], StringComparison.Ordinal);
        // An entry's own hash judged by the database, as the view's NULLIF does: SQL Server reads the empty one padded.
        Assert.Contains("WHEN [p].[Hash] <> N'' THEN", statements[0], StringComparison.Ordinal);
    }

    /// <summary>
    /// A migrated database at this name in the test's directory whose log holds one request (an action) per count, with that
    /// many records each, written by the log's own writer; the records as written.
    /// </summary>
    private Task<(string Path, List<ProcessingRecord> Records)> LogAsync(string name, params int[] requests) => LogAsync(name, personRows: false, requests);

    /// <inheritdoc cref="LogAsync(string, int[])"/>
    /// <param name="personRows">Whether the writer writes the earlier form, a person row per record (the version of 1 Dec 2026).</param>
    private async Task<(string Path, List<ProcessingRecord> Records)> LogAsync(string name, bool personRows, params int[] requests)
    {
        var path = _directory.File(name);
        var requestRecords = requests.Select(count =>
        {
            var first = ChainedRecords.After(0, ProcessingLog.GenesisHash, personId: 1);
            return Enumerable.Range(0, count).Select(i =>
            {
                var record = ChainedRecords.After(0, ProcessingLog.GenesisHash, personId: i + 1, protectedBsn: new string((char)('a' + i), 64));
                record.ActionId = first.ActionId;
                record.OccurredAt = first.OccurredAt;
                return record;
            }).ToList();
        }).ToList();
        await using (var db = DatabaseSetup.OpenSqlite(path))
        {
            await db.MigrateAsync();
            using var writer = SqliteLogWriter.For(db)!;
            writer.Write((sequence, previous) => ProcessingLog.Chain(requestRecords, sequence, previous, personRows));
        }
        SqliteConnection.ClearAllPools();
        return (path, [.. requestRecords.SelectMany(r => r)]);
    }

    /// <summary>The index file's runs in key order, each as "person id:stored sequences" (empty for a run of one).</summary>
    private static List<string> RunsOf(string indexFile)
    {
        using var connection = new SqliteConnection(new SqliteConnectionStringBuilder { DataSource = indexFile, Pooling = false }.ToString());
        connection.Open();
        using var command = connection.CreateCommand();
        command.CommandText = "SELECT s.\"PersonId\" || ':' || COALESCE(r.\"Sequences\", '') FROM \"ProcessingLogIndexRuns\" AS r JOIN \"ProcessingLogIndexSubjects\" AS s ON s.\"Id\" = r.\"Subject\" ORDER BY r.\"First\";";
        using var reader = command.ExecuteReader();
        var runs = new List<string>();
        while (reader.Read()) runs.Add(reader.GetString(0));
        return runs;
    }

    /// <summary>The indexer's copy of every record not in the index yet, into the index's file.</summary>
    private static async Task<long> IndexAsync(string path)
    {
        await using (var db = DatabaseSetup.OpenSqlite(path)) await db.MigrateAsync(); // the index's file as the hub makes it
        var copied = ProcessingLogIndexer.CopyAllOnFile(DatabaseSetup.SqliteConnectionString(Path.GetFullPath(path)));
        SqliteConnection.ClearAllPools();
        return copied;
    }

    /// <summary>The sequences a look-up by this protected BSN finds (what an access report reads), through the hub's connection with its files attached.</summary>
    private static async Task<List<long>> AboutBsnAsync(string path, string protectedBsn)
    {
        SqliteConnection.ClearAllPools(); // a pooled connection may not have read the database file's schema since it changed
        await using var db = DatabaseSetup.OpenSqlite(path);
        return await ProcessingLogIndex.AboutBsn(db, protectedBsn).OrderBy(r => r.Sequence).Select(r => r.Sequence).ToListAsync();
    }

    /// <summary>The sequences a look-up by this person id finds, through the hub's connection with its files attached.</summary>
    private static async Task<List<long>> AboutPersonAsync(string path, int personId)
    {
        await using var db = DatabaseSetup.OpenSqlite(path);
        return await ProcessingLogIndex.About(db, personId).OrderBy(r => r.Sequence).Select(r => r.Sequence).ToListAsync();
    }

    /// <summary>One request's records appended by the log's own writer (as the hub's), sharing the first one's action; in the earlier form with <paramref name="personRows"/>.</summary>
    private static async Task AppendAsync(string path, List<ProcessingRecord> records, bool personRows = false)
    {
        foreach (var record in records.Skip(1)) (record.ActionId, record.OccurredAt) = (records[0].ActionId, records[0].OccurredAt);
        await using var db = DatabaseSetup.OpenSqlite(path);
        using var writer = SqliteLogWriter.For(db)!;
        writer.Write((sequence, previous) => ProcessingLog.Chain([records], sequence, previous, personRows));
    }

    /// <summary>Runs SQL on the log's file alone, as someone with the file would: no foreign key check, nothing attached.</summary>
    internal static void Tamper(string path, string sql) => TamperFile(SqliteLogFile.PathFor(path), sql);

    /// <summary>The first column of the first row a query gives on one of the hub's SQLite files alone.</summary>
    private static string ReadFile(string file, string sql)
    {
        using var connection = new SqliteConnection($"Data Source={file};Pooling=False;Mode=ReadOnly");
        connection.Open();
        using var command = connection.CreateCommand();
        command.CommandText = sql;
        return (string)command.ExecuteScalar()!;
    }

    /// <summary>Runs SQL on one of the hub's SQLite files alone, as someone with the file would.</summary>
    private static void TamperFile(string file, string sql)
    {
        using var connection = new SqliteConnection($"Data Source={file};Pooling=False;Foreign Keys=False");
        connection.Open();
        using var command = connection.CreateCommand();
        command.CommandText = sql;
        command.ExecuteNonQuery();
    }

    internal static async Task<(int Exit, string Output, string Error)> VerifyAsync(string path, params string[] args)
    {
        var (output, error) = (new StringWriter(), new StringWriter());
        var exit = await AccountabilityCommands.VerifyLogAsync(["--database", path, .. args], output, error);
        return (exit, output.ToString(), error.ToString());
    }
}

/// <summary>The indexer, finding index rows above the log's end, says so before it removes them.</summary>
public sealed class ProcessingLogIndexerRemovedEndTests
{
    [Fact]
    public async Task The_indexer_warns_of_records_removed_from_the_logs_end_and_names_no_person()
    {
        using var factory = new UnindexedHubFactory();
        var warnings = new ConcurrentQueue<string>();
        await using var watched = factory.WithWebHostBuilder(b => b.ConfigureLogging(l => l.AddProvider(new WarningCollector(warnings))));
        var indexer = watched.Services.GetRequiredService<ProcessingLogIndexer>();
        var persons = factory.Persons(2);
        await factory.AppendAsync(persons, rounds: 3);
        await indexer.IndexPendingAsync(CancellationToken.None);
        var end = factory.LogRecords()[^1].Sequence;

        // The last request's records and its action removed from the log's file.
        factory.WithDb(db => db.Database.ExecuteSql($"DELETE FROM ProcessingLog WHERE Sequence > {end - 2}"));
        factory.WithDb(db => db.Database.ExecuteSql($"DELETE FROM ProcessingActions WHERE Id = {end - 1}"));
        Assert.Equal(AccountabilityCommands.ExitBroken, (await VerifyLogTests.VerifyAsync(factory.DatabasePath)).Exit);
        await indexer.IndexPendingAsync(CancellationToken.None);

        var warning = Assert.Single(warnings, w => w.Contains(nameof(ProcessingLogIndexer), StringComparison.Ordinal));
        Assert.Contains($"The processing log ends at record {end - 2}, but its index by data subject named 2 records above it", warning, StringComparison.Ordinal);
        Assert.DoesNotContain(persons, p => warning.Contains(p.Bsn, StringComparison.Ordinal));
        factory.AssertIndexHoldsTheLog();
    }

    /// <summary>Keeps every entry at Warning and above as "category: message".</summary>
    private sealed class WarningCollector(ConcurrentQueue<string> entries) : ILoggerProvider
    {
        public ILogger CreateLogger(string categoryName) => new Named(entries, categoryName);

        public void Dispose() { }

        private sealed class Named(ConcurrentQueue<string> entries, string category) : ILogger
        {
            public IDisposable? BeginScope<TState>(TState state) where TState : notnull => null;

            public bool IsEnabled(LogLevel logLevel) => logLevel >= LogLevel.Warning;

            public void Log<TState>(LogLevel logLevel, EventId eventId, TState state, Exception? exception, Func<TState, Exception?, string> formatter)
            {
                if (IsEnabled(logLevel)) entries.Enqueue($"{category}: {formatter(state, exception)}");
            }
        }
    }
}
