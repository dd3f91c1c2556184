using System.Data.Common;
using System.Diagnostics;
using System.Globalization;
using System.Text;
using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Infrastructure;
using Microsoft.EntityFrameworkCore.Metadata;
using Microsoft.EntityFrameworkCore.Storage;
using Microsoft.EntityFrameworkCore.Storage.ValueConversion;
using Veiligheid.Incidents;

namespace Veiligheid.Data.Seeding;

/// <summary>
/// Writes a <see cref="SyntheticDataSet"/> into an empty, migrated database. It bypasses the change tracker (a million
/// tracked entities would take minutes and gigabytes) and inserts with prepared, parameterised commands in one
/// transaction. Table names, column names, value converters and parameter types all come from the EF model, so the
/// writer follows the model as it changes.
/// </summary>
public static class SeedWriter
{
    /// <summary>Incidents are written in chunks, each followed by its persons, so referenced rows always exist first.</summary>
    private const int IncidentChunk = 10_000;

    /// <summary>Writes <paramref name="data"/> into the (empty) database behind <paramref name="db"/>.</summary>
    /// <param name="log">Receives progress lines (counts and timings only, never personal data).</param>
    public static async Task WriteAsync(VeiligheidDbContext db, SyntheticDataSet data, Action<string>? log = null,
        CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(db);
        ArgumentNullException.ThrowIfNull(data);
        log ??= _ => { };

        if (await db.Organisations.AnyAsync(cancellationToken))
            throw new InvalidOperationException("The database already holds data; the seed only writes into an empty database.");

        await db.Database.OpenConnectionAsync(cancellationToken);
        try
        {
            var connection = db.Database.GetDbConnection();
            var sqlite = db.OnSqlite;
            var ownTransaction = db.Database.CurrentTransaction is null;
            var restore = sqlite && ownTransaction ? await TuneSqliteAsync(connection, cancellationToken) : [];
            try
            {
                var transaction = db.Database.CurrentTransaction?.GetDbTransaction()
                    ?? await connection.BeginTransactionAsync(cancellationToken);
                try
                {
                    await WriteAllAsync(new Writer(db, connection, transaction, log), data, log, cancellationToken);
                    if (ownTransaction) await transaction.CommitAsync(cancellationToken);
                }
                finally
                {
                    if (ownTransaction) await transaction.DisposeAsync();
                }
            }
            finally
            {
                foreach (var statement in restore) await ExecuteAsync(connection, null, statement, CancellationToken.None);
            }
        }
        finally
        {
            await db.Database.CloseConnectionAsync();
        }
    }

    private static async Task WriteAllAsync(Writer writer, SyntheticDataSet data, Action<string> log, CancellationToken ct)
    {
        var total = Stopwatch.StartNew();
        await writer.WriteAsync(data.Organisations, ct);
        await writer.WriteAsync(data.Districts, ct);
        await writer.WriteAsync(data.Neighbourhoods, ct);
        await writer.WriteAsync(data.Locations, ct);
        await writer.WriteAsync(data.Persons, ct);
        await writer.WriteAsync(data.LifeDomainScores, ct);
        await writer.WriteAsync(data.PoliceSignals, ct);
        await writer.WriteAsync(data.Tenancies, ct);
        await writer.WriteAsync(data.Consents, ct);
        await WriteIncidentsAsync(writer, data, log, ct);
        await writer.WriteAsync(data.Cases, ct);
        await writer.WriteAsync(data.CaseSubjects, ct);
        await writer.WriteAsync(data.CaseLocations, ct);
        await writer.WriteAsync(data.CaseParticipants, ct);
        await writer.WriteAsync(data.CaseStatusChanges, ct);
        await writer.WriteAsync(data.CaseContributions, ct);
        await writer.WriteAsync(data.Interventions, ct);
        log(string.Create(CultureInfo.InvariantCulture, $"All rows written in {total.Elapsed.TotalSeconds:F1} s; committing."));
    }

    private static async Task WriteIncidentsAsync(Writer writer, SyntheticDataSet data, Action<string> log, CancellationToken ct)
    {
        var watch = Stopwatch.StartNew();
        await using var incidents = writer.For<Incident>();
        await using var involved = writer.For<IncidentPerson>();
        var chunk = new List<Incident>(IncidentChunk);
        var written = 0;
        var persons = 0;
        var nextReport = 100_000;
        foreach (var incident in data.Incidents)
        {
            chunk.Add(incident);
            if (chunk.Count == IncidentChunk) await FlushAsync();
        }
        await FlushAsync();
        log(string.Create(CultureInfo.InvariantCulture,
            $"  Incidents: {written:N0} rows, IncidentPersons: {persons:N0} rows ({watch.Elapsed.TotalSeconds:F1} s)"));

        async Task FlushAsync()
        {
            foreach (var incident in chunk) await incidents.AddAsync(incident, ct);
            await incidents.FlushAsync(ct);
            foreach (var incident in chunk)
            {
                foreach (var person in incident.Persons) await involved.AddAsync(person, ct);
                persons += incident.Persons.Count;
            }
            await involved.FlushAsync(ct);
            written += chunk.Count;
            chunk.Clear();
            if (written >= nextReport)
            {
                log(string.Create(CultureInfo.InvariantCulture,
                    $"  Incidents: {written:N0} of {data.IncidentCount:N0} ({watch.Elapsed.TotalSeconds:F1} s)"));
                nextReport += 100_000;
            }
        }
    }

    /// <summary>
    /// A bulk load into a fresh file needs no durability against power loss (a failed seed is simply run again), so
    /// no fsyncs and no WAL. The rollback journal stays (in memory) so that a failure midway still rolls back and does
    /// not leave a half-seeded database that a later start would take for a complete one. Returns the statements
    /// that put the connection's settings back.
    /// </summary>
    private static async Task<List<string>> TuneSqliteAsync(DbConnection connection, CancellationToken ct)
    {
        var synchronous = await ScalarAsync(connection, "PRAGMA synchronous;", ct);
        var journal = await ScalarAsync(connection, "PRAGMA journal_mode;", ct);
        var cache = await ScalarAsync(connection, "PRAGMA cache_size;", ct);
        // In-memory databases keep their own journal mode.
        var fileBacked = !string.Equals(journal, "memory", StringComparison.OrdinalIgnoreCase);
        if (fileBacked) await ExecuteAsync(connection, null, "PRAGMA journal_mode=MEMORY;", ct);
        await ExecuteAsync(connection, null, "PRAGMA synchronous=OFF;", ct);
        await ExecuteAsync(connection, null, "PRAGMA cache_size=-262144;", ct); // 256 MB: the indexes stay in memory
        var restore = new List<string>
        {
            $"PRAGMA synchronous={synchronous};",
            $"PRAGMA cache_size={cache};",
        };
        if (fileBacked) restore.Add($"PRAGMA journal_mode={journal};");
        return restore;
    }

    private static async Task<string> ScalarAsync(DbConnection connection, string sql, CancellationToken ct)
    {
        await using var command = connection.CreateCommand();
        command.CommandText = sql;
        return Convert.ToString(await command.ExecuteScalarAsync(ct), CultureInfo.InvariantCulture) ?? "";
    }

    private static async Task ExecuteAsync(DbConnection connection, DbTransaction? transaction, string sql, CancellationToken ct)
    {
        await using var command = connection.CreateCommand();
        command.Transaction = transaction;
#pragma warning disable CA2100 // Only fixed pragmas and model-derived identifiers, never input.
        command.CommandText = sql;
#pragma warning restore CA2100
        await command.ExecuteNonQueryAsync(ct);
    }

    /// <summary>Makes table inserters on one connection and transaction.</summary>
    private sealed class Writer(DbContext db, DbConnection connection, DbTransaction transaction, Action<string> log)
    {
        private readonly bool _sqlServer = db.Database.IsSqlServer();

        // SQL Server: many rows per statement (round trips); SQLite: one prepared row per statement (binding cost
        // grows with the statement in-process). SQL Server allows 2,100 parameters per command.
        public TableInserter<T> For<T>() where T : class
            => new(db, connection, transaction, rowsPerStatement: _sqlServer ? 200 : 1, explicitKeys: true);

        public async Task WriteAsync<T>(IReadOnlyList<T> rows, CancellationToken ct) where T : class
        {
            var watch = Stopwatch.StartNew();
            await using (var inserter = For<T>())
            {
                foreach (var row in rows) await inserter.AddAsync(row, ct);
            }
            log(string.Create(CultureInfo.InvariantCulture,
                $"  {typeof(T).Name}: {rows.Count:N0} rows ({watch.Elapsed.TotalSeconds:F1} s)"));
        }
    }
}
