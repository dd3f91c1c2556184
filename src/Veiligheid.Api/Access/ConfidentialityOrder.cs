using System.Linq.Expressions;
using Veiligheid.Cases;

namespace Veiligheid.Access;

/// <summary>
/// "At most this confidentiality level" as SQL can evaluate it. Enums are stored by name, so a plain
/// <c>level &lt;= max</c> in a LINQ query becomes a string comparison in SQL ('Geheim' &lt; 'Vertrouwelijk'
/// alphabetically): wrong in both directions. This builds <c>level IN ('Openbaar', …, max)</c> from constants instead.
/// </summary>
public static class ConfidentialityOrder
{
    public static Expression<Func<T, bool>> AtMost<T>(Expression<Func<T, ConfidentialityLevel>> level, ConfidentialityLevel max)
    {
        ArgumentNullException.ThrowIfNull(level);
        var body = Enum.GetValues<ConfidentialityLevel>()
            .Where(l => l <= max)
            .Select(l => (Expression)Expression.Equal(level.Body, Expression.Constant(l)))
            .Aggregate(Expression.OrElse);
        return Expression.Lambda<Func<T, bool>>(body, level.Parameters);
    }
}
