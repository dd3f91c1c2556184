using Microsoft.Data.Sqlite;
using Microsoft.EntityFrameworkCore;
using Veiligheid.Accountability;
using Veiligheid.Data;
using Veiligheid.Tests.Infrastructure;

namespace Veiligheid.Tests.Accountability;

/// <summary>
/// The whole log's look-ups by period (<see cref="AccountabilityQueries.LogPeriod"/>) read the person rows as the range of sequences
/// the period's actions span, not through an index by action: they must find every record of every action in the period,
/// and none of another, whatever order the actions' times are in (requests drafted before another's commit, hosts whose
/// clocks differ).
/// </summary>
public sealed class ProcessingLogPeriodTests : IDisposable
{
    private readonly TestDirectory _directory = new();

    public void Dispose() => _directory.Dispose();

    private static readonly DateTime Nine = new(2026, 3, 2, 9, 0, 0, DateTimeKind.Utc);

    [Fact]
    public async Task A_period_finds_every_record_of_its_actions_whatever_order_their_times_are_in()
    {
        var path = _directory.File("period.db");
        // Six actions of 1 to 3 records, their times out of the order of their places in the log.
        int[] minutes = [60, 0, 120, 30, 59, 61];
        var person = 0;
        var requests = minutes.Select((minute, action) => Enumerable.Range(0, action % 3 + 1).Select(_ =>
        {
            var record = ChainedRecords.After(0, ProcessingLog.GenesisHash, personId: ++person);
            record.OccurredAt = Nine.AddMinutes(minute);
            return record;
        }).ToList()).ToList();
        foreach (var request in requests)
            foreach (var record in request.Skip(1))
            {
                record.ActionId = request[0].ActionId;
                record.OccurredAt = request[0].OccurredAt;
            }
        await using var db = DatabaseSetup.OpenSqlite(path);
        await db.MigrateAsync();
        using (var writer = SqliteLogWriter.For(db)!) writer.Write((sequence, previous) => ProcessingLog.Chain(requests, sequence, previous));
        var all = await db.Set<ProcessingRecord>().AsNoTracking().OrderBy(r => r.Sequence).Select(r => new { r.Sequence, r.OccurredAt }).ToListAsync();
        Assert.Equal(requests.Sum(r => r.Count), all.Count);

        (DateTime?, DateTime?)[] periods =
        [
            (Nine, Nine.AddMinutes(59)), // the second and fourth actions, with the third between them outside
            (Nine.AddMinutes(59), Nine.AddMinutes(61)), // the fifth and the first, in the opposite order of their places
            (Nine.AddMinutes(60), null), // from the first on: the first, third and sixth
            (null, Nine.AddMinutes(30)), // up to the fourth: the second alone
            (Nine.AddMinutes(200), null), // no action: no record
            (null, Nine), // before every action: no record
            (Nine.AddMinutes(60), Nine.AddMinutes(60)), // empty: no record
            (Nine, Nine.AddMinutes(500)), // every action
        ];
        foreach (var (from, to) in periods)
        {
            var expected = all.Where(r => (from is null || r.OccurredAt >= from) && (to is null || r.OccurredAt < to)).Select(r => r.Sequence).ToList();
            var found = await (await AccountabilityQueries.LogPeriodAsync(db, from, to, CancellationToken.None)).Records
                .OrderBy(r => r.Sequence).Select(r => r.Sequence).ToListAsync();
            Assert.Equal(expected, found);
            var newestFirst = await (await AccountabilityQueries.LogPeriodAsync(db, from, to, CancellationToken.None)).Records
                .OrderByDescending(r => r.Sequence).Take(2).Select(r => r.Sequence).ToListAsync();
            Assert.Equal(expected.AsEnumerable().Reverse().Take(2), newestFirst);
        }
        SqliteConnection.ClearAllPools();
    }
}
