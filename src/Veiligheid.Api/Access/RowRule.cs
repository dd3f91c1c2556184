using System.Linq.Expressions;

namespace Veiligheid.Access;

/// <summary>
/// A named row-level rule: which rows of <typeparamref name="T"/> a caller may see, as a predicate EF Core puts into the
/// SQL. The name and explanation are what the access matrix shows a privacy officer.
/// </summary>
public sealed record RowRule<T>(string Name, string Explanation, Func<CallerAccess, Expression<Func<T, bool>>> Predicate)
{
    /// <summary>
    /// The two rules this one is the union of, with the predicate <see cref="Or"/> made of them; null for a rule of its
    /// own. The predicate is kept so a copy with another predicate (<c>with { Predicate = … }</c>) is no longer taken for
    /// the union: <see cref="Includes"/> is used to leave a rule's test out of the SQL, so it must never claim too much.
    /// </summary>
    private (RowRule<T> Left, RowRule<T> Right, Func<CallerAccess, Expression<Func<T, bool>>> Predicate)? UnionOf { get; init; }

    /// <summary>Rows visible under either rule.</summary>
    public RowRule<T> Or(RowRule<T> other)
    {
        Func<CallerAccess, Expression<Func<T, bool>>> union = scope => Predicate(scope).Or(other.Predicate(scope));
        return new($"{Name} or {other.Name}", $"{Explanation}; or {other.Explanation}", union) { UnionOf = (this, other, union) };
    }

    /// <summary>
    /// Whether every row <paramref name="rule"/> admits is admitted by this rule: it is this rule, or one of the rules
    /// this one is the union of. (Only that: a rule that admits the same rows by other means is not recognised.)
    /// </summary>
    public bool Includes(RowRule<T> rule)
        => ReferenceEquals(this, rule)
           || (UnionOf is var (left, right, union) && ReferenceEquals(union, Predicate) && (left.Includes(rule) || right.Includes(rule)));

    public override string ToString() => Name;
}
