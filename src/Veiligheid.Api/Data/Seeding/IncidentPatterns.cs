using Veiligheid.Incidents;

namespace Veiligheid.Data.Seeding;

/// <summary>
/// When and where each incident category happens, in the shapes a wijkveiligheidsoverleg sees: youth nuisance in the
/// evenings and weekends and in summer, noise at night, burglary by day and at dusk in the dark months, a rising and a
/// falling trend. Indexed by <see cref="IncidentCategory"/>.
/// </summary>
internal static class IncidentPatterns
{
    public static readonly int CategoryCount = Enum.GetValues<IncidentCategory>().Length;

    /// <summary>Relative frequency (hotcrimes): youth nuisance, bicycles and dumped waste lead.</summary>
    public static readonly double[] Share = [18, 13, 7, 8, 10, 12, 6, 0.8, 0.4, 7, 12, 5];

    /// <summary>Chance the incident happened in public space rather than in or at a dwelling.</summary>
    public static readonly double[] PublicShare = [1.0, 0.15, 0.85, 0.6, 0.9, 1.0, 0, 0, 0.1, 0, 0.95, 0.6];

    /// <summary>Relative change over the two years (0.3: the last month is about 30% above the first).</summary>
    public static readonly double[] Trend = [0.30, 0.05, 0.15, 0.25, -0.05, -0.20, -0.25, 0, 0.10, 0, -0.10, 0.05];

    /// <summary>Chance an incident has persons recorded with it.</summary>
    public static readonly double[] PersonShare = [0.25, 0.35, 0.3, 0.5, 0.1, 0.1, 0.5, 0.4, 0.5, 0.6, 0.08, 0.7];

    private static readonly double[] Summer = [0.75, 0.75, 0.85, 0.95, 1.1, 1.25, 1.3, 1.25, 1.05, 0.95, 0.85, 1.05];
    private static readonly double[] Dark = [1.3, 1.15, 0.95, 0.8, 0.7, 0.7, 0.75, 0.8, 0.9, 1.1, 1.35, 1.5];
    private static readonly double[] Flat = [1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1];
    private static readonly double[] Cycling = [0.8, 0.8, 0.9, 1.0, 1.1, 1.15, 1.1, 1.1, 1.25, 1.15, 0.95, 0.8];
    private static readonly double[] NewYear = [1.3, 0.8, 0.85, 0.9, 1.0, 1.05, 1.05, 1.0, 0.95, 1.0, 1.1, 1.6];
    private static readonly double[] Waste = [0.85, 0.85, 0.95, 1.05, 1.1, 1.1, 1.15, 1.1, 1.0, 0.95, 0.9, 1.1];

    /// <summary>Month factor (January first) per category.</summary>
    public static readonly double[][] Season =
        [Summer, Summer, Flat, Flat, NewYear, Waste, Dark, Flat, Flat, Flat, Cycling, Summer];

    // Weekday factors, indexed by DayOfWeek (Sunday first).
    private static readonly double[] Weekend = [1.5, 0.8, 0.8, 0.85, 0.9, 1.25, 1.7];
    private static readonly double[] WeekendNights = [1.35, 0.8, 0.8, 0.85, 0.9, 1.2, 1.6];
    private static readonly double[] Workdays = [0.8, 1.05, 1.05, 1.05, 1.05, 1.05, 0.85];
    private static readonly double[] SlightWeekend = [1.2, 0.9, 0.9, 0.9, 0.95, 1.1, 1.3];
    private static readonly double[] OfficeDays = [0.5, 1.1, 1.1, 1.1, 1.1, 1.1, 0.6];
    private static readonly double[] Even = [1, 1, 1, 1, 1, 1, 1];

    public static readonly double[][] Weekday =
        [Weekend, WeekendNights, SlightWeekend, Even, SlightWeekend, Even, Workdays, OfficeDays, OfficeDays, Even, Even, WeekendNights];

    /// <summary>Hour-of-day weights (Dutch time, 0h first) per category.</summary>
    public static readonly double[][] Hours =
    [
        // Jeugdoverlast: evenings 19–01h.
        [6, 3, 1, .3, .2, .2, .2, .3, .5, .5, .5, .6, 1, 1, 1, 2, 2.5, 2.5, 3, 6, 8, 9, 8, 7],
        // Geluidsoverlast: late evening and night.
        [7, 6, 4, 2, .5, .3, .3, .3, .4, .5, .6, .8, 1, 1, 1, 1.2, 1.5, 1.8, 2, 2.5, 3, 4, 5.5, 7],
        // Drugsoverlast
        [3, 2, 1, .5, .3, .2, .2, .3, .5, .8, 1, 1.2, 1.5, 1.5, 1.8, 2, 2.2, 2.5, 3, 3.5, 4, 4, 4, 3.5],
        // VerwardGedrag: around the clock, mostly by day.
        [1.5, 1, .8, .6, .5, .5, .6, 1, 1.5, 2, 2.2, 2.3, 2.4, 2.4, 2.4, 2.4, 2.3, 2.2, 2, 2, 1.9, 1.8, 1.7, 1.6],
        // Vandalisme: night.
        [5, 5, 4, 2, 1, .5, .3, .3, .4, .5, .6, .7, .8, .8, .9, 1, 1.2, 1.5, 2, 2.5, 3, 3.5, 4, 5],
        // IllegaalAfvalDumpen: early morning and evening.
        [1, .5, .3, .3, .5, 1.5, 2.5, 3, 3, 2.5, 2, 2, 2, 2, 2, 2, 2, 2, 2.2, 2.5, 2.5, 2, 1.5, 1.2],
        // Woninginbraak: daytime and dusk.
        [.5, .4, .3, .3, .3, .3, .4, .6, 1.2, 2, 2.5, 2.6, 2.6, 2.5, 2.5, 2.7, 3.2, 4, 4.5, 4, 2.5, 1.5, 1, .7],
        // Hennepteelt: found during office hours.
        [.1, .1, .1, .1, .1, .1, .1, .1, 1, 2, 2.5, 2.5, 2, 2.5, 2.5, 2, 1, .5, .2, .2, .2, .2, .2, .2],
        // SignaalMensenhandel
        [.1, .1, .1, .1, .1, .1, .1, .1, 1, 2, 2.5, 2.5, 2, 2.5, 2.5, 2, 1, .5, .2, .2, .2, .2, .2, .2],
        // Burenruzie: evenings.
        [2, 1.5, 1, .5, .3, .2, .3, .5, .8, 1, 1.2, 1.4, 1.6, 1.8, 2, 2.2, 2.6, 3, 3.5, 3.8, 3.8, 3.5, 3, 2.5],
        // Fietsendiefstal
        [1, .6, .4, .3, .3, .4, .8, 1.5, 2, 1.8, 1.8, 2, 2.2, 2.2, 2.2, 2.3, 2.6, 2.8, 2.6, 2.2, 2, 1.8, 1.6, 1.3],
        // Geweld: weekend nights.
        [6, 6, 5, 3, 1.2, .5, .4, .5, .7, .8, 1, 1.2, 1.3, 1.4, 1.5, 1.7, 2, 2.2, 2.5, 2.8, 3.2, 3.6, 4.2, 5],
    ];

    /// <summary>Minutes from event to report: live nuisance is called in at once, a burglary or a cannabis farm found later.</summary>
    public static (int Min, int Max) ReportDelayMinutes(IncidentCategory category) => category switch
    {
        IncidentCategory.Woninginbraak => (30, 720),
        IncidentCategory.IllegaalAfvalDumpen => (60, 1_440),
        IncidentCategory.Hennepteelt or IncidentCategory.SignaalMensenhandel => (1_440, 43_200),
        IncidentCategory.Fietsendiefstal => (10, 600),
        _ => (1, 45),
    };
}
