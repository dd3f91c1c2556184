using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using Veiligheid.Access;
using Veiligheid.Accountability;
using Veiligheid.Data.Seeding;
using Veiligheid.GraphQL;
using Veiligheid.Tests.Infrastructure;

namespace Veiligheid.Tests.Accountability;

/// <summary>
/// A hub upgraded over a log of 1 Dec 2026: the log holds person rows (written here by the hub switched to the earlier
/// form, <see cref="HubFactory.WritesPersonRows"/>), then records packed into their actions (the switch off, as the
/// upgraded hub writes). Every reader reads both: the look-ups by person and BSN and the access report, through the index
/// and its tail wherever the watermark falls; the whole log's pages; verify-log, also where it compares the index with the
/// log. The indexer is off, so the index moves only when the test runs a pass.
/// </summary>
public sealed class MixedFormLogTests
{
    private const string ReportQuery = "query($bsn: BSN!, $first: Int) { accessReport(bsn: $bsn, first: $first) { totalCount entries { occurredAt } } }";

    [Fact]
    public async Task The_look_ups_find_the_records_of_both_forms_before_and_after_the_indexer_ran_and_the_log_verifies()
    {
        // A host of its own, as it is switched: no other test's fixture changes form.
        using var host = new UnindexedHubFactory { WritesPersonRows = true };
        var log = host.Services.GetRequiredService<ProcessingLog>();
        var persons = host.Persons(3);
        var coordinator = host.CreateClientWithPurpose(HubRole.GemeenteCoordinator, DemoOrganisations.GemeenteVeiligstad, LogIndex.Purpose);

        // The earlier form: two rounds and a request of the hub's, indexed; one more round in the index's tail.
        await host.AppendAsync(persons, rounds: 2);
        Assert.Empty((await coordinator.GraphQLAsync("{ persons(first: 3) { nodes { id } } }")).Errors);
        await host.IndexAsync();
        await host.AppendAsync(persons, rounds: 1);
        var earlierEnd = host.LogRecords()[^1].Sequence;
        Assert.Equal(earlierEnd, host.WithDb(db => db.Set<ProcessingLogEntry>().Count()));

        // Upgraded: the records packed from now on.
        log.WritesPersonRows = false;
        await host.AppendAsync(persons, rounds: 2);
        Assert.Empty((await coordinator.GraphQLAsync("{ persons(first: 3) { nodes { id } } }")).Errors);
        Assert.Equal(earlierEnd, host.WithDb(db => db.Set<ProcessingLogEntry>().Count()));
        Assert.Equal(3, host.WithDb(db => db.Set<ProcessingAction>().Count(a => a.Records != null)));

        // (a) The tail holds records of both forms (and the index earlier ones).
        Assert.Contains(host.LogRecords(), r => r.Sequence > host.IndexRows()[^1].Sequence && r.Sequence <= earlierEnd);
        await AssertLookUpsFindBothFormsAsync(host, persons, earlierEnd);

        // (b) All indexed: the index holds both forms.
        Assert.True(await host.IndexAsync() > 0);
        host.AssertIndexHoldsTheLog();
        await AssertLookUpsFindBothFormsAsync(host, persons, earlierEnd);

        // (c) The index holds both, the tail packed records.
        await host.IndexAsync();
        await host.AppendAsync(persons, rounds: 1);
        await AssertLookUpsFindBothFormsAsync(host, persons, earlierEnd);

        // The whole log, newest first a page at a time, across the forms; and a period that begins in the earlier form.
        var records = host.LogRecords();
        var (all, _, _) = await LogPaging.PageThroughAsync(host.Officer(), [], 7, () => Task.CompletedTask);
        Assert.Equal(records.Select(r => r.Sequence).Reverse(), all);
        var (from, to) = (records[3].OccurredAt, records[^2].OccurredAt);
        var (period, _, _) = await LogPaging.PageThroughAsync(host.Officer(), new() { ["from"] = LogPaging.Utc(from), ["to"] = LogPaging.Utc(to) }, 5, () => Task.CompletedTask);
        Assert.Equal(records.Where(r => r.OccurredAt >= from && r.OccurredAt < to).Select(r => r.Sequence).Reverse(), period);
        Assert.Contains(period, s => s <= earlierEnd);
        Assert.Contains(period, s => s > earlierEnd);

        // verify-log: the chain whole across the forms, and the index agreeing with the log.
        await host.IndexAsync();
        var intact = await VerifyLogTests.VerifyAsync(host.DatabasePath);
        Assert.True(intact.Exit == AccountabilityCommands.ExitOk, intact.Error);
        Assert.Contains($"{host.LogRecords().Count} records verified", intact.Output, StringComparison.Ordinal);

        // A run of the last pass, of packed records only, put under another person: verify-log compares the packed records
        // with the index too, and says the look-ups leave the record out.
        var run = host.WithDb(db => db.Set<LogIndexRun>().AsNoTracking().OrderByDescending(r => r.First).First());
        Assert.True(run.First > earlierEnd);
        var subject = host.WithDb(db => db.Set<LogIndexSubject>().AsNoTracking().Single(s => s.Id == run.Subject));
        Assert.NotNull(subject.PersonId);
        var other = host.WithDb(db => db.Set<LogIndexSubject>().AsNoTracking().First(s => s.PersonId != null && s.PersonId != subject.PersonId).Id);
        host.WithDb(db => db.Database.ExecuteSql($"UPDATE ProcessingLogIndexRuns SET Subject = {other} WHERE Subject = {run.Subject} AND First = {run.First}"));
        Assert.DoesNotContain(run.First, host.WithDb(db => ProcessingLogIndex.About(db, subject.PersonId!.Value).Select(r => r.Sequence).ToList()));
        var misindexed = await VerifyLogTests.VerifyAsync(host.DatabasePath);
        Assert.Equal(AccountabilityCommands.ExitBroken, misindexed.Exit);
        Assert.Contains($"its index by data subject names record {run.First} under another person or BSN than the log does", misindexed.Error, StringComparison.Ordinal);
    }

    /// <summary>
    /// For each person: the processing log by person and by BSN, and the access report, give exactly the records the log
    /// holds about them (records of both forms among them); and the index's look-ups agree with the log for everyone. Each
    /// look-up about a person is itself logged about them, so what it should find is read just before it.
    /// </summary>
    private static async Task AssertLookUpsFindBothFormsAsync(UnindexedHubFactory host, List<(int Id, string Bsn)> persons, long earlierEnd)
    {
        host.AssertLookUpsMatchTheLog();
        var log = host.Services.GetRequiredService<ProcessingLog>();
        var officer = host.Officer();
        var reporter = host.CreateClientWithPurpose(HubRole.PrivacyFunctionaris, DemoOrganisations.GemeenteVeiligstad, "inzageverzoek");
        foreach (var person in persons)
        {
            var protectedBsn = log.Protect(person.Bsn);

            var expected = host.LogRecords().Where(r => r.PersonId == person.Id).Select(r => r.Sequence).Reverse().ToList();
            Assert.Contains(expected, s => s <= earlierEnd);
            Assert.Contains(expected, s => s > earlierEnd);
            var byId = await officer.GraphQLAsync(LogPaging.Query, new Dictionary<string, object?> { ["person"] = GlobalId.Encode("Person", person.Id), ["first"] = Paging.MaxPageSize });
            Assert.Equal(expected, Sequences(byId));

            expected = [.. host.LogRecords().Where(r => r.ProtectedBsn == protectedBsn).Select(r => r.Sequence).Reverse()];
            var byBsn = await officer.GraphQLAsync(LogPaging.Query, new Dictionary<string, object?> { ["bsn"] = person.Bsn, ["first"] = Paging.MaxPageSize });
            Assert.Equal(expected, Sequences(byBsn));

            // Oldest first, each at its time to the second (the report gives no finer time).
            var times = host.LogRecords().Where(r => r.ProtectedBsn == protectedBsn).Select(r => r.OccurredAt.AddTicks(-(r.OccurredAt.Ticks % TimeSpan.TicksPerSecond))).ToList();
            var report = await reporter.GraphQLAsync(ReportQuery, new Dictionary<string, object?> { ["bsn"] = person.Bsn, ["first"] = Paging.MaxPageSize });
            Assert.True(report.Errors.Count == 0, report.Body.ToString());
            var entries = report.Data.GetProperty("accessReport");
            Assert.Equal(times.Count, entries.GetProperty("totalCount").GetInt32());
            Assert.Equal(times, entries.GetProperty("entries").EnumerateArray().Select(e => e.GetProperty("occurredAt").GetDateTime().ToUniversalTime()));
        }
    }

    private static List<long> Sequences(GraphQLResponse response)
    {
        Assert.True(response.Errors.Count == 0, response.Body.ToString());
        return [.. response.Data.GetProperty("processingLog").GetProperty("edges").EnumerateArray().Select(e => LogIndex.Sequence(e.GetProperty("node")))];
    }
}
