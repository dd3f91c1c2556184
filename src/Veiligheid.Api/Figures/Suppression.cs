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
/// suppressed cell is the complementary one. Differencing between overlapping queries (two periods, two area sets)
/// is not prevented by this rule; see the README, section "Small-count protection".
/// </summary>
public static class Suppression
{
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
