using System.Text.Json;
using Veiligheid.Access;
using Veiligheid.Cases;
using Veiligheid.Data.Seeding;
using Veiligheid.Incidents;
using Veiligheid.Interventions;
using static Veiligheid.Tests.Figures.FiguresTestSupport;

namespace Veiligheid.Tests.Figures;

/// <summary>
/// Every figure over the seeded demo data against counts computed here, independently: LINQ to objects over the rows
/// read from the database, with Dutch local time from <see cref="DutchTime.ToLocal"/> per row (not the SQL bucketing).
/// Threshold 3, so most cells are published and checked by value; suppressed cells are checked by rule.
/// </summary>
public sealed class FigureValuesTests(LowThresholdHubFactory hub) : IClassFixture<LowThresholdHubFactory>
{
    private const int T = LowThresholdHubFactory.Threshold;
    private static readonly DateOnly From = new(2025, 1, 1);
    private static readonly DateOnly To = new(2025, 12, 31);

    private static readonly string[] ClosedFields = ["closedOverlastGestopt", "closedAanvaardbaarNiveau", "closedNietOpgelost"];

    private HttpClient Analyst() => hub.CreateClient(HubRole.GemeenteAnalist, DemoOrganisations.GemeenteVeiligstad);

    private static bool InPeriod(DateTime utc, DateOnly from, DateOnly to) => LocalDay(utc) >= from && LocalDay(utc) <= to;

    [Theory]
    [InlineData("NEIGHBOURHOOD")]
    [InlineData("DISTRICT")]
    public async Task Hotspots_count_incidents_per_area_in_the_period_and_the_previous_one(string level)
    {
        var rows = Read(hub.Services);
        using var client = Analyst();
        var data = await QueryAsync(client, $$"""{ figures { hotspots(from: "2025-01-01", to: "2025-12-31", level: {{level}}) { previousFrom previousTo publishedTotal previousPublishedTotal rows { rank areaCode count { value suppressed } previousCount { value suppressed } change } } } }""");
        var figure = data.GetProperty("figures").GetProperty("hotspots");
        Assert.Equal("2024-01-01", figure.GetProperty("previousFrom").GetString());
        Assert.Equal("2024-12-31", figure.GetProperty("previousTo").GetString());

        string AreaOf(int neighbourhood) => level == "DISTRICT" ? rows.Districts[rows.Neighbourhoods[neighbourhood].DistrictId] : rows.Neighbourhoods[neighbourhood].Code;
        var current = rows.Incidents.Where(i => InPeriod(i.OccurredAt, From, To)).GroupBy(i => AreaOf(i.NeighbourhoodId)).ToDictionary(g => g.Key, g => g.Count());
        var previous = rows.Incidents.Where(i => InPeriod(i.OccurredAt, new(2024, 1, 1), new(2024, 12, 31))).GroupBy(i => AreaOf(i.NeighbourhoodId)).ToDictionary(g => g.Key, g => g.Count());
        var published = figure.GetProperty("rows").EnumerateArray().ToList();
        var codes = published.Select(r => r.GetProperty("areaCode").GetString()!).ToList();
        Assert.Equal(current.Keys.Union(previous.Keys).Order(), codes.Order());

        var cur = published.Select(r => Cell.From(r.GetProperty("count"))).ToList();
        var prev = published.Select(r => Cell.From(r.GetProperty("previousCount"))).ToList();
        AssertGroup(cur, codes.Select(c => current.GetValueOrDefault(c)).ToList(), T, "hotspots.count");
        AssertGroup(prev, codes.Select(c => previous.GetValueOrDefault(c)).ToList(), T, "hotspots.previousCount");
        Assert.Contains(cur, c => !c.Suppressed);
        Assert.Equal(cur.Sum(c => c.Value ?? 0), figure.GetProperty("publishedTotal").GetInt32());
        Assert.Equal(prev.Sum(c => c.Value ?? 0), figure.GetProperty("previousPublishedTotal").GetInt32());
        for (var k = 0; k < published.Count; k++)
        {
            var change = published[k].GetProperty("change");
            if (cur[k].Suppressed || prev[k].Suppressed) Assert.Equal(JsonValueKind.Null, change.ValueKind);
            else Assert.Equal(cur[k].Value - prev[k].Value, change.GetInt32());
        }
        // Ranked by published count, 1 … n, suppressed rows unranked at the end.
        var ranks = published.Select(r => r.GetProperty("rank")).ToList();
        var rankedCount = cur.Count(c => !c.Suppressed);
        Assert.Equal(Enumerable.Range(1, rankedCount), ranks.Take(rankedCount).Select(r => r.GetInt32()));
        Assert.All(ranks.Skip(rankedCount), r => Assert.Equal(JsonValueKind.Null, r.ValueKind));
        Assert.Equal(cur.Take(rankedCount).Select(c => c.Value).OrderDescending(), cur.Take(rankedCount).Select(c => c.Value));
    }

    [Fact]
    public async Task Hotcrimes_narrowed_to_a_district_and_categories_match()
    {
        var rows = Read(hub.Services);
        var district = rows.Districts.OrderBy(d => d.Value, StringComparer.Ordinal).First();
        var categories = new[] { IncidentCategory.Geluidsoverlast, IncidentCategory.Jeugdoverlast, IncidentCategory.Hennepteelt };
        using var client = Analyst();
        var data = await QueryAsync(client, $$"""{ figures { hotcrimes(from: "2025-01-01", to: "2025-12-31", districts: ["{{district.Value}}"], categories: [{{string.Join(", ", categories.Select(Name))}}]) { rows { category count { value suppressed } previousCount { value suppressed } } } } }""");
        var result = data.GetProperty("figures").GetProperty("hotcrimes").GetProperty("rows").EnumerateArray().ToList();

        var inScope = rows.Incidents.Where(i => rows.Neighbourhoods[i.NeighbourhoodId].DistrictId == district.Key && categories.Contains(i.Category)).ToList();
        var current = inScope.Where(i => InPeriod(i.OccurredAt, From, To)).GroupBy(i => Name(i.Category)).ToDictionary(g => g.Key, g => g.Count());
        var previous = inScope.Where(i => InPeriod(i.OccurredAt, new(2024, 1, 1), new(2024, 12, 31))).GroupBy(i => Name(i.Category)).ToDictionary(g => g.Key, g => g.Count());
        var names = result.Select(r => r.GetProperty("category").GetString()!).ToList();
        Assert.Equal(current.Keys.Union(previous.Keys).Order(), names.Order());
        AssertGroup(result.Select(r => Cell.From(r.GetProperty("count"))).ToList(), names.Select(n => current.GetValueOrDefault(n)).ToList(), T, "hotcrimes.count");
        AssertGroup(result.Select(r => Cell.From(r.GetProperty("previousCount"))).ToList(), names.Select(n => previous.GetValueOrDefault(n)).ToList(), T, "hotcrimes.previousCount");
    }

    [Theory]
    [InlineData("2025-01-01", "2025-12-31")]
    [InlineData("2025-03-01", "2025-03-31")] // the month of the switch to summer time (30 March)
    [InlineData("2025-10-01", "2025-10-31")] // the month of the switch back (26 October)
    public async Task Hottimes_bucket_by_Dutch_local_weekday_and_hour(string from, string to)
    {
        var (f, t) = (DateOnly.Parse(from, System.Globalization.CultureInfo.InvariantCulture), DateOnly.Parse(to, System.Globalization.CultureInfo.InvariantCulture));
        var rows = Read(hub.Services);
        using var client = Analyst();
        var data = await QueryAsync(client, $$"""{ figures { hottimes(from: "{{from}}", to: "{{to}}") { publishedTotal cells { weekday hour count { value suppressed } } } } }""");
        var cells = data.GetProperty("figures").GetProperty("hottimes").GetProperty("cells").EnumerateArray().ToList();
        Assert.Equal(168, cells.Count);
        var keys = cells.Select(c => (c.GetProperty("weekday").GetInt32(), c.GetProperty("hour").GetInt32())).ToList();
        Assert.Equal(Enumerable.Range(1, 7).SelectMany(d => Enumerable.Range(0, 24).Select(h => (d, h))), keys);

        var expected = rows.Incidents.Select(i => DutchTime.ToLocal(i.OccurredAt)).Where(l => DateOnly.FromDateTime(l) >= f && DateOnly.FromDateTime(l) <= t)
            .GroupBy(l => (l.DayOfWeek == DayOfWeek.Sunday ? 7 : (int)l.DayOfWeek, l.Hour)).ToDictionary(g => g.Key, g => g.Count());
        var published = cells.Select(c => Cell.From(c.GetProperty("count"))).ToList();
        AssertGroup(published, keys.Select(k => expected.GetValueOrDefault(k)).ToList(), T, "hottimes", zerosHidden: true);
        Assert.Equal(published.Sum(c => c.Value ?? 0), data.GetProperty("figures").GetProperty("hottimes").GetProperty("publishedTotal").GetInt32());
    }

    [Fact]
    public async Task Trends_count_per_local_month_category_and_district()
    {
        var rows = Read(hub.Services);
        using var client = Analyst();
        var data = await QueryAsync(client, """{ figures { trends(from: "2025-01-01", to: "2025-06-30", level: DISTRICT) { rows { month category areaCode count { value suppressed } } } } }""");
        var result = data.GetProperty("figures").GetProperty("trends").GetProperty("rows").EnumerateArray().ToList();
        var expected = rows.Incidents.Where(i => InPeriod(i.OccurredAt, From, new(2025, 6, 30)))
            .GroupBy(i => (DutchTime.ToLocal(i.OccurredAt).ToString("yyyy-MM", System.Globalization.CultureInfo.InvariantCulture), Name(i.Category), rows.Districts[rows.Neighbourhoods[i.NeighbourhoodId].DistrictId]))
            .ToDictionary(g => g.Key, g => g.Count());
        var keys = result.Select(r => (r.GetProperty("month").GetString()!, r.GetProperty("category").GetString()!, r.GetProperty("areaCode").GetString()!)).ToList();
        Assert.Equal(expected.Keys.Order(), keys.Order());
        Assert.Equal(["2025-01", "2025-02", "2025-03", "2025-04", "2025-05", "2025-06"], keys.Select(k => k.Item1).Distinct());
        AssertGroup(result.Select(r => Cell.From(r.GetProperty("count"))).ToList(), keys.Select(k => expected[k]).ToList(), T, "trends");
    }

    [Theory]
    [InlineData(HubRole.GemeenteAnalist, DemoOrganisations.GemeenteVeiligstad)]
    [InlineData(HubRole.BiLezer, DemoOrganisations.GemeenteVeiligstad)]
    public async Task Case_figures_count_only_what_the_roles_figure_scope_allows(HubRole role, string organisation)
    {
        var rows = Read(hub.Services);
        var max = AccessPolicy.Roles[role].Figures!.MaxConfidentiality;
        using var client = hub.CreateClient(role, organisation);
        var data = await QueryAsync(client, """{ figures { cases(from: "2024-10-01", to: "2026-09-30") { publishedOpened rows { quarter kind opened { value suppressed } escalated { value suppressed } closedOverlastGestopt { value suppressed } closedAanvaardbaarNiveau { value suppressed } closedNietOpgelost { value suppressed } } } } }""");
        var result = data.GetProperty("figures").GetProperty("cases").GetProperty("rows").EnumerateArray().ToList();

        var counted = rows.Cases.Where(c => c.Confidentiality <= max && c.Kind != CaseKind.Ondermijning).ToList();
        Assert.True(counted.Count < rows.Cases.Count, "the demo data has cases a figure must not count");
        (DateOnly, DateOnly) period = (new(2024, 10, 1), new(2026, 9, 30));
        Dictionary<(string, string), int> By(Func<Case, DateTime?> when, Func<Case, bool> which) => counted
            .Where(c => which(c) && when(c) is { } at && LocalDay(at) >= period.Item1 && LocalDay(at) <= period.Item2)
            .GroupBy(c => (Quarter(LocalDay(when(c)!.Value)), Name(c.Kind))).ToDictionary(g => g.Key, g => g.Count());
        var opened = By(c => c.OpenedAt, _ => true);
        var escalated = By(c => c.EscalatedAt, _ => true);
        var stopped = By(c => c.ClosedAt, c => c.Outcome == CaseOutcome.OverlastGestopt);
        var acceptable = By(c => c.ClosedAt, c => c.Outcome == CaseOutcome.AanvaardbaarNiveau);
        var unresolved = By(c => c.ClosedAt, c => c.Outcome == CaseOutcome.NietOpgelost);

        var keys = result.Select(r => (r.GetProperty("quarter").GetString()!, r.GetProperty("kind").GetString()!)).ToList();
        Assert.Equal(opened.Keys.Union(escalated.Keys).Union(stopped.Keys).Union(acceptable.Keys).Union(unresolved.Keys).Order(), keys.Order());
        Assert.DoesNotContain(keys, k => k.Item2 == Name(CaseKind.Ondermijning));
        AssertGroup(result.Select(r => Cell.From(r.GetProperty("opened"))).ToList(), keys.Select(k => opened.GetValueOrDefault(k)).ToList(), T, "cases.opened");
        AssertGroup(result.Select(r => Cell.From(r.GetProperty("escalated"))).ToList(), keys.Select(k => escalated.GetValueOrDefault(k)).ToList(), T, "cases.escalated");
        // The three outcomes form one group, row by row.
        var closedCells = result.SelectMany(r => ClosedFields.Select(f => Cell.From(r.GetProperty(f)))).ToList();
        var closedTruth = keys.SelectMany(k => new[] { stopped.GetValueOrDefault(k), acceptable.GetValueOrDefault(k), unresolved.GetValueOrDefault(k) }).ToList();
        AssertGroup(closedCells, closedTruth, T, "cases.closed");
    }

    [Fact]
    public async Task Intervention_and_fine_figures_match_and_leave_out_care_and_ondermijning()
    {
        var rows = Read(hub.Services);
        var max = AccessPolicy.Roles[HubRole.GemeenteAnalist].Figures!.MaxConfidentiality;
        using var client = Analyst();
        var data = await QueryAsync(client, """{ figures { interventions(from: "2025-01-01", to: "2025-12-31") { rows { kind status count { value suppressed } } fines { objection collection count { value suppressed } } } } }""");
        var figure = data.GetProperty("figures").GetProperty("interventions");

        var counted = rows.Interventions.Where(x => x.Intervention.Confidentiality <= max
                && !AccessPolicy.CareInterventionKinds.Contains(x.Intervention.Kind)
                && (x.CaseKind is null || (x.CaseKind != CaseKind.Ondermijning && x.CaseConfidentiality <= max))
                && x.Intervention.StartDate >= From && x.Intervention.StartDate <= To)
            .Select(x => x.Intervention).ToList();
        var byKind = counted.GroupBy(i => (Name(i.Kind), Name(i.Status))).ToDictionary(g => g.Key, g => g.Count());
        var result = figure.GetProperty("rows").EnumerateArray().ToList();
        var keys = result.Select(r => (r.GetProperty("kind").GetString()!, r.GetProperty("status").GetString()!)).ToList();
        Assert.Equal(byKind.Keys.Order(), keys.Order());
        Assert.DoesNotContain(keys, k => k.Item1 == Name(InterventionKind.Zorgtraject) || k.Item1 == Name(InterventionKind.Schuldhulpverlening));
        AssertGroup(result.Select(r => Cell.From(r.GetProperty("count"))).ToList(), keys.Select(k => byKind[k]).ToList(), T, "interventions");

        var fines = counted.Where(i => i.Kind == InterventionKind.BestuurlijkeBoete && i.FineObjection is not null)
            .GroupBy(i => (Name(i.FineObjection!.Value), i.FineCollection is { } c ? Name(c) : null)).ToDictionary(g => g.Key, g => g.Count());
        var fineRows = figure.GetProperty("fines").EnumerateArray().ToList();
        var fineKeys = fineRows.Select(r => (r.GetProperty("objection").GetString()!, r.GetProperty("collection").GetString())).ToList();
        Assert.Equal(fines.Keys.Order(), fineKeys.Order());
        AssertGroup(fineRows.Select(r => Cell.From(r.GetProperty("count"))).ToList(), fineKeys.Select(k => fines[k]).ToList(), T, "fines");
    }
}
