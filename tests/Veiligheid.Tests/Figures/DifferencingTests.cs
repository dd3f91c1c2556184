using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using Veiligheid.Access;
using Veiligheid.Data.Seeding;
using Veiligheid.Figures;
using Veiligheid.Tests.Infrastructure;
using static Veiligheid.Tests.Figures.FiguresTestSupport;

namespace Veiligheid.Tests.Figures;

/// <summary>
/// Differencing: two answers that differ by a few records of the caller's choosing gave those records' exact count,
/// a count that the figure itself suppressed. The hub answers only fixed tables (one area of the register, a calendar
/// month / quarter / year, all categories or one) and rounds every published count to a multiple of 5 with a consistent
/// per-cell seed. Over the demo data, at the default threshold (5) and rounding (5).
/// </summary>
public sealed class DifferencingTests(HubFactory hub) : IClassFixture<HubFactory>
{
    private const string Year = "from: \"2025-01-01\", to: \"2025-12-31\"";

    private HttpClient Analyst() => hub.CreateClient(HubRole.GemeenteAnalist, DemoOrganisations.GemeenteVeiligstad);

    private static async Task<string?> ErrorCodeAsync(HttpClient client, string query)
    {
        using var response = await client.PostAsJsonAsync("/graphql", new { query });
        using var document = JsonDocument.Parse(await response.Content.ReadAsStringAsync());
        return document.RootElement.TryGetProperty("errors", out var errors) ? errors[0].GetProperty("extensions").GetProperty("code").GetString() : null;
    }

    public static TheoryData<string, string> Differences => new()
    {
        // The first reviewer's attack: {BU99990302, BU99990101} − {BU99990302} = BU99990101's one burglary.
        { $$"""hotcrimes({{Year}}, neighbourhoods: ["BU99990302", "BU99990101"], categories: [WONINGINBRAAK]) { publishedTotal }""", "NOT_A_FIXED_AREA" },
        { $$"""hotcrimes({{Year}}, districts: ["WK999903"], neighbourhoods: ["BU99990101"]) { publishedTotal }""", "NOT_A_FIXED_AREA" },
        // A category set with and without SIGNAAL_MENSENHANDEL gave each neighbourhood's signals.
        { $$"""hotspots({{Year}}, categories: [JEUGDOVERLAST, SIGNAAL_MENSENHANDEL]) { publishedTotal }""", "NOT_A_FIXED_CATEGORY" },
        { $$"""hottimes({{Year}}, categories: [JEUGDOVERLAST, SIGNAAL_MENSENHANDEL]) { publishedTotal }""", "NOT_A_FIXED_CATEGORY" },
        // A neighbourhood in a district row is a partial district.
        { $$"""hotspots({{Year}}, level: DISTRICT, neighbourhoods: ["BU99990101"]) { publishedTotal }""", "NOT_A_FIXED_AREA" },
        // Periods shifted by a day, bisected down to the day of one signal, and a single day with its hour.
        { """hotcrimes(from: "2025-01-02", to: "2025-12-31") { publishedTotal }""", "NOT_A_FIXED_PERIOD" },
        { """hotspots(from: "2025-01-01", to: "2025-04-18") { publishedTotal }""", "NOT_A_FIXED_PERIOD" },
        { """hottimes(from: "2025-04-18", to: "2025-04-18") { publishedTotal }""", "NOT_A_FIXED_PERIOD" },
        { """hotcrimes(from: "2025-02-01", to: "2025-04-30") { publishedTotal }""", "NOT_A_FIXED_PERIOD" },
        { """trends(from: "2025-01-15", to: "2025-02-14") { publishedTotal }""", "NOT_A_FIXED_PERIOD" },
        // Interventions started 1–9 January against 10 January onward gave one warning and its status.
        { """interventions(from: "2025-01-10", to: "2025-12-31") { publishedTotal }""", "NOT_A_FIXED_PERIOD" },
        { """cases(from: "2025-01-02", to: "2025-03-31") { publishedOpened }""", "NOT_A_FIXED_PERIOD" },
        { """cases(from: "2025-01-01", to: "2025-12-31", neighbourhoods: ["BU99990302", "BU99990101"]) { publishedOpened }""", "NOT_A_FIXED_AREA" },
    };

    [Theory]
    [MemberData(nameof(Differences))]
    public async Task A_caller_chosen_union_or_offset_is_refused(string field, string code)
    {
        using var client = Analyst();
        Assert.Equal(code, await ErrorCodeAsync(client, "{ figures { " + field + " } }"));
    }

    [Theory]
    [InlineData("/figures/hotcrimes.csv?from=2025-01-01&to=2025-12-31&neighbourhoods=BU99990302,BU99990101&categories=WONINGINBRAAK", "NOT_A_FIXED_AREA")]
    [InlineData("/figures/hotspots.csv?from=2025-01-01&to=2025-12-31&categories=JEUGDOVERLAST&categories=SIGNAAL_MENSENHANDEL", "NOT_A_FIXED_CATEGORY")]
    [InlineData("/figures/hotcrimes.csv?from=2025-01-02&to=2025-12-31", "NOT_A_FIXED_PERIOD")]
    [InlineData("/figures/interventions.csv?from=2025-01-10&to=2025-12-31", "NOT_A_FIXED_PERIOD")]
    public async Task The_csv_endpoint_refuses_them_too(string url, string code)
    {
        using var client = hub.CreateClient(HubRole.BiLezer, DemoOrganisations.GemeenteVeiligstad);
        using var response = await client.GetAsync(url);
        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        Assert.Equal(code, JsonDocument.Parse(await response.Content.ReadAsStringAsync()).RootElement.GetProperty("error").GetProperty("code").GetString());
    }

    [Fact]
    public async Task The_fixed_tables_are_answered()
    {
        using var client = Analyst();
        await QueryAsync(client, """
            { figures {
                month: hotcrimes(from: "2025-04-01", to: "2025-04-30", neighbourhoods: ["BU99990302"], categories: [WONINGINBRAAK, GEWELD]) { publishedTotal }
                quarter: hotspots(from: "2025-04-01", to: "2025-06-30", districts: ["WK999903"], categories: [WONINGINBRAAK]) { publishedTotal }
                year: hottimes(from: "2025-01-01", to: "2025-12-31", districts: ["WK999903"], categories: [GEWELD]) { publishedTotal }
                trends(from: "2025-01-01", to: "2025-06-30", districts: ["WK999903"], neighbourhoods: ["BU99990101"], categories: [GEWELD, VANDALISME]) { publishedTotal }
                cases(from: "2024-10-01", to: "2025-12-31", districts: ["WK999903"]) { publishedOpened }
                interventions(from: "2025-07-01", to: "2025-09-30") { publishedTotal }
            } }
            """);
    }

    [Fact]
    public async Task Every_published_count_is_a_multiple_of_5_so_differences_along_the_hierarchy_are_not_exact()
    {
        // Neighbourhoods against their district, and the district against the municipality: the sums differ by the
        // suppressed cells only up to rounding.
        using var client = Analyst();
        var data = await QueryAsync(client, $$"""
            { figures {
                n: hotspots({{Year}}, categories: [WONINGINBRAAK]) { publishedTotal previousPublishedTotal rows { count { value } previousCount { value } change } }
                d: hotspots({{Year}}, level: DISTRICT, categories: [WONINGINBRAAK]) { publishedTotal rows { count { value } } }
                c: hotcrimes({{Year}}) { publishedTotal rows { count { value } previousCount { value } } }
                h: hottimes({{Year}}) { publishedTotal cells { count { value } } }
                t: trends(from: "2025-01-01", to: "2025-03-31") { publishedTotal rows { count { value } } }
                k: cases(from: "2025-01-01", to: "2025-12-31") { publishedOpened publishedClosed rows { opened { value } closedOverlastGestopt { value } } }
                i: interventions({{Year}}) { publishedTotal rows { count { value } } }
            } }
            """);
        var values = new List<int>();
        void Walk(JsonElement e)
        {
            switch (e.ValueKind)
            {
                case JsonValueKind.Object: foreach (var p in e.EnumerateObject()) Walk(p.Value); break;
                case JsonValueKind.Array: foreach (var x in e.EnumerateArray()) Walk(x); break;
                case JsonValueKind.Number: values.Add(e.GetInt32()); break;
            }
        }
        Walk(data);
        Assert.True(values.Count > 100);
        Assert.All(values, v => Assert.Equal(0, v % 5));
    }

    [Fact]
    public async Task The_same_cell_has_the_same_value_in_every_figure_that_shows_it()
    {
        // A district's incidents of one category in 2025: a hotspots row narrowed to the category and a hotcrimes row
        // narrowed to the district; rounded alike, so asking through another figure is no new draw to average.
        using var client = Analyst();
        var data = await QueryAsync(client, $$"""{ figures { hotspots({{Year}}, level: DISTRICT, categories: [JEUGDOVERLAST]) { rows { areaCode count { value suppressed } } } } }""");
        var hotspots = data.GetProperty("figures").GetProperty("hotspots").GetProperty("rows").EnumerateArray()
            .Where(r => !r.GetProperty("count").GetProperty("suppressed").GetBoolean())
            .ToDictionary(r => r.GetProperty("areaCode").GetString()!, r => r.GetProperty("count").GetProperty("value").GetInt32());
        Assert.NotEmpty(hotspots);
        foreach (var (area, value) in hotspots.Take(5))
        {
            var crimes = await QueryAsync(client, $$"""{ figures { hotcrimes({{Year}}, districts: ["{{area}}"], categories: [JEUGDOVERLAST]) { rows { count { value } } } } }""");
            Assert.Equal(value, crimes.GetProperty("figures").GetProperty("hotcrimes").GetProperty("rows")[0].GetProperty("count").GetProperty("value").GetInt32());
        }
    }

    [Fact]
    public async Task Hottimes_of_a_single_event_do_not_give_its_weekday_and_hour()
    {
        // BU99990904 had one SIGNAAL_MENSENHANDEL in 2025 (on a Friday, 11:00): the matrix showed 167 zeros and one
        // suppressed cell, i.e. the event's weekday and hour. Zeros are hidden when a cell is suppressed.
        using var client = Analyst();
        var data = await QueryAsync(client, $$"""{ figures { hottimes({{Year}}, neighbourhoods: ["BU99990904"], categories: [SIGNAAL_MENSENHANDEL]) { cells { count { value suppressed } } } } }""");
        var cells = data.GetProperty("figures").GetProperty("hottimes").GetProperty("cells").EnumerateArray().Select(c => Cell.From(c.GetProperty("count"))).ToList();
        Assert.Contains(cells, c => c.Suppressed);
        Assert.All(cells, c => Assert.True(c.Suppressed, "a cell shown beside a suppressed one"));
    }

    [Fact]
    public void Rounding_is_unbiased_consistent_and_within_one_base()
    {
        var rounding = new CellKeyRounding(System.Security.Cryptography.SHA256.HashData("test-cell-key"u8), 5);
        for (var n = 5; n < 60; n++)
        {
            var published = Enumerable.Range(0, 4000).Select(k => rounding.Round($"cell-{k}", n)).ToList();
            Assert.All(published, v => Assert.True(v % 5 == 0 && Math.Abs(v - n) < 5 && v >= 5, $"{n} → {v}"));
            if (n % 5 == 0) Assert.All(published, v => Assert.Equal(n, v));
            Assert.InRange(published.Average(), n - 0.3, n + 0.3);
            Assert.Equal(published, Enumerable.Range(0, 4000).Select(k => rounding.Round($"cell-{k}", n)));
        }
        // Another key, another draw: without the hub's key a reader cannot tell which count gave a published value.
        var other = new CellKeyRounding(System.Security.Cryptography.SHA256.HashData("another-key"u8), 5);
        Assert.NotEqual(Enumerable.Range(0, 200).Select(k => rounding.Round($"cell-{k}", 7)), Enumerable.Range(0, 200).Select(k => other.Round($"cell-{k}", 7)));
    }

    [Fact]
    public void Rounding_applies_to_published_counts_only_after_suppression()
    {
        var rounding = new CellKeyRounding(System.Security.Cryptography.SHA256.HashData("test-cell-key"u8), 5);
        var cells = Suppression.Apply([40, 2, 9, 7, 0, 13], 5, rounding, ["a", "b", "c", "d", "e", "f"]);
        Assert.Equal([false, true, false, true, false, false], cells.Select(c => c.Suppressed));
        Assert.Equal(40, cells[0].Value);
        Assert.Equal(0, cells[4].Value);
        Assert.Contains(cells[2].Value, new int?[] { 5, 10 });
        Assert.Contains(cells[5].Value, new int?[] { 10, 15 });
        Assert.Equal(cells.Sum(c => c.Value ?? 0), Suppression.PublishedTotal(cells));
    }
}
