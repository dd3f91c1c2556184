using System.Linq.Expressions;

namespace Veiligheid.Access;

/// <summary>
/// A named row-level rule: which rows of <typeparamref name="T"/> a caller may see, as a predicate EF Core puts into the
/// SQL. The name and explanation are what the access matrix shows a privacy officer.
/// </summary>
public sealed record RowRule<T>(string Name, string Explanation, Func<CallerAccess, Expression<Func<T, bool>>> Predicate)
{
    /// <summary>Rows visible under either rule.</summary>
    public RowRule<T> Or(RowRule<T> other) => new(
        $"{Name} or {other.Name}",
        $"{Explanation}; or {other.Explanation}",
        scope => Predicate(scope).Or(other.Predicate(scope)));

    public override string ToString() => Name;
}
