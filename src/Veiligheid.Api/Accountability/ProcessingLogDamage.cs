using System.Data;
using System.Data.Common;
using System.Globalization;
using GraphQL;
using Microsoft.Data.SqlClient;
using Microsoft.Data.Sqlite;
using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Storage;
using Veiligheid.Data;

namespace Veiligheid.Accountability;

/// <summary>How an action of the log was damaged, in the ways that make the hub's reads of it fail.</summary>
public enum LogDamageKind
{
    /// <summary>A packed action whose <see cref="ProcessingAction.Records"/> are not a JSON array: SQL's JSON functions fail on them.</summary>
    RecordsNotJson,

    /// <summary>An action whose records take its hash, without one (<see cref="ProcessingAction.Hash"/> cleared): its records read no hash.</summary>
    NoHash,

    /// <summary>
    /// A packed action whose records are a JSON array, but one of them is not of the hub's form (an element that is no
    /// array, a person id that is no integer, categories that are no text, a confidentiality the hub never writes): SQL
    /// reads the array, and the read model fails on the value.
    /// </summary>
    RecordNotOfTheForm,
}

/// <summary>
/// An action of the log that the hub's reads cannot read as the hub wrote it: <paramref name="Record"/> is the first of
/// its records the damage reaches (the action's first, or a person row of it).
/// </summary>
public sealed record DamagedAction(long Action, long Record, LogDamageKind Kind)
{
    /// <summary>What is wrong with it, in words for the privacy officer and the operations team (no record's contents).</summary>
    public string Problem => Kind switch
    {
        LogDamageKind.RecordsNotJson => "its records are not the JSON array the hub writes",
        LogDamageKind.RecordNotOfTheForm => "one of its records is not of the form the hub writes",
        _ => "its records hold no hash, though the hub always writes one for them",
    };
}

/// <summary>
/// The privacy officer's reads of the log over an action whose row was edited outside the hub (verify-log reports it):
/// SQL's JSON functions fail on records that are not JSON (SQLite's <c>json_each</c> in the view <c>ProcessingRecords</c>:
/// "malformed JSON"; SQL Server's <c>OPENJSON</c> likewise), and a record of an action whose hash was cleared reads NULL
/// as its hash, which the read model's required <see cref="ProcessingRecord.Hash"/> cannot take. Such a read is answered
/// <see cref="ProcessingLogErrorCodes.Damaged"/> without data, with a warning in the hub's log naming the action, instead of
/// an INTERNAL_ERROR.
/// </summary>
/// <remarks>
/// <para>Found only once a read failed (<see cref="GuardAsync{T}"/>): the reads stay as they were, with no check before
/// them, and the damage is looked for then in what the failed read reached (the actions of its range of keys, or those
/// holding its sequences), the first damaged one by key. A read that failed for another reason, with no damage in its
/// reach, fails as before. A read that does not reach the damaged action never fails on it and is answered as before.</para>
/// <para>Never partial: the read's answer is withheld whole, since what the damaged action holds cannot be known (whose
/// records, how many). Nothing is hidden from verify-log either, which reads the rows itself and reports the action.</para>
/// </remarks>
public static class ProcessingLogDamage
{
    /// <summary>What the operations team does about a damaged action, as every warning of one says it.</summary>
    internal const string Remedy = "Run verify-log; restore the log's files from a backup that verify-log passes.";

    /// <summary>
    /// Runs <paramref name="read"/>, one of the privacy officer's reads of the log; when it fails and
    /// <paramref name="diagnose"/> finds a damaged action in what it reached, warns the operations team (the action, never a
    /// person) and throws <see cref="ProcessingLogErrorCodes.Damaged"/> instead. Otherwise the failure is the read's own.
    /// </summary>
    /// <param name="read">The read, as it always ran.</param>
    /// <param name="diagnose">Finds the first damaged action in what <paramref name="read"/> reached; run only after it failed.</param>
    /// <param name="what">The read, named for the warning (never a person's id or BSN).</param>
    public static async Task<T> GuardAsync<T>(Func<Task<T>> read, Func<CancellationToken, Task<DamagedAction?>> diagnose, string what, ILogger logger,
        CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(read);
        ArgumentNullException.ThrowIfNull(diagnose);
        ArgumentNullException.ThrowIfNull(logger);
        try
        {
            return await read();
        }
        catch (Exception e) when (e is not OperationCanceledException and not ExecutionError)
        {
            DamagedAction? damage;
            try
            {
                damage = await diagnose(cancellationToken);
            }
            catch (Exception looking) when (looking is not OperationCanceledException)
            {
                logger.LogWarning(looking, "The processing log's read ({Read}) failed, and looking for a damaged action in what it read failed too.", what);
                System.Runtime.ExceptionServices.ExceptionDispatchInfo.Throw(e);
                throw; // not reached
            }
            if (damage is null) throw;
            var traceId = System.Diagnostics.Activity.Current?.TraceId.ToString() ?? Guid.NewGuid().ToString("N");
            logger.LogWarning(
                "The processing log is damaged at action {Action} (record {Record}): {Problem}. Only an edit of the log's files outside the hub does this. " +
                "A read of the log ({Read}) was answered {Code} without data; reads that do not reach the action are answered. " + Remedy + " Trace id {TraceId}",
                damage.Action, damage.Record, damage.Problem, what, ProcessingLogErrorCodes.Damaged, traceId);
            var at = string.Create(CultureInfo.InvariantCulture, $"action {damage.Action} (record {damage.Record})");
            throw new ExecutionError(
                $"The processing log is damaged at {at}: {damage.Problem}, as only an edit of the log's files outside the hub makes it. " +
                "What this read would answer reaches that action, so the hub withholds all of it rather than answer without what the action holds. " +
                $"Run verify-log, which reports the damage, and contact the operations team. Quote trace id {traceId}.")
            {
                Code = ProcessingLogErrorCodes.Damaged,
            };
        }
    }

    /// <summary>
    /// The first damaged action among the actions from <paramref name="lowest"/> and before <paramref name="below"/> (no
    /// end when null), by key: a packed one whose records are not a JSON array or that holds no hash, or one whose person
    /// rows take its hash (an empty hash of their own) while it holds none. Each part read along its key from the range's
    /// start and stopped at the first: the range of a failed read, the whole log at most (a count of the whole log, which
    /// read all of it already).
    /// </summary>
    public static async Task<DamagedAction?> InActionsAsync(VeiligheidDbContext db, long lowest, long? below, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(db);
        var sqlServer = db.OnSqlServer;
        List<DbParameter> Bounds()
        {
            List<DbParameter> bounds = [Parameter(sqlServer, "@lowest", lowest)];
            if (below is { } end) bounds.Add(Parameter(sqlServer, "@below", end));
            return bounds;
        }
        var packed = await FirstAsync(db, PackedInActionsSql(sqlServer, below is not null), Bounds(), cancellationToken);
        var rows = await FirstAsync(db, PersonRowsInActionsSql(sqlServer, below is not null), Bounds(), cancellationToken);
        return Lowest(packed, rows);
    }

    /// <summary>
    /// The first damaged action, by key, among the actions holding the sequences <paramref name="sequences"/> selects (SQL
    /// with one column <c>Value</c>, and its parameters made by <paramref name="parameters"/> for each statement): the
    /// actions of a failed read of a person's records.
    /// </summary>
    internal static async Task<DamagedAction?> HoldingAsync(VeiligheidDbContext db, string sequences, Func<List<DbParameter>> parameters, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(db);
        ArgumentNullException.ThrowIfNull(parameters);
        var packed = await FirstAsync(db, PackedHoldingSql(db.OnSqlServer, sequences), parameters(), cancellationToken);
        var rows = await FirstAsync(db, PersonRowsHoldingSql(db.OnSqlServer, sequences), parameters(), cancellationToken);
        return Lowest(packed, rows);
    }

    /// <summary>
    /// A read of the log's records from the action <paramref name="lowest"/> on that looks for something among them (the
    /// start's checks of the log, <see cref="LogConsistency"/>), and is not an answer to anyone: where it fails on a packed
    /// action whose records SQL cannot read (<see cref="LogDamageKind.RecordsNotJson"/>), it is read again without that
    /// action (<paramref name="read"/> is given the actions to leave out), each told to <paramref name="leftOut"/>. A log
    /// with one edited row then still starts, its check made over the rest (verify-log reports the row); a failure with no
    /// such action in reach, or past 16 of them, stands. Never for the privacy officer's reads (<see cref="GuardAsync{T}"/>).
    /// </summary>
    internal static async Task<T> LeavingOutUnreadableAsync<T>(VeiligheidDbContext db, long lowest, Func<IReadOnlyList<long>, Task<T>> read,
        Action<DamagedAction>? leftOut, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(db);
        ArgumentNullException.ThrowIfNull(read);
        var without = new List<long>();
        while (true)
        {
            try
            {
                return await read(without);
            }
            catch (Exception e) when (e is not OperationCanceledException && without.Count < 16)
            {
                List<DbParameter> from = [Parameter(db.OnSqlServer, "@lowest", without.Count == 0 ? lowest : without[^1] + 1)];
                if (await FirstAsync(db, PackedInActionsSql(db.OnSqlServer, bounded: false, hashToo: false), from, cancellationToken) is not { } unreadable) throw;
                without.Add(unreadable.Action);
                leftOut?.Invoke(unreadable);
            }
        }
    }

    /// <summary>These records but those of the actions <paramref name="actions"/> (each left out by its key, which SQLite carries into the view's parts as a value).</summary>
    internal static IQueryable<ProcessingRecord> Without(IQueryable<ProcessingRecord> records, IReadOnlyList<long> actions)
    {
        ArgumentNullException.ThrowIfNull(actions);
        foreach (var action in actions) records = records.Where(r => r.ActionKey != action);
        return records;
    }

    private static DamagedAction? Lowest(DamagedAction? a, DamagedAction? b)
        => a is null ? b : b is null ? a : a.Action <= b.Action ? a : b;

    /// <summary>Runs a statement of three columns (action, record, kind as 1 for records not JSON, else no hash) and reads its first row.</summary>
    private static async Task<DamagedAction?> FirstAsync(VeiligheidDbContext db, string sql, List<DbParameter> parameters, CancellationToken cancellationToken)
    {
        var connection = db.Database.GetDbConnection();
        var opened = connection.State != ConnectionState.Open;
        if (opened) await db.Database.OpenConnectionAsync(cancellationToken);
        try
        {
            await using var command = connection.CreateCommand();
            command.CommandText = sql;
            command.Transaction = db.Database.CurrentTransaction?.GetDbTransaction();
            foreach (var parameter in parameters) command.Parameters.Add(parameter);
            await using var reader = await command.ExecuteReaderAsync(cancellationToken);
            if (!await reader.ReadAsync(cancellationToken)) return null;
            return new DamagedAction(reader.GetInt64(0), reader.GetInt64(1), reader.GetInt64(2) switch
            {
                1 => LogDamageKind.RecordsNotJson,
                3 => LogDamageKind.RecordNotOfTheForm,
                _ => LogDamageKind.NoHash,
            });
        }
        finally
        {
            if (opened) await db.Database.CloseConnectionAsync();
        }
    }

    /// <summary>
    /// Whether the action <paramref name="alias"/>'s packed records are not a JSON array, as SQL: what the view's <c>json_each</c> and
    /// <c>OPENJSON</c>, and the look-ups' JSON paths, fail on (SQLite: text that is not JSON; SQL Server as its writer's
    /// end reads them, <see cref="PackedRecords.LastSequenceSql"/>). For a row whose records are not NULL.
    /// </summary>
    internal static string NotJsonSql(bool sqlServer, string alias = "a")
        => sqlServer
            ? $"NOT ({PackedRecords.IsArrayTSql($"[{alias}].[Records]")})"
            : $"(CASE WHEN json_valid(\"{alias}\".\"Records\") THEN json_type(\"{alias}\".\"Records\") END IS NOT 'array')";

    /// <summary>
    /// Whether one of the packed action <c>a</c>'s records, in a JSON array, is not of the hub's form, as SQL: what the view
    /// reads but the read model fails on (an unknown confidentiality, categories that are null, a person id that is no
    /// int), and what else <see cref="PackedRecords.Read(ReadOnlySpan{byte})"/> refuses of an element (which the SQLite
    /// indexer's copier stops before, and SQL Server's copy with it). Each condition in a CASE, so none reads an element
    /// that is no array as JSON. For a row <paramref name="alias"/> whose records are not NULL.
    /// </summary>
    internal static string RecordNotOfTheFormSql(bool sqlServer, string alias = "a")
        => sqlServer
            ? $"EXISTS (SELECT 1 FROM OPENJSON(CASE WHEN {PackedRecords.IsArrayTSql($"[{alias}].[Records]")} THEN [{alias}].[Records] END) AS [e] WHERE CASE " +
              "WHEN [e].[type] <> 4 THEN 1 " +
              "WHEN JSON_VALUE([e].[value], '$[0]') IS NOT NULL AND TRY_CAST(JSON_VALUE([e].[value], '$[0]') AS int) IS NULL THEN 1 " +
              "WHEN JSON_VALUE([e].[value], '$[2]') IS NULL THEN 1 " +
              "WHEN JSON_VALUE([e].[value], '$[3]') IS NULL OR JSON_VALUE([e].[value], '$[3]') COLLATE Latin1_General_100_BIN2 NOT IN (N'Normaal', N'Vertrouwelijk') THEN 1 " +
              "ELSE 0 END = 1)"
            : $"EXISTS (SELECT 1 FROM json_each(CASE WHEN json_valid(\"{alias}\".\"Records\") AND json_type(\"{alias}\".\"Records\") = 'array' THEN \"{alias}\".\"Records\" END) AS \"e\" WHERE CASE " +
              "WHEN \"e\".\"type\" IS NOT 'array' THEN 1 " +
              "WHEN json_type(\"e\".\"value\", '$[0]') IS NOT 'null' AND (json_type(\"e\".\"value\", '$[0]') IS NOT 'integer' OR (\"e\".\"value\" ->> 0) NOT BETWEEN -2147483648 AND 2147483647) THEN 1 " +
              "WHEN json_type(\"e\".\"value\", '$[1]') IS NOT 'null' AND json_type(\"e\".\"value\", '$[1]') IS NOT 'text' THEN 1 " +
              "WHEN json_type(\"e\".\"value\", '$[2]') IS NOT 'text' THEN 1 " +
              "WHEN (\"e\".\"value\" ->> 3) IS NOT 'Normaal' AND (\"e\".\"value\" ->> 3) IS NOT 'Vertrouwelijk' THEN 1 " +
              "ELSE 0 END = 1)";

    /// <summary>
    /// The condition on a packed action <c>a</c> that it is damaged (with <paramref name="hashToo"/>, also without a hash or
    /// with a record not of the hub's form), and its kind (1: not JSON, 2: no hash, 3: a record not of the form).
    /// </summary>
    private static (string Damaged, string Kind) Packed(bool sqlServer, bool hashToo = true)
    {
        var notJson = NotJsonSql(sqlServer);
        var q = Q(sqlServer);
        if (!hashToo) return ($"{q("a")}.{q("Records")} IS NOT NULL AND ({notJson})", "1");
        var notOfTheForm = RecordNotOfTheFormSql(sqlServer);
        return ($"{q("a")}.{q("Records")} IS NOT NULL AND ({notJson} OR {q("a")}.{q("Hash")} IS NULL OR {notOfTheForm})",
            $"CASE WHEN {notJson} THEN 1 WHEN {notOfTheForm} THEN 3 ELSE 2 END");
    }

    /// <summary>
    /// The statement finding the first damaged packed action in a range of keys (@lowest, and @below when
    /// <paramref name="bounded"/>); only one whose records are not JSON without <paramref name="hashToo"/>.
    /// </summary>
    internal static string PackedInActionsSql(bool sqlServer, bool bounded, bool hashToo = true)
    {
        var q = Q(sqlServer);
        var (damaged, kind) = Packed(sqlServer, hashToo);
        var range = $"{q("a")}.{q("Id")} >= @lowest" + (bounded ? $" AND {q("a")}.{q("Id")} < @below" : "");
        return sqlServer
            ? $"SELECT TOP (1) [a].[Id], [a].[Id], {kind} FROM [ProcessingActions] AS [a] WHERE {range} AND {damaged} ORDER BY [a].[Id];"
            : $"SELECT \"a\".\"Id\", \"a\".\"Id\", {kind} FROM \"ProcessingActions\" AS \"a\" WHERE {range} AND {damaged} ORDER BY \"a\".\"Id\" LIMIT 1;";
    }

    /// <summary>
    /// The statement finding the first person row in a range of keys that takes its action's hash (its own empty) while
    /// the action holds none: the view reads NULL as its hash. Person rows come before the packed actions in a log the
    /// hub wrote, so over a range of packed actions it reads nothing.
    /// </summary>
    internal static string PersonRowsInActionsSql(bool sqlServer, bool bounded)
    {
        var q = Q(sqlServer);
        // Bounded above by the rows' action, not their sequence: an action before the end may have rows after it.
        var range = $"{q("l")}.{q("Sequence")} >= @lowest" + (bounded ? $" AND {q("l")}.{q("ActionKey")} < @below" : "");
        return sqlServer
            ? $"SELECT TOP (1) [l].[ActionKey], [l].[Sequence], 2 FROM [ProcessingLog] AS [l] INNER JOIN [ProcessingActions] AS [a] ON [a].[Id] = [l].[ActionKey] " +
              $"WHERE {range} AND [l].[Hash] = N'' AND [a].[Hash] IS NULL ORDER BY [l].[Sequence];"
            : $"SELECT \"l\".\"ActionKey\", \"l\".\"Sequence\", 2 FROM \"ProcessingLog\" AS \"l\" INNER JOIN \"ProcessingActions\" AS \"a\" ON \"a\".\"Id\" = \"l\".\"ActionKey\" " +
              $"WHERE {range} AND \"l\".\"Hash\" = '' AND \"a\".\"Hash\" IS NULL ORDER BY \"l\".\"Sequence\" LIMIT 1;";
    }

    /// <summary>
    /// The statement finding the first damaged packed action among those holding the sequences <paramref name="sequences"/>
    /// selects: each sequence's action (the last at or before it), each once, then that action by its key.
    /// </summary>
    internal static string PackedHoldingSql(bool sqlServer, string sequences)
    {
        var (damaged, kind) = Packed(sqlServer);
        return sqlServer
            ? $"SELECT TOP (1) [a].[Id], [a].[Id], {kind} FROM (SELECT DISTINCT (SELECT MAX([b].[Id]) FROM [ProcessingActions] AS [b] WHERE [b].[Id] <= [q].[Value]) AS [Id] " +
              $"FROM ({sequences}) AS [q]) AS [k] INNER JOIN [ProcessingActions] AS [a] ON [a].[Id] = [k].[Id] WHERE {damaged} ORDER BY [a].[Id];"
            // CROSS JOIN: SQLite keeps the sequences' actions as the outer loop, each action one look-up by its key.
            : $"SELECT \"a\".\"Id\", \"a\".\"Id\", {kind} FROM (SELECT DISTINCT (SELECT max(\"b\".\"Id\") FROM \"ProcessingActions\" AS \"b\" WHERE \"b\".\"Id\" <= \"q\".\"Value\") AS \"Id\" " +
              $"FROM ({sequences}) AS \"q\") AS \"k\" CROSS JOIN \"ProcessingActions\" AS \"a\" WHERE \"a\".\"Id\" = \"k\".\"Id\" AND {damaged} ORDER BY \"a\".\"Id\" LIMIT 1;";
    }

    /// <summary>The statement finding the first person row at the sequences <paramref name="sequences"/> selects that reads no hash (see <see cref="PersonRowsInActionsSql"/>).</summary>
    internal static string PersonRowsHoldingSql(bool sqlServer, string sequences)
        => sqlServer
            ? $"SELECT TOP (1) [l].[ActionKey], [l].[Sequence], 2 FROM ({sequences}) AS [q] INNER JOIN [ProcessingLog] AS [l] ON [l].[Sequence] = [q].[Value] " +
              "INNER JOIN [ProcessingActions] AS [a] ON [a].[Id] = [l].[ActionKey] WHERE [l].[Hash] = N'' AND [a].[Hash] IS NULL ORDER BY [l].[Sequence];"
            : $"SELECT \"l\".\"ActionKey\", \"l\".\"Sequence\", 2 FROM ({sequences}) AS \"q\" CROSS JOIN \"ProcessingLog\" AS \"l\" CROSS JOIN \"ProcessingActions\" AS \"a\" " +
              "WHERE \"l\".\"Sequence\" = \"q\".\"Value\" AND \"a\".\"Id\" = \"l\".\"ActionKey\" AND \"l\".\"Hash\" = '' AND \"a\".\"Hash\" IS NULL ORDER BY \"l\".\"Sequence\" LIMIT 1;";

    private static Func<string, string> Q(bool sqlServer) => sqlServer ? name => $"[{name}]" : name => $"\"{name}\"";

    /// <summary>A parameter of the provider's own, named (as <see cref="SubjectLog"/> makes them).</summary>
    internal static DbParameter Parameter(bool sqlServer, string name, long value)
    {
        DbParameter parameter = sqlServer ? new SqlParameter() : new SqliteParameter();
        (parameter.ParameterName, parameter.DbType, parameter.Value) = (name, DbType.Int64, value);
        return parameter;
    }
}
