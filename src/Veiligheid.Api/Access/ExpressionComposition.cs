using System.Linq.Expressions;

namespace Veiligheid.Access;

/// <summary>
/// Combines row-rule predicates so a rule for one entity can be used inside another's (a person is visible through a
/// visible case) and still translate to one SQL statement: EF Core cannot translate Expression.Invoke, so the inner
/// predicate's body is inlined with its parameter replaced.
/// </summary>
public static class ExpressionComposition
{
    /// <summary>x => inner(navigation(x)).</summary>
    public static Expression<Func<TOuter, bool>> Through<TOuter, TInner>(
        this Expression<Func<TInner, bool>> inner, Expression<Func<TOuter, TInner>> navigation)
    {
        var body = new ParameterReplacer(inner.Parameters[0], navigation.Body).Visit(inner.Body);
        return Expression.Lambda<Func<TOuter, bool>>(body, navigation.Parameters);
    }

    /// <summary>Inlines <paramref name="predicate"/> as a bool-valued expression over <paramref name="argument"/>.</summary>
    public static Expression Apply<T>(this Expression<Func<T, bool>> predicate, Expression argument)
        => new ParameterReplacer(predicate.Parameters[0], argument).Visit(predicate.Body);

    /// <summary>
    /// x => template(argument, x), with <paramref name="argument"/> (a query's own expression, e.g. a table's root) in
    /// the tree itself rather than a closure's value: the query can then be retargeted at another context as a whole.
    /// </summary>
    public static Expression<Func<T, bool>> With<TArgument, T>(this Expression<Func<TArgument, T, bool>> template, Expression argument)
        => Expression.Lambda<Func<T, bool>>(new ParameterReplacer(template.Parameters[0], argument).Visit(template.Body), template.Parameters[1]);

    public static Expression<Func<T, bool>> And<T>(this Expression<Func<T, bool>> left, Expression<Func<T, bool>> right)
        => Expression.Lambda<Func<T, bool>>(Expression.AndAlso(left.Body, right.Apply(left.Parameters[0])), left.Parameters);

    public static Expression<Func<T, bool>> Or<T>(this Expression<Func<T, bool>> left, Expression<Func<T, bool>> right)
        => Expression.Lambda<Func<T, bool>>(Expression.OrElse(left.Body, right.Apply(left.Parameters[0])), left.Parameters);

    /// <summary>
    /// Replaces the placeholder calls <see cref="Is{T}"/> in <paramref name="template"/> with the given predicate, so a rule
    /// can say "any subject whose case is visible" as <c>p.CaseLinks.Any(s => Rule.Is(s.Case))</c>.
    /// </summary>
    public static Expression<Func<T, bool>> Inline<T, TInner>(this Expression<Func<T, bool>> template, Expression<Func<TInner, bool>> predicate)
    {
        var body = new PlaceholderInliner<TInner>(predicate).Visit(template.Body);
        return Expression.Lambda<Func<T, bool>>(body, template.Parameters);
    }

    /// <summary>A placeholder for <see cref="Inline{T, TInner}"/>; never executed.</summary>
    public static bool Is<T>(T value) => throw new InvalidOperationException("Placeholder for ExpressionComposition.Inline: " + value);

    private sealed class ParameterReplacer(ParameterExpression parameter, Expression replacement) : ExpressionVisitor
    {
        protected override Expression VisitParameter(ParameterExpression node) => node == parameter ? replacement : node;
    }

    private sealed class PlaceholderInliner<TInner>(Expression<Func<TInner, bool>> predicate) : ExpressionVisitor
    {
        protected override Expression VisitMethodCall(MethodCallExpression node)
        {
            if (node.Method.IsGenericMethod && node.Method.GetGenericMethodDefinition() == IsMethod
                && node.Method.GetGenericArguments()[0] == typeof(TInner))
            {
                return predicate.Apply(Visit(node.Arguments[0]));
            }
            return base.VisitMethodCall(node);
        }
    }

    private static readonly System.Reflection.MethodInfo IsMethod =
        typeof(ExpressionComposition).GetMethod(nameof(Is))!.GetGenericMethodDefinition();
}
