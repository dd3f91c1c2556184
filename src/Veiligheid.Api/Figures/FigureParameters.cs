using System.Globalization;
using Microsoft.EntityFrameworkCore;
using Veiligheid.Data;
using Veiligheid.Data.Seeding;
using Veiligheid.Incidents;

namespace Veiligheid.Figures;

/// <summary>The area level a figure groups by.</summary>
[System.ComponentModel.Description("The area level a figure groups by.")]
public enum AreaLevel
{
    [System.ComponentModel.Description("Districts (wijken, CBS code WK + 6 digits).")]
    District,
    [System.ComponentModel.Description("Neighbourhoods (buurten, CBS code BU + 8 digits).")]
    Neighbourhood,
}

/// <summary>What a figure is asked for: a period of whole days in Dutch local time, and optional narrowing.</summary>
public sealed record FigureParameters(
    DateOnly From,
    DateOnly To,
    IReadOnlyList<string> Districts,
    IReadOnlyList<string> Neighbourhoods,
    IReadOnlyList<IncidentCategory> Categories,
    AreaLevel Level = AreaLevel.Neighbourhood);

/// <summary>A figure request the hub refuses: a clear message, a 400 on the CSV endpoint, an error in GraphQL.</summary>
public sealed class FigureArgumentException(string code, string message) : Exception(message)
{
    public string Code { get; } = code;
}

/// <summary>An area (district or neighbourhood) as figures show it: code and name only.</summary>
public sealed record Area(int Id, string Code, string Name);

/// <summary>The parameters checked and resolved against the database: UTC bounds, neighbourhood ids, area names.</summary>
public sealed class ResolvedFigureParameters
{
    private ResolvedFigureParameters(FigureParameters parameters) => Parameters = parameters;

    public FigureParameters Parameters { get; }

    /// <summary>Start of the period, UTC (local midnight of From).</summary>
    public DateTime FromUtc { get; private init; }

    /// <summary>End of the period, exclusive, UTC (local midnight after To).</summary>
    public DateTime ToUtcExclusive { get; private init; }

    /// <summary>The previous period of equal length (the same number of calendar months when the period is whole months,
    /// else of days): its first day, and its start in UTC (its end is FromUtc).</summary>
    public DateOnly PreviousFrom { get; private init; }
    public DateTime PreviousFromUtc { get; private init; }

    public int Days { get; private init; }

    /// <summary>The neighbourhoods the figure is narrowed to, or null for the whole municipality.</summary>
    public IReadOnlyList<int>? NeighbourhoodIds { get; private init; }

    public IReadOnlyList<IncidentCategory>? Categories { get; private init; }

    public IReadOnlyDictionary<int, Area> Districts { get; private init; } = new Dictionary<int, Area>();
    public IReadOnlyDictionary<int, Area> Neighbourhoods { get; private init; } = new Dictionary<int, Area>();

    /// <summary>Each district's neighbourhoods (ids), to name a district's cells by what they count.</summary>
    public IReadOnlyDictionary<int, IReadOnlyList<int>> NeighbourhoodIdsOfDistrict { get; private init; } = new Dictionary<int, IReadOnlyList<int>>();

    public static async Task<ResolvedFigureParameters> ResolveAsync(FigureParameters p, FiguresOptions options, VeiligheidDbContext db, CancellationToken ct)
    {
        if (p.To < p.From)
            throw new FigureArgumentException("INVALID_PERIOD", $"The period ends ({Iso(p.To)}) before it starts ({Iso(p.From)}).");
        var days = p.To.DayNumber - p.From.DayNumber + 1;
        if (days > options.MaxPeriodDays)
            throw new FigureArgumentException("PERIOD_TOO_LONG", $"The period covers {days} days; a figure covers at most {options.MaxPeriodDays} days.");
        if (p.From.Year < 2000 || p.To.Year > 2100)
            throw new FigureArgumentException("INVALID_PERIOD", "The period must lie between the years 2000 and 2100.");

        var districts = await db.Districts.AsNoTracking().Select(d => new Area(d.Id, d.Code, d.Name)).ToListAsync(ct);
        var neighbourhoods = await db.Neighbourhoods.AsNoTracking().Select(n => new { n.Id, n.Code, n.Name, n.DistrictId }).ToListAsync(ct);

        List<int>? ids = null;
        if (p.Districts.Count > 0 || p.Neighbourhoods.Count > 0)
        {
            var unknown = p.Districts.Where(c => districts.All(d => !string.Equals(d.Code, c, StringComparison.OrdinalIgnoreCase)))
                .Concat(p.Neighbourhoods.Where(c => neighbourhoods.All(n => !string.Equals(n.Code, c, StringComparison.OrdinalIgnoreCase))))
                .ToList();
            if (unknown.Count > 0)
                throw new FigureArgumentException("UNKNOWN_AREA", $"Unknown district or neighbourhood code(s): {string.Join(", ", unknown)}. Districts are WK + 6 digits, neighbourhoods BU + 8 digits; the query field 'districts' lists them.");
            var districtIds = districts.Where(d => p.Districts.Contains(d.Code, StringComparer.OrdinalIgnoreCase)).Select(d => d.Id).ToHashSet();
            ids = neighbourhoods
                .Where(n => districtIds.Contains(n.DistrictId) || p.Neighbourhoods.Contains(n.Code, StringComparer.OrdinalIgnoreCase))
                .Select(n => n.Id).Distinct().Order().ToList();
        }

        var fromUtc = DutchTime.ToUtc(p.From.ToDateTime(TimeOnly.MinValue));
        // Whole calendar months (a month, a quarter, a year) compare with the same number of months before; any other
        // period with the same number of days before.
        var wholeMonths = p.From.Day == 1 && p.To.AddDays(1).Day == 1;
        var previousFrom = wholeMonths
            ? p.From.AddMonths(-((p.To.Year - p.From.Year) * 12 + p.To.Month - p.From.Month + 1))
            : p.From.AddDays(-days);
        return new ResolvedFigureParameters(p)
        {
            Days = days,
            FromUtc = fromUtc,
            ToUtcExclusive = DutchTime.ToUtc(p.To.AddDays(1).ToDateTime(TimeOnly.MinValue)),
            PreviousFrom = previousFrom,
            PreviousFromUtc = DutchTime.ToUtc(previousFrom.ToDateTime(TimeOnly.MinValue)),
            NeighbourhoodIds = ids,
            Categories = p.Categories.Count > 0 ? p.Categories.Distinct().ToList() : null,
            Districts = districts.ToDictionary(d => d.Id),
            Neighbourhoods = neighbourhoods.ToDictionary(n => n.Id, n => new Area(n.Id, n.Code, n.Name)),
            NeighbourhoodIdsOfDistrict = districts.ToDictionary(d => d.Id,
                d => (IReadOnlyList<int>)neighbourhoods.Where(n => n.DistrictId == d.Id).Select(n => n.Id).Order().ToList()),
        };
    }

    private static string Iso(DateOnly date) => date.ToString("yyyy-MM-dd", CultureInfo.InvariantCulture);
}
