namespace Veiligheid.Data.Seeding;

/// <summary>
/// Dutch wall-clock time (CET/CEST) to and from UTC, by the EU rule (summer time from the last Sunday of March to the
/// last Sunday of October, switching at 01:00 UTC). Computed rather than looked up in the tz database so the
/// generator gives identical data on every machine, with or without tzdata installed.
/// </summary>
public static class DutchTime
{
    /// <summary>Converts a Dutch wall-clock time to UTC (in the spring-forward gap it lands one hour later).</summary>
    public static DateTime ToUtc(DateTime local)
    {
        var (start, end) = SummerTime(local.Year);
        var asSummer = local.AddHours(-2);
        var utc = asSummer >= start && asSummer < end ? asSummer : local.AddHours(-1);
        return DateTime.SpecifyKind(utc, DateTimeKind.Utc);
    }

    /// <summary>Converts a UTC time to Dutch wall-clock time.</summary>
    public static DateTime ToLocal(DateTime utc)
    {
        var (start, end) = SummerTime(utc.Year);
        var local = utc.AddHours(utc >= start && utc < end ? 2 : 1);
        return DateTime.SpecifyKind(local, DateTimeKind.Unspecified);
    }

    /// <summary>
    /// The Dutch calendar day it is now: the day a partner means by "today" in a date it sends (a consent given or withdrawn
    /// today). The UTC day is still yesterday's for the first one or two hours of every Dutch day.
    /// </summary>
    public static DateOnly Today(TimeProvider clock)
    {
        ArgumentNullException.ThrowIfNull(clock);
        return DateOnly.FromDateTime(ToLocal(clock.GetUtcNow().UtcDateTime));
    }

    /// <summary>The UTC instants summer time (UTC+2) starts and ends in a year; outside them Dutch time is UTC+1.</summary>
    public static (DateTime Start, DateTime End) SummerTime(int year)
        => (LastSunday(year, 3).AddHours(1), LastSunday(year, 10).AddHours(1));

    private static DateTime LastSunday(int year, int month)
    {
        var last = new DateTime(year, month, DateTime.DaysInMonth(year, month), 0, 0, 0, DateTimeKind.Utc);
        return last.AddDays(-(int)last.DayOfWeek);
    }
}
