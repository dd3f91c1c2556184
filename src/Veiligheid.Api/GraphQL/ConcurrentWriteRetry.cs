using GraphQL;
using GraphQL.Instrumentation;
using Microsoft.Data.Sqlite;
using Microsoft.EntityFrameworkCore;
using Veiligheid.Access;

namespace Veiligheid.GraphQL;

/// <summary>
/// Field middleware on every schema: a write that lost a race on a unique key runs once more. Two requests with the same
/// externalId (a partner's retry after a time-out while the first is still running), the same new BSN or the same
/// participant both look first, find nothing and insert; the second insert fails on the key. Run again, that write finds
/// the row the first one made and answers as a replay does (UNCHANGED, or the row as it is), where it answered
/// INTERNAL_ERROR. Nothing of the failed attempt was written: its transaction was rolled back.
/// </summary>
public sealed class ConcurrentWriteRetry : IFieldMiddleware
{
    public static ConcurrentWriteRetry Instance { get; } = new();

    public async ValueTask<object?> ResolveAsync(IResolveFieldContext context, FieldMiddlewareDelegate next)
    {
        ArgumentNullException.ThrowIfNull(context);
        ArgumentNullException.ThrowIfNull(next);
        if (context.FieldDefinition.GetMetadata<WriteAction?>(WriteActionMetadata.Key) is null) return await next(context);
        try
        {
            return await next(context);
        }
        catch (Exception e) when (IsUniqueViolation(e) && context.UserContext is RequestContext hub)
        {
            // The failed attempt's rows are still tracked and would be inserted again: the second run starts clean.
            hub.Db.ChangeTracker.Clear();
            return await next(context);
        }
    }

    /// <summary>
    /// Whether the database refused the write for a duplicate key (SQLite's UNIQUE or PRIMARY KEY constraint; SQL Server's
    /// 2627 and 2601): through EF Core's SaveChanges (a DbUpdateException around it) or a statement of the hub's own (the
    /// bulk ingestion's inserts, the provider's exception itself).
    /// </summary>
    internal static bool IsUniqueViolation(Exception exception) => (exception is DbUpdateException ? exception.InnerException : exception) switch
    {
        SqliteException sqlite => sqlite.SqliteExtendedErrorCode is SQLitePCL.raw.SQLITE_CONSTRAINT_UNIQUE or SQLitePCL.raw.SQLITE_CONSTRAINT_PRIMARYKEY,
        Microsoft.Data.SqlClient.SqlException sql => sql.Number is 2627 or 2601,
        _ => false,
    };
}
