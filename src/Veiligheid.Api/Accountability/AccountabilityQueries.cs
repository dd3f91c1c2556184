using System.Linq.Expressions;
using GraphQL;
using GraphQL.Types;
using Microsoft.EntityFrameworkCore;
using Veiligheid.Access;
using Veiligheid.Data;
using Veiligheid.GraphQL;
using Veiligheid.Persons;

namespace Veiligheid.Accountability;

/// <summary>The query fields of accountable access: the purposes register, the processing log, the access report, the person overview.</summary>
public static class AccountabilityQueries
{
    /// <summary>
    /// The log's one order, newest first by sequence, for keyset cursors: asking for a person's records appends one (the
    /// inzage is logged), as any request may append, so a position would shift by what was appended since the page
    /// before, where "records before this sequence" holds still. The sequence is unique, so it needs no tie-breaker.
    /// </summary>
    private static readonly SortTerm<ProcessingRecord>[] NewestFirst =
        [new(new SortField<ProcessingRecord>("SEQUENCE", "Position in the log's chain.", DataCategory.Verwerkingslog, (Expression<Func<ProcessingRecord, long>>)(r => r.Sequence)), Descending: true)];

    /// <summary>Named in the log's cursors: no other list's cursor pages it, nor one of its cursors another list.</summary>
    private const string ProcessingLogList = "Query.processingLog";

    /// <summary>An access report's one order, oldest first by sequence (the report reads as a history); keyset cursors as the log's.</summary>
    private static readonly SortTerm<ProcessingRecord>[] OldestFirst = [NewestFirst[0] with { Descending = false }];

    /// <summary>Named in an access report's cursors, apart from the log's (another order).</summary>
    private const string AccessReportList = "Query.accessReport";

    /// <summary>
    /// What an access report's cursor holds: its record's sequence and the report's end, the log's last sequence when the
    /// first page was read. Each page logs an inzage about the person, so a report that took in what was written while it
    /// was paged grew a record a page (paged one at a time it never ended); pinned, it holds still, and the records
    /// written since (its own pages' among them) are in the next report. Only the key's type of the end is read.
    /// </summary>
    private static readonly SortTerm<ProcessingRecord>[] ReportCursor =
        [OldestFirst[0], new(new SortField<ProcessingRecord>("REPORT_END", "The log's last sequence when the report's first page was read.", DataCategory.Verwerkingslog, (Expression<Func<ProcessingRecord, long>>)(r => r.Sequence)), Descending: false)];

    public static void AddAccountabilityFields(this QueryType query)
    {
        ArgumentNullException.ThrowIfNull(query);

        query.Field<NonNullGraphType<ListGraphType<NonNullGraphType<ProcessingPurposeType>>>>("purposes").Category(DataCategory.Register)
            .Description("The register of processing purposes. A request that reads person-level data names one of them, that its role may invoke, in the X-Purpose header. A short fixed register read whole: no filter, sort or paging.")
            .Resolve(_ => Purposes.All);

        query.Field<NonNullGraphType<ConnectionGraphType<ProcessingRecordType, ProcessingRecord>>>("processingLog").Category(DataCategory.Verwerkingslog)
            .Description("The processing log, newest first, optionally for one person (by BSN or id) and a period. Asking for one person's records is itself logged. A cursor holds its record's place in the log, so the next page continues with the records before it: records written since the first page never appear on later pages, and none repeats.")
            .Argument<BsnScalar>("bsn", "Only records about the person with this BSN (matched through its protected form, so also after the person was removed).")
            .Argument<IdGraphType>("person", "Only records about the person with this global id.")
            .Argument<DateTimeScalar>("from", "Only records at or after this time.")
            .Argument<DateTimeScalar>("to", "Only records before this time.")
            .Arguments(Paging.Arguments())
            .ResolveAsync(async ctx =>
            {
                var hub = ctx.Hub();
                var log = ctx.RequestServices!.GetRequiredService<ProcessingLog>();
                // A person's records, as the index by data subject finds them; null for the whole log.
                IQueryable<ProcessingRecord>? about = null;
                var bsn = ctx.GetArgument<string?>("bsn");
                if (bsn is not null) about = await ProcessingLogIndex.AboutBsnAsync(hub.Db, log.Protect(bsn), ctx.CancellationToken);
                int? person = null;
                if (ctx.GetArgument<string?>("person") is { } personGlobalId)
                {
                    if (!GlobalId.TryDecode(personGlobalId, "Person", out var personId))
                        throw new ExecutionError($"'{personGlobalId}' is not a person id.") { Code = "INVALID_ID" };
                    // With a BSN as well, the records about that BSN are already few: the person narrows them further.
                    about = about is null ? await ProcessingLogIndex.AboutAsync(hub.Db, personId, ctx.CancellationToken) : about.Where(r => r.PersonId == personId);
                    person = personId;
                }
                var (from, to) = (ctx.GetArgument<DateTime?>("from"), ctx.GetArgument<DateTime?>("to"));
                var records = about is null ? LogPeriod(hub.Db, from, to) : Period(about, from, to);
                var page = await records.ToKeysetPageAsync(NewestFirst, ctx, ProcessingLogList);
                // The inzage is noted once the page is read: a page refused (a cursor the log did not give) processed no one.
                if (bsn is not null) NoteSubject(hub, bsn);
                // By id only: an id the hub does not hold names no one unless the page shows records about it. A record
                // naming a made-up id would be about no one, and would read at the next start as a log newer than the
                // database (LogConsistency). A person retention removed is named by the protected BSN their records on the
                // page carry, so the look-up is in their access report (a page without records showed nothing of them).
                if (person is { } id)
                    hub.Processing.AddNamed(id, DataCategory.Verwerkingslog, page.Nodes.Select(r => r.ProtectedBsn).FirstOrDefault(b => b is not null));
                return page;
            });

        query.Field<NonNullGraphType<AccessReportType>>("accessReport").Category(DataCategory.Verwerkingslog)
            .Description("A data subject's access report (inzage): which organisation processed the person's data, when and why, leaving out users and systems, oldest first, a page at a time (a person processed daily for years has tens of thousands of entries). The report ends where the log ended when its first page was read: what is written while it is paged (each page's own inzage among it) is in the next report. Producing each page is logged under the request's purpose.")
            .Argument<NonNullGraphType<BsnScalar>>("bsn", "The data subject's BSN.")
            .Argument<DateTimeScalar>("from", "Start of the period, inclusive: records at or after this time; everything held when omitted.")
            .Argument<DateTimeScalar>("to", "End of the period, exclusive: records before this time; up to now when omitted.")
            .Arguments(Paging.Arguments())
            .ResolveAsync(async ctx =>
            {
                var hub = ctx.Hub();
                var log = ctx.RequestServices!.GetRequiredService<ProcessingLog>();
                var bsn = ctx.GetArgument<string>("bsn");
                var from = ctx.GetArgument<DateTime?>("from");
                var to = ctx.GetArgument<DateTime?>("to");
                var protectedBsn = log.Protect(bsn);
                var cursor = ctx.GetArgument<string?>("after") is { } after ? Keyset.Decode(ReportCursor, after, AccessReportList) : null;
                var end = cursor is null ? await ProcessingLog.EndAsync(hub.Db, ctx.CancellationToken) : (long)cursor[1]!;
                var report = Period(await ProcessingLogIndex.AboutBsnAsync(hub.Db, protectedBsn, ctx.CancellationToken), from, to).Where(r => r.Sequence <= end);
                var page = await report.ToKeysetPageAsync(OldestFirst, ctx, AccessReportList, cursor is null ? null : [cursor[0]]);
                var entries = new Page<ProcessingRecord>(page.Nodes, page.HasNextPage, page.HasPreviousPage,
                    (_, row) => Keyset.Encode(ReportCursor, [row.Sequence, end], AccessReportList), page.Count);
                // As the log's look-up: noted once the page is read, so a page refused (a cursor the report did not give) processed no one.
                NoteSubject(hub, bsn);
                var now = ctx.RequestServices!.GetService<TimeProvider>()?.GetUtcNow().UtcDateTime ?? DateTime.UtcNow;
                return new AccessReport(now, from, to, entries);
            });

        query.Field<PersonOverviewType>("personOverview").Category(DataCategory.Identiteit)
            .Description("The lokale kamer's integrated overview of one person: identity, address, current cases, a timeline across partners, life domains, and which parts are withheld and why. Each part exactly as the caller's role and the request's purpose allow; null when the person does not exist or is not visible to the caller.")
            .Argument<NonNullGraphType<IdGraphType>>("id", "The person's global id.")
            .ResolveAsync(async ctx =>
            {
                if (!GlobalId.TryDecode(ctx.GetArgument<string>("id"), "Person", out var id)) return null;
                var hub = ctx.Hub();
                var person = await hub.Persons().AsNoTracking().FirstOrDefaultAsync(p => p.Id == id, ctx.CancellationToken);
                return person is null ? null : new PersonOverview(person);
            });
    }

    /// <summary>
    /// The person the privacy officer asks about is processed too (the inzage itself is logged): by BSN, with the person's
    /// id when the hub still holds them (<see cref="ProcessingCollector.AddByBsn"/>).
    /// </summary>
    private static void NoteSubject(RequestContext hub, string bsn) => hub.Processing.AddByBsn(bsn, DataCategory.Verwerkingslog);

    /// <summary>
    /// These records (a person's, as the index by data subject finds them) in a period: their action's time in it, checked
    /// for each record as the view joins it to its action.
    /// </summary>
    internal static IQueryable<ProcessingRecord> Period(IQueryable<ProcessingRecord> records, DateTime? from, DateTime? to)
    {
        if (from is { } start) records = records.Where(r => r.OccurredAt >= start);
        if (to is { } end) records = records.Where(r => r.OccurredAt < end);
        return records;
    }

    /// <summary>
    /// The whole log's records of a period (every record when neither bound is given): their action's time in it, and (so
    /// that it is a range of the log's key, not a scan of the log) their sequence from the first action in the period
    /// and, when it has an end, before the action after its last. The person rows have no index by action (a second B-tree
    /// that each record paid for; BENCHMARKS.md, "Nineteenth round"), so the actions found by their time cannot lead to
    /// their rows; the bounds do, whatever order the actions' times are in: a record is at or after its action's id, and
    /// before the next action's.
    /// </summary>
    /// <remarks>
    /// The period's first action is read through the actions' time index with a bound on each side: with only its start,
    /// SQLite's planner finds MIN(Id) by walking the actions in key order from the log's start to the first in the period
    /// (every request logged before it; all of them for a period after the last). Without an end there is no upper bound
    /// to find (the action after the last in the period is out of it, and so are its records). With only an end, the
    /// planner still walks the actions from the log's end back to the period's last (those after it: fewer than the records
    /// a newest-first page read back through before the bounds). Not for a person's
    /// records: the index by data subject finds those, and the bounds would read the period's other actions besides
    /// (<see cref="Period"/>).
    /// </remarks>
    internal static IQueryable<ProcessingRecord> LogPeriod(VeiligheidDbContext db, DateTime? from, DateTime? to)
    {
        var records = Period(db.Set<ProcessingRecord>().AsNoTracking(), from, to);
        if (from is null && to is null) return records;
        var actions = db.Set<ProcessingAction>().AsNoTracking();
        var inPeriod = actions;
        if (from is { } start) inPeriod = inPeriod.Where(a => a.OccurredAt >= start);
        if (to is { } end) inPeriod = inPeriod.Where(a => a.OccurredAt < end);
        var first = from is not null && to is null ? inPeriod.Where(a => a.OccurredAt <= DateTime.MaxValue) : inPeriod;
        records = records.Where(r => r.Sequence >= first.Min(a => (long?)a.Id));
        if (to is not null)
            records = records.Where(r => r.Sequence < (actions.Where(b => b.Id > inPeriod.Max(a => (long?)a.Id)).Min(b => (long?)b.Id) ?? long.MaxValue));
        return records;
    }
}
