using Microsoft.EntityFrameworkCore;
using Veiligheid.Data;
using Veiligheid.Persons;

namespace Veiligheid.Accountability;

/// <summary>
/// Start-up checks that the processing log and the hub's data still belong together in the two ways the log's own
/// binding (<see cref="SqliteLogFile"/>'s lineage id) cannot see: the pseudonym key it was written with, and (on SQLite,
/// where they are two files) a hub file restored from a backup older than its log. Either would make the privacy
/// officer's answers silently wrong, so the hub does not start and says why.
/// </summary>
public static class LogConsistency
{
    /// <summary>How many of the newest records about a person the key check looks through for one whose person is still held (of as many actions at most).</summary>
    private const int KeySample = 50;

    /// <summary>
    /// Whether the configured pseudonym key is the one the log was written with: the newest record about a person the hub
    /// still holds is protected again under it and compared. A changed key would leave every look-up by BSN of the older
    /// records empty, and a data subject's access report incomplete, without a word.
    /// </summary>
    /// <param name="logger">Where an action left out of the sample is told (<see cref="Unreadable"/>); none in tests.</param>
    public static async Task CheckPseudonymKeyAsync(ProcessingLog log, VeiligheidDbContext db, CancellationToken cancellationToken, ILogger? logger = null)
    {
        ArgumentNullException.ThrowIfNull(log);
        ArgumentNullException.ThrowIfNull(db);
        // The newest actions that may hold the sample, bounded as a value (ProcessingLogIndex.TailActionAsync says why), and
        // further back only when they hold no record with both a person and a BSN (the whole log at last, as before).
        var unreadable = Unreadable(logger, "the pseudonym key");
        var newest = await NewestAboutPersonsAsync(db, KeySample, unreadable, cancellationToken);
        if (newest.Count == 0) newest = await NewestAboutPersonsAsync(db, 100 * KeySample, unreadable, cancellationToken);
        if (newest.Count == 0) newest = await NewestAboutPersonsAsync(db, null, unreadable, cancellationToken);
        if (newest.Count == 0) return;
        var ids = newest.Select(r => r.PersonId).Distinct().ToList();
        var bsns = await db.Persons.AsNoTracking().Where(p => ids.Contains(p.Id)).ToDictionaryAsync(p => p.Id, p => p.Bsn, cancellationToken);
        if (newest.Where(r => bsns.ContainsKey(r.PersonId)).Take(1).ToList() is not [var record]
            || string.Equals(log.ComputeProtected(bsns[record.PersonId]), record.ProtectedBsn, StringComparison.Ordinal)) return;
        throw new HubConfigurationException(
            $"{ProcessingLogOptions.Section}:PseudonymKey is not the key the processing log was written with: record {record.Sequence}'s protected BSN " +
            "is not its person's under this key, so look-ups by BSN of earlier records would find nothing. Configure the key the log was written with.");
    }

    /// <summary>
    /// The newest <see cref="KeySample"/> records that name a person and carry a protected BSN, among the records of the
    /// newest <paramref name="actions"/> actions (all of them when null).
    /// </summary>
    private static async Task<List<(long Sequence, int PersonId, string ProtectedBsn)>> NewestAboutPersonsAsync(VeiligheidDbContext db, int? actions,
        Action<DamagedAction>? unreadable, CancellationToken cancellationToken)
    {
        var oldest = actions is { } count
            ? await db.Set<ProcessingAction>().OrderByDescending(a => a.Id).Skip(count - 1).Select(a => (long?)a.Id).FirstOrDefaultAsync(cancellationToken) ?? 0
            : 0;
        var records = await ProcessingLogDamage.LeavingOutUnreadableAsync(db, oldest, without =>
            ProcessingLogDamage.Without(db.Set<ProcessingRecord>().AsNoTracking(), without)
                .Where(r => r.Sequence >= oldest && r.ActionKey >= oldest && r.PersonId != null && r.ProtectedBsn != null)
                .OrderByDescending(r => r.Sequence).Take(KeySample)
                .Select(r => new { r.Sequence, PersonId = r.PersonId!.Value, r.ProtectedBsn })
                .ToListAsync(cancellationToken), unreadable, cancellationToken);
        return [.. records.Select(r => (r.Sequence, r.PersonId, r.ProtectedBsn!))];
    }

    /// <summary>
    /// Says that a check at the start reads the log without a packed action whose records SQL cannot read (only an edit
    /// of the log's file makes them; verify-log reports it): the hub starts, and the privacy officer's reads that reach
    /// the action answer PROCESSING_LOG_DAMAGED (<see cref="ProcessingLogDamage"/>). The action's id only.
    /// </summary>
    private static Action<DamagedAction> Unreadable(ILogger? logger, string check)
        => damage => logger?.LogWarning(
            "The processing log is damaged at action {Action}: {Problem}, as only an edit of the log's files outside the hub makes them. The start's check of {Check} " +
            "reads the log without it. " + ProcessingLogDamage.Remedy, damage.Action, damage.Problem, check);

    /// <summary>
    /// On SQLite: whether the hub's file is at least as new as its log. Person ids are never given out twice in one file
    /// (AUTOINCREMENT), so a log naming a person id above the highest the hub's file ever gave out means the file was
    /// restored from an older backup than the log; the next new person would take an id the log already names, and
    /// that person's access report would list another person's records.
    /// </summary>
    /// <param name="logger">Where an action left out of the check is told (<see cref="Unreadable"/>); none in tests.</param>
    public static async Task CheckHubNotOlderThanLogAsync(VeiligheidDbContext db, CancellationToken cancellationToken, ILogger? logger = null)
    {
        ArgumentNullException.ThrowIfNull(db);
        if (!db.OnSqlite) return;
        if (await ProcessingLogIndex.HighestPersonIdAsync(db, cancellationToken, Unreadable(logger, "the person ids the log names")) is not { } highestLogged) return;
        var table = db.Model.FindEntityType(typeof(Person))!.GetTableName();
        await db.Database.OpenConnectionAsync(cancellationToken);
        try
        {
            await using var command = db.Database.GetDbConnection().CreateCommand();
            command.CommandText = "SELECT COALESCE((SELECT \"seq\" FROM \"main\".\"sqlite_sequence\" WHERE \"name\" = $table), 0);";
            var parameter = command.CreateParameter();
            parameter.ParameterName = "$table";
            parameter.Value = table;
            command.Parameters.Add(parameter);
            var highestGiven = Convert.ToInt64(await command.ExecuteScalarAsync(cancellationToken), System.Globalization.CultureInfo.InvariantCulture);
            if (highestLogged > highestGiven)
                throw new ProcessingLogFileException(
                    $"The database file is older than its processing log: the log names person {highestLogged}, the database has given out person ids " +
                    $"only up to {highestGiven}. A new person would take an id the log already names. Restore the database file and its log from the same backup.");
        }
        finally
        {
            await db.Database.CloseConnectionAsync();
        }
    }
}
