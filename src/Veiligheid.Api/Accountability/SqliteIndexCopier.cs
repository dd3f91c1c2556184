using System.Text;
using Microsoft.Data.Sqlite;

namespace Veiligheid.Accountability;

/// <summary>
/// SQLite's copy of the processing log's records into its index by data subject (<see cref="ProcessingLogIndex"/>), one
/// batch per call, on one connection: the index's own file with the log's attached (a hub on a file), or the one in-memory
/// database that holds both (tests). Its statements are prepared once and run through SQLite's own API, and it keeps the
/// subjects it found or added, and writes one run of sequences per subject a batch names (<see cref="LogIndexRun"/>).
/// </summary>
/// <remarks>
/// The subjects it keeps stay valid while the index's tables last: subjects are never removed, the ones a transaction
/// added are kept only once it committed, and all are forgotten when the index file's schema changed (its tables made
/// again). The indexer disposes it with its connection after any failure.
/// </remarks>
internal sealed class SqliteIndexCopier : IDisposable
{
    private readonly SqliteConnection _connection;
    private readonly SqliteRawStatement _watermark;
    private readonly SqliteRawStatement _logEnd;
    private readonly SqliteRawStatement _tail;
    private readonly SqliteRawStatement _tailAction;
    private readonly SqliteRawStatement _packedTail;
    private readonly SqliteRawStatement _findSubject;
    private readonly SqliteRawStatement _addSubject;
    private readonly SqliteRawStatement _addRun;
    private readonly SqliteRawStatement _addPass;
    private readonly SqliteRawStatement _lockIndex;
    private readonly SqliteRawStatement _schemaVersion;
    private readonly string _index;
    private readonly Dictionary<(int? PersonId, long? BsnKey), int> _subjects = [];
    private long _subjectsSchema = -1; // the index file's schema version the subjects kept were found in

    /// <summary>
    /// The packed action the last batch stopped before because its records cannot be read (<see cref="PackedRecords.Read(ReadOnlySpan{byte})"/>
    /// fails on them: only an edit of the log's file makes such records, and verify-log reports them); null when it met none.
    /// </summary>
    /// <remarks>
    /// The index stops there rather than step over it: whose records the action holds, and how many, is not known, so
    /// every record from it on stays in the tail past the watermark, which the look-ups by person and BSN read from the log
    /// (and fail PROCESSING_LOG_DAMAGED on where SQL cannot read it either, <see cref="ProcessingLogDamage"/>). Stepped over,
    /// its records would be in neither the index nor the tail, and drop out of the access reports without a word. Each
    /// later batch stops there again at once, until the log is restored.
    /// </remarks>
    public long? UnreadableAction { get; private set; }

    /// <param name="connection">An open connection.</param>
    /// <param name="indexSchema">The schema the index's tables are in on it (main in the index's own file).</param>
    /// <param name="logSchema">The schema the log's tables are in on it (the attached log's file, or main in memory).</param>
    public SqliteIndexCopier(SqliteConnection connection, string indexSchema, string logSchema)
    {
        ArgumentNullException.ThrowIfNull(connection);
        _connection = connection;
        _index = indexSchema;
        var (subjects, runs, passes, log, actions) = (Name(indexSchema, ProcessingLogIndex.SubjectsTable), Name(indexSchema, ProcessingLogIndex.RunsTable),
            Name(indexSchema, ProcessingLogIndex.PassesTable), Name(logSchema, "ProcessingLog"), Name(logSchema, "ProcessingActions"));
        var made = new List<SqliteRawStatement>();
        SqliteRawStatement Prepare(string sql)
        {
            var statement = new SqliteRawStatement(connection, sql);
            made.Add(statement);
            return statement;
        }
        try
        {
            _watermark = Prepare($"SELECT COALESCE(MAX(\"Through\"), 0) FROM {passes};");
            _logEnd = Prepare(PackedRecords.LogEndSql(sqlServer: false, log, actions) + ";");
            _tail = Prepare($"SELECT \"Sequence\", \"PersonId\", \"ProtectedBsn\" FROM {log} WHERE \"Sequence\" > ?1 ORDER BY \"Sequence\" LIMIT ?2;");
            // The packed records past the watermark: from the action holding the record after it (ProcessingLogIndex.TailActionAsync).
            _tailAction = Prepare($"SELECT COALESCE(max(\"Id\"), 0) FROM {actions} WHERE \"Id\" <= ?1;");
            _packedTail = Prepare($"SELECT \"Id\", \"Records\" FROM {actions} WHERE \"Id\" >= ?1 AND \"Records\" IS NOT NULL ORDER BY \"Id\";");
            _findSubject = Prepare($"SELECT \"Id\" FROM {subjects} WHERE \"PersonId\" IS ?1 AND \"BsnKey\" IS ?2 ORDER BY \"Id\" LIMIT 1;");
            _addSubject = Prepare($"INSERT INTO {subjects} (\"PersonId\", \"BsnKey\") VALUES (?1, ?2) RETURNING \"Id\";");
            // OR REPLACE: a run left above the watermark is written again from the log, at its key: one the trim cut at a
            // removed end of the log (its pass's mark went, the watermark is the pass before), or whose pass's mark was
            // removed by hand.
            _addRun = Prepare($"INSERT OR REPLACE INTO {runs} (\"Subject\", \"First\", \"Sequences\") VALUES (?1, ?2, ?3);");
            _addPass = Prepare($"INSERT OR IGNORE INTO {passes} (\"Through\") VALUES (?1);");
            // A write that changes nothing: as a deferred transaction's first statement it takes the index file's write
            // lock alone (BEGIN IMMEDIATE takes every attached file's, the log's too, so the log's writer would wait for
            // the batch).
            _lockIndex = Prepare($"DELETE FROM {passes} WHERE 0;");
            _schemaVersion = Prepare($"PRAGMA {Quoted(indexSchema)}.schema_version;");
        }
        catch
        {
            foreach (var statement in made) statement.Dispose();
            throw;
        }
    }

    private static string Name(string schema, string table) => $"{Quoted(schema)}.{Quoted(table)}";

    private static string Quoted(string name) => $"\"{name}\"";

    /// <summary>
    /// Copies the next <paramref name="batch"/> records past the index's watermark into it, in one transaction on the
    /// index's file, and returns how many it copied. Read and write are apart: the records are read outside any
    /// transaction, so the read's snapshot of the log's file ends with it; then the index's file alone is written. Read
    /// inside the write's transaction, the log's snapshot would last until the batch's commit, and the log writer's
    /// restarting checkpoint (which waits for the WAL's readers while it holds the requests' commits back) would wait for
    /// the whole batch.
    /// </summary>
    /// <param name="trimmed">Called with the number of records the index named above the log's end and that end, when there were any (they are removed).</param>
    public int CopyBatch(int batch, Action<int, long> trimmed)
    {
        var watermark = Scalar(_watermark);
        var logEnd = Scalar(_logEnd);
        var rows = ReadTail(watermark, batch);

        // The index file's write lock: a second indexer (another host) waits, then reads past the rows this one wrote (the
        // watermark is read again under the lock).
        using var transaction = BeginWrite();
        var current = Scalar(_watermark);
        if (current != watermark && (current < watermark || current > logEnd))
        {
            // Another host's indexer moved the watermark since it was read here: down (it removed the rows above a cut
            // log's end, and the rows read here, from the old watermark on, would leap over the records between), or past
            // the log's end read here (it copied records written since; they are in the log). The next batch reads again.
            transaction.Commit();
            return 0;
        }
        // The watermark was read before the log's end, so a record written meanwhile is below that end, never above it.
        if (current > logEnd)
        {
            trimmed(Trim(transaction, logEnd), logEnd);
            transaction.Commit();
            return 0; // the next batch starts from the lower watermark
        }
        // Subjects are never removed from the index's tables, but the tables themselves may be made again under a running
        // host (another host's start that finds another shape or owner): the numbers kept then name no subject, or another.
        if (Scalar(_schemaVersion) is var schema && schema != _subjectsSchema)
        {
            _subjects.Clear();
            _subjectsSchema = schema;
        }
        var added = new Dictionary<(int?, long?), int>();
        var named = new List<(int Subject, long Sequence)>(rows.Count);
        long last = 0;
        foreach (var (sequence, personId, bsnKey) in rows)
        {
            if (sequence <= current) continue; // another indexer copied it meanwhile
            named.Add((SubjectOf(personId, bsnKey, added), sequence));
            last = sequence;
        }
        // In key order (subject, then sequence): each subject's run is then one stretch of the list, with no list made per
        // subject (grouping in a dictionary of lists measured the same), and the runs go into the B-tree in its order.
        named.Sort();
        var json = new StringBuilder();
        var sequences = new List<long>();
        for (var start = 0; start < named.Count;)
        {
            var subject = named[start].Subject;
            sequences.Clear();
            var end = start;
            for (; end < named.Count && named[end].Subject == subject; end++) sequences.Add(named[end].Sequence);
            _addRun.BindInt64(1, subject);
            _addRun.BindInt64(2, sequences[0]);
            if (ProcessingLogIndex.SequencesJson(sequences, json) is { } array) _addRun.BindText(3, array);
            else _addRun.BindNull(3);
            _addRun.Run();
            start = end;
        }
        var copied = named.Count;
        if (copied > 0)
        {
            _addPass.BindInt64(1, last);
            _addPass.Run();
        }
        transaction.Commit();
        foreach (var (key, id) in added) _subjects[key] = id;
        return copied;
    }

    /// <summary>
    /// The first <paramref name="batch"/> records past the watermark with their subjects, in sequence order, of both forms:
    /// the person rows past it, and the packed records of the actions from the one holding the record after it (parsed
    /// here, a request's action at a time: one row read a request, where the person rows were one a person). They end
    /// before an action whose records cannot be read (<see cref="UnreadableAction"/>).
    /// </summary>
    private List<(long Sequence, int? PersonId, long? BsnKey)> ReadTail(long watermark, int batch)
    {
        UnreadableAction = null;
        var rows = new List<(long Sequence, int? PersonId, long? BsnKey)>(batch);
        _tail.BindInt64(1, watermark);
        _tail.BindInt64(2, batch);
        while (_tail.Next())
            rows.Add((_tail.Int64(0), _tail.IsNull(1) ? null : checked((int)_tail.Int64(1)), _tail.IsNull(2) ? null : ProcessingLogIndex.KeyOf(_tail.Utf8(2))));
        _tail.Reset();
        _tailAction.BindInt64(1, watermark + 1);
        var firstAction = Scalar(_tailAction);
        _packedTail.BindInt64(1, firstAction);
        var packed = 0;
        var subjects = new List<(int? PersonId, long? BsnKey)>();
        try
        {
            while (packed < batch && _packedTail.Next())
            {
                var action = _packedTail.Int64(0);
                subjects.Clear();
                try
                {
                    PackedRecords.ReadSubjects(_packedTail.Utf8(1), subjects);
                }
                catch (FormatException)
                {
                    UnreadableAction = action;
                    break;
                }
                for (var i = 0; i < subjects.Count && packed < batch; i++)
                {
                    var sequence = action + i;
                    if (sequence <= watermark) continue;
                    rows.Add((sequence, subjects[i].PersonId, subjects[i].BsnKey));
                    packed++;
                }
            }
        }
        finally
        {
            _packedTail.Reset();
        }
        // Person rows come before packed actions in a log the hub wrote (it packs since it stopped writing rows), but the
        // batch is whatever comes first of both.
        if (packed > 0 && rows.Count > packed) rows.Sort((a, b) => a.Sequence.CompareTo(b.Sequence));
        // Nothing from the unreadable action on: its records' sequences are not known, and the index names none above a gap.
        if (UnreadableAction is { } stop) rows.RemoveAll(r => r.Sequence >= stop);
        if (rows.Count > batch) rows.RemoveRange(batch, rows.Count - batch);
        return rows;
    }

    /// <summary>
    /// Removes the index's rows and passes above the log's end, when there are any, and says so through
    /// <paramref name="trimmed"/>: for a hub's start (<see cref="Data.SqliteLogFile.MoveIntoOwnFileAsync"/>), before its log
    /// writer gives those sequences to new records, which the stale rows would hide from the look-ups for good once the
    /// log's end has passed the watermark again (a log and hub file restored from a backup beside a newer index, say).
    /// </summary>
    public void TrimAboveLogEnd(Action<int, long> trimmed)
    {
        var watermark = Scalar(_watermark);
        var logEnd = Scalar(_logEnd);
        if (watermark <= logEnd) return;
        using var transaction = BeginWrite();
        // Unless another host's indexer moved the watermark meanwhile (see CopyBatch); its next batch finds what is left.
        if (Scalar(_watermark) == watermark) trimmed(Trim(transaction, logEnd), logEnd);
        transaction.Commit();
    }

    /// <summary>A transaction holding the index file's write lock, and no other file's (see <see cref="_lockIndex"/>).</summary>
    private SqliteTransaction BeginWrite()
    {
        var transaction = _connection.BeginTransaction(deferred: true);
        try
        {
            _lockIndex.Run();
            return transaction;
        }
        catch
        {
            transaction.Dispose();
            throw;
        }
    }

    /// <summary>The subject's number: kept, found in the index, or added to it (and to <paramref name="added"/>, kept once the transaction commits).</summary>
    private int SubjectOf(int? personId, long? bsnKey, Dictionary<(int?, long?), int> added)
    {
        var key = (personId, bsnKey);
        if (_subjects.TryGetValue(key, out var id) || added.TryGetValue(key, out id)) return id;
        _findSubject.BindInt64(1, personId);
        _findSubject.BindInt64(2, bsnKey);
        if (_findSubject.Next())
        {
            id = checked((int)_findSubject.Int64(0));
            _findSubject.Reset();
        }
        else
        {
            _addSubject.BindInt64(1, personId);
            _addSubject.BindInt64(2, bsnKey);
            if (!_addSubject.Next()) throw new InvalidOperationException("The index's new subject has no number.");
            id = checked((int)_addSubject.Int64(0));
            while (_addSubject.Next()) { } // steps the insert to its end
        }
        added[key] = id;
        return id;
    }

    /// <summary>
    /// Removes the records and passes above the log's end; returns how many records went. The runs wholly above it go, and
    /// a run reaching over it keeps the sequences up to it. A scan of the runs: only a log cut at its end needs it.
    /// </summary>
    private int Trim(SqliteTransaction transaction, long logEnd)
    {
        using var command = _connection.CreateCommand();
        command.Transaction = transaction;
        var runs = Name(_index, ProcessingLogIndex.RunsTable);
        command.Parameters.AddWithValue("$end", logEnd);
        command.CommandText = $"SELECT count(*) FROM {runs} AS r, json_each({ProcessingLogIndex.RunSequences(sqlServer: false, "r")}) AS j WHERE j.\"value\" > $end;";
        var removed = Convert.ToInt32(command.ExecuteScalar(), System.Globalization.CultureInfo.InvariantCulture);
        command.CommandText = $"DELETE FROM {runs} WHERE \"First\" > $end;";
        command.ExecuteNonQuery();
        // What is left of a run reaching over the end (its first is at or below it, its last element above): its sequences
        // up to it, a run of one then its first alone.
        command.CommandText = $"""
            UPDATE {runs} SET
                "Sequences" = (SELECT CASE WHEN count(*) > 1 THEN json_group_array("value" ORDER BY "key") END FROM json_each({runs}."Sequences") WHERE "value" <= $end)
            WHERE "Sequences" IS NOT NULL AND json_extract("Sequences", '$[#-1]') > $end;
            """;
        command.ExecuteNonQuery();
        command.CommandText = $"DELETE FROM {Name(_index, ProcessingLogIndex.PassesTable)} WHERE \"Through\" > $end;";
        command.ExecuteNonQuery();
        return removed;
    }

    private static long Scalar(SqliteRawStatement query)
    {
        if (!query.Next()) throw new InvalidOperationException("A one-row query returned none.");
        var value = query.Int64(0);
        query.Reset();
        return value;
    }

    public void Dispose()
    {
        foreach (var statement in new[] { _watermark, _logEnd, _tail, _tailAction, _packedTail, _findSubject, _addSubject, _addRun, _addPass, _lockIndex, _schemaVersion })
            statement.Dispose();
    }
}
