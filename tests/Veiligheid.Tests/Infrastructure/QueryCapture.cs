#pragma warning disable EF1001 // QueryCompiler is EF Core's internal API; tests decorate it to see every LINQ query the API runs.
using System.Collections.Concurrent;
using System.Linq.Expressions;
using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Diagnostics;
using Microsoft.EntityFrameworkCore.Infrastructure;
using Microsoft.EntityFrameworkCore.Metadata;
using Microsoft.EntityFrameworkCore.Query;
using Microsoft.EntityFrameworkCore.Query.Internal;
using Microsoft.EntityFrameworkCore.Storage;

namespace Veiligheid.Tests.Infrastructure;

/// <summary>
/// Records the LINQ expression of every query EF Core executes (before parameters are extracted, so it can be
/// re-translated by another provider). Installed with ReplaceService&lt;IQueryCompiler, CapturingQueryCompiler&gt;.
/// </summary>
public sealed class CapturingQueryCompiler(
    IQueryContextFactory queryContextFactory,
    ICompiledQueryCache compiledQueryCache,
    ICompiledQueryCacheKeyGenerator compiledQueryCacheKeyGenerator,
    IDatabase database,
    IDiagnosticsLogger<DbLoggerCategory.Query> logger,
    ICurrentDbContext currentContext,
    IEvaluatableExpressionFilter evaluatableExpressionFilter,
    IModel model)
    : QueryCompiler(queryContextFactory, compiledQueryCache, compiledQueryCacheKeyGenerator, database, logger, currentContext, evaluatableExpressionFilter, model)
{
    /// <summary>Every query expression seen, in this test process.</summary>
    public static ConcurrentQueue<Expression> Captured { get; } = new();

    public override TResult Execute<TResult>(Expression query)
    {
        Captured.Enqueue(query);
        return base.Execute<TResult>(query);
    }

    public override TResult ExecuteAsync<TResult>(Expression query, CancellationToken cancellationToken = default)
    {
        Captured.Enqueue(query);
        return base.ExecuteAsync<TResult>(query, cancellationToken);
    }
}

/// <summary>Re-targets a captured query at another DbContext (e.g. SQL Server) and shows its SQL.</summary>
public static class QueryRetargeting
{
    /// <summary>
    /// The SQL the other context's provider produces for <paramref name="query"/>. A terminal operator (Count, Any,
    /// FirstOrDefault, …) is turned back into its source query so it can be shown; translation failures throw.
    /// </summary>
    public static string ToQueryString(Expression query, DbContext target)
    {
        var retargeted = new RootReplacer(target).Visit(query);
        if (retargeted is MethodCallExpression call && call.Method.DeclaringType == typeof(Queryable) && !typeof(IQueryable).IsAssignableFrom(call.Type))
        {
            retargeted = call.Arguments.Count == 2 && call.Arguments[1] is UnaryExpression { Operand: LambdaExpression predicate } && predicate.ReturnType == typeof(bool)
                ? Expression.Call(typeof(Queryable), nameof(Queryable.Where), [call.Arguments[0].Type.GetGenericArguments()[0]], call.Arguments[0], call.Arguments[1])
                : call.Arguments[0];
        }
        var elementType = retargeted.Type.GetGenericArguments()[0];
        var root = (IQueryable)typeof(DbContext).GetMethod(nameof(DbContext.Set), Type.EmptyTypes)!.MakeGenericMethod(typeof(object) == elementType ? elementType : FirstRootType(retargeted)).Invoke(target, null)!;
        var queryable = root.Provider.CreateQuery(retargeted);
        return queryable.ToQueryString();
    }

    private static Type FirstRootType(Expression expression)
    {
        Type? found = null;
        new RootFinder(t => found ??= t).Visit(expression);
        return found ?? throw new InvalidOperationException("No query root in " + expression);
    }

    private sealed class RootReplacer(DbContext target) : ExpressionVisitor
    {
        protected override Expression VisitExtension(Expression node)
        {
            if (node is EntityQueryRootExpression root)
            {
                var set = (IQueryable)typeof(DbContext).GetMethod(nameof(DbContext.Set), Type.EmptyTypes)!.MakeGenericMethod(root.EntityType.ClrType).Invoke(target, null)!;
                return set.Expression;
            }
            return base.VisitExtension(node);
        }
    }

    private sealed class RootFinder(Action<Type> found) : ExpressionVisitor
    {
        protected override Expression VisitExtension(Expression node)
        {
            if (node is EntityQueryRootExpression root) found(root.EntityType.ClrType);
            return base.VisitExtension(node);
        }
    }
}
