using GraphQL;
using GraphQL.Builders;
using GraphQL.Types;
using Microsoft.Extensions.DependencyInjection;
using Veiligheid.Access;
using Veiligheid.Cases;
using Veiligheid.GraphQL;
using Veiligheid.Incidents;
using Veiligheid.Interventions;

namespace Veiligheid.Figures;

/// <summary>The figures of the wijkveiligheidsoverleg: aggregates with small counts suppressed, never a person.</summary>
[Category(DataCategory.Cijfers)]
public sealed class FiguresType : SlicedObjectGraphType<object>
{
    internal const string SuppressionNote =
        " Counts from 1 below `suppressionThreshold` are suppressed (value null, suppressed true), and so is, in each column "
        + "where that happens, the smallest count above the threshold (complementary suppression); every total is a sum of "
        + "published counts only, so no suppressed count can be computed back from the figure. Every published count is rounded "
        + "at random, unbiased, to a multiple of 5 with a consistent per-cell seed (the same cell has the same value in every figure), "
        + "and figures are answered only for fixed tables (one calendar month, quarter or year; the municipality, one district or "
        + "one neighbourhood; all categories or one), so two answers never differ by a few records of the caller's choosing.";

    public FiguresType()
    {
        Name = "Figures";
        Description = "Aggregated figures over the whole municipality for the wijkveiligheidsoverleg and BI tools. Periods are whole days in Dutch local time. No figure contains a person, a person identifier or free text." + SuppressionNote;

        Figure<NonNullGraphType<HotspotTableType>>("hotspots",
                "Areas ranked by the number of incidents in the period, with the previous period of equal length (as many calendar months before when the period is whole months, e.g. a year against the year before; else as many days).",
                withLevel: true)
            .ResolveAsync(ctx => Run(ctx, (q, p, ct) => q.HotspotsAsync(p, ct)));
        Figure<NonNullGraphType<HotcrimeTableType>>("hotcrimes",
                "Incident categories ranked by the number of incidents in the period, with the previous period of equal length (as many calendar months before when the period is whole months; else as many days).")
            .ResolveAsync(ctx => Run(ctx, (q, p, ct) => q.HotcrimesAsync(p, ct)));
        Figure<NonNullGraphType<HottimeTableType>>("hottimes",
                "Incidents by weekday and hour of the day (Dutch local time): all 168 cells, Monday 00:00 first. When any cell is suppressed, zeros are suppressed too, so the zeros around a suppressed cell do not place its incidents.")
            .ResolveAsync(ctx => Run(ctx, (q, p, ct) => q.HottimesAsync(p, ct)));
        Figure<NonNullGraphType<TrendTableType>>("trends",
                "Incidents per calendar month (Dutch local time), category and area; combinations without incidents are left out.",
                withLevel: true)
            .ResolveAsync(ctx => Run(ctx, (q, p, ct) => q.TrendsAsync(p, ct)));
        Figure<NonNullGraphType<CaseFigureTableType>>("cases",
                "Case throughput per quarter and kind: opened, escalated to the Zorg- en Veiligheidshuis, and closed by outcome, each counted in the quarter the event fell in. Counts only the cases the caller's figure scope allows (never ondermijning); area narrowing selects cases with a location in the area; categories do not apply.")
            .ResolveAsync(ctx => Run(ctx, (q, p, ct) => q.CasesAsync(p, ct)));
        Figure<NonNullGraphType<InterventionFigureTableType>>("interventions",
                "Interventions started in the period by kind and status, and administrative fines by objection and collection status. Never care interventions; area narrowing selects interventions in or at a location in the area; categories do not apply.")
            .ResolveAsync(ctx => Run(ctx, (q, p, ct) => q.InterventionsAsync(p, ct)));
    }

    private FieldBuilder<object, object> Figure<TGraphType>(string name, string description, bool withLevel = false) where TGraphType : IGraphType
    {
        var field = Field<TGraphType>(name).Description(description)
            .Argument<NonNullGraphType<DateScalar>>("from", "First day of the period (Dutch local time), inclusive: the first day of a month (trends), of a quarter (cases), or of one calendar month, quarter or year (the other figures).")
            .Argument<NonNullGraphType<DateScalar>>("to", "Last day of the period (Dutch local time), inclusive: the last day of that month, quarter or year.")
            .Argument<ListGraphType<NonNullGraphType<StringGraphType>>>("districts", "Narrow to a district (CBS wijk code, WK + 6 digits). One area at most, except in hotspots and trends, whose rows are areas: there any districts (and, at neighbourhood level, neighbourhoods) select rows.")
            .Argument<ListGraphType<NonNullGraphType<StringGraphType>>>("neighbourhoods", "Narrow to a neighbourhood (CBS buurt code, BU + 8 digits). One area at most (districts and neighbourhoods together), except in hotspots and trends at neighbourhood level, where they select rows.")
            .Argument<ListGraphType<NonNullGraphType<DomainEnumType<IncidentCategory>>>>("categories", "Narrow incident figures to a category. One at most in hotspots and hottimes; any in hotcrimes and trends, whose rows are categories.");
        if (withLevel)
        {
            field.Argument<DomainEnumType<AreaLevel>>("level", "Group by district or by neighbourhood (default NEIGHBOURHOOD).", a => a.DefaultValue = AreaLevel.Neighbourhood);
        }
        return field;
    }

    internal static FigureParameters ParametersOf(IResolveFieldContext ctx) => new(
        ctx.GetArgument<DateOnly>("from"),
        ctx.GetArgument<DateOnly>("to"),
        ctx.GetArgument<List<string>?>("districts") ?? [],
        ctx.GetArgument<List<string>?>("neighbourhoods") ?? [],
        ctx.GetArgument<List<IncidentCategory>?>("categories") ?? [],
        ctx.HasArgument("level") ? ctx.GetArgument<AreaLevel>("level") : AreaLevel.Neighbourhood);

    private static async Task<object?> Run<T>(IResolveFieldContext<object> ctx, Func<FigureQueries, FigureParameters, CancellationToken, Task<T>> figure)
    {
        var database = ctx.RequestServices!.GetRequiredService<FiguresDatabase>();
        try
        {
            return await figure(database.For(ctx.Hub().Access.Role), ParametersOf(ctx), ctx.CancellationToken);
        }
        catch (FigureArgumentException e)
        {
            throw new ExecutionError(e.Message) { Code = e.Code };
        }
        catch (FigureAccessException e)
        {
            throw new ExecutionError(e.Message) { Code = "FORBIDDEN" };
        }
    }
}

[Category(DataCategory.Cijfers)]
public sealed class FigureCountType : SlicedObjectGraphType<FigureCount>
{
    public FigureCountType()
    {
        Name = "FigureCount";
        Description = "A count that may be suppressed: value is null exactly when suppressed is true.";
        Field<IntGraphType>("value").Description("The count, rounded at random (unbiased) to a multiple of 5 with a consistent per-cell seed; null when suppressed.").Resolve(ctx => ctx.Source.Value);
        Field<NonNullGraphType<BooleanGraphType>>("suppressed").Description("True when the count is not published (a small count, or its complementary cell; in hottimes also a zero beside them).").Resolve(ctx => ctx.Source.Suppressed);
    }
}

/// <summary>The fields every figure table shares.</summary>
public abstract class FigureTableType<T> : SlicedObjectGraphType<T> where T : FigureTable
{
    protected FigureTableType(string name, string description)
    {
        Name = name;
        Description = description + FiguresType.SuppressionNote;
        Field<NonNullGraphType<DateScalar>>("from").Description("First day of the period.").Resolve(ctx => ctx.Source.From);
        Field<NonNullGraphType<DateScalar>>("to").Description("Last day of the period.").Resolve(ctx => ctx.Source.To);
        Field<NonNullGraphType<IntGraphType>>("suppressionThreshold").Description("Counts from 1 below this value are suppressed.").Resolve(ctx => ctx.Source.SuppressionThreshold);
    }
}

[Category(DataCategory.Cijfers)]
public sealed class HotspotTableType : FigureTableType<HotspotTable>
{
    public HotspotTableType() : base("HotspotFigure", "Areas ranked by incidents, with the change against the previous period of equal length.")
    {
        Field<NonNullGraphType<DomainEnumType<AreaLevel>>>("level").Description("The area level of the rows.").Resolve(ctx => ctx.Source.Level);
        Field<NonNullGraphType<DateScalar>>("previousFrom").Description("First day of the previous period.").Resolve(ctx => ctx.Source.PreviousFrom);
        Field<NonNullGraphType<DateScalar>>("previousTo").Description("Last day of the previous period.").Resolve(ctx => ctx.Source.PreviousTo);
        Field<NonNullGraphType<ListGraphType<NonNullGraphType<HotspotRowType>>>>("rows").Description("Published areas by rank, then suppressed areas by code.").Resolve(ctx => ctx.Source.Rows);
        Field<NonNullGraphType<IntGraphType>>("publishedTotal").Description("Sum of the published counts of the period only.").Resolve(ctx => ctx.Source.PublishedTotal);
        Field<NonNullGraphType<IntGraphType>>("previousPublishedTotal").Description("Sum of the published counts of the previous period only.").Resolve(ctx => ctx.Source.PreviousPublishedTotal);
    }
}

[Category(DataCategory.Cijfers)]
public sealed class HotspotRowType : SlicedObjectGraphType<HotspotRow>
{
    public HotspotRowType()
    {
        Name = "HotspotRow";
        Description = "One area's incidents in the period and the previous period.";
        Field<IntGraphType>("rank").Description("1 for the area with the most incidents; null when the count is suppressed.").Resolve(ctx => ctx.Source.Rank);
        Field<NonNullGraphType<StringGraphType>>("areaCode").Description("CBS code of the district or neighbourhood.").Resolve(ctx => ctx.Source.AreaCode);
        Field<NonNullGraphType<StringGraphType>>("areaName").Description("Name of the district or neighbourhood.").Resolve(ctx => ctx.Source.AreaName);
        Field<NonNullGraphType<FigureCountType>>("count").Description("Incidents in the period.").Resolve(ctx => ctx.Source.Count);
        Field<NonNullGraphType<FigureCountType>>("previousCount").Description("Incidents in the previous period.").Resolve(ctx => ctx.Source.PreviousCount);
        Field<IntGraphType>("change").Description("count − previousCount; null when either is suppressed.").Resolve(ctx => ctx.Source.Change);
        Field<FloatGraphType>("changePercent").Description("Change in percent of previousCount; null when either is suppressed or previousCount is 0.").Resolve(ctx => ctx.Source.ChangePercent);
    }
}

[Category(DataCategory.Cijfers)]
public sealed class HotcrimeTableType : FigureTableType<HotcrimeTable>
{
    public HotcrimeTableType() : base("HotcrimeFigure", "Incident categories ranked by incidents, with the change against the previous period of equal length.")
    {
        Field<NonNullGraphType<DateScalar>>("previousFrom").Description("First day of the previous period.").Resolve(ctx => ctx.Source.PreviousFrom);
        Field<NonNullGraphType<DateScalar>>("previousTo").Description("Last day of the previous period.").Resolve(ctx => ctx.Source.PreviousTo);
        Field<NonNullGraphType<ListGraphType<NonNullGraphType<HotcrimeRowType>>>>("rows").Description("Published categories by rank, then suppressed categories.").Resolve(ctx => ctx.Source.Rows);
        Field<NonNullGraphType<IntGraphType>>("publishedTotal").Description("Sum of the published counts of the period only.").Resolve(ctx => ctx.Source.PublishedTotal);
        Field<NonNullGraphType<IntGraphType>>("previousPublishedTotal").Description("Sum of the published counts of the previous period only.").Resolve(ctx => ctx.Source.PreviousPublishedTotal);
    }
}

[Category(DataCategory.Cijfers)]
public sealed class HotcrimeRowType : SlicedObjectGraphType<HotcrimeRow>
{
    public HotcrimeRowType()
    {
        Name = "HotcrimeRow";
        Description = "One category's incidents in the period and the previous period.";
        Field<IntGraphType>("rank").Description("1 for the category with the most incidents; null when the count is suppressed.").Resolve(ctx => ctx.Source.Rank);
        Field<NonNullGraphType<DomainEnumType<IncidentCategory>>>("category").Description("The incident category.").Resolve(ctx => ctx.Source.Category);
        Field<NonNullGraphType<FigureCountType>>("count").Description("Incidents in the period.").Resolve(ctx => ctx.Source.Count);
        Field<NonNullGraphType<FigureCountType>>("previousCount").Description("Incidents in the previous period.").Resolve(ctx => ctx.Source.PreviousCount);
        Field<IntGraphType>("change").Description("count − previousCount; null when either is suppressed.").Resolve(ctx => ctx.Source.Change);
        Field<FloatGraphType>("changePercent").Description("Change in percent of previousCount; null when either is suppressed or previousCount is 0.").Resolve(ctx => ctx.Source.ChangePercent);
    }
}

[Category(DataCategory.Cijfers)]
public sealed class HottimeTableType : FigureTableType<HottimeTable>
{
    public HottimeTableType() : base("HottimeFigure", "Incidents by weekday and hour, Dutch local time (stored UTC times converted with the summer-time rule in SQL).")
    {
        Field<NonNullGraphType<ListGraphType<NonNullGraphType<HottimeCellType>>>>("cells").Description("All 168 cells, by weekday then hour.").Resolve(ctx => ctx.Source.Cells);
        Field<NonNullGraphType<IntGraphType>>("publishedTotal").Description("Sum of the published cells only.").Resolve(ctx => ctx.Source.PublishedTotal);
    }
}

[Category(DataCategory.Cijfers)]
public sealed class HottimeCellType : SlicedObjectGraphType<HottimeCell>
{
    public HottimeCellType()
    {
        Name = "HottimeCell";
        Description = "Incidents in one hour of one weekday.";
        Field<NonNullGraphType<IntGraphType>>("weekday").Description("ISO weekday: 1 = Monday … 7 = Sunday.").Resolve(ctx => ctx.Source.Weekday);
        Field<NonNullGraphType<IntGraphType>>("hour").Description("Hour of the day, 0–23 (08 means 08:00–08:59).").Resolve(ctx => ctx.Source.Hour);
        Field<NonNullGraphType<FigureCountType>>("count").Description("Incidents in this hour.").Resolve(ctx => ctx.Source.Count);
    }
}

[Category(DataCategory.Cijfers)]
public sealed class TrendTableType : FigureTableType<TrendTable>
{
    public TrendTableType() : base("TrendFigure", "Incidents per month, category and area.")
    {
        Field<NonNullGraphType<DomainEnumType<AreaLevel>>>("level").Description("The area level of the rows.").Resolve(ctx => ctx.Source.Level);
        Field<NonNullGraphType<ListGraphType<NonNullGraphType<TrendRowType>>>>("rows").Description("By month, category, area code.").Resolve(ctx => ctx.Source.Rows);
        Field<NonNullGraphType<IntGraphType>>("publishedTotal").Description("Sum of the published counts only.").Resolve(ctx => ctx.Source.PublishedTotal);
    }
}

[Category(DataCategory.Cijfers)]
public sealed class TrendRowType : SlicedObjectGraphType<TrendRow>
{
    public TrendRowType()
    {
        Name = "TrendRow";
        Description = "Incidents of one category in one area in one month.";
        Field<NonNullGraphType<StringGraphType>>("month").Description("The calendar month, yyyy-MM; the first and last month may be partly outside the period.").Resolve(ctx => ctx.Source.Month);
        Field<NonNullGraphType<DomainEnumType<IncidentCategory>>>("category").Description("The incident category.").Resolve(ctx => ctx.Source.Category);
        Field<NonNullGraphType<StringGraphType>>("areaCode").Description("CBS code of the district or neighbourhood.").Resolve(ctx => ctx.Source.AreaCode);
        Field<NonNullGraphType<StringGraphType>>("areaName").Description("Name of the district or neighbourhood.").Resolve(ctx => ctx.Source.AreaName);
        Field<NonNullGraphType<FigureCountType>>("count").Description("Incidents.").Resolve(ctx => ctx.Source.Count);
    }
}

[Category(DataCategory.Cijfers)]
public sealed class CaseFigureTableType : FigureTableType<CaseFigureTable>
{
    public CaseFigureTableType() : base("CaseFigure", "Case throughput per quarter and kind.")
    {
        Field<NonNullGraphType<ListGraphType<NonNullGraphType<CaseFigureRowType>>>>("rows").Description("By quarter, then kind.").Resolve(ctx => ctx.Source.Rows);
        Field<NonNullGraphType<IntGraphType>>("publishedOpened").Description("Sum of the published opened counts only.").Resolve(ctx => ctx.Source.PublishedOpened);
        Field<NonNullGraphType<IntGraphType>>("publishedEscalated").Description("Sum of the published escalated counts only.").Resolve(ctx => ctx.Source.PublishedEscalated);
        Field<NonNullGraphType<IntGraphType>>("publishedClosed").Description("Sum of the published closed counts (all outcomes) only.").Resolve(ctx => ctx.Source.PublishedClosed);
    }
}

[Category(DataCategory.Cijfers)]
public sealed class CaseFigureRowType : SlicedObjectGraphType<CaseFigureRow>
{
    public CaseFigureRowType()
    {
        Name = "CaseFigureRow";
        Description = "Cases of one kind in one quarter.";
        Field<NonNullGraphType<StringGraphType>>("quarter").Description("The quarter, yyyy-Qn; the first and last may be partly outside the period.").Resolve(ctx => ctx.Source.Quarter);
        Field<NonNullGraphType<DomainEnumType<CaseKind>>>("kind").Description("The case kind.").Resolve(ctx => ctx.Source.Kind);
        Field<NonNullGraphType<FigureCountType>>("opened").Description("Cases opened in the quarter.").Resolve(ctx => ctx.Source.Opened);
        Field<NonNullGraphType<FigureCountType>>("escalated").Description("Cases escalated to the Zorg- en Veiligheidshuis in the quarter.").Resolve(ctx => ctx.Source.Escalated);
        Field<NonNullGraphType<FigureCountType>>("closedOverlastGestopt").Description("Cases closed in the quarter with the nuisance stopped.").Resolve(ctx => ctx.Source.ClosedOverlastGestopt);
        Field<NonNullGraphType<FigureCountType>>("closedAanvaardbaarNiveau").Description("Cases closed in the quarter with the nuisance reduced to an acceptable level.").Resolve(ctx => ctx.Source.ClosedAanvaardbaarNiveau);
        Field<NonNullGraphType<FigureCountType>>("closedNietOpgelost").Description("Cases closed in the quarter without resolving the nuisance.").Resolve(ctx => ctx.Source.ClosedNietOpgelost);
    }
}

[Category(DataCategory.Cijfers)]
public sealed class InterventionFigureTableType : FigureTableType<InterventionFigureTable>
{
    public InterventionFigureTableType() : base("InterventionFigure", "Interventions by kind and status, and administrative fines by objection and collection status.")
    {
        Field<NonNullGraphType<ListGraphType<NonNullGraphType<InterventionFigureRowType>>>>("rows").Description("By kind, then status; combinations without interventions are left out.").Resolve(ctx => ctx.Source.Rows);
        Field<NonNullGraphType<ListGraphType<NonNullGraphType<FineFigureRowType>>>>("fines").Description("Administrative fines by objection, then collection status.").Resolve(ctx => ctx.Source.Fines);
        Field<NonNullGraphType<IntGraphType>>("publishedTotal").Description("Sum of the published intervention counts only.").Resolve(ctx => ctx.Source.PublishedTotal);
        Field<NonNullGraphType<IntGraphType>>("publishedFines").Description("Sum of the published fine counts only.").Resolve(ctx => ctx.Source.PublishedFines);
    }
}

[Category(DataCategory.Cijfers)]
public sealed class InterventionFigureRowType : SlicedObjectGraphType<InterventionFigureRow>
{
    public InterventionFigureRowType()
    {
        Name = "InterventionFigureRow";
        Description = "Interventions of one kind with one status.";
        Field<NonNullGraphType<DomainEnumType<InterventionKind>>>("kind").Description("The intervention kind.").Resolve(ctx => ctx.Source.Kind);
        Field<NonNullGraphType<DomainEnumType<InterventionStatus>>>("status").Description("The status.").Resolve(ctx => ctx.Source.Status);
        Field<NonNullGraphType<FigureCountType>>("count").Description("Interventions.").Resolve(ctx => ctx.Source.Count);
    }
}

[Category(DataCategory.Cijfers)]
public sealed class FineFigureRowType : SlicedObjectGraphType<FineFigureRow>
{
    public FineFigureRowType()
    {
        Name = "FineFigureRow";
        Description = "Administrative fines with one objection and one collection status.";
        Field<NonNullGraphType<DomainEnumType<ObjectionStatus>>>("objection").Description("The objection status.").Resolve(ctx => ctx.Source.Objection);
        Field<DomainEnumType<CollectionStatus>>("collection").Description("The collection status; null for a fine withdrawn after an upheld objection.").Resolve(ctx => ctx.Source.Collection);
        Field<NonNullGraphType<FigureCountType>>("count").Description("Fines.").Resolve(ctx => ctx.Source.Count);
    }
}
