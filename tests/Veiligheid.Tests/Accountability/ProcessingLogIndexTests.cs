using System.Data.Common;
using System.Globalization;
using System.Net;
using Microsoft.AspNetCore.Hosting;
using Microsoft.Data.Sqlite;
using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Infrastructure;
using Microsoft.EntityFrameworkCore.Migrations;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.SqlServer.TransactSql.ScriptDom;
using Veiligheid.Access;
using Veiligheid.Accountability;
using Veiligheid.Data;
using Veiligheid.Data.Seeding;
using Veiligheid.Organisations;
using Veiligheid.Tests.Infrastructure;

namespace Veiligheid.Tests.Accountability;

/// <summary>The hub with the background indexer off: the index moves only when a test runs a pass.</summary>
public sealed class UnindexedHubFactory : HubFactory
{
    public const string IndexInBackground = $"{ProcessingLogOptions.Section}:{nameof(ProcessingLogOptions.IndexInBackground)}";

    protected override void ConfigureWebHost(IWebHostBuilder builder)
    {
        base.ConfigureWebHost(builder);
        builder.UseSetting(IndexInBackground, "false");
    }
}

/// <summary>What the tests of the log's index by data subject share.</summary>
internal static class LogIndex
{
    /// <summary>SQLite's plan for a command (EXPLAIN QUERY PLAN), one line per step, on the context's connection.</summary>
    public static List<string> Plan(VeiligheidDbContext db, DbCommand command)
    {
        command.CommandText = "EXPLAIN QUERY PLAN " + command.CommandText;
        db.Database.OpenConnection();
        try
        {
            command.Connection = db.Database.GetDbConnection();
            using var reader = command.ExecuteReader();
            var lines = new List<string>();
            while (reader.Read()) lines.Add(reader.GetString(3));
            return lines;
        }
        finally
        {
            db.Database.CloseConnection();
        }
    }

    /// <summary>
    /// The lines of a plan that scan a table: every SCAN but of a JSON array (json_each, a virtual table: a run's sequences,
    /// an action's packed records) and of a subquery's own rows (a co-routine or a materialized subquery, named where the
    /// plan makes it, and scanned under its alias in <paramref name="sql"/>), which hold only what their own searches found.
    /// </summary>
    public static List<string> TableScans(IReadOnlyList<string> plan, string sql)
    {
        var subqueries = plan.Select(line => System.Text.RegularExpressions.Regex.Match(line, @"^(?:CO-ROUTINE|MATERIALIZE) (\S+)"))
            .Where(m => m.Success).Select(m => m.Groups[1].Value).ToHashSet(StringComparer.Ordinal);
        foreach (var name in subqueries.ToList())
            foreach (System.Text.RegularExpressions.Match alias in System.Text.RegularExpressions.Regex.Matches(sql, $"\"{name}\" AS \"(\\w+)\""))
                subqueries.Add(alias.Groups[1].Value);
        return [.. plan.Where(line => line.StartsWith("SCAN ", StringComparison.Ordinal) && !line.Contains(" VIRTUAL TABLE", StringComparison.Ordinal)
                                     && !subqueries.Contains(line["SCAN ".Length..].Split(' ')[0]))];
    }

    public const string Purpose = "casusoverleg-zorg-en-veiligheid";

    public static ProcessingLogIndexer Indexer(this HubFactory factory) => factory.Services.GetRequiredService<ProcessingLogIndexer>();

    public static Task<long> IndexAsync(this HubFactory factory) => factory.Indexer().IndexPendingAsync(CancellationToken.None);

    /// <summary>The records the index names, each with its subject's person and BSN key, in sequence order.</summary>
    public static List<IndexRow> IndexRows(this HubFactory factory) => factory.WithDb(IndexRows);

    /// <inheritdoc cref="IndexRows(HubFactory)"/>
    public static List<IndexRow> IndexRows(VeiligheidDbContext db)
        => [.. (from r in db.Set<LogIndexRun>().AsNoTracking()
                join s in db.Set<LogIndexSubject>().AsNoTracking() on r.Subject equals s.Id
                select new { r.First, r.Sequences, s.PersonId, s.BsnKey }).AsEnumerable()
            .SelectMany(r => (r.Sequences ?? [r.First]).Select(sequence => new IndexRow(sequence, r.PersonId, r.BsnKey))).OrderBy(r => r.Sequence)];

    public static List<(int Id, string Bsn)> Persons(this HubFactory factory, int count)
        => [.. factory.WithDb(db => db.Persons.OrderBy(p => p.Id).Take(count).Select(p => new { p.Id, p.Bsn }).ToList()).Select(p => (p.Id, p.Bsn))];

    /// <summary>One append per round with a record for each person, as the coordinator's requests would write them.</summary>
    public static async Task AppendAsync(this HubFactory factory, IEnumerable<(int Id, string Bsn)> persons, int rounds = 1)
    {
        var log = factory.Services.GetRequiredService<ProcessingLog>();
        var organisation = DemoOrganisations.GemeenteVeiligstad;
        var caller = new Caller(HubRole.GemeenteCoordinator, factory.WithDb(db => db.Organisations.Single(o => o.Key == organisation).Id), organisation,
            OrganisationKind.Gemeente, factory.ClientAppIdOf(organisation), null, Purpose);
        var list = persons.ToList();
        for (var round = 0; round < rounds; round++)
        {
            var collector = new ProcessingCollector();
            foreach (var (id, bsn) in list) collector.Add(id, DataCategory.Identiteit, bsn);
            await using var scope = factory.Services.CreateAsyncScope();
            await log.AppendAsync(scope.ServiceProvider.GetRequiredService<VeiligheidDbContext>(), AccessPolicy.For(caller), "index-test", collector, CancellationToken.None);
        }
    }

    /// <summary>
    /// For every person and every protected BSN in the log: the index's look-ups return exactly the records the log holds
    /// about them, in order, also within a period and a page; compared with a plain filter on the log table.
    /// </summary>
    public static void AssertLookUpsMatchTheLog(this HubFactory factory)
    {
        var records = factory.LogRecords();
        Assert.NotEmpty(records);
        var middle = records[records.Count / 2].OccurredAt;
        factory.WithDb(db =>
        {
            foreach (var personId in records.Where(r => r.PersonId is not null).Select(r => r.PersonId!.Value).Distinct())
            {
                var expected = records.Where(r => r.PersonId == personId).Select(r => r.Sequence).ToList();
                Assert.Equal(expected, ProcessingLogIndex.About(db, personId).OrderBy(r => r.Sequence).Select(r => r.Sequence).ToList());
                Assert.Equal(expected.Count, ProcessingLogIndex.About(db, personId).Count());
                Assert.Equal(records.Where(r => r.PersonId == personId && r.OccurredAt >= middle).Select(r => r.Sequence).Reverse().Skip(1).Take(2),
                    ProcessingLogIndex.About(db, personId).Where(r => r.OccurredAt >= middle).OrderByDescending(r => r.Sequence).Skip(1).Take(2).Select(r => r.Sequence).ToList());
            }
            foreach (var protectedBsn in records.Where(r => r.ProtectedBsn is not null).Select(r => r.ProtectedBsn!).Distinct())
            {
                var expected = records.Where(r => r.ProtectedBsn == protectedBsn).Select(r => r.Sequence).ToList();
                Assert.Equal(expected, ProcessingLogIndex.AboutBsn(db, protectedBsn).OrderBy(r => r.Sequence).Select(r => r.Sequence).ToList());
                Assert.Equal(records.Where(r => r.ProtectedBsn == protectedBsn && r.OccurredAt < middle).Select(r => r.Sequence),
                    ProcessingLogIndex.AboutBsn(db, protectedBsn).Where(r => r.OccurredAt < middle).OrderBy(r => r.Sequence).Select(r => r.Sequence).ToList());
            }
            return 0;
        });
    }

    /// <summary>The index holds exactly the log's records (sequence, person, protected BSN), each once.</summary>
    public static void AssertIndexHoldsTheLog(this HubFactory factory)
    {
        var expected = factory.LogRecords().Select(r => (r.Sequence, r.PersonId, ProcessingLogIndex.KeyOf(r.ProtectedBsn))).ToList();
        Assert.Equal(expected, factory.IndexRows().Select(s => (s.Sequence, s.PersonId, s.BsnKey)).ToList());
    }

    public static long Sequence(System.Text.Json.JsonElement node) => long.Parse(node.GetProperty("sequence").GetString()!, CultureInfo.InvariantCulture);
}

public sealed class ProcessingLogIndexTests(UnindexedHubFactory factory) : IClassFixture<UnindexedHubFactory>
{
    private static readonly string[] SubjectIndexes = ["IX_ProcessingLogIndexSubjects_PersonId_BsnKey (PersonId=?)", "IX_ProcessingLogIndexSubjects_BsnKey (BsnKey=?)"];

    [Fact]
    public async Task A_tail_of_several_batches_is_indexed_whole_and_in_order_in_one_pass()
    {
        // A host of its own: 18,000 records, more than two of the indexer's batches (BatchSize), so one pass copies batch
        // after batch until the log's end, and the next finds nothing left.
        using var host = new UnindexedHubFactory();
        const int persons = 45, rounds = 400;
        Assert.True(persons * rounds > 2 * ProcessingLogIndexer.BatchSize);
        await host.AppendAsync(host.Persons(persons), rounds);
        var before = host.IndexRows().Count;
        Assert.Equal(persons * rounds, await host.IndexAsync() + before);
        host.AssertIndexHoldsTheLog();
        Assert.Equal(0, await host.IndexAsync());
    }

    [Fact]
    public async Task Look_ups_are_complete_and_in_order_in_the_tail_indexed_and_split_across_the_watermark()
    {
        var persons = factory.Persons(3);

        // (b) Only in the tail: the indexer has not run.
        await factory.AppendAsync(persons, rounds: 3);
        Assert.True(factory.LogRecords().Count > factory.IndexRows().Count);
        factory.AssertLookUpsMatchTheLog();

        // (a) All indexed.
        Assert.True(await factory.IndexAsync() > 0);
        factory.AssertIndexHoldsTheLog();
        factory.AssertLookUpsMatchTheLog();

        // (c) Split: the older records indexed, the newer in the tail.
        await factory.AppendAsync(persons, rounds: 2);
        Assert.True(factory.IndexRows().Count > 0);
        Assert.True(factory.LogRecords().Count > factory.IndexRows().Count);
        factory.AssertLookUpsMatchTheLog();

        // And a second pass changes nothing once it caught up.
        Assert.True(await factory.IndexAsync() > 0);
        Assert.Equal(0, await factory.IndexAsync());
        factory.AssertIndexHoldsTheLog();
    }

    [Fact]
    public async Task The_officer_pages_through_a_person_across_the_watermark_while_it_moves()
    {
        var person = factory.Persons(5)[4];
        await factory.AppendAsync([person], rounds: 3);
        await factory.IndexAsync();
        var watermark = factory.IndexRows().Max(s => s.Sequence);
        await factory.AppendAsync([person], rounds: 3);
        // The officer's own queries are logged about the person too: the period ends before them, so the pages hold still.
        await Task.Delay(20);
        var to = DateTime.UtcNow.ToString("O", CultureInfo.InvariantCulture);
        var expected = factory.LogRecords().Where(r => r.PersonId == person.Id).Select(r => r.Sequence).Reverse().ToList();
        Assert.Equal(3, expected.Count(s => s > watermark));
        Assert.True(expected.Count(s => s <= watermark) >= 3);

        var officer = factory.CreateClientWithPurpose(HubRole.PrivacyFunctionaris, DemoOrganisations.GemeenteVeiligstad, "toezicht-verwerkingen");
        var personId = global::Veiligheid.GraphQL.GlobalId.Encode("Person", person.Id);
        const string query = "query($person: ID, $to: DateTime, $after: String) { processingLog(person: $person, to: $to, first: 2, after: $after) { totalCount pageInfo { hasNextPage endCursor } nodes { sequence } } }";
        var seen = new List<long>();
        string? after = null;
        for (var pages = 0; ; pages++)
        {
            var response = await officer.GraphQLAsync(query, new { person = personId, to, after });
            Assert.Empty(response.Errors);
            var page = response.Data.GetProperty("processingLog");
            Assert.Equal(expected.Count, page.GetProperty("totalCount").GetInt32());
            seen.AddRange(page.GetProperty("nodes").EnumerateArray().Select(LogIndex.Sequence));
            if (!page.GetProperty("pageInfo").GetProperty("hasNextPage").GetBoolean()) break;
            after = page.GetProperty("pageInfo").GetProperty("endCursor").GetString();
            // The watermark moves past the first pages' records between the pages.
            if (pages == 0) await factory.IndexAsync();
        }
        Assert.Equal(expected, seen);

        // The same by BSN, where the access report reads the records in order.
        var reporter = factory.CreateClientWithPurpose(HubRole.PrivacyFunctionaris, DemoOrganisations.GemeenteVeiligstad, "inzageverzoek");
        var beforeReport = factory.LogRecords().Count(r => r.PersonId == person.Id);
        var report = await reporter.GraphQLAsync("query($bsn: BSN!) { accessReport(bsn: $bsn) { entries { occurredAt purpose } } }", new { bsn = person.Bsn });
        Assert.Empty(report.Errors);
        Assert.Equal(beforeReport, report.Data.GetProperty("accessReport").GetProperty("entries").GetArrayLength());
    }

    [Fact]
    public async Task A_request_commit_writes_no_index_row_yet_the_access_report_finds_its_record()
    {
        await factory.IndexAsync();
        var indexed = factory.IndexRows().Count;
        var coordinator = factory.CreateClientWithPurpose(HubRole.GemeenteCoordinator, DemoOrganisations.GemeenteVeiligstad, LogIndex.Purpose);
        var before = factory.LogRecords().Count;

        var seen = await coordinator.GraphQLAsync("{ persons(first: 2) { nodes { id bsn } } }");

        Assert.Empty(seen.Errors);
        var added = factory.LogRecords().Skip(before).ToList();
        Assert.Equal(2, added.Count);
        Assert.Equal(indexed, factory.IndexRows().Count);
        var bsn = seen.Data.GetProperty("persons").GetProperty("nodes")[0].GetProperty("bsn").GetString()!;
        var protectedBsn = factory.Services.GetRequiredService<ProcessingLog>().Protect(bsn);
        Assert.Contains(added, r => r.ProtectedBsn == protectedBsn);
        var officer = factory.CreateClientWithPurpose(HubRole.PrivacyFunctionaris, DemoOrganisations.GemeenteVeiligstad, "inzageverzoek");
        var expected = factory.LogRecords().Count(r => r.ProtectedBsn == protectedBsn);
        var report = await officer.GraphQLAsync("query($bsn: BSN!) { accessReport(bsn: $bsn) { entries { occurredAt } } }", new { bsn });
        Assert.Equal(HttpStatusCode.OK, report.Status);
        Assert.Equal(expected, report.Data.GetProperty("accessReport").GetProperty("entries").GetArrayLength());
    }

    [Fact]
    public void The_look_ups_use_the_indexes_for_both_the_index_and_the_tail_on_SQLite()
    {
        var lines = factory.WithDb(db =>
        {
            var from = new DateTime(2026, 1, 1, 0, 0, 0, DateTimeKind.Utc);
            return new[]
            {
                Plan(db, ProcessingLogIndex.About(db, 1).Where(r => r.OccurredAt >= from && r.OccurredAt < from.AddYears(1)).OrderByDescending(r => r.Sequence).Skip(4).Take(5)),
                Plan(db, ProcessingLogIndex.AboutBsn(db, new string('a', 64)).Where(r => r.OccurredAt >= from).OrderBy(r => r.Sequence)),
            };
        });

        foreach (var ((plan, sql), index) in lines.Zip(SubjectIndexes))
        {
            var text = string.Join("\n", plan);
            // json_each reads a run's sequences (and the tail's packed actions' records): a scan of that one array, not of a table.
            Assert.Empty(LogIndex.TableScans(plan, sql));
            Assert.Contains($"COVERING INDEX {index}", text, StringComparison.Ordinal);
            Assert.Contains("PRIMARY KEY (Subject=?)", text, StringComparison.Ordinal);
            Assert.Contains("SCAN ix_j VIRTUAL TABLE", text, StringComparison.Ordinal);
            // The sequence is the log's key (its rowid): the tail is a range of it, each record found by it.
            Assert.Contains("ProcessingLog", text, StringComparison.Ordinal);
            Assert.Contains("INTEGER PRIMARY KEY (rowid>?)", text, StringComparison.Ordinal);
            Assert.Contains("INTEGER PRIMARY KEY (rowid=?)", text, StringComparison.Ordinal);
        }
    }

    [Fact]
    public void A_period_of_the_log_reads_both_forms_of_its_records_by_ranges_of_their_keys_on_SQLite()
    {
        var from = new DateTime(2026, 3, 1, 0, 0, 0, DateTimeKind.Utc);
        var (plan, sql) = factory.WithDb(db => Plan(db,
            AccountabilityQueries.OfActions(AccountabilityQueries.Period(db.Set<ProcessingRecord>(), from, from.AddDays(7)), 100, 200).OrderByDescending(r => r.Sequence).Take(11)));

        // The person rows as one range of their key (they have no index by action), the packed records as one range of
        // their actions' key: without the range, the planner walked the whole log backwards for the ORDER BY … LIMIT, and
        // without the actions' bound as a value it read every packed action.
        var text = string.Join("\n", plan);
        Assert.Empty(LogIndex.TableScans(plan, sql));
        Assert.Contains("SEARCH l USING INTEGER PRIMARY KEY (rowid>? AND rowid<?)", text, StringComparison.Ordinal);
        Assert.Contains("SEARCH a USING INTEGER PRIMARY KEY (rowid>? AND rowid<?)", text, StringComparison.Ordinal);
        Assert.DoesNotContain("IX_ProcessingLog_ActionKey", text, StringComparison.Ordinal);
    }

    [Fact]
    public void SQLites_key_expression_gives_the_key_the_indexer_makes()
    {
        using var connection = new Microsoft.Data.Sqlite.SqliteConnection("Data Source=:memory:");
        connection.Open();
        using var command = connection.CreateCommand();
        command.CommandText = "SELECT " + ProcessingLogIndex.KeySql(sqlServer: false, "$value") + ";";
        var parameter = command.Parameters.Add("$value", Microsoft.Data.Sqlite.SqliteType.Text);
        var random = new Random(7);
        var values = Enumerable.Range(0, 200).Select(_ => Convert.ToHexStringLower(random.GetItems<byte>(Enumerable.Range(0, 256).Select(b => (byte)b).ToArray(), 32)))
            .Concat(["0000000000000000", "ffffffffffffffff", "7fffffffffffffff", "8000000000000000", "FFFFFFFFFFFFFFFE" + new string('0', 48),
                "abc", "0123456789abcdeg" + new string('0', 48), " 123456789abcdef0", ""]);
        foreach (var value in values)
        {
            parameter.Value = value;
            var inSql = command.ExecuteScalar();
            Assert.Equal(ProcessingLogIndex.KeyOf(value), inSql is DBNull ? null : (long)inSql!);
        }
        parameter.Value = DBNull.Value;
        Assert.IsType<DBNull>(command.ExecuteScalar());
        Assert.Equal(-1L, ProcessingLogIndex.KeyOf("ffffffffffffffff"));
        Assert.Equal(long.MinValue, ProcessingLogIndex.KeyOf("8000000000000000"));
    }

    [Fact]
    public void The_look_ups_and_the_indexer_statements_are_valid_TSql()
    {
        using var sqlServer = new SqlServerDesignTimeFactory().CreateDbContext([]);
        var from = new DateTime(2026, 1, 1, 0, 0, 0, DateTimeKind.Utc);
        var statements = new[]
        {
            ProcessingLogIndex.About(sqlServer, 1, 1000, 990).Where(r => r.OccurredAt >= from).OrderByDescending(r => r.Sequence).Skip(4).Take(5).ToQueryString(),
            ProcessingLogIndex.AboutBsn(sqlServer, new string('a', 64), 1000, 990).OrderBy(r => r.Sequence).ToQueryString(),
            ProcessingLogIndex.SqlServerTrim,
            ProcessingLogIndex.SqlServerCopy(ProcessingLogIndexer.BatchSize),
            AccountabilityQueries.OfActions(AccountabilityQueries.Period(sqlServer.Set<ProcessingRecord>(), from, from.AddDays(7)), 900, 1000)
                .OrderByDescending(r => r.Sequence).Skip(4).Take(5).ToQueryString(),
            AccountabilityQueries.OfActions(sqlServer.Set<ProcessingRecord>(), 900, null).OrderByDescending(r => r.Sequence).Take(5).ToQueryString(),
            PackedRecords.LogEndSql(sqlServer: true, "[ProcessingLog]", "[ProcessingActions]"),
            ProcessingLog.ActionsWithoutRecords(sqlServer).ToQueryString(),
            ProcessingLog.LastRecordSql(sqlServer: true),
        };
        foreach (var statement in statements)
        {
            new TSql160Parser(initialQuotedIdentifiers: true).Parse(new StringReader(statement), out var errors);
            Assert.True(errors.Count == 0, statement + "\n" + string.Join("\n", errors.Select(e => $"line {e.Line}: {e.Message}")));
        }
        Assert.Contains(" UNION ", statements[0], StringComparison.Ordinal);
        Assert.Contains("[ProcessingLogIndexSubjects]", statements[1], StringComparison.Ordinal);
        // The watermark is read before, in a statement of its own, never beside the index's rows: under READ COMMITTED
        // with locking a batch committed between the two reads would be in neither the rows read nor the tail.
        Assert.All(statements[..2], statement => Assert.DoesNotContain("[ProcessingLogIndexPasses]", statement, StringComparison.Ordinal));
        // Two hosts on one SQL Server: the reads that a writer places its rows after hold their locks to the commit, so a
        // second host waits for the first instead of reading the same end (a fork the unique sequence would refuse).
        // Both of the log's ends: the last person row and the last action (whose records may be packed into it).
        Assert.Equal(["HoldLock", "HoldLock", "UpdLock", "UpdLock"], TableHintsOf(ProcessingLog.LastRecordSql(sqlServer: true)));
        Assert.Equal(["HoldLock", "UpdLock"], TableHintsOf(ProcessingLogIndex.SqlServerCopy(ProcessingLogIndexer.BatchSize)));
        // The trim reads the watermark so before the log's end: a second host's indexer adds no pass meanwhile, so a pass
        // above that end is not one for records written since.
        Assert.Equal(["HoldLock", "UpdLock"], TableHintsOf(ProcessingLogIndex.SqlServerTrim));
        Assert.True(ProcessingLogIndex.SqlServerTrim.IndexOf("[ProcessingLogIndexPasses]", StringComparison.Ordinal)
                    < ProcessingLogIndex.SqlServerTrim.IndexOf("[ProcessingLog]", StringComparison.Ordinal));
    }

    /// <summary>
    /// SQL Server's trim cuts a run reaching over a cut log's end to its sequences up to that end, and a run cut to one
    /// record keeps no array (a run of one is its first sequence alone): verify-log (<see cref="ProcessingLogIndex.RunProblem"/>)
    /// reports an array of one as a run the indexer did not write, and would call the index broken after every such trim.
    /// So the count that decides it counts the sequences the run keeps, not all it had. No SQL Server runs here: the
    /// statement is read as ScriptDom parses it (SQLite's trim is run in
    /// <see cref="ProcessingLogIndexRemovalTests.A_removed_record_is_never_reported_and_a_removed_tail_is_trimmed_from_the_index"/>).
    /// </summary>
    [Fact]
    public void SQL_Servers_trim_counts_the_sequences_a_cut_run_keeps()
    {
        var (script, fragment) = ParsedTSql(ProcessingLogIndex.SqlServerTrim);
        var updates = Collect<UpdateSpecification>(fragment).Where(u => Targets(u.Target, u.FromClause, ProcessingLogIndex.RunsTable)).ToList();
        var update = Assert.Single(updates);
        // Every COUNT in the cut run's new value, or in what it is computed from, counts only the sequences up to the end.
        var counts = Collect<QuerySpecification>(update).Where(q => Collect<FunctionCall>(q).Any(f => f.FunctionName.Value.Equals("COUNT", StringComparison.OrdinalIgnoreCase))).ToList();
        Assert.NotEmpty(counts);
        Assert.All(counts, query => Assert.True(
            query.WhereClause is { } where && TextOf(script, where).Contains("<= @end", StringComparison.Ordinal)
            || Collect<FunctionCall>(query).Any(f => f.FunctionName.Value.Equals("COUNT", StringComparison.OrdinalIgnoreCase) && TextOf(script, f).Contains("<= @end", StringComparison.Ordinal)),
            "counts every sequence of the run, not the ones it keeps: " + TextOf(script, query)));
    }

    /// <summary>
    /// After a trim the watermark is the last pass at or below the log's end, and the runs of the pass that reached over it
    /// stand cut above that watermark, at the keys the next pass writes again from the log (the removal test shows them on
    /// SQLite, whose copy replaces them: INSERT OR REPLACE). A plain INSERT on SQL Server fails on their primary key, the
    /// pass's transaction (the trim with it) is undone, and so is every pass after it: the index stays above the log's end,
    /// and the records the writer gives those sequences again are hidden from the look-ups by person and BSN. So the copy
    /// removes a run whose key it writes before it inserts the runs. Read as ScriptDom parses it (no SQL Server here).
    /// </summary>
    [Fact]
    public void SQL_Servers_copy_writes_again_a_run_a_trim_left()
    {
        var (_, fragment) = ParsedTSql(ProcessingLogIndex.SqlServerCopy(ProcessingLogIndexer.BatchSize));
        var statements = Collect<TSqlStatement>(fragment).ToList();
        var insert = statements.FindIndex(s => s is InsertStatement { InsertSpecification.Target: var t } && Named(t) == ProcessingLogIndex.RunsTable);
        Assert.True(insert >= 0);
        var replace = statements.FindIndex(s => s is DeleteStatement { DeleteSpecification: var d } && Targets(d.Target, d.FromClause, ProcessingLogIndex.RunsTable)
                                                || s is MergeStatement { MergeSpecification.Target: var m } && Named(m) == ProcessingLogIndex.RunsTable);
        Assert.True(replace >= 0 && replace < insert, "the copy inserts the runs without replacing one whose key stands");
    }

    /// <summary>
    /// SQL Server's copy reads the packed records past the watermark from the actions that can hold its batch, bounded above
    /// by their key as a value: the batch's records are in the actions from the one holding the record after the watermark
    /// up to a batch's count of sequences past the first action after it. The next batch's count of actions instead (TOP)
    /// held some 80 times the batch's records under the load test (a request's action packs about 80), each parsed from
    /// its JSON and put in the batch's table only to be cut again, and on SQL Server the copy runs under this host's
    /// writer lock (<see cref="ProcessingLog"/>'s BetweenCommitsAsync), so every request's commit waited for them. Read as
    /// ScriptDom parses it (no SQL Server here).
    /// </summary>
    [Fact]
    public void SQL_Servers_copy_reads_the_packed_actions_up_to_a_bound_on_their_key()
    {
        var (script, fragment) = ParsedTSql(ProcessingLogIndex.SqlServerCopy(ProcessingLogIndexer.BatchSize));
        // The read of the packed actions: a query on the actions' table itself that takes their records (selects them; the
        // look for an action whose records are not JSON, before it, only tests them).
        var read = Assert.Single(Collect<QuerySpecification>(fragment), q =>
            q.FromClause is { } from && from.TableReferences.Any(t => Named(t) == "ProcessingActions")
            && q.SelectElements.SelectMany(Collect<ColumnReferenceExpression>).Any(c => c.MultiPartIdentifier?.Identifiers[^1].Value == "Records"));
        Assert.True(read.WhereClause is { } where && Collect<BooleanComparisonExpression>(where).Any(c =>
                c.ComparisonType == BooleanComparisonType.LessThanOrEqualTo
                && c.FirstExpression is ColumnReferenceExpression { MultiPartIdentifier: var column } && column.Identifiers[^1].Value == "Id"
                && c.SecondExpression is VariableReference),
            "the packed actions are read without an upper bound on their key: " + TextOf(script, read));
    }

    private static (TSqlScript Script, TSqlFragment Fragment) ParsedTSql(string sql)
    {
        var fragment = new TSql160Parser(initialQuotedIdentifiers: true).Parse(new StringReader(sql), out var errors);
        Assert.Empty(errors);
        return ((TSqlScript)fragment, fragment);
    }

    /// <summary>
    /// Whether an UPDATE's or DELETE's target is this table: named so, or the alias of a table its FROM clause names so
    /// (<c>UPDATE [r] … FROM [table] AS [r]</c>).
    /// </summary>
    private static bool Targets(TableReference target, FromClause? from, string table)
        => Named(target) == table || from is not null
           && Collect<NamedTableReference>(from).Any(t => t.Alias?.Value == Named(target) && Named(t) == table);

    /// <summary>The table a target names (its last part), or null.</summary>
    private static string? Named(TableReference? target) => (target as NamedTableReference)?.SchemaObject.BaseIdentifier.Value;

    private static string TextOf(TSqlScript script, TSqlFragment fragment)
        => string.Concat(script.ScriptTokenStream.Skip(fragment.FirstTokenIndex).Take(fragment.LastTokenIndex - fragment.FirstTokenIndex + 1).Select(t => t.Text));

    /// <summary>The fragments of a kind in a fragment, itself included, in the order they are written.</summary>
    private static List<T> Collect<T>(TSqlFragment fragment) where T : TSqlFragment
    {
        var collector = new Collector<T>();
        fragment.Accept(collector);
        return collector.Found;
    }

    private sealed class Collector<T> : TSqlFragmentVisitor where T : TSqlFragment
    {
        public List<T> Found { get; } = [];

        public override void Visit(TSqlFragment fragment)
        {
            if (fragment is T found) Found.Add(found);
            base.Visit(fragment);
        }
    }

    /// <summary>The table hints of a T-SQL statement, as ScriptDom parses them, in order of name.</summary>
    private static List<string> TableHintsOf(string statement)
    {
        var fragment = new TSql160Parser(initialQuotedIdentifiers: true).Parse(new StringReader(statement), out var errors);
        Assert.Empty(errors);
        var hints = new TableHints();
        fragment.Accept(hints);
        return [.. hints.Kinds.Select(k => k.ToString()).Order(StringComparer.Ordinal)];
    }

    private sealed class TableHints : TSqlFragmentVisitor
    {
        public List<TableHintKind> Kinds { get; } = [];

        public override void ExplicitVisit(TableHint node)
        {
            Kinds.Add(node.HintKind);
            base.ExplicitVisit(node);
        }
    }

    /// <summary>SQLite's plan for the query, with the statement planned.</summary>
    private static (List<string> Plan, string Sql) Plan(VeiligheidDbContext db, IQueryable<ProcessingRecord> query)
    {
        using var command = query.CreateDbCommand();
        var sql = command.CommandText;
        return (LogIndex.Plan(db, command), sql);
    }
}

/// <summary>Removing records (the log is append-only, but should it ever be pruned) and retention.</summary>
public sealed class ProcessingLogIndexRemovalTests(UnindexedHubFactory factory) : IClassFixture<UnindexedHubFactory>
{
    [Theory]
    [InlineData(true)]
    [InlineData(false)]
    public async Task A_removed_record_is_never_reported_and_a_removed_tail_is_trimmed_from_the_index(bool personRows)
    {
        // A host of its own, writing the form under test: person rows (the earlier form, which logs written before 2 Dec
        // 2026 hold; a record removed is its row deleted) or records packed into their action (the hub's form; records
        // removed are an action's row deleted, with every record of its request). So the fixture's other tests keep the
        // hub's form, and the sequences here are this test's alone.
        using var host = new UnindexedHubFactory { WritesPersonRows = personRows };
        var persons = host.Persons(2);
        await host.AppendAsync(persons, rounds: 4);
        await host.IndexAsync();
        await host.AppendAsync(persons, rounds: 1);
        var records = host.LogRecords();
        var own = records.Select(r => r.Sequence).ToList();
        Assert.Equal(personRows ? 10 : 0, host.WithDb(db => db.Set<ProcessingLogEntry>().Count()));

        // One indexed record and one in the tail go (packed, with their requests' other records); their index rows (if
        // any) stay behind.
        if (personRows)
            host.WithDb(db => db.Database.ExecuteSql($"DELETE FROM ProcessingLog WHERE Sequence IN ({records[1].Sequence}, {records[^1].Sequence})"));
        else
            host.WithDb(db => db.Database.ExecuteSql($"DELETE FROM ProcessingActions WHERE Id IN ({records[1].ActionKey}, {records[^1].ActionKey})"));
        Assert.Equal(records.Count - (personRows ? 2 : 4), host.LogRecords().Count);
        host.AssertLookUpsMatchTheLog();

        // The indexed tail goes: the next records take its sequences again, and must not hide behind the stale rows.
        var indexedEnd = host.IndexRows().Max(s => s.Sequence);
        if (personRows)
        {
            host.WithDb(db => db.Database.ExecuteSql($"DELETE FROM ProcessingLog WHERE Sequence > {indexedEnd - 2}"));
            // With them the actions they alone belonged to: an action is keyed by its first record's sequence, which comes again.
            host.WithDb(db => db.Database.ExecuteSql($"DELETE FROM ProcessingActions WHERE Id NOT IN (SELECT ActionKey FROM ProcessingLog)"));
        }
        else
        {
            // The actions from the cut on (each request's two records: the cut falls between actions).
            host.WithDb(db => db.Database.ExecuteSql($"DELETE FROM ProcessingActions WHERE Id > {indexedEnd - 2}"));
        }
        Assert.Equal(indexedEnd - 2, host.LogRecords()[^1].Sequence);
        await host.IndexAsync();
        // Each person's run of four (one pass copied all eight records) reached over the cut: what is left of it is its
        // records up to the log's end, still a well-formed run (record 2 is not in the log, but still in the index).
        var runs = host.WithDb(db => db.Set<LogIndexRun>().AsNoTracking().Where(r => r.First >= own[0]).OrderBy(r => r.First).ToList());
        Assert.Equal([[own[0], own[2], own[4]], [own[1], own[3], own[5]]], runs.Select(r => r.Records.ToArray()));
        Assert.All(runs, run => Assert.Null(ProcessingLogIndex.RunProblem(run)));
        // They stand above the watermark the trim lowered (their pass went): the next pass writes them again from the log,
        // at the same keys, so the copy replaces a run whose key stands (SQL Server's too, SQL_Servers_copy_writes_again_a_run_a_trim_left).
        var watermark = host.WithDb(db => db.Set<LogIndexPass>().Max(p => (long?)p.Through) ?? 0);
        Assert.All(runs, run => Assert.True(run.First > watermark));
        await host.AppendAsync(persons.Take(1), rounds: 3);
        Assert.Equal(indexedEnd - 1, host.LogRecords().First(r => r.Sequence > indexedEnd - 2).Sequence);
        host.AssertLookUpsMatchTheLog();
        await host.IndexAsync();
        host.AssertLookUpsMatchTheLog();
        var log = host.LogRecords().Select(r => r.Sequence).ToHashSet();
        Assert.All(host.IndexRows().Where(s => s.Sequence > indexedEnd - 2), s => Assert.Contains(s.Sequence, log));
    }

    [Fact]
    public async Task After_retention_removed_a_person_the_access_report_still_finds_the_records_by_BSN()
    {
        // A person whose only case is closed (the demo's such persons all have a current tenancy, which keeps them).
        var subject = factory.AddLoneSubjectOfClosedCase(new DateTime(2020, 1, 1, 0, 0, 0, DateTimeKind.Utc));
        var plan = await factory.WithDbAsync(db => Retention.PlanAsync(db, new DateTime(2100, 1, 1, 0, 0, 0, DateTimeKind.Utc), CancellationToken.None));
        Assert.Contains(subject.PersonId, plan.Persons);
        var person = factory.WithDb(db => db.Persons.Where(p => p.Id == subject.PersonId).Select(p => new { p.Id, p.Bsn }).Single());
        await factory.AppendAsync([(person.Id, person.Bsn)], rounds: 2);
        await factory.IndexAsync();
        await factory.AppendAsync([(person.Id, person.Bsn)], rounds: 1);
        var expected = factory.LogRecords().Count(r => r.PersonId == person.Id);

        await factory.WithDbAsync(async db =>
        {
            await Retention.ApplyAsync(db, plan, CancellationToken.None);
            return 0;
        });

        Assert.False(factory.WithDb(db => db.Persons.Any(p => p.Id == person.Id)));
        var officer = factory.CreateClientWithPurpose(HubRole.PrivacyFunctionaris, DemoOrganisations.GemeenteVeiligstad, "inzageverzoek");
        var report = await officer.GraphQLAsync("query($bsn: BSN!) { accessReport(bsn: $bsn) { entries { occurredAt } } }", new { bsn = person.Bsn });
        Assert.Empty(report.Errors);
        Assert.Equal(expected, report.Data.GetProperty("accessReport").GetProperty("entries").GetArrayLength());
        factory.AssertLookUpsMatchTheLog();
    }
}

/// <summary>The indexer running in the background, on one host and on two sharing the file.</summary>
public sealed class ProcessingLogIndexerTests(HubFactory factory) : IClassFixture<HubFactory>
{
    [Fact]
    public async Task Two_indexers_on_one_file_copy_each_record_once_without_a_gap()
    {
        await using var second = factory.WithWebHostBuilder(_ => { });
        var token = factory.CreateToken([HubRole.GemeenteCoordinator], DemoOrganisations.GemeenteVeiligstad);
        var clients = new[] { factory.CreateClientWithToken(token), second.CreateClient() };
        clients[1].DefaultRequestHeaders.Authorization = new System.Net.Http.Headers.AuthenticationHeaderValue("Bearer", token);
        foreach (var client in clients) client.DefaultRequestHeaders.Add(Purposes.Header, LogIndex.Purpose);
        var indexers = new[] { factory.Indexer(), second.Services.GetRequiredService<ProcessingLogIndexer>() };
        Assert.NotSame(indexers[0], indexers[1]);

        // Requests on both hosts, both background indexers woken by them, and both pushed by hand at the same time.
        using var done = new CancellationTokenSource();
        var pushing = indexers.Select(indexer => Task.Run(async () =>
        {
            while (!done.IsCancellationRequested)
            {
                await indexer.IndexPendingAsync(CancellationToken.None);
                await Task.Delay(1);
            }
        })).ToList();
        var responses = await Task.WhenAll(Enumerable.Range(0, 30).Select(i =>
            clients[i % 2].GraphQLAsync("query($n: Int!) { persons(first: $n) { nodes { id } } }", new { n = 1 + (i % 4) })));
        await done.CancelAsync();
        await Task.WhenAll(pushing);

        Assert.All(responses, r => Assert.Empty(r.Errors));
        await Task.WhenAll(indexers.Select(i => i.IndexPendingAsync(CancellationToken.None)));
        factory.AssertIndexHoldsTheLog();
        factory.AssertLookUpsMatchTheLog();
    }

    [Fact]
    public async Task The_background_indexer_follows_the_requests()
    {
        var coordinator = factory.CreateClientWithPurpose(HubRole.GemeenteCoordinator, DemoOrganisations.GemeenteVeiligstad, LogIndex.Purpose);

        Assert.Empty((await coordinator.GraphQLAsync("{ persons(first: 3) { nodes { id } } }")).Errors);

        var last = factory.LogRecords()[^1].Sequence;
        await WaitUntilAsync(() => factory.IndexRows().LastOrDefault()?.Sequence >= last);
        factory.AssertIndexHoldsTheLog();
    }

    internal static async Task WaitUntilAsync(Func<bool> condition)
    {
        var deadline = DateTime.UtcNow.AddSeconds(20);
        while (!condition())
        {
            Assert.True(DateTime.UtcNow < deadline, "The background indexer did not catch up within 20 s.");
            await Task.Delay(50);
        }
    }
}

public sealed class ProcessingLogIndexRestartTests(UnindexedHubFactory factory) : IClassFixture<UnindexedHubFactory>
{
    [Fact]
    public async Task A_host_started_after_records_were_written_catches_up()
    {
        await factory.AppendAsync(factory.Persons(4), rounds: 3);
        Assert.Empty(factory.IndexRows());

        await using var restarted = factory.WithWebHostBuilder(b => b.UseSetting(UnindexedHubFactory.IndexInBackground, "true"));
        _ = restarted.Services;

        var last = factory.LogRecords()[^1].Sequence;
        await ProcessingLogIndexerTests.WaitUntilAsync(() => factory.IndexRows().LastOrDefault()?.Sequence >= last);
        factory.AssertIndexHoldsTheLog();
    }
}

public sealed class ProcessingLogIndexMigrationTests
{
    /// <summary>The migration before the index was keyed by an integer (<see cref="LogIndexSubject.BsnKey"/>).</summary>
    private const string ActionsMigration = "20261129201952_ProcessingActions";

    [Fact]
    public void A_database_made_before_the_index_is_backfilled_and_loses_the_logs_random_order_indexes()
    {
        var directory = Path.Combine(Path.GetTempPath(), "veiligheid-tests", Guid.NewGuid().ToString("N"));
        var path = Path.Combine(directory, "old.db");
        try
        {
            using (var db = DatabaseSetup.OpenSqlite(path))
            {
                db.GetService<IMigrator>().Migrate("20261127224542_Initial");
                var previous = ProcessingLog.GenesisHash;
                for (var sequence = 1; sequence <= 5; sequence++)
                {
                    var record = ChainedRecords.After(sequence, previous, sequence % 2 == 0 ? null : sequence, Convert.ToHexStringLower(System.Security.Cryptography.SHA256.HashData([(byte)sequence])), LogIndex.Purpose);
                    previous = record.Hash;
                    ChainedRecords.InsertIntoWideTable(db, record);
                }

                // Up to the index's migration (the next one splits the log into actions and entries; ProcessingLogMigrationTests).
                db.GetService<IMigrator>().Migrate(ProcessingLogMigrationTests.SubjectsMigration);

                var logged = db.Database.SqlQueryRaw<LoggedSubject>("SELECT \"Sequence\", \"PersonId\", \"ProtectedBsn\" FROM \"ProcessingLog\" ORDER BY \"Sequence\"").ToList();
                Assert.Equal(logged, IndexedByBsn(db));
                var indexes = db.Database.SqlQueryRaw<string>("SELECT name AS Value FROM pragma_index_list('ProcessingLog')").ToList();
                Assert.DoesNotContain("IX_ProcessingLog_PersonId", indexes);
                Assert.DoesNotContain("IX_ProcessingLog_ProtectedBsn", indexes);
                Assert.Contains("IX_ProcessingLog_Sequence", indexes);

                // Then keyed by 8 bytes of the protected BSN, filled again from the log; then by subject, empty (the
                // indexer fills it), and back. The BSNs above start 4bf5…, dbc1…, 084f…, e52d…, e77b…: keys of both
                // signs, so the wrap to a negative key is covered.
                db.GetService<IMigrator>().Migrate(BsnKeyMigration);
                Assert.Equal(logged.Select(l => (l.Sequence, l.PersonId, ProcessingLogIndex.KeyOf(l.ProtectedBsn))),
                    db.Database.SqlQueryRaw<KeyedSubject>("SELECT \"Sequence\", \"PersonId\", \"BsnKey\" FROM \"ProcessingLogSubjects\" ORDER BY \"Sequence\"").AsEnumerable().Select(k => (k.Sequence, k.PersonId, k.BsnKey)));
                Assert.Equal(3, logged.Count(l => ProcessingLogIndex.KeyOf(l.ProtectedBsn) < 0));
                db.GetService<IMigrator>().Migrate();
                Assert.Empty(LogIndex.IndexRows(db));
                db.GetService<IMigrator>().Migrate(ActionsMigration);
                Assert.Equal(logged, IndexedByBsn(db));
            }
        }
        finally
        {
            Microsoft.Data.Sqlite.SqliteConnection.ClearAllPools();
            if (Directory.Exists(directory)) Directory.Delete(directory, recursive: true);
        }
    }

    /// <summary>The migration that keyed the index by 8 bytes of the protected BSN.</summary>
    private const string BsnKeyMigration = "20261130080351_ProcessingLogSubjectsBsnKey";

    /// <summary>The migration that made the index by subject, a row per record.</summary>
    private const string BySubjectMigration = "20261201000913_ProcessingLogIndexBySubject";

    /// <summary>The migration that made the index by subject a run of records per row (<see cref="LogIndexRun"/>).</summary>
    private const string RunsMigration = "20261201023849_ProcessingLogIndexRuns";

    /// <summary>The shape of the index before each migration, made from the runs of the index as it is now.</summary>
    private static readonly Dictionary<string, (string Sql, string[] Migrations)> FormerIndexes = new()
    {
        ["a row per record with its person and BSN key"] = ("""
            CREATE TABLE "ProcessingLogSubjects" ("Sequence" INTEGER NOT NULL CONSTRAINT "PK_ProcessingLogSubjects" PRIMARY KEY, "PersonId" INTEGER NULL, "BsnKey" INTEGER NULL);
            INSERT INTO "ProcessingLogSubjects" SELECT j."value", s."PersonId", s."BsnKey" FROM "ProcessingLogIndexRuns" AS r, json_each(COALESCE(r."Sequences", json_array(r."First"))) AS j JOIN "ProcessingLogIndexSubjects" AS s ON s."Id" = r."Subject";
            CREATE INDEX "IX_ProcessingLogSubjects_PersonId" ON "ProcessingLogSubjects" ("PersonId");
            CREATE INDEX "IX_ProcessingLogSubjects_BsnKey" ON "ProcessingLogSubjects" ("BsnKey");
            DROP TABLE "ProcessingLogIndexRuns"; DROP TABLE "ProcessingLogIndexSubjects"; DROP TABLE "ProcessingLogIndexPasses";
            """, [BySubjectMigration, RunsMigration]),
        ["a row per record under its subject"] = ("""
            CREATE TABLE "ProcessingLogIndexRecords" ("Subject" INTEGER NOT NULL, "Sequence" INTEGER NOT NULL, CONSTRAINT "PK_ProcessingLogIndexRecords" PRIMARY KEY ("Subject", "Sequence")) WITHOUT ROWID;
            INSERT INTO "ProcessingLogIndexRecords" SELECT r."Subject", j."value" FROM "ProcessingLogIndexRuns" AS r, json_each(COALESCE(r."Sequences", json_array(r."First"))) AS j;
            DROP TABLE "ProcessingLogIndexRuns";
            """, [RunsMigration]),
    };

    [Theory]
    [InlineData("a row per record with its person and BSN key")]
    [InlineData("a row per record under its subject")]
    public async Task A_hub_whose_index_file_holds_the_index_before_or_none_starts_and_indexes_its_log_again(string former)
    {
        var (formerSql, formerMigrations) = FormerIndexes[former];
        var directory = Path.Combine(Path.GetTempPath(), "veiligheid-tests", Guid.NewGuid().ToString("N"));
        var path = Path.Combine(directory, "upgraded.db");
        var hub = DatabaseSetup.SqliteConnectionString(path);
        var index = SqliteLogFile.IndexPathFor(path);
        try
        {
            // A hub as it stood before the migrations: its log written and indexed, the index in its own file in the shape
            // before, made here from the runs of the index as it is now.
            var persons = new (int? Id, string? Bsn)[] { (1, "a1"), (2, "b2"), (null, "c3"), (1, "a1"), (3, null), (2, "b2") };
            await using (var db = DatabaseSetup.OpenSqlite(path))
            {
                await db.MigrateAsync();
                using var writer = SqliteLogWriter.For(db)!;
                foreach (var (id, bsn) in persons)
                {
                    var protectedBsn = bsn is null ? null : Convert.ToHexStringLower(System.Security.Cryptography.SHA256.HashData(System.Text.Encoding.UTF8.GetBytes(bsn)));
                    writer.Write((s, p) => ChainedRecords.Rows(ChainedRecords.After(s + 1, p, id, protectedBsn, LogIndex.Purpose)));
                }
            }
            Assert.Equal(persons.Length, ProcessingLogIndexer.CopyAllOnFile(hub));
            SqliteConnection.ClearAllPools();
            using (var file = new SqliteConnection($"Data Source={index};Pooling=False"))
            {
                file.Open();
                using var command = file.CreateCommand();
                command.CommandText = formerSql;
                command.ExecuteNonQuery();
            }
            await ForgetAsync(path, formerMigrations);

            // The start after the upgrade, with the index before in its file, then with no index file at all (an operator
            // may leave it out of a backup): the migration makes the index empty, the look-ups read the log's tail, and
            // the indexer copies the whole log again.
            for (var start = 0; start < 2; start++)
            {
                if (start == 1)
                {
                    foreach (var file in SqliteLogFile.WithCompanions(index)) File.Delete(file);
                    await ForgetAsync(path, formerMigrations);
                }
                await using (var db = DatabaseSetup.OpenSqlite(path))
                {
                    await db.MigrateAsync();
                    Assert.Empty(LogIndex.IndexRows(db));
                    Assert.Equal([1L, 4L], await ProcessingLogIndex.About(db, 1).OrderBy(r => r.Sequence).Select(r => r.Sequence).ToListAsync());
                }
                SqliteConnection.ClearAllPools();
                Assert.Equal(persons.Length, ProcessingLogIndexer.CopyAllOnFile(hub));
                await using (var db = DatabaseSetup.OpenSqlite(path))
                {
                    var logged = await db.Set<ProcessingLogEntry>().AsNoTracking().OrderBy(e => e.Sequence).ToListAsync();
                    Assert.Equal(logged.Select(e => new IndexRow(e.Sequence, e.PersonId, ProcessingLogIndex.KeyOf(e.ProtectedBsn))), LogIndex.IndexRows(db));
                    Assert.Equal(4, await db.Set<LogIndexSubject>().CountAsync()); // 1/a1, 2/b2, -/c3, 3/-
                    Assert.Equal(persons.Length, await ProcessingLogIndex.EndAsync(db, CancellationToken.None));
                    Assert.Equal([1L, 4L], await ProcessingLogIndex.About(db, 1).OrderBy(r => r.Sequence).Select(r => r.Sequence).ToListAsync());
                    Assert.Equal([3L], await ProcessingLogIndex.AboutBsn(db, logged[2].ProtectedBsn!).Select(r => r.Sequence).ToListAsync());
                }
                SqliteConnection.ClearAllPools();
                Assert.Equal(0, ProcessingLogIndexer.CopyAllOnFile(hub)); // nothing to copy again
            }
            using (var file = new SqliteConnection($"Data Source={index};Pooling=False"))
            {
                file.Open();
                using var command = file.CreateCommand();
                command.CommandText = "SELECT group_concat(name, ',') FROM (SELECT name FROM sqlite_master WHERE type = 'table' AND name LIKE 'Processing%' ORDER BY name);";
                Assert.Equal("ProcessingLogIndexPasses,ProcessingLogIndexRuns,ProcessingLogIndexSubjects", command.ExecuteScalar());
            }
            var output = new StringWriter();
            Assert.Equal(AccountabilityCommands.ExitOk, await AccountabilityCommands.VerifyLogAsync(["--database", path], output, TextWriter.Null));
        }
        finally
        {
            SqliteConnection.ClearAllPools();
            if (Directory.Exists(directory)) Directory.Delete(directory, recursive: true);
        }
    }

    /// <summary>Takes these migrations out of the database's history, as if they had not run yet.</summary>
    private static async Task ForgetAsync(string path, string[] migrations)
    {
        await using (var db = DatabaseSetup.OpenSqlite(path))
            foreach (var migration in migrations)
                await db.Database.ExecuteSqlAsync($"DELETE FROM \"__EFMigrationsHistory\" WHERE \"MigrationId\" = {migration}");
        SqliteConnection.ClearAllPools();
    }

    /// <summary>The index's rows while it held the whole protected BSN.</summary>
    private static List<LoggedSubject> IndexedByBsn(VeiligheidDbContext db)
        => db.Database.SqlQueryRaw<LoggedSubject>("SELECT \"Sequence\", \"PersonId\", \"ProtectedBsn\" FROM \"ProcessingLogSubjects\" ORDER BY \"Sequence\"").ToList();
}

/// <summary>A row of the index keyed by 8 bytes of the protected BSN (before the index by subject).</summary>
internal sealed record KeyedSubject(long Sequence, int? PersonId, long? BsnKey);

/// <summary>One row of the index by data subject with its subject's person and BSN key.</summary>
internal sealed record IndexRow(long Sequence, int? PersonId, long? BsnKey);

/// <summary>A record's subject as the wide table before the split held it, and the index before its key.</summary>
internal sealed record LoggedSubject(long Sequence, int? PersonId, string? ProtectedBsn);
