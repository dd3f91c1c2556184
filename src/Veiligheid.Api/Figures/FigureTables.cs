using Veiligheid.Cases;
using Veiligheid.Incidents;
using Veiligheid.Interventions;

namespace Veiligheid.Figures;

/// <summary>What every figure says about itself: its period and the threshold its counts were suppressed at.</summary>
public abstract record FigureTable(DateOnly From, DateOnly To, int SuppressionThreshold);

/// <summary>One area in the hotspots figure.</summary>
public sealed record HotspotRow(int? Rank, string AreaCode, string AreaName, FigureCount Count, FigureCount PreviousCount, int? Change, double? ChangePercent);

public sealed record HotspotTable(DateOnly From, DateOnly To, int SuppressionThreshold, AreaLevel Level, DateOnly PreviousFrom, DateOnly PreviousTo,
    IReadOnlyList<HotspotRow> Rows, int PublishedTotal, int PreviousPublishedTotal) : FigureTable(From, To, SuppressionThreshold);

/// <summary>One category in the hotcrimes figure.</summary>
public sealed record HotcrimeRow(int? Rank, IncidentCategory Category, FigureCount Count, FigureCount PreviousCount, int? Change, double? ChangePercent);

public sealed record HotcrimeTable(DateOnly From, DateOnly To, int SuppressionThreshold, DateOnly PreviousFrom, DateOnly PreviousTo,
    IReadOnlyList<HotcrimeRow> Rows, int PublishedTotal, int PreviousPublishedTotal) : FigureTable(From, To, SuppressionThreshold);

/// <summary>One cell of the weekday × hour matrix: ISO weekday (1 = Monday … 7 = Sunday) and hour, Dutch local time.</summary>
public sealed record HottimeCell(int Weekday, int Hour, FigureCount Count);

public sealed record HottimeTable(DateOnly From, DateOnly To, int SuppressionThreshold, IReadOnlyList<HottimeCell> Cells, int PublishedTotal)
    : FigureTable(From, To, SuppressionThreshold);

/// <summary>Incidents of one category in one area in one calendar month (Dutch local time).</summary>
public sealed record TrendRow(string Month, IncidentCategory Category, string AreaCode, string AreaName, FigureCount Count);

public sealed record TrendTable(DateOnly From, DateOnly To, int SuppressionThreshold, AreaLevel Level, IReadOnlyList<TrendRow> Rows, int PublishedTotal)
    : FigureTable(From, To, SuppressionThreshold);

/// <summary>Case throughput of one kind in one quarter: each count is of the cases whose event fell in that quarter.</summary>
public sealed record CaseFigureRow(string Quarter, CaseKind Kind, FigureCount Opened, FigureCount Escalated,
    FigureCount ClosedOverlastGestopt, FigureCount ClosedAanvaardbaarNiveau, FigureCount ClosedNietOpgelost);

public sealed record CaseFigureTable(DateOnly From, DateOnly To, int SuppressionThreshold, IReadOnlyList<CaseFigureRow> Rows,
    int PublishedOpened, int PublishedEscalated, int PublishedClosed) : FigureTable(From, To, SuppressionThreshold);

/// <summary>Interventions of one kind with one status, started in the period.</summary>
public sealed record InterventionFigureRow(InterventionKind Kind, InterventionStatus Status, FigureCount Count);

/// <summary>Administrative fines with one objection status and one collection status, started in the period.</summary>
public sealed record FineFigureRow(ObjectionStatus Objection, CollectionStatus? Collection, FigureCount Count);

public sealed record InterventionFigureTable(DateOnly From, DateOnly To, int SuppressionThreshold, IReadOnlyList<InterventionFigureRow> Rows,
    IReadOnlyList<FineFigureRow> Fines, int PublishedTotal, int PublishedFines) : FigureTable(From, To, SuppressionThreshold);
