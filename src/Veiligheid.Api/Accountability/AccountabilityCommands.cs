using System.Data.Common;
using System.Globalization;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Options;
using Veiligheid.Data;
using Veiligheid.Hosting;

namespace Veiligheid.Accountability;

/// <summary>
/// The command verbs of accountable access, on the configured database (or the SQLite file given with --database):
/// <c>verify-log [--expect SEQUENCE:HASH]…</c> checks the processing log's hash chain and its rows, and that it still holds
/// heads kept from earlier checks; <c>retention [--dry-run] [--as-of DATE]</c> applies the
/// retention terms.
/// </summary>
public static class AccountabilityCommands
{
    public const int ExitOk = 0;
    public const int ExitBroken = 1;
    public const int ExitUsage = 2;

    /// <summary>
    /// <c>verify-log [--database PATH] [--expect SEQUENCE:HASH]…</c>: checks the chain and its rows
    /// (<see cref="ProcessingLog.VerifyAsync"/>), that the log still holds each kept head given with <c>--expect</c>, that
    /// the index by data subject names no record above the log's end and names every record below it as the log does,
    /// and on SQLite that the hub's reads of the log resolve to the objects it made and find the values it wrote
    /// (<see cref="SqliteLogFile.ReadPathProblemAsync"/>); prints the chain's head to keep for the next check. Exit 0 when
    /// whole, 1 with the first problem when not (or when the log is missing or unreadable), 2 on usage.
    /// </summary>
    public static async Task<int> VerifyLogAsync(string[] args, TextWriter? output = null, TextWriter? error = null)
    {
        output ??= Console.Out;
        error ??= Console.Error;
        const string usage = "Usage: verify-log [--database PATH] [--expect SEQUENCE:HASH]…";
        if (AsksForHelp(args))
        {
            await output.WriteLineAsync(usage);
            return ExitOk;
        }
        if (!TryReadDatabase(args, out var database, out var rest) || !TryReadHeads(rest, out var expected) || rest.Count > 0)
        {
            await error.WriteLineAsync(usage);
            return ExitUsage;
        }
        await using var services = BuildServices(database);
        await using var scope = services.CreateAsyncScope();
        var db = scope.ServiceProvider.GetRequiredService<VeiligheidDbContext>();
        if (await MissingAsync(db, error)) return ExitUsage;
        var (hubFile, logFile) = LogFilesOf(db);
        // Opening a missing log would make an empty one (SQLite's ATTACH creates a missing file), which verifies as an empty log.
        if (await LogFileMissingAsync(hubFile, logFile, error)) return ExitBroken;
        // On SQLite the log's file and its index's are each read alone, so the chain's verdict needs no index (nor the
        // hub's file); on SQL Server both are in the hub's database.
        await using var logDb = logFile is null ? null : DatabaseSetup.OpenSqliteFileAlone(logFile);
        ChainVerification verification;
        string? misread = null;
        try
        {
            verification = await ProcessingLog.VerifyAsync(logDb ?? db, CancellationToken.None, expected);
            // Only when the rows hold: past a broken record its evidence adds nothing.
            if (verification.IsIntact) (verification, misread) = await AgainstIndexAsync(db, logDb ?? db, hubFile, verification, error);
            // What the hub's reads of the log resolve to, on SQLite's files (the chain covers the rows, not the objects that read them).
            if (verification.IsIntact && misread is null && hubFile is not null)
                misread = await SqliteLogFile.ReadPathProblemAsync(db, hubFile, CancellationToken.None);
        }
        catch (DbException e)
        {
            // A log file without the log's tables (never started by the hub), or one SQLite cannot read: the reason, no trace.
            await error.WriteLineAsync($"The processing log cannot be read: {e.Message}");
            return ExitBroken;
        }
        catch (Exception e) when (e is FormatException or OverflowException or InvalidCastException or InvalidOperationException)
        {
            // A value edited into a form EF Core cannot read as its property's type (a time, a GUID, an enum's name, an
            // integer past its range, NULL where the hub always writes one): not a log the hub wrote, and no trace.
            await error.WriteLineAsync($"The processing log cannot be read: a value in it is not of its column's type ({e.Message}).");
            return ExitBroken;
        }
        if (!verification.IsIntact)
        {
            await error.WriteLineAsync(string.Create(CultureInfo.InvariantCulture,
                $"The processing log is BROKEN at record {verification.BrokenAt}: {verification.Problem}. {verification.Verified} records before it verified."));
            return ExitBroken;
        }
        if (misread is not null)
        {
            // Not "intact": what the privacy officer is shown is not what the chain holds.
            await error.WriteLineAsync(string.Create(CultureInfo.InvariantCulture,
                $"The processing log's chain is whole ({verification.Verified} records verified), but the hub does not read it as written: {misread}."));
            return ExitBroken;
        }
        await output.WriteLineAsync(string.Create(CultureInfo.InvariantCulture, $"The processing log is intact: {verification.Verified} records verified."));
        await output.WriteLineAsync($"Head: {verification.Head} (keep this line elsewhere; verify-log --expect {verification.Head} checks later that the log still holds it)");
        return ExitOk;
    }

    /// <summary>
    /// The index by data subject against the whole chain: index rows above the log's end mean records were removed from its
    /// end (the chain's verdict, <see cref="ProcessingLog.MissingFromEndAsync"/>); a row missing or naming another person
    /// below that end (<see cref="ProcessingLogIndex.DisagreementAsync"/>) leaves the record out of the look-ups by person
    /// and BSN and of the access reports (returned as what the hub misreads). An index that cannot be read is said on
    /// <paramref name="error"/>, apart from the chain's verdict (the index is derived, and the hub sets an unreadable one
    /// aside and makes it again); on SQLite a missing index file is made again at the hub's next start. The index's end
    /// is read before the log's end is read again.
    /// </summary>
    private static async Task<(ChainVerification Verification, string? Misread)> AgainstIndexAsync(VeiligheidDbContext db, VeiligheidDbContext log,
        string? hubFile, ChainVerification verification, TextWriter error)
    {
        var indexFile = hubFile is null ? null : SqliteLogFile.IndexPathFor(hubFile);
        if (indexFile is not null && !File.Exists(indexFile)) return (verification, null);
        long indexEnd;
        // An index of another shape (an earlier version's, left until the hub's next start makes it again, or one edited)
        // cannot be read as this one: said as what the hub misreads, not as an error of reading the log. Read once, here.
        var shape = indexFile is null ? null : await SqliteLogFile.IndexShapeProblemAsync(db, indexFile, CancellationToken.None);
        await using var indexDb = indexFile is null ? null : DatabaseSetup.OpenSqliteFileAlone(indexFile);
        var index = indexDb ?? db;
        try
        {
            indexEnd = await ProcessingLogIndex.EndAsync(index, CancellationToken.None);
        }
        catch (DbException e)
        {
            if (shape is not null) return (verification, shape);
            await error.WriteLineAsync($"The processing log's index by data subject could not be read; the chain's verdict does not depend on it. {e.Message}");
            return (verification, null);
        }
        if (await ProcessingLog.MissingFromEndAsync(log, indexEnd, CancellationToken.None) is { } missing) return (missing, null);
        if (shape is not null) return (verification, shape);
        if (indexFile is not null && await SqliteLogFile.IndexStoredFormProblemAsync(db, indexFile, CancellationToken.None) is { } misstored) return (verification, misstored);
        if (await ProcessingLogIndex.DisagreementAsync(log, index, indexEnd, CancellationToken.None) is not { } disagreement) return (verification, null);
        // The index is derived from the log, so it can be made again; the disagreeing one is evidence of what was changed.
        var remake = indexFile is null
            ? $"copy the tables {string.Join(", ", ProcessingLogIndex.Tables)} aside as evidence and empty them; the hub's indexer fills them again from the log"
            : $"with the hub stopped, move {indexFile} (with its -wal and -shm files) aside as evidence; the hub makes the index again from the log at its next start";
        return (verification, $"{disagreement}, so the look-ups by person and BSN, and the access reports, leave that record out (the index was edited, or " +
                              $"records were removed from the log's end and written again before the indexer saw it). To make the index agree: {remake}");
    }

    /// <summary>Takes every <c>--expect SEQUENCE:HASH</c> out of <paramref name="rest"/>; false when one has no valid head after it.</summary>
    private static bool TryReadHeads(List<string> rest, out List<ChainHead> heads)
    {
        heads = [];
        for (var index = rest.IndexOf("--expect"); index >= 0; index = rest.IndexOf("--expect"))
        {
            if (index + 1 >= rest.Count || !ChainHead.TryParse(rest[index + 1], out var head)) return false;
            heads.Add(head);
            rest.RemoveRange(index, 2);
        }
        return true;
    }

    /// <summary>Whether the arguments ask for the usage (the usual spellings): answered on standard output, exit 0.</summary>
    private static bool AsksForHelp(string[] args) => args.Any(a => a is "--help" or "-h" or "-?");

    public static async Task<int> RetentionAsync(string[] args, TextWriter? output = null, TextWriter? error = null)
    {
        output ??= Console.Out;
        error ??= Console.Error;
        const string usage = "Usage: retention [--dry-run] [--as-of YYYY-MM-DD] [--database PATH]";
        if (AsksForHelp(args))
        {
            await output.WriteLineAsync(usage);
            return ExitOk;
        }
        if (!TryReadDatabase(args, out var database, out var rest))
        {
            await error.WriteLineAsync(usage);
            return ExitUsage;
        }
        var dryRun = rest.Remove("--dry-run");
        var asOf = DateTime.UtcNow;
        var asOfIndex = rest.IndexOf("--as-of");
        if (asOfIndex >= 0)
        {
            if (asOfIndex + 1 >= rest.Count || !DateTime.TryParseExact(rest[asOfIndex + 1], "yyyy-MM-dd", CultureInfo.InvariantCulture,
                    DateTimeStyles.AdjustToUniversal | DateTimeStyles.AssumeUniversal, out asOf))
            {
                await error.WriteLineAsync("--as-of needs a date, YYYY-MM-DD.");
                await error.WriteLineAsync(usage);
                return ExitUsage;
            }
            rest.RemoveRange(asOfIndex, 2);
        }
        if (rest.Count > 0)
        {
            await error.WriteLineAsync($"Unknown argument '{rest[0]}'.");
            await error.WriteLineAsync(usage);
            return ExitUsage;
        }

        await using var services = BuildServices(database);
        await using var scope = services.CreateAsyncScope();
        var db = scope.ServiceProvider.GetRequiredService<VeiligheidDbContext>();
        if (await MissingAsync(db, error)) return ExitUsage;
        var (hubFile, logFile) = LogFilesOf(db);
        if (await LogFileMissingAsync(hubFile, logFile, error)) return ExitBroken;
        var plan = await Retention.PlanAsync(db, asOf, CancellationToken.None);
        await WritePlanAsync(output, plan, dryRun);
        if (dryRun) return ExitOk;
        var kept = await Retention.ApplyAsync(db, plan, CancellationToken.None);
        if (kept.Persons.Count > 0)
            await output.WriteLineAsync(string.Create(CultureInfo.InvariantCulture,
                $"  kept after all, since something refers to them now that did not when the plan was made: {kept.Persons.Count} of the persons listed (ids {string.Join(", ", kept.Persons)})"));
        if (kept.TenantsWithScores > 0)
            await output.WriteLineAsync(string.Create(CultureInfo.InvariantCulture,
                $"  and {kept.TenantsWithScores} of the tenants kept by a tenancy alone are tied to the hub otherwise now: their scores and signals stay"));
        return ExitOk;
    }

    private static async Task WritePlanAsync(TextWriter output, RetentionPlan plan, bool dryRun)
    {
        var verb = dryRun ? "would remove" : "removed";
        await output.WriteLineAsync(string.Create(CultureInfo.InvariantCulture,
            $"Retention as of {plan.AsOf:yyyy-MM-dd}{(dryRun ? " (dry run: nothing is changed)" : "")}: {verb} {plan.Cases.Count} closed cases past their term."));
        foreach (var c in plan.Cases)
            await output.WriteLineAsync(string.Create(CultureInfo.InvariantCulture, $"  case {c.Id} ({c.Kind}), closed {c.ClosedAt:yyyy-MM-dd}, term {c.RetentionYears} years"));
        await output.WriteLineAsync(string.Create(CultureInfo.InvariantCulture,
            $"  with {plan.CaseSubjects} subject links, {plan.CaseLocations} location links, {plan.Participants} participants, {plan.StatusChanges} status changes, {plan.Contributions} contributions, {plan.Interventions} interventions"));
        await output.WriteLineAsync(string.Create(CultureInfo.InvariantCulture,
            $"  and {plan.Persons.Count} persons nothing else refers to{(plan.Persons.Count > 0 ? ": ids " + string.Join(", ", plan.Persons) : "")}"));
        if (plan.Persons.Count > 0)
        {
            var rows = plan.PersonRows;
            await output.WriteLineAsync(string.Create(CultureInfo.InvariantCulture,
                $"  with their {rows.LifeDomainScores} life-domain scores, {rows.PoliceSignals} police signals, {rows.EndedTenancies} ended tenancies and {rows.Consents} consents"));
        }
        // Who stays is said too, as counts (never an id: these persons are still held, and a list of them would say which).
        var kept = plan.Kept;
        if (kept.Persons > 0)
            await output.WriteLineAsync(string.Create(CultureInfo.InvariantCulture,
                $"  keeping {kept.Persons} of their subjects, still needed: {kept.InOtherCases} in another case, {kept.InIncidents} in an incident, {kept.WithOtherInterventions} with an intervention outside these cases, {kept.WithCurrentTenancies} with a current tenancy (a person may have several reasons)"));
        var tenants = plan.TenancyOnly;
        if (tenants.Persons.Count > 0)
            await output.WriteLineAsync(string.Create(CultureInfo.InvariantCulture,
                $"  of whom {tenants.Persons.Count} kept by a current tenancy alone, without their {tenants.LifeDomainScores} life-domain scores and {tenants.PoliceSignals} police signals (recorded for the joint work that ends with these cases)"));
    }

    /// <summary>On SQLite, the hub's file and the log's file beside it; both null on SQL Server (one database holds all).</summary>
    private static (string? HubFile, string? LogFile) LogFilesOf(VeiligheidDbContext db)
        => SqliteOwnConnection.PathOf(db) is { } hubFile ? (hubFile, SqliteLogFile.PathFor(hubFile)) : (null, null);

    /// <summary>
    /// Whether the log's file is missing beside the hub's (said on <paramref name="error"/>): a verb that opened the
    /// database would attach it, and SQLite's ATTACH makes a missing file, empty, where the backup's should be restored.
    /// </summary>
    private static async Task<bool> LogFileMissingAsync(string? hubFile, string? logFile, TextWriter error)
    {
        if (logFile is null || File.Exists(logFile)) return false;
        await error.WriteLineAsync($"The processing log is missing: there is no {logFile} beside {hubFile}. " +
                                   "Restore it from the backup made with the database.");
        return true;
    }

    /// <summary>
    /// Whether the SQLite file the verb would work on does not exist (said on <paramref name="error"/>): opening it would
    /// create an empty one, and the verb would then fail on tables that are not there.
    /// </summary>
    private static async Task<bool> MissingAsync(VeiligheidDbContext db, TextWriter error)
    {
        if (SqliteOwnConnection.PathOf(db) is not { } file || File.Exists(file)) return false;
        await error.WriteLineAsync($"There is no database at {file}.");
        return true;
    }

    private static bool TryReadDatabase(string[] args, out string? database, out List<string> rest)
    {
        rest = [.. args];
        database = null;
        var index = rest.IndexOf("--database");
        if (index < 0) return true;
        if (index + 1 >= rest.Count) return false;
        database = rest[index + 1];
        rest.RemoveRange(index, 2);
        return true;
    }

    private static ServiceProvider BuildServices(string? sqlitePath)
    {
        var builder = WebApplication.CreateBuilder(HubHostOptions.For([]));
        // The verbs' output is their report; EF Core's statement log would drown it.
        builder.Logging.AddFilter("Microsoft.EntityFrameworkCore", LogLevel.Warning);
        if (sqlitePath is not null)
        {
            builder.Configuration[$"{DatabaseOptions.Section}:{nameof(DatabaseOptions.Provider)}"] = nameof(DatabaseProvider.Sqlite);
            builder.Configuration[$"{DatabaseOptions.Section}:{nameof(DatabaseOptions.SqlitePath)}"] = sqlitePath;
        }
        builder.Services.AddVeiligheidData(builder.Configuration);
        return builder.Services.BuildServiceProvider();
    }
}

/// <summary>Registers the processing log.</summary>
public static class AccountabilitySetup
{
    public static IServiceCollection AddVeiligheidAccountability(this IServiceCollection services, IConfiguration configuration)
    {
        services.Configure<ProcessingLogOptions>(configuration.GetSection(ProcessingLogOptions.Section));
        services.AddSingleton(sp => new ProcessingLog(sp.GetRequiredService<IOptions<ProcessingLogOptions>>(), sp.GetRequiredService<IHostEnvironment>(), sp.GetService<TimeProvider>()));
        // One indexer per host keeps the log's index by data subject current, off the requests' commits.
        services.AddSingleton<ProcessingLogIndexer>();
        services.AddHostedService(sp => sp.GetRequiredService<ProcessingLogIndexer>());
        return services;
    }
}
