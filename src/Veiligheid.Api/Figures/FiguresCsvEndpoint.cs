using System.Globalization;
using System.Text;
using GraphQL.Types;
using Microsoft.Extensions.Primitives;
using Veiligheid.Access;
using Veiligheid.GraphQL;
using Veiligheid.Http;
using Veiligheid.Incidents;

namespace Veiligheid.Figures;

/// <summary>
/// <c>GET /figures/{name}.csv</c>: the GraphQL figures as CSV for BI tools that do not speak GraphQL (Power BI and Excel
/// "From Web"). Same parameters as the GraphQL arguments (query string: from, to, level, and districts,
/// neighbourhoods, categories either repeated or comma-separated), the same caller resolution and role rule (the role
/// must hold Cijfers), the same <see cref="FigureQueries"/> and so the same suppression: a suppressed count is an empty
/// value with <c>…_suppressed</c> = true. Enum values are written as their GraphQL names.
/// </summary>
public static class FiguresCsvEndpoint
{
    public const string PathTemplate = "/figures/{name}.csv";

    /// <summary>403: the caller's organisation is in allow-list mode (trusted documents), which admits no CSV.</summary>
    public const string TrustedDocumentsOnlyCode = "TRUSTED_DOCUMENTS_ONLY";

    /// <summary>The figures offered as CSV.</summary>
    public static IReadOnlyList<string> Names { get; } = ["hotspots", "hotcrimes", "hottimes", "trends", "cases", "interventions", "fines"];

    public static IEndpointRouteBuilder MapFiguresCsvEndpoint(this IEndpointRouteBuilder endpoints)
    {
        endpoints.MapGet(PathTemplate, HandleAsync);
        return endpoints;
    }

    private static async Task HandleAsync(string name, HttpContext http, CallerResolver callers, FiguresDatabase database)
    {
        var ct = http.RequestAborted;
        var resolution = await callers.ResolveAsync(http, ct);
        if (!resolution.Succeeded)
        {
            await resolution.Refusal.WriteAsync(http);
            return;
        }
        // An organisation in allow-list mode runs only its registered operations (README, "Trusted documents"); a CSV
        // is none of them. Read per request, like the GraphQL endpoint's, so switching the mode holds at once here too.
        var db = http.RequestServices.GetRequiredService<Data.VeiligheidDbContext>();
        if (await TrustedDocumentMode.ReadAsync(db, resolution.Caller.OrganisationId, ct))
        {
            await HubError.WriteAsync(http, StatusCodes.Status403Forbidden, TrustedDocumentsOnlyCode,
                "Your organisation may only run operations registered for it (trusted documents); the CSV figures are not among them. See the README, section \"Trusted documents\".");
            return;
        }
        var role = AccessPolicy.Roles[resolution.Caller.Role];
        if (!role.Categories.Contains(DataCategory.Cijfers) || role.Figures is null)
        {
            await HubError.WriteAsync(http, StatusCodes.Status403Forbidden, "FORBIDDEN",
                $"The role '{resolution.Caller.Role.TokenValue()}' may not read figures.");
            return;
        }
        if (!Names.Contains(name))
        {
            await HubError.WriteAsync(http, StatusCodes.Status404NotFound, "UNKNOWN_FIGURE",
                $"There is no figure '{name}'. Figures: {string.Join(", ", Names.Select(n => n + ".csv"))}.");
            return;
        }

        string csv;
        try
        {
            var parameters = Parse(http.Request.Query);
            var figures = database.For(role);
            csv = name switch
            {
                "hotspots" => Csv.Hotspots(await figures.HotspotsAsync(parameters, ct)),
                "hotcrimes" => Csv.Hotcrimes(await figures.HotcrimesAsync(parameters, ct)),
                "hottimes" => Csv.Hottimes(await figures.HottimesAsync(parameters, ct)),
                "trends" => Csv.Trends(await figures.TrendsAsync(parameters, ct)),
                "cases" => Csv.Cases(await figures.CasesAsync(parameters, ct)),
                "interventions" => Csv.Interventions(await figures.InterventionsAsync(parameters, ct)),
                _ => Csv.Fines(await figures.InterventionsAsync(parameters, ct)),
            };
        }
        catch (FigureArgumentException e)
        {
            await HubError.WriteAsync(http, StatusCodes.Status400BadRequest, e.Code, e.Message);
            return;
        }
        http.Response.StatusCode = StatusCodes.Status200OK;
        http.Response.ContentType = "text/csv; charset=utf-8";
        http.Response.Headers.ContentDisposition = $"inline; filename=\"{name}.csv\"";
        await http.Response.WriteAsync(csv, Encoding.UTF8, ct);
    }

    /// <summary>Reads the query string into the same parameters the GraphQL arguments give.</summary>
    internal static FigureParameters Parse(IQueryCollection query)
    {
        var from = Date(query, "from");
        var to = Date(query, "to");
        var levelText = query["level"].ToString();
        var level = AreaLevel.Neighbourhood;
        if (levelText.Length > 0 && !Enums.TryParse(levelText, out level))
            throw new FigureArgumentException("INVALID_ARGUMENT", $"'level' must be DISTRICT or NEIGHBOURHOOD, not '{levelText}'.");
        var categories = new List<IncidentCategory>();
        foreach (var text in List(query["categories"]))
        {
            if (!Enums.TryParse<IncidentCategory>(text, out var category))
                throw new FigureArgumentException("INVALID_ARGUMENT", $"Unknown category '{text}'; categories are {string.Join(", ", Enums.Names<IncidentCategory>())}.");
            categories.Add(category);
        }
        return new FigureParameters(from, to, List(query["districts"]), List(query["neighbourhoods"]), categories, level);
    }

    private static DateOnly Date(IQueryCollection query, string name)
    {
        var text = query[name].ToString();
        if (text.Length == 0)
            throw new FigureArgumentException("MISSING_ARGUMENT", $"The query string needs '{name}' (a date, yyyy-MM-dd).");
        if (!DateOnly.TryParseExact(text, "yyyy-MM-dd", CultureInfo.InvariantCulture, DateTimeStyles.None, out var date))
            throw new FigureArgumentException("INVALID_ARGUMENT", $"'{name}' must be a date in the form yyyy-MM-dd, not '{text}'.");
        return date;
    }

    private static List<string> List(StringValues values)
        => values.SelectMany(v => (v ?? "").Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries)).ToList();

    /// <summary>Enum values by their GraphQL names (e.g. ILLEGAAL_AFVAL_DUMPEN), as the schema shows them.</summary>
    internal static class Enums
    {
        public static string Name<T>(T value) where T : struct, Enum => Type<T>.Instance.Values.First(v => Equals(v.Value, value)).Name;

        public static IEnumerable<string> Names<T>() where T : struct, Enum => Type<T>.Instance.Values.Select(v => v.Name);

        public static bool TryParse<T>(string text, out T value) where T : struct, Enum
        {
            var match = Type<T>.Instance.Values.FirstOrDefault(v => string.Equals(v.Name, text, StringComparison.OrdinalIgnoreCase));
            value = match?.Value is T found ? found : default;
            return match is not null;
        }

        private static class Type<T> where T : struct, Enum
        {
            public static readonly EnumerationGraphType<T> Instance = new DomainEnumType<T>();
        }
    }

    /// <summary>RFC 4180 CSV, one header row, invariant culture; every figure row becomes one line.</summary>
    internal static class Csv
    {
        public static string Hotspots(HotspotTable t) => Write(
            ["rank", "area_code", "area_name", "count", "count_suppressed", "previous_count", "previous_count_suppressed", "change", "change_percent"],
            t.Rows.Select(r => Cells(r.Rank, r.AreaCode, r.AreaName, r.Count, r.PreviousCount, r.Change, r.ChangePercent)));

        public static string Hotcrimes(HotcrimeTable t) => Write(
            ["rank", "category", "count", "count_suppressed", "previous_count", "previous_count_suppressed", "change", "change_percent"],
            t.Rows.Select(r => Cells(r.Rank, Enums.Name(r.Category), r.Count, r.PreviousCount, r.Change, r.ChangePercent)));

        public static string Hottimes(HottimeTable t) => Write(
            ["weekday", "hour", "count", "count_suppressed"],
            t.Cells.Select(c => Cells(c.Weekday, c.Hour, c.Count)));

        public static string Trends(TrendTable t) => Write(
            ["month", "category", "area_code", "area_name", "count", "count_suppressed"],
            t.Rows.Select(r => Cells(r.Month, Enums.Name(r.Category), r.AreaCode, r.AreaName, r.Count)));

        public static string Cases(CaseFigureTable t) => Write(
            ["quarter", "kind", "opened", "opened_suppressed", "escalated", "escalated_suppressed", "closed_overlast_gestopt", "closed_overlast_gestopt_suppressed",
             "closed_aanvaardbaar_niveau", "closed_aanvaardbaar_niveau_suppressed", "closed_niet_opgelost", "closed_niet_opgelost_suppressed"],
            t.Rows.Select(r => Cells(r.Quarter, Enums.Name(r.Kind), r.Opened, r.Escalated, r.ClosedOverlastGestopt, r.ClosedAanvaardbaarNiveau, r.ClosedNietOpgelost)));

        public static string Interventions(InterventionFigureTable t) => Write(
            ["kind", "status", "count", "count_suppressed"],
            t.Rows.Select(r => Cells(Enums.Name(r.Kind), Enums.Name(r.Status), r.Count)));

        public static string Fines(InterventionFigureTable t) => Write(
            ["objection", "collection", "count", "count_suppressed"],
            t.Fines.Select(r => Cells(Enums.Name(r.Objection), r.Collection is { } c ? Enums.Name(c) : null, r.Count)));

        /// <summary>A FigureCount becomes two columns: the value (empty when suppressed) and the flag.</summary>
        private static List<string> Cells(params object?[] values)
        {
            var cells = new List<string>();
            foreach (var value in values)
            {
                switch (value)
                {
                    case FigureCount count:
                        cells.Add(count.Value?.ToString(CultureInfo.InvariantCulture) ?? "");
                        cells.Add(count.Suppressed ? "true" : "false");
                        break;
                    case IFormattable formattable:
                        cells.Add(formattable.ToString(null, CultureInfo.InvariantCulture));
                        break;
                    default:
                        cells.Add(value?.ToString() ?? "");
                        break;
                }
            }
            return cells;
        }

        private static string Write(string[] header, IEnumerable<List<string>> rows)
        {
            var text = new StringBuilder();
            text.AppendJoin(',', header).Append("\r\n");
            foreach (var row in rows) text.AppendJoin(',', row.Select(Quote)).Append("\r\n");
            return text.ToString();
        }

        private static string Quote(string value)
            => value.IndexOfAny([',', '"', '\r', '\n']) >= 0 ? "\"" + value.Replace("\"", "\"\"", StringComparison.Ordinal) + "\"" : value;
    }
}
