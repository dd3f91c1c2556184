using Microsoft.EntityFrameworkCore;
using Veiligheid.Access;
using Veiligheid.Cases;
using Veiligheid.Data;
using Veiligheid.Incidents;
using Veiligheid.Interventions;

namespace Veiligheid.Figures;

/// <summary>
/// The figures, each computed by GROUP BY in the database (EF Core LINQ; only the grouped counts come back) over the rows
/// the caller's <see cref="FigureScope"/> may count, then suppressed (<see cref="Suppression"/>). The GraphQL fields and
/// the CSV endpoint both call these methods, so they cannot differ.
/// <para>
/// Each method first checks that the request is one of the fixed tables (<see cref="FixedTables"/>), and names every cell
/// canonically — what it counts, over which neighbourhoods, which days, which category or row — so that
/// <see cref="CellKeyRounding"/> rounds the same cell the same way in every figure that shows it (a neighbourhood's
/// burglaries in March in hotspots, hotcrimes and trends alike; a district of one neighbourhood as that neighbourhood).
/// </para>
/// </summary>
public sealed class FigureQueries(VeiligheidDbContext db, FigureScope scope, FiguresOptions options, CellKeyRounding rounding)
{
    private int Threshold => options.SuppressionThreshold;

    // Required, not defaulted: a default would be the public development key, and a figure published under it could be
    // un-rounded by anyone who reads this repository.
    private readonly CellKeyRounding _rounding = rounding ?? throw new ArgumentNullException(nameof(rounding));

    private FigureCount[] Publish(IReadOnlyList<int> counts, IReadOnlyList<string> cells, bool hideZeros = false)
        => Suppression.Apply(counts, Threshold, _rounding, cells, hideZeros);

    private static string Days(DateOnly from, DateOnly to)
        => from.ToString("yyyy-MM-dd", System.Globalization.CultureInfo.InvariantCulture) + "/" + to.ToString("yyyy-MM-dd", System.Globalization.CultureInfo.InvariantCulture);

    /// <summary>The neighbourhoods a figure is narrowed to, canonically: "*" for the municipality.</summary>
    private static string AreaKey(IReadOnlyList<int>? neighbourhoods) => neighbourhoods is null ? "*" : "n:" + string.Join('.', neighbourhoods.Order());

    private static string AreaRowKey(ResolvedFigureParameters p, AreaLevel level, int area)
        => level == AreaLevel.District ? AreaKey(p.NeighbourhoodIdsOfDistrict[area]) : AreaKey([area]);

    private static string CategoryKey(ResolvedFigureParameters p) => p.Categories is { } c ? string.Join('+', c.Order()) : "*";

    private static string IncidentCell(string area, DateOnly from, DateOnly to, string category) => $"incidents|{area}|{Days(from, to)}|{category}";

    private bool SqlServer => db.OnSqlServer;

    public Task<ResolvedFigureParameters> ResolveAsync(FigureParameters parameters, CancellationToken ct)
        => ResolvedFigureParameters.ResolveAsync(parameters, options, db, ct);

    private IQueryable<Incident> Incidents(ResolvedFigureParameters p, DateTime fromUtc, DateTime toUtc)
    {
        var query = db.Incidents.AsNoTracking().Where(i => i.OccurredAt >= fromUtc && i.OccurredAt < toUtc);
        if (p.NeighbourhoodIds is { } ids) query = query.Where(i => ids.Contains(i.NeighbourhoodId));
        if (p.Categories is { } categories) query = query.Where(i => categories.Contains(i.Category));
        return query;
    }

    public async Task<HotspotTable> HotspotsAsync(FigureParameters parameters, CancellationToken ct)
    {
        var p = await ResolveAsync(parameters, ct);
        FixedTables.Check(parameters, FixedTables.Periods.One, areaRows: true, categoryRows: false);
        var from = p.FromUtc;
        var incidents = Incidents(p, p.PreviousFromUtc, p.ToUtcExclusive);
        var grouped = parameters.Level == AreaLevel.District
            ? incidents.GroupBy(i => i.Neighbourhood.DistrictId)
            : incidents.GroupBy(i => i.NeighbourhoodId);
        var counts = await grouped
            .Select(g => new { Area = g.Key, Current = g.Count(i => i.OccurredAt >= from), Previous = g.Count(i => i.OccurredAt < from) })
            .ToListAsync(ct);
        var areas = parameters.Level == AreaLevel.District ? p.Districts : p.Neighbourhoods;
        var previousTo = parameters.From.AddDays(-1);
        var current = Publish(counts.Select(c => c.Current).ToList(),
            counts.Select(c => IncidentCell(AreaRowKey(p, parameters.Level, c.Area), parameters.From, parameters.To, CategoryKey(p))).ToList());
        var previous = Publish(counts.Select(c => c.Previous).ToList(),
            counts.Select(c => IncidentCell(AreaRowKey(p, parameters.Level, c.Area), p.PreviousFrom, previousTo, CategoryKey(p))).ToList());
        var rows = counts.Select((c, k) => (Area: areas[c.Area], Current: current[k], Previous: previous[k])).ToList();
        var ranked = Rank(rows, r => r.Current, r => r.Area.Code)
            .Select(x => new HotspotRow(x.Rank, x.Row.Area.Code, x.Row.Area.Name, x.Row.Current, x.Row.Previous,
                Suppression.Change(x.Row.Current, x.Row.Previous), Suppression.ChangePercent(x.Row.Current, x.Row.Previous)))
            .ToList();
        return new HotspotTable(parameters.From, parameters.To, Threshold, parameters.Level, p.PreviousFrom, parameters.From.AddDays(-1), ranked,
            Suppression.PublishedTotal(current), Suppression.PublishedTotal(previous));
    }

    public async Task<HotcrimeTable> HotcrimesAsync(FigureParameters parameters, CancellationToken ct)
    {
        var p = await ResolveAsync(parameters, ct);
        FixedTables.Check(parameters, FixedTables.Periods.One, areaRows: false, categoryRows: true);
        var from = p.FromUtc;
        var counts = await Incidents(p, p.PreviousFromUtc, p.ToUtcExclusive)
            .GroupBy(i => i.Category)
            .Select(g => new { Category = g.Key, Current = g.Count(i => i.OccurredAt >= from), Previous = g.Count(i => i.OccurredAt < from) })
            .ToListAsync(ct);
        var area = AreaKey(p.NeighbourhoodIds);
        var current = Publish(counts.Select(c => c.Current).ToList(),
            counts.Select(c => IncidentCell(area, parameters.From, parameters.To, c.Category.ToString())).ToList());
        var previous = Publish(counts.Select(c => c.Previous).ToList(),
            counts.Select(c => IncidentCell(area, p.PreviousFrom, parameters.From.AddDays(-1), c.Category.ToString())).ToList());
        var rows = counts.Select((c, k) => (c.Category, Current: current[k], Previous: previous[k])).ToList();
        var ranked = Rank(rows, r => r.Current, r => r.Category.ToString())
            .Select(x => new HotcrimeRow(x.Rank, x.Row.Category, x.Row.Current, x.Row.Previous,
                Suppression.Change(x.Row.Current, x.Row.Previous), Suppression.ChangePercent(x.Row.Current, x.Row.Previous)))
            .ToList();
        return new HotcrimeTable(parameters.From, parameters.To, Threshold, p.PreviousFrom, parameters.From.AddDays(-1), ranked,
            Suppression.PublishedTotal(current), Suppression.PublishedTotal(previous));
    }

    public async Task<HottimeTable> HottimesAsync(FigureParameters parameters, CancellationToken ct)
    {
        var p = await ResolveAsync(parameters, ct);
        FixedTables.Check(parameters, FixedTables.Periods.One, areaRows: false, categoryRows: false);
        var buckets = new DutchTimeBuckets(parameters.From, parameters.To, SqlServer);
        var counts = await buckets.Inline(Incidents(p, p.FromUtc, p.ToUtcExclusive)
                .GroupBy(i => DutchTimeBuckets.WeekHour(i.OccurredAt))
                .Select(g => new { g.Key, Count = g.Count() }))
            .ToDictionaryAsync(x => x.Key, x => x.Count, ct);
        // Every cell of the 7 × 24 matrix, Monday first; a zero is published as 0.
        var keys = Enumerable.Range(1, 7).SelectMany(iso => Enumerable.Range(0, 24).Select(hour => (Iso: iso, Hour: hour, Key: iso % 7 * 24 + hour))).ToList();
        // Zeros are hidden too when a cell is suppressed: all 168 cells are listed, and zeros around a suppressed cell
        // would say in which hour of which weekday its one to four incidents happened.
        var table = IncidentCell(AreaKey(p.NeighbourhoodIds), parameters.From, parameters.To, CategoryKey(p));
        var cells = Publish(keys.Select(k => counts.GetValueOrDefault(k.Key)).ToList(),
            keys.Select(k => $"{table}|weekhour:{k.Iso}-{k.Hour}").ToList(), hideZeros: true);
        return new HottimeTable(parameters.From, parameters.To, Threshold,
            keys.Select((k, n) => new HottimeCell(k.Iso, k.Hour, cells[n])).ToList(), Suppression.PublishedTotal(cells));
    }

    public async Task<TrendTable> TrendsAsync(FigureParameters parameters, CancellationToken ct)
    {
        var p = await ResolveAsync(parameters, ct);
        FixedTables.Check(parameters, FixedTables.Periods.Months, areaRows: true, categoryRows: true);
        var buckets = new DutchTimeBuckets(parameters.From, parameters.To, SqlServer);
        var incidents = Incidents(p, p.FromUtc, p.ToUtcExclusive);
        var grouped = parameters.Level == AreaLevel.District
            ? incidents.GroupBy(i => new { Month = DutchTimeBuckets.MonthIndex(i.OccurredAt), i.Category, Area = i.Neighbourhood.DistrictId })
            : incidents.GroupBy(i => new { Month = DutchTimeBuckets.MonthIndex(i.OccurredAt), i.Category, Area = i.NeighbourhoodId });
        var counts = await buckets.Inline(grouped.Select(g => new { g.Key.Month, g.Key.Category, g.Key.Area, Count = g.Count() })).ToListAsync(ct);
        counts = counts.OrderBy(c => c.Month).ThenBy(c => c.Category).ThenBy(c => c.Area).ToList();
        var areas = parameters.Level == AreaLevel.District ? p.Districts : p.Neighbourhoods;
        var cells = Publish(counts.Select(c => c.Count).ToList(), counts.Select(c => IncidentCell(AreaRowKey(p, parameters.Level, c.Area),
            buckets.Months[c.Month], buckets.Months[c.Month].AddMonths(1).AddDays(-1), c.Category.ToString())).ToList());
        var rows = counts.Select((c, k) => new TrendRow(DutchTimeBuckets.MonthLabel(buckets.Months[c.Month]), c.Category, areas[c.Area].Code, areas[c.Area].Name, cells[k]))
            .OrderBy(r => r.Month, StringComparer.Ordinal).ThenBy(r => r.Category).ThenBy(r => r.AreaCode, StringComparer.Ordinal).ToList();
        return new TrendTable(parameters.From, parameters.To, Threshold, parameters.Level, rows, Suppression.PublishedTotal(cells));
    }

    private IQueryable<Case> Cases(ResolvedFigureParameters p)
    {
        var query = db.Cases.AsNoTracking().Where(scope.Cases);
        if (p.NeighbourhoodIds is { } ids) query = query.Where(c => c.Locations.Any(l => ids.Contains(l.Location.NeighbourhoodId)));
        return query;
    }

    public async Task<CaseFigureTable> CasesAsync(FigureParameters parameters, CancellationToken ct)
    {
        var p = await ResolveAsync(parameters, ct);
        FixedTables.Check(parameters, FixedTables.Periods.Quarters, areaRows: false, categoryRows: true);
        var buckets = new DutchTimeBuckets(parameters.From, parameters.To, SqlServer);
        var (from, to) = (p.FromUtc, p.ToUtcExclusive);
        var opened = await buckets.Inline(Cases(p).Where(c => c.OpenedAt >= from && c.OpenedAt < to)
                .GroupBy(c => new { Quarter = DutchTimeBuckets.QuarterIndex(c.OpenedAt), c.Kind })
                .Select(g => new { g.Key.Quarter, g.Key.Kind, Count = g.Count() }))
            .ToDictionaryAsync(x => (x.Quarter, x.Kind), x => x.Count, ct);
        var escalated = await buckets.Inline(Cases(p).Where(c => c.EscalatedAt >= from && c.EscalatedAt < to)
                .GroupBy(c => new { Quarter = DutchTimeBuckets.QuarterIndex(c.EscalatedAt!.Value), c.Kind })
                .Select(g => new { g.Key.Quarter, g.Key.Kind, Count = g.Count() }))
            .ToDictionaryAsync(x => (x.Quarter, x.Kind), x => x.Count, ct);
        var closed = await buckets.Inline(Cases(p).Where(c => c.ClosedAt >= from && c.ClosedAt < to && c.Outcome != null)
                .GroupBy(c => new { Quarter = DutchTimeBuckets.QuarterIndex(c.ClosedAt!.Value), c.Kind, c.Outcome })
                .Select(g => new { g.Key.Quarter, g.Key.Kind, g.Key.Outcome, Count = g.Count() }))
            .ToDictionaryAsync(x => (x.Quarter, x.Kind, x.Outcome!.Value), x => x.Count, ct);

        var keys = opened.Keys.Concat(escalated.Keys).Concat(closed.Keys.Select(k => (k.Quarter, k.Kind)))
            .Distinct().OrderBy(k => k.Quarter).ThenBy(k => k.Kind).ToList();
        var outcomes = new[] { CaseOutcome.OverlastGestopt, CaseOutcome.AanvaardbaarNiveau, CaseOutcome.NietOpgelost };
        var area = AreaKey(p.NeighbourhoodIds);
        string Cell(string what, int quarter, CaseKind kind)
            => $"cases-{what}|{area}|{Days(buckets.Quarters[quarter], buckets.Quarters[quarter].AddMonths(3).AddDays(-1))}|{kind}";
        var openedCells = Publish(keys.Select(k => opened.GetValueOrDefault(k)).ToList(), keys.Select(k => Cell("opened", k.Quarter, k.Kind)).ToList());
        var escalatedCells = Publish(keys.Select(k => escalated.GetValueOrDefault(k)).ToList(), keys.Select(k => Cell("escalated", k.Quarter, k.Kind)).ToList());
        var closedKeys = keys.SelectMany(k => outcomes.Select(o => (k.Quarter, k.Kind, o))).ToList();
        var closedCells = Publish(closedKeys.Select(k => closed.GetValueOrDefault(k)).ToList(), closedKeys.Select(k => Cell("closed-" + k.o, k.Quarter, k.Kind)).ToList());
        var rows = keys.Select((k, n) => new CaseFigureRow(DutchTimeBuckets.QuarterLabel(buckets.Quarters[k.Quarter]), k.Kind,
            openedCells[n], escalatedCells[n], closedCells[3 * n], closedCells[3 * n + 1], closedCells[3 * n + 2])).ToList();
        return new CaseFigureTable(parameters.From, parameters.To, Threshold, rows,
            Suppression.PublishedTotal(openedCells), Suppression.PublishedTotal(escalatedCells), Suppression.PublishedTotal(closedCells));
    }

    public async Task<InterventionFigureTable> InterventionsAsync(FigureParameters parameters, CancellationToken ct)
    {
        var p = await ResolveAsync(parameters, ct);
        FixedTables.Check(parameters, FixedTables.Periods.One, areaRows: false, categoryRows: true);
        var (from, to) = (parameters.From, parameters.To);
        var query = db.Interventions.AsNoTracking().Where(scope.Interventions).Where(i => i.StartDate >= from && i.StartDate <= to);
        if (p.NeighbourhoodIds is { } ids)
        {
            query = query.Where(i => (i.NeighbourhoodId != null && ids.Contains(i.NeighbourhoodId.Value))
                                     || (i.Location != null && ids.Contains(i.Location.NeighbourhoodId)));
        }
        var byKind = (await query.GroupBy(i => new { i.Kind, i.Status })
                .Select(g => new { g.Key.Kind, g.Key.Status, Count = g.Count() })
                .ToListAsync(ct))
            .OrderBy(x => x.Kind).ThenBy(x => x.Status).ToList();
        var fines = (await query.Where(i => i.Kind == InterventionKind.BestuurlijkeBoete && i.FineObjection != null)
                .GroupBy(i => new { i.FineObjection, i.FineCollection })
                .Select(g => new { g.Key.FineObjection, g.Key.FineCollection, Count = g.Count() })
                .ToListAsync(ct))
            .OrderBy(x => x.FineObjection).ThenBy(x => x.FineCollection ?? (CollectionStatus)(-1)).ToList();
        var (area, days) = (AreaKey(p.NeighbourhoodIds), Days(from, to));
        var kindCells = Publish(byKind.Select(x => x.Count).ToList(), byKind.Select(x => $"interventions|{area}|{days}|{x.Kind}|{x.Status}").ToList());
        var fineCells = Publish(fines.Select(x => x.Count).ToList(), fines.Select(x => $"fines|{area}|{days}|{x.FineObjection}|{x.FineCollection}").ToList());
        return new InterventionFigureTable(from, to, Threshold,
            byKind.Select((x, k) => new InterventionFigureRow(x.Kind, x.Status, kindCells[k])).ToList(),
            fines.Select((x, k) => new FineFigureRow(x.FineObjection!.Value, x.FineCollection, fineCells[k])).ToList(),
            Suppression.PublishedTotal(kindCells), Suppression.PublishedTotal(fineCells));
    }

    /// <summary>Published counts ranked 1, 2, … by value (ties by key); suppressed rows are not ranked and come last,
    /// by key, so their position says nothing about their value.</summary>
    private static List<(int? Rank, T Row)> Rank<T>(IEnumerable<T> rows, Func<T, FigureCount> count, Func<T, string> key)
    {
        var published = rows.Where(r => !count(r).Suppressed).OrderByDescending(r => count(r).Value).ThenBy(key, StringComparer.Ordinal)
            .Select((r, k) => ((int?)(k + 1), r));
        var hidden = rows.Where(r => count(r).Suppressed).OrderBy(key, StringComparer.Ordinal).Select(r => ((int?)null, r));
        return published.Concat(hidden).ToList();
    }
}
