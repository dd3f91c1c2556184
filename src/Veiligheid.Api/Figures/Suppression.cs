namespace Veiligheid.Figures;

/// <summary>A published count: its value, or null with <see cref="Suppressed"/> when it is not published.</summary>
public sealed record FigureCount(int? Value, bool Suppressed)
{
    public static FigureCount Hidden { get; } = new(null, true);

    public static FigureCount Of(int value) => new(value, false);
}

/// <summary>
/// Small-count protection, applied to one group of cells that partition one population (e.g. the incidents of a
/// period by neighbourhood). Two rules:
/// <list type="number">
/// <item>Primary: a count from 1 up to the threshold (exclusive) is suppressed. Zero is published: it describes nobody.</item>
/// <item>Complementary: when a group has a suppressed cell, the smallest published count above the threshold is
/// suppressed too. Totals are only ever sums of published cells, so within the figure nothing points back at a
/// suppressed cell. A reader who learns the group's true total elsewhere (another figure, another query) learns only
/// the sum of the suppressed cells: since it includes a count above the threshold, each suppressed cell could be
/// anything from 1 up to at least the threshold, so no suppressed count follows and not even whether it is small.
/// When no count above the threshold is left to pair with, the whole group is suppressed.</item>
/// </list>
/// The model is the usual one for cell suppression: the reader knows the published cells and totals, not which
/// suppressed cell is the complementary one. Differencing between overlapping tables is covered by two further rules
/// (README, section "Small-count protection"): figures are answered only from a fixed set of tables
/// (<see cref="FixedTables"/>), and every published count is rounded at random to a multiple of 5 with a consistent
/// per-cell seed (<see cref="CellKeyRounding"/>), so what overlapping tables still share is only known up to rounding.
/// Suppression decides on the true counts; the rounding applies to the published ones only.
/// </summary>
public static class Suppression
{
    /// <summary>Suppresses, then rounds each published count of cell k with the seed of <paramref name="cells"/>[k].
    /// <paramref name="hideZeros"/>: when any count is suppressed, zeros are suppressed too (for a figure that lists
    /// every cell, like the weekday × hour matrix, where zeros around a suppressed cell would place its records).</summary>
    public static FigureCount[] Apply(IReadOnlyList<int> counts, int threshold, CellKeyRounding rounding, IReadOnlyList<string> cells, bool hideZeros = false)
    {
        ArgumentNullException.ThrowIfNull(rounding);
        ArgumentNullException.ThrowIfNull(cells);
        if (cells.Count != counts.Count) throw new ArgumentException("One cell key per count.", nameof(cells));
        var result = Apply(counts, threshold);
        var anyHidden = result.Any(c => c.Suppressed);
        for (var k = 0; k < result.Length; k++)
        {
            if (result[k].Value is not { } value) continue;
            result[k] = value == 0 ? (hideZeros && anyHidden ? FigureCount.Hidden : result[k]) : FigureCount.Of(rounding.Round(cells[k], value));
        }
        return result;
    }

    public static FigureCount[] Apply(IReadOnlyList<int> counts, int threshold)
    {
        ArgumentNullException.ThrowIfNull(counts);
        var cells = new FigureCount[counts.Count];
        var anyPrimary = false;
        for (var k = 0; k < counts.Count; k++)
        {
            var small = counts[k] > 0 && counts[k] < threshold;
            anyPrimary |= small;
            cells[k] = small ? FigureCount.Hidden : FigureCount.Of(counts[k]);
        }
        if (!anyPrimary) return cells;

        var partner = -1;
        for (var k = 0; k < counts.Count; k++)
        {
            if (counts[k] > threshold && (partner < 0 || counts[k] < counts[partner])) partner = k;
        }
        if (partner >= 0)
        {
            cells[partner] = FigureCount.Hidden;
        }
        else
        {
            for (var k = 0; k < counts.Count; k++)
            {
                if (counts[k] > 0) cells[k] = FigureCount.Hidden;
            }
        }
        return cells;
    }

    /// <summary>The sum of the published cells: never includes a suppressed one.</summary>
    public static int PublishedTotal(IEnumerable<FigureCount> cells) => cells.Sum(c => c.Value ?? 0);

    /// <summary>current − previous, published only when both counts are.</summary>
    public static int? Change(FigureCount current, FigureCount previous)
        => current.Value is { } c && previous.Value is { } p ? c - p : null;

    /// <summary>The relative change in percent (one decimal), published only when both counts are and previous > 0.</summary>
    public static double? ChangePercent(FigureCount current, FigureCount previous)
        => current.Value is { } c && previous.Value is { } p && p > 0 ? Math.Round(100.0 * (c - p) / p, 1) : null;
}
