using System.Collections.Concurrent;
using System.Security.Cryptography;
using Microsoft.AspNetCore.Hosting;
using Microsoft.Data.Sqlite;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Microsoft.SqlServer.TransactSql.ScriptDom;
using Veiligheid.Accountability;
using Veiligheid.Data;
using Veiligheid.Tests.Infrastructure;

namespace Veiligheid.Tests.Accountability;

/// <summary>
/// verify-log on a log whose stored rows were edited: rows that disagree with the chain, an end removed (seen against a
/// kept head, or through the index by data subject), a chain written again; and a log whose index cannot be read.
/// </summary>
public sealed class VerifyLogTests : IDisposable
{
    private readonly TestDirectory _directory = new();

    public void Dispose() => _directory.Dispose();

    [Fact]
    public async Task A_whole_log_prints_its_head_and_a_later_check_against_that_head_passes()
    {
        var (path, records) = await LogAsync("whole.db", 3, 2);

        var first = await VerifyAsync(path);
        Assert.Equal(AccountabilityCommands.ExitOk, first.Exit);
        Assert.Contains("5 records verified", first.Output, StringComparison.Ordinal);
        var head = $"5:{records[^1].Hash}";
        Assert.Contains($"Head: {head} ", first.Output, StringComparison.Ordinal);

        var second = await VerifyAsync(path, "--expect", head, "--expect", $"2:{records[1].Hash.ToUpperInvariant()}");
        Assert.Equal(AccountabilityCommands.ExitOk, second.Exit);
        Assert.Equal(AccountabilityCommands.ExitUsage, (await VerifyAsync(path, "--expect", "5:not-a-hash")).Exit);
    }

    [Fact]
    public async Task Records_removed_from_the_end_fail_against_a_kept_head()
    {
        var (path, records) = await LogAsync("truncated.db", 3, 2, 2);
        var head = $"7:{records[^1].Hash}";

        // The last request's records and its action go: what is left is a whole chain of 5.
        Tamper(path, "DELETE FROM \"ProcessingLog\" WHERE \"Sequence\" >= 6; DELETE FROM \"ProcessingActions\" WHERE \"Id\" = 6;");
        Assert.Equal(AccountabilityCommands.ExitOk, (await VerifyAsync(path)).Exit); // a hash chain alone cannot tell
        var truncated = await VerifyAsync(path, "--expect", head);
        Assert.Equal(AccountabilityCommands.ExitBroken, truncated.Exit);
        Assert.Contains("BROKEN at record 6: the log ends at record 5, but a kept head names record 7", truncated.Error, StringComparison.Ordinal);

        // Every record gone.
        Tamper(path, "DELETE FROM \"ProcessingLog\"; DELETE FROM \"ProcessingActions\";");
        var empty = await VerifyAsync(path, "--expect", head);
        Assert.Equal(AccountabilityCommands.ExitBroken, empty.Exit);
        Assert.Contains("BROKEN at record 1: the log ends at record 0", empty.Error, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_last_record_changed_and_hashed_again_fails_against_a_kept_head()
    {
        var (path, records) = await LogAsync("rehashed.db", 3, 2);
        var head = $"5:{records[^1].Hash}";

        // Nothing comes after the last record to show the change: its new hash is as good as the old.
        var last = records[^1];
        last.Categories = "Adres";
        var rehashed = ProcessingLog.HashOf(last);
        Tamper(path, $"UPDATE \"ProcessingLog\" SET \"Categories\" = 'Adres', \"Hash\" = '{rehashed}' WHERE \"Sequence\" = 5;");
        Assert.Equal(AccountabilityCommands.ExitOk, (await VerifyAsync(path)).Exit);

        var result = await VerifyAsync(path, "--expect", head);
        Assert.Equal(AccountabilityCommands.ExitBroken, result.Exit);
        Assert.Contains($"BROKEN at record 5: record 5 has the hash {rehashed}, not the kept head's {records[^1].Hash}", result.Error, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Person_rows_whose_action_is_gone_break_the_log()
    {
        var (path, _) = await LogAsync("actionless.db", 3, 2);

        // Only possible with the foreign key check off: the view's inner join then drops records 4 and 5.
        Tamper(path, "DELETE FROM \"ProcessingActions\" WHERE \"Id\" = 4;");

        var result = await VerifyAsync(path);
        Assert.Equal(AccountabilityCommands.ExitBroken, result.Exit);
        Assert.Contains("BROKEN at record 4: record 4 has no action: action 4, which it names, is missing", result.Error, StringComparison.Ordinal);
    }

    [Fact]
    public async Task An_action_without_records_breaks_the_log()
    {
        var (path, _) = await LogAsync("orphan.db", 3, 2);

        // An action at the next sequence: every later write would fail on its key, while the chain itself is whole.
        Tamper(path, """
            INSERT INTO "ProcessingActions" ("Id", "ActionId", "ActionName", "OccurredAt", "OrganisationId", "OrganisationKey", "Role", "ApplicationId", "UserId", "Purpose", "LegalGround", "RetentionYears")
            SELECT 6, "ActionId", "ActionName", "OccurredAt", "OrganisationId", "OrganisationKey", "Role", "ApplicationId", "UserId", "Purpose", "LegalGround", "RetentionYears" FROM "ProcessingActions" WHERE "Id" = 4;
            """);

        var result = await VerifyAsync(path);
        Assert.Equal(AccountabilityCommands.ExitBroken, result.Exit);
        Assert.Contains("BROKEN at record 6: action 6 has no records", result.Error, StringComparison.Ordinal);
    }

    [Fact]
    public async Task An_action_keyed_by_another_sequence_than_its_first_records_breaks_the_log()
    {
        var (path, _) = await LogAsync("rekeyed.db", 3, 2);

        Tamper(path, "UPDATE \"ProcessingActions\" SET \"Id\" = 5 WHERE \"Id\" = 4; UPDATE \"ProcessingLog\" SET \"ActionKey\" = 5 WHERE \"ActionKey\" = 4;");

        var result = await VerifyAsync(path);
        Assert.Equal(AccountabilityCommands.ExitBroken, result.Exit);
        Assert.Contains("BROKEN at record 4: record 4 names action 5, which neither begins at it nor is the action of the record before it", result.Error, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Index_rows_above_the_logs_end_show_records_removed_from_it()
    {
        var (path, _) = await LogAsync("indexed.db", 3, 2);
        await using (var db = DatabaseSetup.OpenSqlite(path))
            Assert.Equal(5, await db.Database.ExecuteSqlRawAsync(ProcessingLogIndex.CopySql(sqlServer: false, 100))); // the indexer's copy

        Tamper(path, "DELETE FROM \"ProcessingLog\" WHERE \"Sequence\" >= 4; DELETE FROM \"ProcessingActions\" WHERE \"Id\" = 4;");
        var truncated = await VerifyAsync(path);
        Assert.Equal(AccountabilityCommands.ExitBroken, truncated.Exit);
        Assert.Contains("BROKEN at record 4: the log ends at record 3, but its index by data subject names records up to 5", truncated.Error, StringComparison.Ordinal);

        Tamper(path, "DELETE FROM \"ProcessingLog\"; DELETE FROM \"ProcessingActions\";");
        var emptied = await VerifyAsync(path);
        Assert.Equal(AccountabilityCommands.ExitBroken, emptied.Exit);
        Assert.Contains("BROKEN at record 1: the log ends at record 0", emptied.Error, StringComparison.Ordinal);
    }

    [Fact]
    public async Task An_unreadable_index_file_is_said_apart_from_the_chains_verdict()
    {
        var (path, _) = await LogAsync("garbled.db", 3, 2);
        await File.WriteAllBytesAsync(SqliteLogFile.IndexPathFor(path), RandomNumberGenerator.GetBytes(16384));

        var result = await VerifyAsync(path);
        Assert.Equal(AccountabilityCommands.ExitOk, result.Exit);
        Assert.Contains("5 records verified", result.Output, StringComparison.Ordinal);
        Assert.Contains("index by data subject could not be read", result.Error, StringComparison.Ordinal);
        Assert.Contains("the chain's verdict does not depend on it", result.Error, StringComparison.Ordinal);
    }

    [Fact]
    public void The_walks_queries_are_valid_TSql()
    {
        using var sqlServer = new SqlServerDesignTimeFactory().CreateDbContext([]);
        var statements = new[]
        {
            ProcessingLog.StoredRecords(sqlServer).ToQueryString(),
            ProcessingLog.ActionsWithoutRecords(sqlServer).Take(1).ToQueryString(),
        };
        foreach (var statement in statements)
        {
            new TSql160Parser(initialQuotedIdentifiers: true).Parse(new StringReader(statement), out var errors);
            Assert.True(errors.Count == 0, statement + "\n" + string.Join("\n", errors.Select(e => $"line {e.Line}: {e.Message}")));
        }
        Assert.Contains("LEFT JOIN [ProcessingActions]", statements[0], StringComparison.Ordinal);
    }

    /// <summary>
    /// A migrated database at this name in the test's directory whose log holds one request (an action) per count, with that
    /// many records each, written by the log's own writer; the records as written.
    /// </summary>
    private async Task<(string Path, List<ProcessingRecord> Records)> LogAsync(string name, params int[] requests)
    {
        var path = _directory.File(name);
        var requestRecords = requests.Select(count =>
        {
            var first = ChainedRecords.After(0, ProcessingLog.GenesisHash, personId: 1);
            return Enumerable.Range(0, count).Select(i =>
            {
                var record = ChainedRecords.After(0, ProcessingLog.GenesisHash, personId: i + 1, protectedBsn: new string((char)('a' + i), 64));
                record.ActionId = first.ActionId;
                record.OccurredAt = first.OccurredAt;
                return record;
            }).ToList();
        }).ToList();
        await using (var db = DatabaseSetup.OpenSqlite(path))
        {
            await db.MigrateAsync();
            using var writer = SqliteLogWriter.For(db)!;
            writer.Write((sequence, previous) => ProcessingLog.Chain(requestRecords, sequence, previous));
        }
        SqliteConnection.ClearAllPools();
        return (path, [.. requestRecords.SelectMany(r => r)]);
    }

    /// <summary>Runs SQL on the log's file alone, as someone with the file would: no foreign key check, nothing attached.</summary>
    internal static void Tamper(string path, string sql)
    {
        using var connection = new SqliteConnection($"Data Source={SqliteLogFile.PathFor(path)};Pooling=False;Foreign Keys=False");
        connection.Open();
        using var command = connection.CreateCommand();
        command.CommandText = sql;
        command.ExecuteNonQuery();
    }

    internal static async Task<(int Exit, string Output, string Error)> VerifyAsync(string path, params string[] args)
    {
        var (output, error) = (new StringWriter(), new StringWriter());
        var exit = await AccountabilityCommands.VerifyLogAsync(["--database", path, .. args], output, error);
        return (exit, output.ToString(), error.ToString());
    }
}

/// <summary>The indexer, finding index rows above the log's end, says so before it removes them.</summary>
public sealed class ProcessingLogIndexerRemovedEndTests
{
    [Fact]
    public async Task The_indexer_warns_of_records_removed_from_the_logs_end_and_names_no_person()
    {
        using var factory = new UnindexedHubFactory();
        var warnings = new ConcurrentQueue<string>();
        await using var watched = factory.WithWebHostBuilder(b => b.ConfigureLogging(l => l.AddProvider(new WarningCollector(warnings))));
        var indexer = watched.Services.GetRequiredService<ProcessingLogIndexer>();
        var persons = factory.Persons(2);
        await factory.AppendAsync(persons, rounds: 3);
        await indexer.IndexPendingAsync(CancellationToken.None);
        var end = factory.LogRecords()[^1].Sequence;

        // The last request's records and its action removed from the log's file.
        factory.WithDb(db => db.Database.ExecuteSql($"DELETE FROM ProcessingLog WHERE Sequence > {end - 2}"));
        factory.WithDb(db => db.Database.ExecuteSql($"DELETE FROM ProcessingActions WHERE Id = {end - 1}"));
        Assert.Equal(AccountabilityCommands.ExitBroken, (await VerifyLogTests.VerifyAsync(factory.DatabasePath)).Exit);
        await indexer.IndexPendingAsync(CancellationToken.None);

        var warning = Assert.Single(warnings, w => w.Contains(nameof(ProcessingLogIndexer), StringComparison.Ordinal));
        Assert.Contains($"The processing log ends at record {end - 2}, but its index by data subject named 2 records above it", warning, StringComparison.Ordinal);
        Assert.DoesNotContain(persons, p => warning.Contains(p.Bsn, StringComparison.Ordinal));
        factory.AssertIndexHoldsTheLog();
    }

    /// <summary>Keeps every entry at Warning and above as "category: message".</summary>
    private sealed class WarningCollector(ConcurrentQueue<string> entries) : ILoggerProvider
    {
        public ILogger CreateLogger(string categoryName) => new Named(entries, categoryName);

        public void Dispose() { }

        private sealed class Named(ConcurrentQueue<string> entries, string category) : ILogger
        {
            public IDisposable? BeginScope<TState>(TState state) where TState : notnull => null;

            public bool IsEnabled(LogLevel logLevel) => logLevel >= LogLevel.Warning;

            public void Log<TState>(LogLevel logLevel, EventId eventId, TState state, Exception? exception, Func<TState, Exception?, string> formatter)
            {
                if (IsEnabled(logLevel)) entries.Enqueue($"{category}: {formatter(state, exception)}");
            }
        }
    }
}
