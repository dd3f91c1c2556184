using System.Globalization;
using System.Linq.Expressions;
using System.Reflection;
using Microsoft.EntityFrameworkCore;
using Veiligheid.Data.Seeding;

namespace Veiligheid.Figures;

/// <summary>
/// Dutch local-time bucketing of UTC timestamps that stays in SQL on both providers. Times are stored in UTC; the
/// offset to Dutch time is +1 or +2 hours depending on summer time, whose switch instants for the queried years are
/// known before the query runs (<see cref="DutchTime.SummerTime"/>). So the offset becomes a constant-only CASE:
/// <c>CASE WHEN t &gt;= @start AND t &lt; @end THEN 2 ELSE 1 END</c>, and
/// <list type="bullet">
/// <item>weekday × hour: local hour of the week = (UTC weekday × 24 + UTC hour + offset) % 168; UTC weekday is <c>strftime('%w')</c> on SQLite and <c>DATEDIFF(day, '2000-01-02', t) % 7</c> (a Sunday anchor) on SQL
/// Server, which does not translate DayOfWeek;</item>
/// <item>month and quarter: the UTC instants of the local month (quarter) starts inside the period are constants, and
/// the bucket is a CASE over them (<c>CASE WHEN t &lt; @b1 THEN 0 WHEN t &lt; @b2 THEN 1 … END</c>), which also keeps
/// the comparison on the indexed column.</item>
/// </list>
/// Queries call the placeholders <see cref="MonthIndex"/>, <see cref="QuarterIndex"/> and <see cref="WeekHour"/>;
/// <see cref="Inline{T}"/> replaces them with those expressions before EF Core translates the query.
/// </summary>
public sealed class DutchTimeBuckets
{
    private static readonly DateTime SundayAnchor = new(2000, 1, 2, 0, 0, 0, DateTimeKind.Utc);

    private readonly DateTime _fromUtc;
    private readonly DateTime _toUtc;
    private readonly bool _sqlServer;

    public DutchTimeBuckets(DateOnly from, DateOnly to, bool sqlServer)
    {
        _sqlServer = sqlServer;
        _fromUtc = DutchTime.ToUtc(from.ToDateTime(TimeOnly.MinValue));
        _toUtc = DutchTime.ToUtc(to.AddDays(1).ToDateTime(TimeOnly.MinValue));
        var firstMonth = new DateOnly(from.Year, from.Month, 1);
        Months = Starts(firstMonth, to, 1);
        Quarters = Starts(new DateOnly(from.Year, (from.Month - 1) / 3 * 3 + 1, 1), to, 3);
    }

    /// <summary>The first day of each month touching the period; index k of <see cref="MonthIndex"/> is Months[k].</summary>
    public IReadOnlyList<DateOnly> Months { get; }

    /// <summary>The first day of each quarter touching the period.</summary>
    public IReadOnlyList<DateOnly> Quarters { get; }

    public static string MonthLabel(DateOnly start) => start.ToString("yyyy-MM", CultureInfo.InvariantCulture);

    public static string QuarterLabel(DateOnly start) => string.Create(CultureInfo.InvariantCulture, $"{start.Year}-Q{(start.Month - 1) / 3 + 1}");

    /// <summary>Placeholder: the index of the local calendar month of a UTC time within <see cref="Months"/>.</summary>
    public static int MonthIndex(DateTime utc) => throw Placeholder(utc);

    /// <summary>Placeholder: the index of the local quarter of a UTC time within <see cref="Quarters"/>.</summary>
    public static int QuarterIndex(DateTime utc) => throw Placeholder(utc);

    /// <summary>Placeholder: local weekday (0 = Sunday, as .NET) × 24 + local hour of a UTC time.</summary>
    public static int WeekHour(DateTime utc) => throw Placeholder(utc);

    /// <summary>The query with the placeholders replaced by SQL-translatable expressions.</summary>
    public IQueryable<T> Inline<T>(IQueryable<T> query)
    {
        ArgumentNullException.ThrowIfNull(query);
        return query.Provider.CreateQuery<T>(new Inliner(this).Visit(query.Expression));
    }

    private static List<DateOnly> Starts(DateOnly first, DateOnly last, int months)
    {
        var starts = new List<DateOnly>();
        for (var s = first; s <= last; s = s.AddMonths(months)) starts.Add(s);
        return starts;
    }

    private static InvalidOperationException Placeholder(DateTime value)
        => new("DutchTimeBuckets placeholders only exist inside queries passed through Inline: " + value.ToString("O", CultureInfo.InvariantCulture));

    private static Expression BucketIndex(Expression utc, IReadOnlyList<DateOnly> starts)
    {
        // t < b1 ? 0 : t < b2 ? 1 : … : n-1; EF Core emits one flat CASE.
        Expression result = Expression.Constant(starts.Count - 1);
        for (var k = starts.Count - 1; k >= 1; k--)
        {
            var boundary = DutchTime.ToUtc(starts[k].ToDateTime(TimeOnly.MinValue));
            result = Expression.Condition(Expression.LessThan(utc, Expression.Constant(boundary, utc.Type)), Expression.Constant(k - 1), result);
        }
        return result;
    }

    private Expression Offset(Expression utc)
    {
        Expression? summer = null;
        for (var year = _fromUtc.Year - 1; year <= _toUtc.Year; year++)
        {
            var (start, end) = DutchTime.SummerTime(year);
            if (end <= _fromUtc || start >= _toUtc) continue;
            var inside = Expression.AndAlso(
                Expression.GreaterThanOrEqual(utc, Expression.Constant(start, utc.Type)),
                Expression.LessThan(utc, Expression.Constant(end, utc.Type)));
            summer = summer is null ? inside : Expression.OrElse(summer, inside);
        }
        return summer is null ? Expression.Constant(1) : Expression.Condition(summer, Expression.Constant(2), Expression.Constant(1));
    }

    private BinaryExpression WeekHourOf(Expression utc)
    {
        // Hour of the week in UTC (0 = Sunday 00:00) shifted by the offset, modulo a week: one weekday, one hour and one
        // CASE per row.
        var hour = Expression.Property(utc, nameof(DateTime.Hour));
        Expression weekday = _sqlServer
            ? Expression.Modulo(
                Expression.Call(DateDiffDay, Expression.Property(null, typeof(EF), nameof(EF.Functions)), Expression.Constant(SundayAnchor), utc),
                Expression.Constant(7))
            : Expression.Convert(Expression.Property(utc, nameof(DateTime.DayOfWeek)), typeof(int));
        var utcHourOfWeek = Expression.Add(Expression.Multiply(weekday, Expression.Constant(24)), hour);
        return Expression.Modulo(Expression.Add(utcHourOfWeek, Offset(utc)), Expression.Constant(7 * 24));
    }

    private static readonly MethodInfo DateDiffDay = typeof(SqlServerDbFunctionsExtensions).GetMethod(
        nameof(SqlServerDbFunctionsExtensions.DateDiffDay), [typeof(DbFunctions), typeof(DateTime), typeof(DateTime)])!;

    private sealed class Inliner(DutchTimeBuckets buckets) : ExpressionVisitor
    {
        protected override Expression VisitMethodCall(MethodCallExpression node)
        {
            if (node.Method.DeclaringType == typeof(DutchTimeBuckets))
            {
                var utc = Visit(node.Arguments[0]);
                return node.Method.Name switch
                {
                    nameof(MonthIndex) => BucketIndex(utc, buckets.Months),
                    nameof(QuarterIndex) => BucketIndex(utc, buckets.Quarters),
                    nameof(WeekHour) => buckets.WeekHourOf(utc),
                    _ => base.VisitMethodCall(node),
                };
            }
            return base.VisitMethodCall(node);
        }
    }
}
