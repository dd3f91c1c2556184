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
                var damage = DamageLogger(ctx);
                // A person's records, as the index by data subject finds them; null for the whole log.
                SubjectLog? about = null;
                var bsn = ctx.GetArgument<string?>("bsn");
                if (bsn is not null) about = await ProcessingLogIndex.SubjectBsnAsync(hub.Db, log.Protect(bsn), ctx.CancellationToken);
                int? person = null;
                if (ctx.GetArgument<string?>("person") is { } personGlobalId)
                {
                    if (!GlobalId.TryDecode(personGlobalId, "Person", out var personId))
                        throw new ExecutionError($"'{personGlobalId}' is not a person id.") { Code = "INVALID_ID" };
                    // With a BSN as well, the records about that BSN are already few: the person narrows them further.
                    about ??= await ProcessingLogIndex.SubjectAsync(hub.Db, personId, ctx.CancellationToken);
                    person = personId;
                }
                var (from, to) = (ctx.GetArgument<DateTime?>("from"), ctx.GetArgument<DateTime?>("to"));
                var cursor = ctx.GetArgument<string?>("after") is { } after ? Keyset.Decode(NewestFirst, after, ProcessingLogList) : null;
                var page = about is null
                    ? await WholeLogPageAsync(hub.Db, from, to, cursor, ctx, damage)
                    : await SubjectPageAsync(about, records => bsn is not null && person is { } narrowed ? records.Where(r => r.PersonId == narrowed) : records,
                        from, to, null, NewestFirst, cursor, ProcessingLogList, ctx, damage, bsn is not null ? "processingLog by BSN" : "processingLog by person");
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
                var subject = await ProcessingLogIndex.SubjectBsnAsync(hub.Db, protectedBsn, ctx.CancellationToken);
                var page = await SubjectPageAsync(subject, records => records, from, to, end, OldestFirst, cursor is null ? null : [cursor[0]], AccessReportList, ctx,
                    DamageLogger(ctx), "accessReport");
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

    /// <summary>Where a read of the log over a damaged action is told to the operations team (<see cref="ProcessingLogDamage"/>).</summary>
    private static ILogger DamageLogger(IResolveFieldContext context)
        => context.RequestServices!.GetRequiredService<ILoggerFactory>().CreateLogger(typeof(ProcessingLogDamage));

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
    /// A page of the whole log, newest first, in a period or not: read from the range of actions that holds it, so that it
    /// reads its records, not the log. The page's records are the newest before the cursor in the period, and the newest
    /// <c>first + 1</c> actions before the cursor in the period each hold at least one of them (an action's first record is
    /// at its id), so the page lies at or after the last of those actions. Found first, in a statement of its own, and
    /// given to the page's read as a value: the view computes a packed record's sequence, which no index seeks, so only a
    /// bound on its action's key limits what the view reads of the packed records, and SQLite carries a value into the
    /// view's parts but not a subquery (with one it read every packed action, 0.9 s for 1.6 million records here).
    /// <para>The page and its totalCount each fail as PROCESSING_LOG_DAMAGED where they reach an action edited outside the
    /// hub so that it cannot be read (<see cref="ProcessingLogDamage"/>): the page over the range of actions it read, the
    /// count over the period's (the whole log's without one). A page that does not reach it is answered.</para>
    /// </summary>
    private static async Task<Page<ProcessingRecord>> WholeLogPageAsync(VeiligheidDbContext db, DateTime? from, DateTime? to, IReadOnlyList<object?>? cursor,
        IResolveFieldContext context, ILogger damage)
    {
        var (records, actions, lowest, next) = await LogPeriodAsync(db, from, to, context.CancellationToken);
        var paged = records;
        var below = next; // the actions the page reads are from pageLowest and before below
        if (cursor is not null)
        {
            var before = (long)cursor[0]!;
            actions = actions?.Where(a => a.Id < before);
            paged = paged.Where(r => r.ActionKey < before);
            below = below is { } end ? Math.Min(end, before) : before;
        }
        var first = ListQuerying.PageSize(context);
        var pageLowest = lowest;
        if (actions is not null
            && await actions.OrderByDescending(a => a.Id).Skip(first).Select(a => (long?)a.Id).FirstOrDefaultAsync(context.CancellationToken) is { } oldest)
            (paged, pageLowest) = (OfActions(paged, oldest, null), oldest);
        var page = await ProcessingLogDamage.GuardAsync(() => records.ToKeysetPageAsync(NewestFirst, context, ProcessingLogList, cursor, paged),
            ct => ProcessingLogDamage.InActionsAsync(db, pageLowest, below, ct), "processingLog of the whole log, a page", damage, context.CancellationToken);
        return page.WithCount(ct => ProcessingLogDamage.GuardAsync(() => page.Count(ct),
            c => ProcessingLogDamage.InActionsAsync(db, lowest, next, c), "processingLog of the whole log, totalCount", damage, ct));
    }

    /// <summary>
    /// A page of a person's records (<paramref name="subject"/>, narrowed by <paramref name="narrow"/>) in a period and up to
    /// <paramref name="end"/> (when given), in <paramref name="order"/>: read from the page's own sequences, found first
    /// (<see cref="SubjectLog.CandidatesAsync"/>), instead of from every record about the person, which a packed record
    /// makes cost its action's parse (<see cref="SubjectLog"/>). Those sequences hold the page unless one of them gives no
    /// record the page takes (an index row the log no longer matches, or a record about another person with the same BSN
    /// where both are asked): the page is then short of what was read, and is read again from all the person's records.
    /// totalCount counts all of them.
    /// <para>The page and its totalCount each fail as PROCESSING_LOG_DAMAGED where they reach an action edited outside the
    /// hub so that it cannot be read (<see cref="ProcessingLogDamage"/>, <see cref="SubjectLog.DamageAsync"/>): one of the
    /// page's records, or of all the person's for the count, or the tail past the index (whose records are not known to be
    /// about anyone until read). A page of the person that reaches none of it is answered.</para>
    /// </summary>
    private static async Task<Page<ProcessingRecord>> SubjectPageAsync(SubjectLog subject, Func<IQueryable<ProcessingRecord>, IQueryable<ProcessingRecord>> narrow,
        DateTime? from, DateTime? to, long? end, SortTerm<ProcessingRecord>[] order, IReadOnlyList<object?>? cursor, string list, IResolveFieldContext context,
        ILogger damage, string what)
    {
        IQueryable<ProcessingRecord> Filtered(IQueryable<ProcessingRecord> records)
        {
            records = narrow(Period(records, from, to));
            return end is { } last ? records.Where(r => r.Sequence <= last) : records;
        }
        var all = Filtered(subject.Records);
        var first = ListQuerying.PageSize(context);
        List<long>? candidates = null;
        var page = await ProcessingLogDamage.GuardAsync(async () =>
        {
            candidates = await subject.CandidatesAsync(order[0].Descending, (long?)cursor?[0], end, from, to, first + 1, context.CancellationToken);
            var fromCandidates = await all.ToKeysetPageAsync(order, context, list, cursor, Filtered(subject.At(candidates)));
            var read = fromCandidates.Nodes.Count + (fromCandidates.HasNextPage ? 1 : 0);
            return candidates.Count == first + 1 && read < candidates.Count ? await all.ToKeysetPageAsync(order, context, list, cursor) : fromCandidates;
        }, ct => subject.DamageAsync(candidates, ct), what + ", a page", damage, context.CancellationToken);
        return page.WithCount(ct => ProcessingLogDamage.GuardAsync(() => page.Count(ct), c => subject.DamageAsync(null, c), what + ", totalCount", damage, ct));
    }

    /// <summary>
    /// The whole log's records of a period (every record when neither bound is given), the actions of the period (null
    /// when it has none), and the range of actions' keys they are read from (from the lowest, before the next when not null):
    /// their action's time in it, and (so that it is a range of the log's keys, not a scan of the log) their sequence and
    /// their action's key from the first action in the period and, when it has an end, before the action after its last.
    /// The person rows have no index by action (a second B-tree that each record paid for; BENCHMARKS.md, "Nineteenth
    /// round"), and the packed records' sequences are computed, so the actions found by their time cannot lead to their
    /// records; the bounds do, whatever order the actions' times are in: a record is at or after its action's id, and
    /// before the next action's. Read first, each in a statement of its own, and given as values (see <see cref="WholeLogPageAsync"/>).
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
    internal static async Task<(IQueryable<ProcessingRecord> Records, IQueryable<ProcessingAction>? Actions, long Lowest, long? Next)> LogPeriodAsync(VeiligheidDbContext db,
        DateTime? from, DateTime? to, CancellationToken cancellationToken)
    {
        var records = Period(db.Set<ProcessingRecord>().AsNoTracking(), from, to);
        var actions = db.Set<ProcessingAction>().AsNoTracking();
        if (from is null && to is null) return (records, actions, 0, null);
        var inPeriod = actions;
        if (from is { } start) inPeriod = inPeriod.Where(a => a.OccurredAt >= start);
        if (to is { } end) inPeriod = inPeriod.Where(a => a.OccurredAt < end);
        var first = from is not null && to is null ? inPeriod.Where(a => a.OccurredAt <= DateTime.MaxValue) : inPeriod;
        // A period without actions: the empty range of keys, which SQLite reads as such (a constant false it planned as a scan).
        if (await first.MinAsync(a => (long?)a.Id, cancellationToken) is not { } lowest) return (OfActions(records, 0, 0), null, 0, 0);
        inPeriod = inPeriod.Where(a => a.Id >= lowest);
        long? next = null;
        if (to is not null)
        {
            var last = await inPeriod.MaxAsync(a => a.Id, cancellationToken);
            next = await actions.Where(b => b.Id > last).MinAsync(b => (long?)b.Id, cancellationToken);
            if (next is { } below) inPeriod = inPeriod.Where(a => a.Id < below);
        }
        return (OfActions(records, lowest, next), inPeriod, lowest, next);
    }

    /// <summary>
    /// These records of the actions from <paramref name="lowest"/> on and before <paramref name="next"/> (no end when
    /// null): each bound on both the sequence (the person rows' key) and the action's key (the packed records' action's).
    /// </summary>
    internal static IQueryable<ProcessingRecord> OfActions(IQueryable<ProcessingRecord> records, long lowest, long? next)
    {
        records = records.Where(r => r.Sequence >= lowest && r.ActionKey >= lowest);
        return next is { } below ? records.Where(r => r.Sequence < below && r.ActionKey < below) : records;
    }
}
