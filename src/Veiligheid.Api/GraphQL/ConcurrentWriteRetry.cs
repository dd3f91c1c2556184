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

    public ValueTask<object?> ResolveAsync(IResolveFieldContext context, FieldMiddlewareDelegate next)
    {
        ArgumentNullException.ThrowIfNull(context);
        ArgumentNullException.ThrowIfNull(next);
        if (context.FieldDefinition.GetMetadata<WriteAction?>(WriteActionMetadata.Key) is null || context.UserContext is not RequestContext hub)
            return next(context);
        // The failed attempt's rows are still tracked and would be inserted again: each further run starts clean.
        return RunAsync(() => next(context), hub.Db.ChangeTracker.Clear);
    }

    /// <summary>Runs <paramref name="write"/>, once more after a unique-key violation; a second violation is refused clearly.</summary>
    internal static async ValueTask<object?> RunAsync(Func<ValueTask<object?>> write, Action clear)
    {
        try
        {
            return await write();
        }
        catch (Exception e) when (IsUniqueViolation(e))
        {
            clear();
        }
        try
        {
            return await write();
        }
        catch (Exception again) when (IsUniqueViolation(again))
        {
            // Not a race: the hub's look-up did not find the row the database's key does (SQL Server's default
            // collation, say, takes 'abc' and 'ABC ' for one key where the hub compares exactly). A clear refusal,
            // without the database's message, which quotes the key's value (a BSN, for a person).
            clear();
            throw new ExecutionError("The write collides with a stored row on one of its unique keys (an externalId, a BSN, a participant) "
                + "that the hub did not find as the same: read the row back and send its key exactly as stored.") { Code = DuplicateKeyCode };
        }
    }

    /// <summary>The code of a write refused because its unique key is taken by a row the hub's own look-up did not match.</summary>
    public const string DuplicateKeyCode = "DUPLICATE_KEY";

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
