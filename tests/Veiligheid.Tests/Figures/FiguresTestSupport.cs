using System.Globalization;
using System.Net.Http.Json;
using System.Text.Json;
using Microsoft.AspNetCore.Hosting;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using Veiligheid.Cases;
using Veiligheid.Data;
using Veiligheid.Data.Seeding;
using Veiligheid.Figures;
using Veiligheid.Incidents;
using Veiligheid.Interventions;
using Veiligheid.Tests.Infrastructure;

namespace Veiligheid.Tests.Figures;

/// <summary>A hub whose figures suppress below 3 instead of 5, so the demo data publishes enough cells to check values.</summary>
public sealed class LowThresholdHubFactory : HubFactory
{
    public const int Threshold = 3;

    protected override void ConfigureWebHost(IWebHostBuilder builder)
    {
        base.ConfigureWebHost(builder);
        builder.UseSetting("Figures:SuppressionThreshold", Threshold.ToString(CultureInfo.InvariantCulture));
        // Rounding off, so the values are checked exactly against the rows; DifferencingTests check the rounding.
        builder.UseSetting("Figures:RoundingBase", "1");
    }
}

/// <summary>A published-or-suppressed cell as a response shows it.</summary>
public sealed record Cell(int? Value, bool Suppressed)
{
    public static Cell From(JsonElement count) => new(
        count.GetProperty("value").ValueKind == JsonValueKind.Null ? null : count.GetProperty("value").GetInt32(),
        count.GetProperty("suppressed").GetBoolean());
}

internal static class FiguresTestSupport
{
    public static async Task<JsonElement> QueryAsync(HttpClient client, string query)
    {
        using var response = await client.PostAsJsonAsync("/graphql", new { query });
        var body = await response.Content.ReadAsStringAsync();
        using var document = JsonDocument.Parse(body);
        Assert.False(document.RootElement.TryGetProperty("errors", out _), body);
        return document.RootElement.GetProperty("data").Clone();
    }

    public static string Name<T>(T value) where T : struct, Enum => FiguresCsvEndpoint.Enums.Name(value);

    public static DateOnly LocalDay(DateTime utc) => DateOnly.FromDateTime(DutchTime.ToLocal(utc));

    public static string Quarter(DateOnly d) => string.Create(CultureInfo.InvariantCulture, $"{d.Year}-Q{(d.Month - 1) / 3 + 1}");

    /// <summary>
    /// Checks one group of cells (one column of one figure) against the true counts, computed independently:
    /// published cells are exact; every count from 1 below the threshold is suppressed; beside them at most one count
    /// above the threshold is suppressed (the complementary cell), unless the whole group is; nothing else is.
    /// Then: knowing the published cells and even the true total of the group, no suppressed count follows.
    /// </summary>
    public static void AssertGroup(IReadOnlyList<Cell> cells, IReadOnlyList<int> truth, int threshold, string what, bool zerosHidden = false)
    {
        if (zerosHidden && cells.Any(c => c.Suppressed))
        {
            // The weekday × hour matrix hides its zeros when any cell is suppressed: check the rest as a group.
            var zeros = Enumerable.Range(0, cells.Count).Where(k => truth[k] == 0).ToList();
            Assert.All(zeros, k => Assert.True(cells[k].Suppressed, $"{what}[{k}]: a zero shown beside a suppressed cell"));
            var rest = Enumerable.Range(0, cells.Count).Where(k => truth[k] != 0).ToList();
            AssertGroup(rest.Select(k => cells[k]).ToList(), rest.Select(k => truth[k]).ToList(), threshold, what);
            return;
        }
        Assert.Equal(truth.Count, cells.Count);
        var primaries = 0;
        var complementary = 0;
        for (var k = 0; k < cells.Count; k++)
        {
            var (cell, value) = (cells[k], truth[k]);
            Assert.True(cell.Suppressed == (cell.Value is null), $"{what}[{k}]: value null exactly when suppressed");
            if (!cell.Suppressed)
            {
                Assert.True(value == cell.Value, $"{what}[{k}]: published {cell.Value}, true count {value}");
                Assert.False(value > 0 && value < threshold, $"{what}[{k}]: small count {value} published");
            }
            else if (value > 0 && value < threshold) primaries++;
            else complementary++;
        }
        var all = cells.Count(c => c.Suppressed) == truth.Count(v => v > 0);
        Assert.True(complementary == 0 || (primaries > 0 && (complementary == 1 || all)), $"{what}: {complementary} cells suppressed without need");
        if (primaries > 0) Assert.True(complementary >= 1 || all, $"{what}: small counts without a complementary cell");
        AssertCannotBeUndone(cells, truth, threshold, what);
    }

    /// <summary>
    /// The reader knows every published cell and, say from another figure, the group's true total, so the sum of the
    /// suppressed cells; and that each suppressed count is at least 1 (rows without incidents are not listed, zeros are
    /// published). Then for each suppressed cell: (1) another assignment, equally consistent, gives it another value,
    /// so it cannot be computed back; (2) the largest value it could have is at least the threshold, so the reader
    /// cannot even tell that it is a small count. A group suppressed entirely publishes nothing to compute from and is
    /// skipped.
    /// </summary>
    public static void AssertCannotBeUndone(IReadOnlyList<Cell> cells, IReadOnlyList<int> truth, int threshold, string what)
    {
        var hidden = Enumerable.Range(0, cells.Count).Where(k => cells[k].Suppressed).ToList();
        if (hidden.Count == 0 || hidden.Count == truth.Count(v => v > 0)) return;
        var hiddenSum = hidden.Sum(k => truth[k]);
        foreach (var k in hidden)
        {
            var ambiguous = hidden.Where(j => j != k).Any(j => truth[k] >= 2 || truth[j] >= 2);
            Assert.True(ambiguous, $"{what}[{k}]: the suppressed count {truth[k]} follows from the published cells and the total");
            var largest = hiddenSum - (hidden.Count - 1);
            Assert.True(largest >= threshold, $"{what}[{k}]: the reader can tell the suppressed count is below {threshold}");
        }
    }

    /// <summary>The rows the expectations are computed from, read straight from the database.</summary>
    public sealed record Rows(
        List<(DateTime OccurredAt, int NeighbourhoodId, IncidentCategory Category)> Incidents,
        Dictionary<int, (string Code, int DistrictId)> Neighbourhoods,
        Dictionary<int, string> Districts,
        List<Case> Cases,
        List<(Intervention Intervention, CaseKind? CaseKind, ConfidentialityLevel? CaseConfidentiality, int? LocationNeighbourhood)> Interventions);

    public static Rows Read(IServiceProvider services)
    {
        using var scope = services.CreateScope();
        var db = scope.ServiceProvider.GetRequiredService<VeiligheidDbContext>();
        var incidents = db.Incidents.AsNoTracking().Select(i => new { i.OccurredAt, i.NeighbourhoodId, i.Category }).AsEnumerable()
            .Select(i => (i.OccurredAt, i.NeighbourhoodId, i.Category)).ToList();
        var neighbourhoods = db.Neighbourhoods.AsNoTracking().ToDictionary(n => n.Id, n => (n.Code, n.DistrictId));
        var districts = db.Districts.AsNoTracking().ToDictionary(d => d.Id, d => d.Code);
        var cases = db.Cases.AsNoTracking().ToList();
        var interventions = db.Interventions.AsNoTracking().Include(i => i.Case).Include(i => i.Location).AsEnumerable()
            .Select(i => (i, i.Case?.Kind, i.Case?.Confidentiality, i.Location?.NeighbourhoodId)).ToList();
        return new Rows(incidents, neighbourhoods, districts, cases, interventions);
    }
}
