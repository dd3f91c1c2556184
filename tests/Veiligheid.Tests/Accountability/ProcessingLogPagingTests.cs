using System.Buffers.Text;
using System.Globalization;
using System.Net;
using System.Text;
using System.Text.RegularExpressions;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.SqlServer.TransactSql.ScriptDom;
using Veiligheid.Access;
using Veiligheid.Accountability;
using Veiligheid.Data;
using Veiligheid.Data.Seeding;
using Veiligheid.GraphQL;
using Veiligheid.Tests.Infrastructure;
using Veiligheid.Tests.Query;

namespace Veiligheid.Tests.Accountability;

/// <summary>What the tests of the processing log's paging share.</summary>
internal static class LogPaging
{
    public const string Query = """
        query($person: ID, $bsn: BSN, $from: DateTime, $to: DateTime, $first: Int, $after: String) {
          processingLog(person: $person, bsn: $bsn, from: $from, to: $to, first: $first, after: $after) {
            totalCount pageInfo { hasNextPage hasPreviousPage startCursor endCursor } edges { cursor node { sequence } }
          }
        }
        """;

    public static HttpClient Officer(this HubFactory factory)
        => factory.CreateClientWithPurpose(HubRole.PrivacyFunctionaris, DemoOrganisations.GemeenteVeiligstad, "toezicht-verwerkingen");

    /// <summary>
    /// Pages through the log with these filters until the last page, running <paramref name="between"/> after each page
    /// (another writer appending to the log), and checks each page's shape on the way. Gives the sequences in the order
    /// the pages gave them, the number of pages, and the first page's totalCount.
    /// </summary>
    public static async Task<(List<long> Seen, int Pages, int FirstTotal)> PageThroughAsync(HttpClient officer, Dictionary<string, object?> filters, int first, Func<Task> between)
    {
        var seen = new List<long>();
        string? after = null;
        var firstTotal = -1;
        for (var pages = 1; ; pages++)
        {
            // Far more pages than records: the list moves under the cursor (with positions, each page's inzage shifts it by one).
            Assert.True(pages <= 30, $"paging did not end after {pages - 1} pages; seen {string.Join(", ", seen)}");
            var variables = new Dictionary<string, object?>(filters) { ["first"] = first, ["after"] = after };
            var response = await officer.GraphQLAsync(Query, variables);
            Assert.True(response.Errors.Count == 0, response.Body.ToString());
            var page = response.Data.GetProperty("processingLog");
            if (firstTotal < 0) firstTotal = page.GetProperty("totalCount").GetInt32();
            var info = page.GetProperty("pageInfo");
            Assert.Equal(after is not null, info.GetProperty("hasPreviousPage").GetBoolean());
            var edges = page.GetProperty("edges").EnumerateArray().ToList();
            Assert.True(edges.Count <= first);
            if (edges.Count > 0)
            {
                Assert.Equal(edges[0].GetProperty("cursor").GetString(), info.GetProperty("startCursor").GetString());
                Assert.Equal(edges[^1].GetProperty("cursor").GetString(), info.GetProperty("endCursor").GetString());
            }
            seen.AddRange(edges.Select(e => LogIndex.Sequence(e.GetProperty("node"))));
            if (!info.GetProperty("hasNextPage").GetBoolean()) return (seen, pages, firstTotal);
            Assert.Equal(first, edges.Count);
            after = info.GetProperty("endCursor").GetString();
            await between();
        }
    }

    public static string Utc(DateTime at) => DateTime.SpecifyKind(at, DateTimeKind.Utc).ToString("O", CultureInfo.InvariantCulture);
}

/// <summary>
/// Paging through the processing log by key (the cursor holds its record's sequence), while the log grows between the
/// pages: by the officer's own inzage, logged for every page asked about a person, and by other requests. Run with the
/// background indexer off (the records read through the index and its tail as the test left them) and on (below).
/// </summary>
public abstract class ProcessingLogPagingCases(HubFactory factory)
{
    /// <summary>The person each test pages through, one of its own, so the tests of a class do not share records.</summary>
    private static int _nextPerson = 10;

    protected HubFactory Factory { get; } = factory;

    /// <summary>Brings the index by data subject where the test wants it before the first page: some records indexed, the newest in the tail.</summary>
    protected abstract Task IndexSomeAsync();

    [Fact]
    public async Task The_officer_pages_through_a_persons_log_while_each_page_logs_an_inzage_and_sees_every_record_once()
    {
        var person = NextPerson();
        var expected = await SevenRecordsAboutAsync(person);
        var personId = GlobalId.Encode("Person", person.Id);
        var before = Factory.LogRecords().Count(r => r.PersonId == person.Id);

        var (seen, pages, total) = await LogPaging.PageThroughAsync(Factory.Officer(), new() { ["person"] = personId }, first: 2, () => Task.CompletedTask);

        // Each page asked about the person logged one more record about them, newer than the first page: a position
        // would have moved by one a page and repeated a record; the sequence does not move.
        Assert.True(pages >= 4, $"{pages} pages");
        Assert.Equal(before + pages, Factory.LogRecords().Count(r => r.PersonId == person.Id));
        Assert.Equal(expected.Count, total);
        Assert.Equal(expected, seen);
    }

    [Theory]
    [InlineData("none")]
    [InlineData("person")]
    [InlineData("bsn")]
    [InlineData("person+bsn")]
    [InlineData("period")]
    [InlineData("person+period")]
    public async Task Every_filter_pages_newest_first_without_a_repeat_or_a_gap_while_others_write(string filter)
    {
        var person = NextPerson();
        var about = await SevenRecordsAboutAsync(person);
        var log = Factory.LogRecords();
        var end = log[^1].Sequence;
        var from = log.Single(r => r.Sequence == about[^1]).OccurredAt;
        var filters = new Dictionary<string, object?>();
        Func<ProcessingRecord, bool> matches = _ => true;
        if (filter.Contains("person", StringComparison.Ordinal))
        {
            filters["person"] = GlobalId.Encode("Person", person.Id);
            matches = r => r.PersonId == person.Id;
        }
        if (filter.Contains("bsn", StringComparison.Ordinal))
        {
            filters["bsn"] = person.Bsn;
            var protectedBsn = Factory.Services.GetRequiredService<ProcessingLog>().Protect(person.Bsn);
            var before = matches;
            matches = r => before(r) && r.ProtectedBsn == protectedBsn;
        }
        if (filter.Contains("period", StringComparison.Ordinal))
        {
            // From this test's first record to well after it, so what is written while the test pages falls in the period too.
            filters["from"] = LogPaging.Utc(from);
            filters["to"] = LogPaging.Utc(DateTime.UtcNow.AddHours(1));
            var before = matches;
            matches = r => before(r) && r.OccurredAt >= from;
        }
        var expected = log.Where(matches).Select(r => r.Sequence).Reverse().ToList();
        Assert.True(expected.Count >= 5, $"{expected.Count} records");
        // The whole log grows with the tests of the class: larger pages, still at least four of them.
        var first = filter == "none" ? Math.Max(2, expected.Count / 4) : 2;

        // Between the pages another request writes about the same person (so into every list here).
        var (seen, pages, total) = await LogPaging.PageThroughAsync(Factory.Officer(), filters, first, () => Factory.AppendAsync([person]));

        Assert.True(pages >= 3, $"{pages} pages");
        Assert.True(Factory.LogRecords()[^1].Sequence > end);
        Assert.Equal(expected.Count, total);
        Assert.Equal(expected, seen);
    }

    /// <summary>Seven records about the person (four of them before <see cref="IndexSomeAsync"/>); their sequences, newest first.</summary>
    private async Task<List<long>> SevenRecordsAboutAsync((int Id, string Bsn) person)
    {
        await Factory.AppendAsync([person], rounds: 4);
        await IndexSomeAsync();
        await Factory.AppendAsync([person], rounds: 3);
        return [.. Factory.LogRecords().Where(r => r.PersonId == person.Id).Select(r => r.Sequence).Reverse()];
    }

    private (int Id, string Bsn) NextPerson()
    {
        var index = Interlocked.Increment(ref _nextPerson);
        return Factory.Persons(index)[index - 1];
    }
}

/// <summary>With the background indexer off: the pages read the index where the test left it, the newest records and everything written while paging from its tail.</summary>
public sealed class ProcessingLogPagingWithoutIndexerTests(UnindexedHubFactory factory) : ProcessingLogPagingCases(factory), IClassFixture<UnindexedHubFactory>
{
    protected override async Task IndexSomeAsync() => await Factory.IndexAsync();

    /// <summary>Garbage, an offset cursor (as this list gave before), another list's, and a tampered one: INVALID_CURSOR, no data, never a 500.</summary>
    [Fact]
    public async Task A_cursor_the_log_did_not_give_is_a_clear_error()
    {
        var person = Factory.Persons(3)[2];
        await Factory.AppendAsync([person], rounds: 3);
        var officer = Factory.Officer();
        var filters = new Dictionary<string, object?> { ["person"] = GlobalId.Encode("Person", person.Id), ["first"] = 1 };
        var page = await officer.GraphQLAsync(LogPaging.Query, filters);
        Assert.Empty(page.Errors);
        var cursor = page.Data.GetProperty("processingLog").GetProperty("pageInfo").GetProperty("endCursor").GetString()!;
        var coordinator = Factory.CreateClient(HubRole.GemeenteCoordinator, DemoOrganisations.GemeenteVeiligstad);
        var cases = await coordinator.GraphQLAsync("{ cases(first: 1) { pageInfo { endCursor } } }");
        var casesCursor = cases.Data.GetProperty("cases").GetProperty("pageInfo").GetProperty("endCursor").GetString()!;

        // The log's own cursor, read back: the list and its order, and the record's sequence.
        var sequence = LogIndex.Sequence(page.Data.GetProperty("processingLog").GetProperty("edges")[0].GetProperty("node"));
        Assert.Equal($"[\"Query.processingLog:SEQUENCE DESC\",{sequence}]", Encoding.UTF8.GetString(Base64Url.DecodeFromChars(cursor)));

        string[] bad =
        [
            "garbage", "", "!!!",
            Convert.ToBase64String("offset:1"u8),
            casesCursor,
            Base64Url.EncodeToString(Encoding.UTF8.GetBytes($"[\"SEQUENCE DESC\",{sequence}]")),
            Base64Url.EncodeToString(Encoding.UTF8.GetBytes($"[\"Person.incidents:SEQUENCE DESC\",{sequence}]")),
            Base64Url.EncodeToString("[\"Query.processingLog:SEQUENCE DESC\",\"x\"]"u8),
            Base64Url.EncodeToString("[\"Query.processingLog:SEQUENCE DESC\",null]"u8),
            Base64Url.EncodeToString("[\"Query.processingLog:SEQUENCE DESC\",1.5]"u8),
            Base64Url.EncodeToString("[\"Query.processingLog:SEQUENCE DESC\",99999999999999999999999]"u8),
            Base64Url.EncodeToString("[\"Query.processingLog:SEQUENCE DESC\",1,2]"u8),
            Base64Url.EncodeToString("{\"Query.processingLog:SEQUENCE DESC\":1}"u8),
            cursor[..^2],
        ];
        var logged = Factory.LogRecords().Count;
        foreach (var after in bad)
        {
            var response = await officer.GraphQLAsync(LogPaging.Query, new Dictionary<string, object?>(filters) { ["after"] = after });
            Assert.Equal(HttpStatusCode.OK, response.Status);
            Assert.True(response.ErrorCodes.SequenceEqual(["INVALID_CURSOR"]), after + ": " + response.Body);
            Assert.False(response.HasData, response.Body.ToString());
        }
        // A refused page processed no one: no inzage is logged for it.
        Assert.Equal(logged, Factory.LogRecords().Count);
    }
}

/// <summary>A data subject's access report, a page at a time.</summary>
public sealed class AccessReportPagingTests(UnindexedHubFactory factory) : IClassFixture<UnindexedHubFactory>
{
    private const string Query = """
        query($bsn: BSN!, $to: DateTime, $first: Int, $after: String) {
          accessReport(bsn: $bsn, to: $to, first: $first, after: $after) {
            totalCount pageInfo { hasNextPage hasPreviousPage endCursor } entries { occurredAt purpose }
          }
        }
        """;

    [Fact]
    public async Task A_report_longer_than_a_page_is_read_whole_oldest_first_page_by_page_and_each_page_is_logged()
    {
        // More records than the largest page: the report as one list was bounded only by the request's timeout.
        var person = factory.Persons(7)[6];
        await factory.AppendAsync([person], rounds: Paging.MaxPageSize + 30);
        await factory.IndexAsync();
        await factory.AppendAsync([person], rounds: 5); // some in the index's tail
        await Task.Delay(20);
        var to = DateTime.UtcNow.ToString("O", CultureInfo.InvariantCulture); // the pages' own inzage records come after it
        var protectedBsn = factory.Services.GetRequiredService<ProcessingLog>().Protect(person.Bsn);
        var expected = factory.LogRecords().Where(r => r.ProtectedBsn == protectedBsn).Select(r => r.Sequence).ToList();
        var officer = factory.CreateClientWithPurpose(HubRole.PrivacyFunctionaris, DemoOrganisations.GemeenteVeiligstad, "inzageverzoek");

        var entries = 0;
        var pages = new List<int>();
        string? after = null;
        var before = factory.LogRecords().Count(r => r.ProtectedBsn == protectedBsn);
        while (true)
        {
            var response = await officer.GraphQLAsync(Query, new Dictionary<string, object?> { ["bsn"] = person.Bsn, ["to"] = to, ["first"] = Paging.MaxPageSize, ["after"] = after });
            Assert.True(response.Errors.Count == 0, response.Body.ToString());
            var report = response.Data.GetProperty("accessReport");
            Assert.Equal(expected.Count, report.GetProperty("totalCount").GetInt32());
            var count = report.GetProperty("entries").GetArrayLength();
            pages.Add(count);
            entries += count;
            var info = report.GetProperty("pageInfo");
            Assert.Equal(after is not null, info.GetProperty("hasPreviousPage").GetBoolean());
            if (!info.GetProperty("hasNextPage").GetBoolean()) break;
            after = info.GetProperty("endCursor").GetString();
        }
        Assert.Equal([Paging.MaxPageSize, expected.Count - Paging.MaxPageSize], pages);
        Assert.Equal(expected.Count, entries);
        // Each page is an inzage: one record about the person per page.
        Assert.Equal(before + pages.Count, factory.LogRecords().Count(r => r.ProtectedBsn == protectedBsn));

        // Without first: a page of the default size; more than the most is refused, as on every list.
        var defaulted = await officer.GraphQLAsync(Query, new Dictionary<string, object?> { ["bsn"] = person.Bsn, ["to"] = to });
        Assert.Equal(Paging.DefaultPageSize, defaulted.Data.GetProperty("accessReport").GetProperty("entries").GetArrayLength());
        var tooMany = await officer.GraphQLAsync(Query, new Dictionary<string, object?> { ["bsn"] = person.Bsn, ["first"] = Paging.MaxPageSize + 1 });
        Assert.Equal(["INVALID_PAGE_SIZE"], tooMany.ErrorCodes);
    }

    [Fact]
    public async Task A_report_paged_without_to_ends_where_the_log_ended_at_its_first_page_whatever_its_own_pages_log()
    {
        // Each page logs an inzage about the person after it is read: a report that took those in grew a record a page,
        // so paged one at a time it never ended (and its totalCount moved with every page).
        var person = factory.Persons(9)[8];
        await factory.AppendAsync([person], rounds: 3);
        var protectedBsn = factory.Services.GetRequiredService<ProcessingLog>().Protect(person.Bsn);
        var expected = factory.LogRecords().Where(r => r.ProtectedBsn == protectedBsn).Select(r => r.OccurredAt).ToList();
        var officer = factory.CreateClientWithPurpose(HubRole.PrivacyFunctionaris, DemoOrganisations.GemeenteVeiligstad, "inzageverzoek");

        var seen = new List<DateTime>();
        string? after = null;
        for (var page = 0; page < 3 * expected.Count; page++)
        {
            var response = await officer.GraphQLAsync(Query, new Dictionary<string, object?> { ["bsn"] = person.Bsn, ["first"] = 1, ["after"] = after });
            Assert.True(response.Errors.Count == 0, response.Body.ToString());
            var report = response.Data.GetProperty("accessReport");
            Assert.Equal(expected.Count, report.GetProperty("totalCount").GetInt32());
            seen.AddRange(report.GetProperty("entries").EnumerateArray().Select(e => e.GetProperty("occurredAt").GetDateTime().ToUniversalTime()));
            var info = report.GetProperty("pageInfo");
            if (!info.GetProperty("hasNextPage").GetBoolean()) break;
            after = info.GetProperty("endCursor").GetString();
        }
        Assert.Equal(expected.Count, seen.Count);
        // The pages' own inzage records are in the next report.
        Assert.Equal(expected.Count + expected.Count, factory.LogRecords().Count(r => r.ProtectedBsn == protectedBsn));
    }

    [Fact]
    public async Task A_cursor_of_the_processing_log_or_a_made_up_one_is_refused_and_logs_no_inzage()
    {
        var person = factory.Persons(8)[7];
        await factory.AppendAsync([person], rounds: 3);
        var officer = factory.CreateClientWithPurpose(HubRole.PrivacyFunctionaris, DemoOrganisations.GemeenteVeiligstad, "inzageverzoek");
        var log = await factory.Officer().GraphQLAsync(LogPaging.Query, new Dictionary<string, object?> { ["person"] = GlobalId.Encode("Person", person.Id), ["first"] = 1 });
        var logCursor = log.Data.GetProperty("processingLog").GetProperty("pageInfo").GetProperty("endCursor").GetString()!;
        var page = await officer.GraphQLAsync(Query, new Dictionary<string, object?> { ["bsn"] = person.Bsn, ["first"] = 1 });
        var own = page.Data.GetProperty("accessReport").GetProperty("pageInfo").GetProperty("endCursor").GetString()!;
        Assert.StartsWith("[\"Query.accessReport:SEQUENCE,REPORT_END\",", Encoding.UTF8.GetString(Base64Url.DecodeFromChars(own)), StringComparison.Ordinal);

        var logged = factory.LogRecords().Count;
        foreach (var after in new[] { logCursor, "garbage", own[..^2] })
        {
            var response = await officer.GraphQLAsync(Query, new Dictionary<string, object?> { ["bsn"] = person.Bsn, ["after"] = after });
            Assert.True(response.ErrorCodes.SequenceEqual(["INVALID_CURSOR"]), after + ": " + response.Body);
            Assert.False(response.HasData, response.Body.ToString());
        }
        Assert.Equal(logged, factory.LogRecords().Count);
    }
}

/// <summary>With the background indexer on, moving the watermark while the test pages.</summary>
public sealed class ProcessingLogPagingWithIndexerTests(HubFactory factory) : ProcessingLogPagingCases(factory), IClassFixture<HubFactory>
{
    /// <summary>Waits for the background indexer to take in what the test wrote.</summary>
    protected override async Task IndexSomeAsync()
    {
        var last = Factory.LogRecords()[^1].Sequence;
        await ProcessingLogIndexerTests.WaitUntilAsync(() => Factory.IndexRows().LastOrDefault()?.Sequence >= last);
    }
}

/// <summary>One statement reads a page of the log at any depth, and SQLite answers it from the indexes.</summary>
public sealed class ProcessingLogPagingStatementTests(CountingHubFactory factory) : IClassFixture<CountingHubFactory>
{
    private const string PageQuery = """
        query($person: ID, $bsn: BSN, $first: Int, $after: String) {
          processingLog(person: $person, bsn: $bsn, first: $first, after: $after) { pageInfo { hasNextPage endCursor } nodes { sequence organisation { key } role } }
        }
        """;

    [Theory]
    [InlineData("person", "IX_ProcessingLogIndexSubjects_PersonId_BsnKey (PersonId=?)")]
    [InlineData("bsn", "IX_ProcessingLogIndexSubjects_BsnKey (BsnKey=?)")]
    public async Task Each_page_is_one_statement_that_reads_the_subject_index_and_the_tail_without_a_scan(string filter, string index)
    {
        var person = factory.Persons(filter == "person" ? 5 : 6)[^1];
        await factory.AppendAsync([person], rounds: 4);
        await factory.IndexAsync();
        await factory.AppendAsync([person], rounds: 4);
        var officer = factory.Officer();
        var variables = new Dictionary<string, object?> { [filter] = filter == "person" ? GlobalId.Encode("Person", person.Id) : person.Bsn, ["first"] = 2 };

        // The host looks the caller's organisation up once; the pages below count only what paging costs.
        Assert.Empty((await officer.GraphQLAsync("{ purposes { key } }")).Errors);
        var perPage = new List<int>();
        string? after = null;
        var reads = new List<(string Sequences, string Records)>();
        for (var page = 0; page < 3; page++)
        {
            factory.Counter.Reset();
            var response = await officer.GraphQLAsync(PageQuery, new Dictionary<string, object?>(variables) { ["after"] = after });
            Assert.Empty(response.Errors);
            // Two statements read the log: the page's sequences (the index's and the tail's, integers), then its records.
            var sequences = factory.Counter.Statements.Where(s => s.Contains("\"ProcessingRecords\"", StringComparison.Ordinal)).ToList();
            var records = factory.Counter.Statements.Where(s => s.Contains("json_each(@sequences)", StringComparison.Ordinal)).ToList();
            Assert.True(sequences.Count == 1 && records.Count == 1, string.Join("\n\n", factory.Counter.Statements));
            reads.Add((sequences[0], records[0]));
            perPage.Add(factory.Counter.Count);
            after = response.Data.GetProperty("processingLog").GetProperty("pageInfo").GetProperty("endCursor").GetString();
        }

        // The first page's statements and the later pages' (with the cursor's bound): the same number of statements each.
        Assert.True(perPage.Distinct().Count() == 1, string.Join(", ", perPage));
        Assert.Equal(reads[1], reads[2]);
        Assert.Contains("\"Value\" < @beyond", reads[1].Sequences, StringComparison.Ordinal);
        Assert.Contains("\"Sequence\" < @", reads[1].Records, StringComparison.Ordinal);
        var plan = factory.WithDb(db => Plan(db, reads[1].Sequences));
        var text = string.Join("\n", plan);
        // json_each reads each of the subject's runs (and the tail's packed actions): a scan of that array, not of a table.
        // The subject's sequences are sorted as integers (in a temporary B-tree).
        Assert.Empty(LogIndex.TableScans(plan, reads[1].Sequences));
        Assert.Contains($"COVERING INDEX {index}", text, StringComparison.Ordinal);
        // Each subject's rows a range of the index's key, the tail a range of the log's.
        Assert.Contains("PRIMARY KEY (Subject=?)", text, StringComparison.Ordinal);
        Assert.Contains("INTEGER PRIMARY KEY (rowid>?)", text, StringComparison.Ordinal);
        // Then each of the page's records by its key: a person row by its own, a packed one by its action's.
        var recordsPlan = factory.WithDb(db => Plan(db, reads[1].Records));
        Assert.Empty(LogIndex.TableScans(recordsPlan, reads[1].Records));
        Assert.Contains("INTEGER PRIMARY KEY (rowid=?)", string.Join("\n", recordsPlan), StringComparison.Ordinal);
    }

    private const string PeriodLogQuery = """
        query($person: ID, $bsn: BSN, $from: DateTime, $to: DateTime) {
          processingLog(person: $person, bsn: $bsn, from: $from, to: $to, first: 2) { totalCount nodes { sequence } }
        }
        """;

    private const string PeriodReportQuery = """
        query($bsn: BSN!, $from: DateTime, $to: DateTime) { accessReport(bsn: $bsn, from: $from, to: $to, first: 2) { totalCount entries { occurredAt } } }
        """;

    /// <summary>
    /// A person's records in a period are the records the index by data subject names, each checked for its action's time
    /// as the view joins it: a handful of look-ups whatever the period. Bounding them by the sequences the period's actions
    /// span too made every page (and its totalCount) read the actions' time index over the whole period, or walk the
    /// actions from the log's start (from only) or end (to only) to the period: a year's access report read a year of the
    /// hub's requests to list one person's few records.
    /// </summary>
    [Theory]
    [InlineData("processingLog", "person", "2026-01-01T00:00:00Z", "2027-01-01T00:00:00Z")]
    [InlineData("processingLog", "person", "2026-01-01T00:00:00Z", null)]
    [InlineData("processingLog", "bsn", null, "2027-01-01T00:00:00Z")]
    [InlineData("accessReport", "bsn", "2026-01-01T00:00:00Z", "2027-01-01T00:00:00Z")]
    [InlineData("accessReport", "bsn", "2026-01-01T00:00:00Z", null)]
    [InlineData("accessReport", "bsn", null, "2027-01-01T00:00:00Z")]
    public async Task A_persons_records_in_a_period_are_read_without_the_periods_other_actions(string field, string filter, string? from, string? to)
    {
        var person = factory.Persons(7)[^1];
        await factory.AppendAsync([person], rounds: 2);
        await factory.IndexAsync();
        var client = field == "processingLog"
            ? factory.Officer()
            : factory.CreateClientWithPurpose(HubRole.PrivacyFunctionaris, DemoOrganisations.GemeenteVeiligstad, "inzageverzoek");
        var variables = new Dictionary<string, object?>
        {
            [filter] = filter == "person" ? GlobalId.Encode("Person", person.Id) : person.Bsn,
            ["from"] = from,
            ["to"] = to,
        };
        Assert.Empty((await client.GraphQLAsync("{ purposes { key } }")).Errors);

        factory.Counter.Reset();
        var response = await client.GraphQLAsync(field == "processingLog" ? PeriodLogQuery : PeriodReportQuery, variables);

        Assert.Empty(response.Errors);
        foreach (var (read, plan) in PlansOfTheLogsReads())
        {
            var text = string.Join("\n", plan);
            // The actions only by their key, as the view joins each record to its own.
            Assert.DoesNotContain("IX_ProcessingActions_OccurredAt", text, StringComparison.Ordinal);
            Assert.Empty(LogIndex.TableScans(plan, read));
            Assert.True(plan.Where(line => line.StartsWith("SEARCH ", StringComparison.Ordinal)).All(line => line.Contains(" USING ", StringComparison.Ordinal)), read + "\n" + text);
        }
    }

    /// <summary>
    /// The whole log in a period from a time on (no end): its first action found through the actions' time index, as with
    /// both bounds. With the one bound SQLite's planner found MIN(Id) by walking the actions from the log's start to the
    /// first in the period (every request the hub ever logged before it, for "since last week"), and the action after the
    /// period's last by walking them from the end (all of them when the period has none, a time after the last action).
    /// </summary>
    [Theory]
    [InlineData("2026-01-01T00:00:00Z", "2026-02-01T00:00:00Z")]
    [InlineData("2026-01-01T00:00:00Z", null)]
    [InlineData("2099-01-01T00:00:00Z", null)]
    public async Task The_log_in_a_period_reads_the_actions_through_their_time_index_only(string from, string? to)
    {
        var officer = factory.Officer();
        Assert.Empty((await officer.GraphQLAsync("{ purposes { key } }")).Errors);

        factory.Counter.Reset();
        var response = await officer.GraphQLAsync(PeriodLogQuery, new Dictionary<string, object?> { ["from"] = from, ["to"] = to });

        Assert.Empty(response.Errors);
        Assert.Equal(2, factory.Counter.Statements.Count(s => s.Contains("\"ProcessingRecords\"", StringComparison.Ordinal))); // the page and its totalCount
        // The page and its count, and the statements before them that find the period's range of actions (given to them as
        // values, AccountabilityQueries.LogPeriodAsync): each reads by an index or a range of a key.
        var reads = factory.Counter.Statements.Where(s => s.Contains("\"ProcessingRecords\"", StringComparison.Ordinal) || s.Contains("\"ProcessingActions\"", StringComparison.Ordinal)).ToList();
        var plans = reads.Select(read => (read, Plan: factory.WithDb(db => Plan(db, read)))).ToList();
        foreach (var (read, plan) in plans)
        {
            var text = string.Join("\n", plan);
            Assert.True(LogIndex.TableScans(plan, read).Count == 0, read + "\n" + text);
            // Every read of a table by an index or a range of its key: a bare "SEARCH p" is the MIN/MAX optimisation's walk.
            Assert.True(plan.Where(line => line.StartsWith("SEARCH ", StringComparison.Ordinal)).All(line => line.Contains(" USING ", StringComparison.Ordinal)), read + "\n" + text);
        }
        // The period's first action through the actions' time index.
        Assert.Contains(plans, p => p.Plan.Any(line => line.Contains("IX_ProcessingActions_OccurredAt", StringComparison.Ordinal)));
    }

    /// <summary>The statements of the request just counted that read the log's records (the page and its totalCount), each with SQLite's plan.</summary>
    private List<(string Read, List<string> Plan)> PlansOfTheLogsReads()
    {
        var reads = factory.Counter.Statements.Where(s => s.Contains("\"ProcessingRecords\"", StringComparison.Ordinal)).ToList();
        Assert.Equal(2, reads.Count); // the page and its totalCount
        return [.. reads.Select(read => (read, factory.WithDb(db => Plan(db, read))))];
    }

    [Fact]
    public void A_page_after_a_cursor_is_valid_TSql()
    {
        using var sqlServer = new SqlServerDesignTimeFactory().CreateDbContext([]);
        const long after = 1000;
        var statements = new[]
        {
            ProcessingLogIndex.About(sqlServer, 1, 1000, 990).Where(r => r.Sequence < after).OrderByDescending(r => r.Sequence).Take(3).ToQueryString(),
            ProcessingLogIndex.AboutBsn(sqlServer, new string('a', 64), 1000, 990).Where(r => r.Sequence < after).OrderByDescending(r => r.Sequence).Take(3).ToQueryString(),
            // A page's sequences, first (with a period and a report's end) and after a cursor, and its records read by them.
            Declared(ProcessingLogIndex.SubjectBsn(sqlServer, new string('a', 64), 1000, 990)
                .CandidatesQuery(newestFirst: false, null, 2000, new DateTime(2026, 1, 1, 0, 0, 0, DateTimeKind.Utc), new DateTime(2027, 1, 1, 0, 0, 0, DateTimeKind.Utc), 3)),
            Declared(ProcessingLogIndex.Subject(sqlServer, 1, 1000, 990).CandidatesQuery(newestFirst: true, after, null, null, null, 3)),
            ProcessingLogIndex.Subject(sqlServer, 1, 1000, 990).At([5, 7, 9]).Where(r => r.Sequence < after).OrderByDescending(r => r.Sequence).Take(3).ToQueryString(),
        };
        foreach (var statement in statements)
        {
            new TSql160Parser(initialQuotedIdentifiers: true).Parse(new StringReader(statement), out var errors);
            Assert.True(errors.Count == 0, statement);
        }
    }

    /// <summary>A statement with its parameters declared, as ToQueryString writes them, so that it parses as T-SQL on its own.</summary>
    private static string Declared((string Sql, List<System.Data.Common.DbParameter> Parameters) query)
        => string.Concat(query.Parameters.Select(p => $"DECLARE {p.ParameterName} {(p.Value is string ? "nvarchar(max)" : p.Value is DateTime ? "datetime2" : "bigint")};\n")) + query.Sql;

    /// <summary>SQLite's plan for a statement the hub sent, its parameters bound to placeholders (the plan does not depend on their values: no ANALYZE statistics).</summary>
    private static List<string> Plan(VeiligheidDbContext db, string statement)
    {
        using var command = db.Database.GetDbConnection().CreateCommand();
        command.CommandText = statement;
        foreach (var name in Regex.Matches(statement, @"@\w+").Select(m => m.Value).Distinct())
        {
            var parameter = command.CreateParameter();
            parameter.ParameterName = name;
            parameter.Value = 1;
            command.Parameters.Add(parameter);
        }
        return LogIndex.Plan(db, command);
    }
}

/// <summary>A person's page is read from its own sequences first; where one of them gives no record the page takes, from all the person's.</summary>
public sealed class ProcessingLogSubjectPageTests(UnindexedHubFactory factory) : IClassFixture<UnindexedHubFactory>
{
    private const string PageQuery = """
        query($person: ID) { processingLog(person: $person, first: 2) { pageInfo { hasNextPage } nodes { sequence } } }
        """;

    [Fact]
    public async Task A_page_whose_sequences_the_log_does_not_hold_for_the_person_is_read_from_all_their_records()
    {
        var persons = factory.Persons(12);
        var (person, other) = (persons[^2], persons[^1]);
        var before = factory.LogRecords().Count;
        await factory.AppendAsync([person], rounds: 4);
        await factory.AppendAsync([other], rounds: 3);
        await factory.IndexAsync();
        var own = factory.LogRecords().Skip(before).Where(r => r.PersonId == person.Id).Select(r => r.Sequence).ToList();
        // An edited index: the other person's (newer) records named under this person's subject. The page's sequences,
        // the three newest the index names for the person, then hold no record about them (each is checked against
        // the person again), and the page is short of what was read.
        factory.WithDb(db =>
        {
            var subjectOf = (int id) => db.Set<LogIndexSubject>().Where(s => s.PersonId == id).Select(s => s.Id).Single();
            return db.Database.ExecuteSql($"UPDATE ProcessingLogIndexRuns SET Subject = {subjectOf(person.Id)} WHERE Subject = {subjectOf(other.Id)}");
        });

        var response = await factory.Officer().GraphQLAsync(PageQuery, new { person = GlobalId.Encode("Person", person.Id) });

        Assert.Empty(response.Errors);
        var page = response.Data.GetProperty("processingLog");
        Assert.Equal(own.AsEnumerable().Reverse().Take(2), page.GetProperty("nodes").EnumerateArray().Select(n => long.Parse(n.GetProperty("sequence").GetString()!, CultureInfo.InvariantCulture)));
        Assert.True(page.GetProperty("pageInfo").GetProperty("hasNextPage").GetBoolean());
    }
}
