using System.Data;
using System.Data.Common;
using System.Linq.Expressions;
using System.Text.Json;
using Microsoft.Data.SqlClient;
using Microsoft.Data.Sqlite;
using Microsoft.EntityFrameworkCore;
using Veiligheid.Data;

namespace Veiligheid.Accountability;

/// <summary>
/// The records about one data subject (a person id, or a protected BSN's key), as the index by data subject names them up
/// to its watermark and the tail past it holds them: <see cref="Records"/> as one query, and a page of them read from
/// the page's sequences alone (<see cref="CandidatesAsync"/>, <see cref="At"/>).
/// </summary>
/// <remarks>
/// <para>The watermark is read before, in a statement of its own: every record up to it is then among the index's rows
/// the statements here read (a pass commits its rows with its mark), whatever the database's isolation. Read in the same
/// statement, SQL Server under READ COMMITTED with locking could read the rows before a batch committed and the mark
/// after, and leave that batch's records out of both terms. The tail is read from the view, its actions bounded by the
/// tail's action as a value (<see cref="ProcessingLogIndex.TailActionAsync"/>).</para>
/// <para>Each record is found from its sequence (<see cref="ProcessingLogIndex.RecordsAtSql"/>): a person row by its key, a
/// packed record in its action by its place, and checked against the subject again, so an index row that no longer
/// matches a record can never add one. A packed record's fields are read from its action's JSON, which costs about what
/// parsing the action does (some 80 records under the load test): 7 µs a record on this machine, so a page is read from
/// its own sequences, found first as integers, not from every record about the subject (a person processed 66,000 times
/// took 0.47 s a page so; BENCHMARKS.md, "Twentieth round").</para>
/// </remarks>
public sealed class SubjectLog
{
    private readonly VeiligheidDbContext _db;
    private readonly string _indexColumn;
    private readonly long? _indexValue;
    private readonly string _recordColumn;
    private readonly object _recordValue;
    private readonly Expression<Func<ProcessingRecord, bool>> _recorded;
    private readonly long _watermark;
    private readonly long _tailAction;

    internal SubjectLog(VeiligheidDbContext db, string indexColumn, long? indexValue, string recordColumn, object recordValue,
        Expression<Func<ProcessingRecord, bool>> recorded, long watermark, long tailAction)
    {
        ArgumentNullException.ThrowIfNull(db);
        (_db, _indexColumn, _indexValue, _recordColumn, _recordValue, _recorded, _watermark, _tailAction) =
            (db, indexColumn, indexValue, recordColumn, recordValue, recorded, watermark, tailAction);
    }

    private bool SqlServer => _db.OnSqlServer;

    /// <summary>Every record about the subject, as one query to compose on (period, order, paging, counting).</summary>
    public IQueryable<ProcessingRecord> Records
        => _db.Set<ProcessingRecord>().FromSqlRaw(ProcessingLogIndex.RecordsAtSql(SqlServer, SequencesSql()), [.. SequencesParameters()]).AsNoTracking().Where(_recorded);

    /// <summary>The records about the subject at these sequences, as one query to compose on (a page's).</summary>
    internal IQueryable<ProcessingRecord> At(IReadOnlyCollection<long> sequences)
    {
        ArgumentNullException.ThrowIfNull(sequences);
        var list = Parameter("@sequences", JsonSerializer.Serialize(sequences), DbType.String);
        var source = SqlServer
            ? $"SELECT CAST([s].[value] AS bigint) AS [Value] FROM OPENJSON({list.ParameterName}) AS [s]"
            : $"SELECT \"s\".\"value\" AS \"Value\" FROM json_each({list.ParameterName}) AS \"s\"";
        return _db.Set<ProcessingRecord>().FromSqlRaw(ProcessingLogIndex.RecordsAtSql(SqlServer, source), list).AsNoTracking().Where(_recorded);
    }

    /// <summary>
    /// The first action, by key, that a failed read of the subject's records may have failed on because it was edited
    /// outside the hub so that it cannot be read (<see cref="ProcessingLogDamage"/>); null when there is none. Looked for
    /// where the reads here go, the cheapest first: the actions of a page's <paramref name="candidates"/> (when the page was
    /// being read), the tail past the index (which the subject's reads all read, and whose actions' records are not known
    /// to be about anyone until read: an indexer that cannot read an action stops before it), then the actions of every
    /// record the index names for the subject (what a count reads). Only after a read failed.
    /// </summary>
    internal async Task<DamagedAction?> DamageAsync(IReadOnlyCollection<long>? candidates, CancellationToken cancellationToken)
    {
        if (candidates is { Count: > 0 })
        {
            var source = SqlServer
                ? "SELECT CAST([s].[value] AS bigint) AS [Value] FROM OPENJSON(@sequences) AS [s]"
                : "SELECT \"s\".\"value\" AS \"Value\" FROM json_each(@sequences) AS \"s\"";
            if (await ProcessingLogDamage.HoldingAsync(_db, source, () => [Parameter("@sequences", JsonSerializer.Serialize(candidates), DbType.String)], cancellationToken) is { } onPage)
                return onPage;
        }
        if (await ProcessingLogDamage.InActionsAsync(_db, _tailAction, null, cancellationToken) is { } inTail) return inTail;
        return await ProcessingLogDamage.HoldingAsync(_db, ProcessingLogIndex.IndexedSequencesSql(SqlServer, _indexColumn, "@subjectValue"),
            () => [Parameter("@subjectValue", _indexValue, DbType.Int64)], cancellationToken);
    }

    /// <summary>
    /// The first <paramref name="take"/> of the subject's sequences in the order asked, past <paramref name="beyond"/> (before
    /// it newest first, after it oldest first; none for the first page), up to <paramref name="end"/> and with their action in
    /// the period when given: integers, so the sort of all the subject's sequences costs little, and the action's time is
    /// two look-ups by key. A page's records are among them unless a record does not match its index row (see
    /// <see cref="Records"/>), which the page's reader checks.
    /// </summary>
    internal async Task<List<long>> CandidatesAsync(bool newestFirst, long? beyond, long? end, DateTime? from, DateTime? to, int take, CancellationToken cancellationToken)
    {
        var (sql, parameters) = CandidatesQuery(newestFirst, beyond, end, from, to, take);
        return await _db.Database.SqlQueryRaw<long>(sql, [.. parameters]).ToListAsync(cancellationToken);
    }

    /// <summary>The statement of <see cref="CandidatesAsync"/> and its parameters (the tests parse its T-SQL).</summary>
    internal (string Sql, List<DbParameter> Parameters) CandidatesQuery(bool newestFirst, long? beyond, long? end, DateTime? from, DateTime? to, int take)
    {
        var parameters = SequencesParameters();
        var conditions = new List<string>();
        if (beyond is { } position)
        {
            parameters.Add(Parameter("@beyond", position, DbType.Int64));
            conditions.Add($"{Q("c")}.{Q("Value")} {(newestFirst ? "<" : ">")} @beyond");
        }
        if (end is { } last)
        {
            parameters.Add(Parameter("@end", last, DbType.Int64));
            conditions.Add($"{Q("c")}.{Q("Value")} <= @end");
        }
        if (from is not null || to is not null)
        {
            var period = new List<string>();
            if (from is { } start)
            {
                parameters.Add(Parameter("@from", start, DbType.DateTime2));
                period.Add($"{Q("t")}.{Q("OccurredAt")} >= @from");
            }
            if (to is { } stop)
            {
                parameters.Add(Parameter("@to", stop, DbType.DateTime2));
                period.Add($"{Q("t")}.{Q("OccurredAt")} < @to");
            }
            // The record's action: the last at or before it (a person row's too, in a log the hub wrote).
            conditions.Add($"EXISTS (SELECT 1 FROM {Q("ProcessingActions")} AS {Q("t")} WHERE {Q("t")}.{Q("Id")} = " +
                           $"(SELECT MAX({Q("u")}.{Q("Id")}) FROM {Q("ProcessingActions")} AS {Q("u")} WHERE {Q("u")}.{Q("Id")} <= {Q("c")}.{Q("Value")}) AND {string.Join(" AND ", period)})");
        }
        parameters.Add(Parameter("@take", take, DbType.Int32));
        var where = conditions.Count == 0 ? "" : " WHERE " + string.Join(" AND ", conditions);
        var order = $"ORDER BY {Q("c")}.{Q("Value")} {(newestFirst ? "DESC" : "ASC")}";
        var sql = SqlServer
            ? $"SELECT TOP (@take) [c].[Value] FROM ({SequencesSql()}) AS [c]{where} {order}"
            : $"SELECT \"c\".\"Value\" FROM ({SequencesSql()}) AS \"c\"{where} {order} LIMIT @take";
        return (sql, parameters);
    }

    /// <summary>
    /// The subject's sequences, as SQL with one column <c>Value</c>: the index's (<see cref="ProcessingLogIndex.IndexedSequencesSql"/>)
    /// and the tail's past the watermark about the subject, each once.
    /// </summary>
    private string SequencesSql()
    {
        return $"{ProcessingLogIndex.IndexedSequencesSql(SqlServer, _indexColumn, "@subjectValue")} UNION " +
               $"SELECT {Q("t")}.{Q("Sequence")} FROM {Q(ProcessingRecordConfiguration.View)} AS {Q("t")} WHERE {Q("t")}.{Q("ActionKey")} >= @tailAction " +
               $"AND {Q("t")}.{Q("Sequence")} > @watermark AND {Q("t")}.{Q(_recordColumn)} = @recordValue";
    }

    /// <summary>A name quoted in the provider's dialect.</summary>
    private string Q(string name) => SqlServer ? $"[{name}]" : $"\"{name}\"";

    /// <summary>The parameters of <see cref="SequencesSql"/>, made anew for each statement (a parameter belongs to one command).</summary>
    private List<DbParameter> SequencesParameters() =>
    [
        Parameter("@subjectValue", _indexValue, DbType.Int64),
        Parameter("@recordValue", _recordValue, _recordValue is string ? DbType.String : DbType.Int32),
        Parameter("@watermark", _watermark, DbType.Int64),
        Parameter("@tailAction", _tailAction, DbType.Int64),
    ];

    /// <summary>
    /// A parameter of the provider's own, named: EF Core names the ones it makes of plain values p0, p1 …, which its
    /// ToQueryString declares without the @ T-SQL needs (the tests parse the look-ups' T-SQL).
    /// </summary>
    private DbParameter Parameter(string name, object? value, DbType type)
    {
        DbParameter parameter = SqlServer ? new SqlParameter() : new SqliteParameter();
        (parameter.ParameterName, parameter.DbType, parameter.Value) = (name, type, value ?? DBNull.Value);
        return parameter;
    }
}
