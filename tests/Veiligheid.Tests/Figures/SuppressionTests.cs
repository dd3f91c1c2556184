using Veiligheid.Figures;
using static Veiligheid.Tests.Figures.FiguresTestSupport;

namespace Veiligheid.Tests.Figures;

/// <summary>The suppression rule on its own, over many generated groups, against the reader who knows the true total.</summary>
public sealed class SuppressionTests
{
    [Theory]
    [InlineData(3)]
    [InlineData(5)]
    [InlineData(10)]
    public void No_suppressed_count_follows_from_the_published_cells_and_the_true_total(int threshold)
    {
        var random = new Random(threshold);
        for (var n = 0; n < 5_000; n++)
        {
            var truth = Enumerable.Range(0, random.Next(1, 12))
                .Select(_ => random.Next(4) switch { 0 => 0, 1 => random.Next(1, threshold), 2 => threshold, _ => random.Next(threshold + 1, 60) })
                .ToList();
            var cells = Suppression.Apply(truth, threshold).Select(c => new Cell(c.Value, c.Suppressed)).ToList();
            AssertGroup(cells, truth, threshold, $"group {string.Join(",", truth)}");
        }
    }

    [Fact]
    public void A_single_small_count_gets_a_complementary_cell_and_totals_leave_both_out()
    {
        var cells = Suppression.Apply([40, 2, 9, 7, 5], 5);

        Assert.Equal([FigureCount.Of(40), FigureCount.Hidden, FigureCount.Of(9), FigureCount.Hidden, FigureCount.Of(5)], cells);
        Assert.Equal(54, Suppression.PublishedTotal(cells));
    }

    [Fact]
    public void Without_a_count_above_the_threshold_to_pair_with_the_whole_group_is_suppressed_but_zeros_stay()
    {
        var cells = Suppression.Apply([5, 3, 0, 5], 5);

        Assert.Equal([FigureCount.Hidden, FigureCount.Hidden, FigureCount.Of(0), FigureCount.Hidden], cells);
    }

    [Fact]
    public void Change_is_published_only_when_both_counts_are()
    {
        Assert.Equal(3, Suppression.Change(FigureCount.Of(10), FigureCount.Of(7)));
        Assert.Null(Suppression.Change(FigureCount.Of(10), FigureCount.Hidden));
        Assert.Null(Suppression.Change(FigureCount.Hidden, FigureCount.Of(7)));
        Assert.Null(Suppression.ChangePercent(FigureCount.Of(10), FigureCount.Hidden));
        Assert.Null(Suppression.ChangePercent(FigureCount.Of(10), FigureCount.Of(0)));
        Assert.Equal(42.9, Suppression.ChangePercent(FigureCount.Of(10), FigureCount.Of(7)));
    }
}
