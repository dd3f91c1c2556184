using System.Linq.Expressions;

namespace Veiligheid.Access;

/// <summary>
/// A named row-level rule: which rows of <typeparamref name="T"/> a caller may see, as a predicate EF Core puts into the
/// SQL. The name and explanation are what the access matrix shows a privacy officer.
/// </summary>
public sealed record RowRule<T>(string Name, string Explanation, Func<CallerAccess, Expression<Func<T, bool>>> Predicate)
{
    /// <summary>The two rules this one is the union of (<see cref="Or"/>); empty for a rule of its own.</summary>
    public IReadOnlyList<RowRule<T>> Union { get; private init; } = [];

    /// <summary>Rows visible under either rule.</summary>
    public RowRule<T> Or(RowRule<T> other) => new(
        $"{Name} or {other.Name}",
        $"{Explanation}; or {other.Explanation}",
        scope => Predicate(scope).Or(other.Predicate(scope)))
    {
        Union = [this, other],
    };

    /// <summary>
    /// Whether every row <paramref name="rule"/> admits is admitted by this rule: it is this rule, or one of the rules
    /// this one is the union of. (Only that: a rule that admits the same rows by other means is not recognised.)
    /// </summary>
    public bool Includes(RowRule<T> rule) => ReferenceEquals(this, rule) || Union.Any(r => r.Includes(rule));

    public override string ToString() => Name;
}
