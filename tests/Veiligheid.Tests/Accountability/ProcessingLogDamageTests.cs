using System.Collections.Concurrent;
using System.Net;
using Microsoft.AspNetCore.Hosting;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Veiligheid.Access;
using Veiligheid.Accountability;
using Veiligheid.Data.Seeding;
using Veiligheid.GraphQL;
using Veiligheid.Tests.Infrastructure;

namespace Veiligheid.Tests.Accountability;

/// <summary>
/// A log with one action edited by hand in the log's file (outside the hub), which verify-log reports, read by the privacy
/// officer over HTTP: the reads that reach the action answer <see cref="ProcessingLogErrorCodes.Damaged"/> without data,
/// with a warning in the hub's log naming the action; the reads that do not reach it are answered as before
/// (<see cref="ProcessingLogDamage"/>). The log, in order: two actions about person A, the damaged action (about A and B),
/// two about C, two more about A. The background indexer is off: the index moves only when the fixture runs a pass.
/// </summary>
public abstract class DamagedLogHubFactory : HubFactory
{
    private Task<DamagedLog>? _log;

    /// <summary>The warnings (and worse) the host logged, as its console would show them.</summary>
    public ConcurrentQueue<LogRecord> Warnings { get; } = new();

    /// <summary>Whether the indexer ran over the whole log before the action was edited (else once after: it stops before it).</summary>
    protected abstract bool IndexedBeforeTheEdit { get; }

    /// <summary>The edit, as SQL on the log's file alone, of the action with this id.</summary>
    protected abstract string Edit(long action);

    /// <summary>What verify-log says of the edit, after "BROKEN at record {action}: ".</summary>
    public abstract string VerifyLogProblem(long action);

    /// <summary>The log written and edited, once for the fixture's tests.</summary>
    public Task<DamagedLog> LogAsync() => _log ??= WriteAndEditAsync();

    protected override void ConfigureWebHost(IWebHostBuilder builder)
    {
        base.ConfigureWebHost(builder);
        builder.UseSetting(UnindexedHubFactory.IndexInBackground, "false");
        builder.ConfigureLogging(logging => logging.AddProvider(new LogCollector(LogLevel.Warning, Warnings.Enqueue)));
    }

    private async Task<DamagedLog> WriteAndEditAsync()
    {
        var persons = this.Persons(3);
        var (a, b, c) = (persons[0], persons[1], persons[2]);
        await this.AppendAsync([a], rounds: 2); // a page of A's oldest record (an access report's first) reads two
        var damaged = this.WithDb(db => db.Set<ProcessingAction>().Max(x => x.Id)) + 1;
        await this.AppendAsync([a, b]);
        await Task.Delay(20); // the actions after it at a later time than it, for a period that leaves it out
        await this.AppendAsync([c], rounds: 2);
        await this.AppendAsync([a], rounds: 2); // a page of A's newest record reads two (one more, to know whether more follow)
        var after = this.WithDb(db => db.Set<ProcessingAction>().Where(x => x.Id > damaged).Min(x => x.OccurredAt));
        Assert.True(after > this.WithDb(db => db.Set<ProcessingAction>().Single(x => x.Id == damaged).OccurredAt));
        if (IndexedBeforeTheEdit) Assert.True(await this.IndexAsync() > 0);
        Assert.Equal(AccountabilityCommands.ExitOk, (await VerifyLogTests.VerifyAsync(DatabasePath)).Exit);

        VerifyLogTests.Tamper(DatabasePath, Edit(damaged));
        if (!IndexedBeforeTheEdit) await this.IndexAsync();
        return new DamagedLog(damaged, a, b, c, DateTime.SpecifyKind(after, DateTimeKind.Utc));
    }
}

/// <summary>The edited log: the damaged action's id, the persons A (in it and around it), B (in it alone) and C (not in it), and the time of the first action after it.</summary>
public sealed record DamagedLog(long Action, (int Id, string Bsn) A, (int Id, string Bsn) B, (int Id, string Bsn) C, DateTime After);

/// <summary>A packed action's records made something that is not JSON, after the indexer had copied them.</summary>
public class RecordsNotJsonHubFactory : DamagedLogHubFactory
{
    protected override bool IndexedBeforeTheEdit => true;

    protected override string Edit(long action) => $"UPDATE \"ProcessingActions\" SET \"Records\" = 'edited by hand' WHERE \"Id\" = {action};";

    public override string VerifyLogProblem(long action) => $"action {action} stores its records as something else than the hub writes";
}

/// <summary>As <see cref="RecordsNotJsonHubFactory"/>, before the indexer had copied them: it stops before the action.</summary>
public sealed class UnindexedRecordsNotJsonHubFactory : RecordsNotJsonHubFactory
{
    protected override bool IndexedBeforeTheEdit => false;
}

/// <summary>
/// A packed action's records left a JSON array, but one record's confidentiality made a name the hub never writes: SQL reads
/// the array, and the read model fails on the value (as on a record's categories made null, or an element that is no array).
/// </summary>
public sealed class RecordOfAnotherFormHubFactory : DamagedLogHubFactory
{
    protected override bool IndexedBeforeTheEdit => true;

    protected override string Edit(long action) => $"UPDATE \"ProcessingActions\" SET \"Records\" = json_set(\"Records\", '$[0][3]', 'Geheim') WHERE \"Id\" = {action};";

    public override string VerifyLogProblem(long action) => $"action {action} stores its records as something else than the hub writes";
}

/// <summary>A packed action's hash cleared.</summary>
public sealed class HashClearedHubFactory : DamagedLogHubFactory
{
    protected override bool IndexedBeforeTheEdit => true;

    protected override string Edit(long action) => $"UPDATE \"ProcessingActions\" SET \"Hash\" = NULL WHERE \"Id\" = {action};";

    public override string VerifyLogProblem(long action) => $"action {action} packs its records but holds no hash";
}

/// <summary>The hash of an action of the earlier form cleared, whose person rows take it (their own empty).</summary>
public sealed class PersonRowsHashClearedHubFactory : DamagedLogHubFactory
{
    public PersonRowsHashClearedHubFactory() => WritesPersonRows = true;

    protected override bool IndexedBeforeTheEdit => true;

    protected override string Edit(long action) => $"UPDATE \"ProcessingActions\" SET \"Hash\" = NULL WHERE \"Id\" = {action};";

    public override string VerifyLogProblem(long action) => $"record {action} was changed after it was written";
}

/// <summary>What the tests of a damaged log share.</summary>
internal static class DamagedLogReads
{
    public const string ByPerson = """
        query($person: ID, $bsn: BSN, $from: DateTime, $to: DateTime, $first: Int) {
          processingLog(person: $person, bsn: $bsn, from: $from, to: $to, first: $first) { nodes { sequence personId protectedBsn categories hash } }
        }
        """;

    public const string CountByPerson = """
        query($person: ID, $bsn: BSN, $from: DateTime, $to: DateTime) { processingLog(person: $person, bsn: $bsn, from: $from, to: $to, first: 1) { totalCount } }
        """;

    public const string Report = "query($bsn: BSN!) { accessReport(bsn: $bsn, first: 100) { entries { occurredAt purpose categories } } }";

    public const string ReportCount = "query($bsn: BSN!) { accessReport(bsn: $bsn, first: 1) { totalCount } }";

    public static HttpClient Reporter(this HubFactory factory)
        => factory.CreateClientWithPurpose(HubRole.PrivacyFunctionaris, DemoOrganisations.GemeenteVeiligstad, "inzageverzoek");

    public static string Id((int Id, string Bsn) person) => GlobalId.Encode("Person", person.Id);

    /// <summary>
    /// The read was refused as damaged: 200 as the hub answers PROCESSING_LOG_UNAVAILABLE (the request was executed; its
    /// data withheld), no data at all, one error with the code and a message naming the action and verify-log; a warning
    /// in the hub's log names the action and no person; and verify-log still reports the action.
    /// </summary>
    /// <param name="read">The read the warning names: which of the guarded reads refused it (the page, or its count).</param>
    public static async Task AssertDamagedAsync(DamagedLogHubFactory factory, DamagedLog log, GraphQLResponse response, string read)
    {
        Assert.Equal(HttpStatusCode.OK, response.Status);
        Assert.False(response.HasData, response.Body.GetRawText());
        Assert.Equal([ProcessingLogErrorCodes.Damaged], response.ErrorCodes);
        var message = response.Errors[0].GetProperty("message").GetString()!;
        Assert.Contains($"The processing log is damaged at action {log.Action}", message, StringComparison.Ordinal);
        Assert.Contains("verify-log", message, StringComparison.Ordinal);
        Assert.Contains("operations team", message, StringComparison.Ordinal);
        var text = response.Body.GetRawText();
        Assert.DoesNotContain("\"traceId\"", text, StringComparison.Ordinal); // not an INTERNAL_ERROR's
        foreach (var person in new[] { log.A, log.B, log.C }) Assert.DoesNotContain(person.Bsn, text, StringComparison.Ordinal);

        var warning = Assert.Single(factory.Warnings, w => w.Message.Contains($"The processing log is damaged at action {log.Action} (record", StringComparison.Ordinal)
                                                           && w.Message.Contains(ProcessingLogErrorCodes.Damaged, StringComparison.Ordinal)
                                                           && w.Message.Contains(message[(message.LastIndexOf("trace id ", StringComparison.Ordinal) + 9)..^1], StringComparison.Ordinal));
        Assert.Equal(LogLevel.Warning, warning.Level);
        Assert.Null(warning.Exception);
        Assert.Contains($"A read of the log ({read}) was answered", warning.Message, StringComparison.Ordinal);
        foreach (var person in new[] { log.A, log.B, log.C })
        {
            Assert.DoesNotContain(person.Bsn, warning.Message, StringComparison.Ordinal);
            Assert.DoesNotContain(factory.Services.GetRequiredService<ProcessingLog>().Protect(person.Bsn), warning.Message, StringComparison.Ordinal);
        }

        var verified = await VerifyLogTests.VerifyAsync(factory.DatabasePath);
        Assert.Equal(AccountabilityCommands.ExitBroken, verified.Exit);
        Assert.Contains($"BROKEN at record {log.Action}: {factory.VerifyLogProblem(log.Action)}", verified.Error, StringComparison.Ordinal);
    }

    /// <summary>The read was answered: data, no error.</summary>
    public static JsonElementAnswer AssertAnswered(GraphQLResponse response)
    {
        Assert.Equal(HttpStatusCode.OK, response.Status);
        Assert.True(response.Errors.Count == 0, response.Body.GetRawText());
        return new JsonElementAnswer(response.Data);
    }

    /// <summary>The sequences of a processingLog page's nodes.</summary>
    public static List<long> Sequences(this JsonElementAnswer answer)
        => [.. answer.Data.GetProperty("processingLog").GetProperty("nodes").EnumerateArray().Select(LogIndex.Sequence)];

    /// <summary>The actions' ids the log holds, by their rows (the view cannot read the damaged one).</summary>
    public static List<long> ActionIds(this HubFactory factory) => factory.WithDb(db => db.Set<ProcessingAction>().OrderBy(a => a.Id).Select(a => a.Id).ToList());
}

/// <summary>An answered read's data.</summary>
public sealed record JsonElementAnswer(System.Text.Json.JsonElement Data);

/// <summary>Records that are not JSON in a packed action the index had copied: the reads that reach it, and those that do not.</summary>
public sealed class RecordsNotJsonReadTests(RecordsNotJsonHubFactory factory) : IClassFixture<RecordsNotJsonHubFactory>
{
    [Fact]
    public async Task A_persons_page_that_reaches_the_action_is_refused()
    {
        var log = await factory.LogAsync();
        await DamagedLogReads.AssertDamagedAsync(factory, log,
            await factory.Officer().GraphQLAsync(DamagedLogReads.ByPerson, new { person = DamagedLogReads.Id(log.A), first = 100 }), "processingLog by person, a page");
    }

    [Fact]
    public async Task A_persons_page_by_bsn_that_reaches_the_action_is_refused()
    {
        var log = await factory.LogAsync();
        await DamagedLogReads.AssertDamagedAsync(factory, log,
            await factory.Officer().GraphQLAsync(DamagedLogReads.ByPerson, new { bsn = log.B.Bsn, first = 100 }), "processingLog by BSN, a page");
    }

    [Fact]
    public async Task A_persons_total_count_is_refused_when_one_of_their_records_is_in_the_action()
    {
        var log = await factory.LogAsync();
        await DamagedLogReads.AssertDamagedAsync(factory, log,
            await factory.Officer().GraphQLAsync(DamagedLogReads.CountByPerson, new { person = DamagedLogReads.Id(log.A) }), "processingLog by person, totalCount");
    }

    [Fact]
    public async Task A_persons_page_that_does_not_reach_the_action_and_another_persons_log_are_answered()
    {
        var log = await factory.LogAsync();
        var warned = factory.Warnings.Count;
        // A's newest records (the last action about A, or an inzage about A logged since) are after the damaged action.
        var newest = DamagedLogReads.AssertAnswered(await factory.Officer().GraphQLAsync(DamagedLogReads.ByPerson, new { person = DamagedLogReads.Id(log.A), first = 1 }));
        Assert.True(Assert.Single(newest.Sequences()) > log.Action);
        // C is in no record of the action: their page and its count, by id and by BSN.
        var c = DamagedLogReads.AssertAnswered(await factory.Officer().GraphQLAsync(DamagedLogReads.ByPerson, new { person = DamagedLogReads.Id(log.C), first = 100 }));
        Assert.True(c.Sequences().Count >= 2); // and the look-ups about C logged since
        var count = DamagedLogReads.AssertAnswered(await factory.Officer().GraphQLAsync(DamagedLogReads.CountByPerson, new { bsn = log.C.Bsn }));
        Assert.True(count.Data.GetProperty("processingLog").GetProperty("totalCount").GetInt32() >= 2);
        Assert.DoesNotContain(factory.Warnings.Skip(warned), w => w.Message.Contains("damaged", StringComparison.Ordinal));
    }

    [Fact]
    public async Task An_access_report_that_reaches_the_action_is_refused()
    {
        var log = await factory.LogAsync();
        await DamagedLogReads.AssertDamagedAsync(factory, log, await factory.Reporter().GraphQLAsync(DamagedLogReads.Report, new { bsn = log.A.Bsn }), "accessReport, a page");
    }

    [Fact]
    public async Task An_access_reports_total_count_that_reaches_the_action_is_refused()
    {
        var log = await factory.LogAsync();
        // Its first page (A's two oldest records, before the action) is read; its count reaches the action.
        await DamagedLogReads.AssertDamagedAsync(factory, log, await factory.Reporter().GraphQLAsync(DamagedLogReads.ReportCount, new { bsn = log.A.Bsn }), "accessReport, totalCount");
    }

    [Fact]
    public async Task An_access_report_of_a_person_not_in_the_action_is_answered()
    {
        var log = await factory.LogAsync();
        var report = DamagedLogReads.AssertAnswered(await factory.Reporter().GraphQLAsync(DamagedLogReads.Report, new { bsn = log.C.Bsn }));
        Assert.True(report.Data.GetProperty("accessReport").GetProperty("entries").GetArrayLength() >= 2);
    }

    [Fact]
    public async Task A_page_of_the_whole_log_that_reaches_the_action_is_refused()
    {
        var log = await factory.LogAsync();
        await DamagedLogReads.AssertDamagedAsync(factory, log, await factory.Officer().GraphQLAsync(DamagedLogReads.ByPerson, new { first = 100 }), "processingLog of the whole log, a page");
    }

    [Fact]
    public async Task The_whole_logs_total_count_is_refused()
    {
        var log = await factory.LogAsync();
        await DamagedLogReads.AssertDamagedAsync(factory, log, await factory.Officer().GraphQLAsync(DamagedLogReads.CountByPerson, new { }), "processingLog of the whole log, totalCount");
    }

    [Fact]
    public async Task A_period_of_the_whole_log_that_holds_the_action_is_refused()
    {
        var log = await factory.LogAsync();
        await DamagedLogReads.AssertDamagedAsync(factory, log, await factory.Officer().GraphQLAsync(DamagedLogReads.CountByPerson, new { to = LogPaging.Utc(log.After) }), "processingLog of the whole log, a page");
    }

    [Fact]
    public async Task The_newest_page_of_the_whole_log_and_a_period_after_the_action_are_answered()
    {
        var log = await factory.LogAsync();
        var newest = DamagedLogReads.AssertAnswered(await factory.Officer().GraphQLAsync(DamagedLogReads.ByPerson, new { first = 2 }));
        Assert.All(newest.Sequences(), s => Assert.True(s > log.Action));
        var period = await factory.Officer().GraphQLAsync(
            "query($from: DateTime) { processingLog(from: $from, first: 100) { totalCount nodes { sequence } } }", new { from = LogPaging.Utc(log.After) });
        var answered = DamagedLogReads.AssertAnswered(period);
        Assert.Equal(answered.Data.GetProperty("processingLog").GetProperty("totalCount").GetInt32(), answered.Sequences().Count);
        Assert.All(answered.Sequences(), s => Assert.True(s > log.Action));
    }
}

/// <summary>
/// Records that are not JSON in a packed action the index had not copied yet: the indexer stops before it, so no look-up
/// by person can know it is not about them (the tail past the index holds it), while the whole log after it is read.
/// </summary>
public sealed class UnindexedRecordsNotJsonReadTests(UnindexedRecordsNotJsonHubFactory factory) : IClassFixture<UnindexedRecordsNotJsonHubFactory>
{
    [Fact]
    public async Task The_indexer_stops_before_the_action_and_says_so_once_naming_no_one()
    {
        var log = await factory.LogAsync();
        // The fixture's pass copied the records before the action and stopped.
        Assert.Equal(log.Action - 1, factory.WithDb(db => db.Set<LogIndexPass>().Max(p => p.Through)));
        var warning = Assert.Single(factory.Warnings, w => w.Category == typeof(ProcessingLogIndexer).FullName);
        Assert.Equal(LogLevel.Warning, warning.Level);
        Assert.Null(warning.Exception);
        Assert.Contains($"The processing log is damaged at action {log.Action}: its records are not what the hub writes", warning.Message, StringComparison.Ordinal);
        Assert.Contains("verify-log", warning.Message, StringComparison.Ordinal);
        foreach (var person in new[] { log.A, log.B, log.C }) Assert.DoesNotContain(person.Bsn, warning.Message, StringComparison.Ordinal);

        // Each later pass stops there again at once, without a word more, and the writes go on.
        await factory.AppendAsync([log.C]);
        Assert.Equal(0, await factory.IndexAsync());
        Assert.Equal(0, await factory.IndexAsync());
        Assert.Single(factory.Warnings, w => w.Category == typeof(ProcessingLogIndexer).FullName);
        Assert.Equal(log.Action - 1, factory.WithDb(db => db.Set<LogIndexPass>().Max(p => p.Through)));
    }

    [Fact]
    public async Task The_hub_still_starts_on_the_log_and_says_which_action_its_checks_left_out()
    {
        var log = await factory.LogAsync();
        var warned = factory.Warnings.Count;
        // A second host on the same files: its start checks the log against the hub's file and the pseudonym key, reading
        // the tail past the index (which holds the action) and the newest actions (among them the action).
        await using (var restarted = factory.WithWebHostBuilder(_ => { }))
        {
            using var client = restarted.CreateClient();
            using var health = await client.GetAsync("/health");
            Assert.Equal(HttpStatusCode.OK, health.StatusCode);
        }
        var started = factory.Warnings.Skip(warned).Where(w => w.Category == typeof(LogConsistency).FullName).ToList();
        Assert.Equal(2, started.Count);
        Assert.All(started, w => Assert.Contains($"The processing log is damaged at action {log.Action}: its records are not the JSON array the hub writes", w.Message, StringComparison.Ordinal));
        Assert.Contains(started, w => w.Message.Contains("check of the person ids the log names", StringComparison.Ordinal));
        Assert.Contains(started, w => w.Message.Contains("check of the pseudonym key", StringComparison.Ordinal));
        foreach (var person in new[] { log.A, log.B, log.C }) Assert.All(started, w => Assert.DoesNotContain(person.Bsn, w.Message, StringComparison.Ordinal));
    }

    [Fact]
    public async Task A_look_up_of_a_person_not_in_the_action_is_refused_since_the_tail_holds_it()
    {
        var log = await factory.LogAsync();
        await DamagedLogReads.AssertDamagedAsync(factory, log,
            await factory.Officer().GraphQLAsync(DamagedLogReads.ByPerson, new { person = DamagedLogReads.Id(log.C), first = 100 }), "processingLog by person, a page");
    }

    [Fact]
    public async Task An_access_report_of_a_person_not_in_the_action_is_refused_since_the_tail_holds_it()
    {
        var log = await factory.LogAsync();
        await DamagedLogReads.AssertDamagedAsync(factory, log, await factory.Reporter().GraphQLAsync(DamagedLogReads.Report, new { bsn = log.C.Bsn }), "accessReport, a page");
    }

    [Fact]
    public async Task The_newest_page_of_the_whole_log_is_answered()
    {
        var log = await factory.LogAsync();
        var newest = DamagedLogReads.AssertAnswered(await factory.Officer().GraphQLAsync(DamagedLogReads.ByPerson, new { first = 2 }));
        Assert.All(newest.Sequences(), s => Assert.True(s > log.Action));
    }
}

/// <summary>A packed action's hash cleared: the reads that read its records refused, a count of them answered (it reads no hash).</summary>
public sealed class HashClearedReadTests(HashClearedHubFactory factory) : IClassFixture<HashClearedHubFactory>
{
    [Fact]
    public async Task A_persons_page_that_reaches_the_action_is_refused()
    {
        var log = await factory.LogAsync();
        await DamagedLogReads.AssertDamagedAsync(factory, log,
            await factory.Officer().GraphQLAsync(DamagedLogReads.ByPerson, new { bsn = log.A.Bsn, first = 100 }), "processingLog by BSN, a page");
    }

    [Fact]
    public async Task An_access_report_that_reaches_the_action_is_refused()
    {
        var log = await factory.LogAsync();
        await DamagedLogReads.AssertDamagedAsync(factory, log, await factory.Reporter().GraphQLAsync(DamagedLogReads.Report, new { bsn = log.B.Bsn }), "accessReport, a page");
    }

    [Fact]
    public async Task A_page_of_the_whole_log_that_reaches_the_action_is_refused()
    {
        var log = await factory.LogAsync();
        await DamagedLogReads.AssertDamagedAsync(factory, log, await factory.Officer().GraphQLAsync(DamagedLogReads.ByPerson, new { to = LogPaging.Utc(log.After), first = 100 }), "processingLog of the whole log, a page");
    }

    [Fact]
    public async Task Counts_and_pages_that_do_not_read_its_records_are_answered()
    {
        var log = await factory.LogAsync();
        var warned = factory.Warnings.Count;
        // A's count with a page of their newest record (which reads the two newest, both after the action); the whole log's.
        var a = DamagedLogReads.AssertAnswered(await factory.Officer().GraphQLAsync(DamagedLogReads.CountByPerson, new { person = DamagedLogReads.Id(log.A) }));
        Assert.True(a.Data.GetProperty("processingLog").GetProperty("totalCount").GetInt32() >= 3);
        DamagedLogReads.AssertAnswered(await factory.Officer().GraphQLAsync(DamagedLogReads.CountByPerson, new { }));
        var c = DamagedLogReads.AssertAnswered(await factory.Officer().GraphQLAsync(DamagedLogReads.ByPerson, new { person = DamagedLogReads.Id(log.C), first = 100 }));
        Assert.True(c.Sequences().Count >= 2); // and the look-ups about C logged since
        Assert.DoesNotContain(factory.Warnings.Skip(warned), w => w.Message.Contains("damaged", StringComparison.Ordinal));
    }
}

/// <summary>The hash of an action of the earlier form cleared, whose person rows take it: its records read no hash either.</summary>
public sealed class PersonRowsHashClearedReadTests(PersonRowsHashClearedHubFactory factory) : IClassFixture<PersonRowsHashClearedHubFactory>
{
    [Fact]
    public async Task A_persons_page_that_reaches_the_action_is_refused()
    {
        var log = await factory.LogAsync();
        await DamagedLogReads.AssertDamagedAsync(factory, log,
            await factory.Officer().GraphQLAsync(DamagedLogReads.ByPerson, new { person = DamagedLogReads.Id(log.B), first = 100 }), "processingLog by person, a page");
    }

    [Fact]
    public async Task A_page_of_the_whole_log_that_reaches_the_action_is_refused()
    {
        var log = await factory.LogAsync();
        await DamagedLogReads.AssertDamagedAsync(factory, log, await factory.Officer().GraphQLAsync(DamagedLogReads.ByPerson, new { first = 100 }), "processingLog of the whole log, a page");
    }

    [Fact]
    public async Task An_access_report_of_a_person_not_in_the_action_is_answered()
    {
        var log = await factory.LogAsync();
        DamagedLogReads.AssertAnswered(await factory.Reporter().GraphQLAsync(DamagedLogReads.Report, new { bsn = log.C.Bsn }));
    }
}

/// <summary>
/// A record of a packed action whose values are not of the hub's form (an unknown confidentiality), though its records are
/// still a JSON array: the reads that reach it are refused as damaged, not answered INTERNAL_ERROR.
/// </summary>
public sealed class RecordOfAnotherFormReadTests(RecordOfAnotherFormHubFactory factory) : IClassFixture<RecordOfAnotherFormHubFactory>
{
    [Fact]
    public async Task A_persons_page_that_reaches_the_action_is_refused()
    {
        var log = await factory.LogAsync();
        await DamagedLogReads.AssertDamagedAsync(factory, log,
            await factory.Officer().GraphQLAsync(DamagedLogReads.ByPerson, new { person = DamagedLogReads.Id(log.A), first = 100 }), "processingLog by person, a page");
    }

    [Fact]
    public async Task An_access_report_that_reaches_the_action_is_refused()
    {
        var log = await factory.LogAsync();
        await DamagedLogReads.AssertDamagedAsync(factory, log, await factory.Reporter().GraphQLAsync(DamagedLogReads.Report, new { bsn = log.A.Bsn }), "accessReport, a page");
    }

    [Fact]
    public async Task A_page_of_the_whole_log_that_reaches_the_action_is_refused()
    {
        var log = await factory.LogAsync();
        await DamagedLogReads.AssertDamagedAsync(factory, log, await factory.Officer().GraphQLAsync(DamagedLogReads.ByPerson, new { first = 100 }), "processingLog of the whole log, a page");
    }

    [Fact]
    public async Task An_access_report_of_a_person_not_in_the_action_is_answered()
    {
        var log = await factory.LogAsync();
        DamagedLogReads.AssertAnswered(await factory.Reporter().GraphQLAsync(DamagedLogReads.Report, new { bsn = log.C.Bsn }));
    }
}

/// <summary>The statements that look for a damaged action, on SQL Server, as ScriptDom parses them (no SQL Server here).</summary>
public sealed class ProcessingLogDamageSqlTests
{
    [Fact]
    public void The_look_ups_of_a_damaged_action_are_valid_TSql()
    {
        const string declared = "DECLARE @lowest bigint; DECLARE @below bigint; DECLARE @sequences nvarchar(max); DECLARE @subjectValue bigint;\n";
        var sequences = new[]
        {
            "SELECT CAST([s].[value] AS bigint) AS [Value] FROM OPENJSON(@sequences) AS [s]",
            ProcessingLogIndex.IndexedSequencesSql(sqlServer: true, nameof(LogIndexSubject.BsnKey), "@subjectValue"),
        };
        var statements = new List<string>
        {
            ProcessingLogDamage.PackedInActionsSql(sqlServer: true, bounded: true),
            ProcessingLogDamage.PackedInActionsSql(sqlServer: true, bounded: false),
            ProcessingLogDamage.PackedInActionsSql(sqlServer: true, bounded: false, hashToo: false),
            ProcessingLogDamage.PersonRowsInActionsSql(sqlServer: true, bounded: true),
            ProcessingLogDamage.PersonRowsInActionsSql(sqlServer: true, bounded: false),
        };
        foreach (var source in sequences)
        {
            statements.Add(ProcessingLogDamage.PackedHoldingSql(sqlServer: true, source));
            statements.Add(ProcessingLogDamage.PersonRowsHoldingSql(sqlServer: true, source));
        }
        foreach (var statement in statements)
        {
            new Microsoft.SqlServer.TransactSql.ScriptDom.TSql160Parser(initialQuotedIdentifiers: true).Parse(new StringReader(declared + statement), out var errors);
            Assert.True(errors.Count == 0, statement + "\n" + string.Join("\n", errors.Select(e => $"line {e.Line}: {e.Message}")));
        }
        // The indexer's batch stops before an action whose records are not JSON, as its SQLite copier does.
        Assert.Contains("DECLARE @unreadable bigint", ProcessingLogIndex.SqlServerCopy(ProcessingLogIndexer.BatchSize), StringComparison.Ordinal);
        Assert.Contains("[Id] < COALESCE(@unreadable, @lastAction + 1)", ProcessingLogIndex.SqlServerCopy(ProcessingLogIndexer.BatchSize), StringComparison.Ordinal);
        // ... and before one whose records are an array with an element not of the hub's form, as the SQLite copier stops
        // before what PackedRecords.Read refuses (a person id that is no int would otherwise fail the copy's CAST every pass).
        var unreadable = ProcessingLogIndex.SqlServerCopy(ProcessingLogIndexer.BatchSize).Split("DECLARE @unreadable bigint", 2)[1].Split(';', 2)[0];
        Assert.Contains(ProcessingLogDamage.RecordNotOfTheFormSql(sqlServer: true, "u"), unreadable, StringComparison.Ordinal);
    }
}
