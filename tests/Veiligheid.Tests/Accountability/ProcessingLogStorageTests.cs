using System.Data.Common;
using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Infrastructure;
using Microsoft.EntityFrameworkCore.Migrations;
using Veiligheid.Access;
using Veiligheid.Accountability;
using Veiligheid.Data;
using Veiligheid.Data.Seeding;
using Veiligheid.Tests.Infrastructure;

namespace Veiligheid.Tests.Accountability;

/// <summary>
/// How the log is stored: an action per request with its records packed into it (<see cref="PackedRecords"/>), read back
/// as one record per person; and the earlier form, an entry per person beside the action, which logs written before the
/// migration PackedRecords (1 Dec 2026) hold and the hub still reads (written here by a host switched to it, <see cref="HubFactory.WritesPersonRows"/>).
/// </summary>
public sealed class ProcessingLogStorageTests(HubFactory factory) : IClassFixture<HubFactory>
{
    [Fact]
    public async Task One_request_processing_N_persons_writes_one_action_row_packing_N_records_and_no_person_row()
    {
        var client = factory.CreateClientWithPurpose(HubRole.GemeenteCoordinator, DemoOrganisations.GemeenteVeiligstad, LogIndex.Purpose);
        var (actionsBefore, entriesBefore) = Counts(factory);

        var response = await client.GraphQLAsync("{ persons(first: 7) { nodes { id bsn } } }");

        Assert.Empty(response.Errors);
        var persons = response.Data.GetProperty("persons").GetProperty("nodes").GetArrayLength();
        Assert.Equal(7, persons);
        var (actions, entries) = Counts(factory);
        Assert.Equal(actionsBefore + 1, actions);
        Assert.Equal(entriesBefore, entries);
        // The action is keyed by its first record's sequence and packs the request's records in sequence order, in the
        // canonical text the hub writes (verify-log accepts no other); the view reads them back as records of it.
        var added = factory.LogRecords().TakeLast(persons).ToList();
        var action = factory.WithDb(db => db.Set<ProcessingAction>().AsNoTracking().OrderBy(a => a.Id).Last());
        Assert.Equal(added[0].Sequence, action.Id);
        Assert.Equal(Enumerable.Range(0, persons).Select(i => action.Id + i), added.Select(r => r.Sequence));
        Assert.NotNull(action.Records);
        var packed = PackedRecords.Read(action.Records);
        Assert.Equal(added.Select(r => (r.PersonId, r.ProtectedBsn, r.Categories, r.Confidentiality)),
            packed.Select(p => (p.PersonId, p.ProtectedBsn, p.Categories, p.Confidentiality)));
        Assert.Equal(PackedRecords.Write(added), action.Records);
        Assert.Null(PackedRecords.Problem(action.Id, action.Records));
        Assert.All(added, r => Assert.Equal((action.ActionId, action.Id, action.Hash), (r.ActionId, r.ActionKey, r.Hash)));
        Assert.Equal(7, added.Select(r => r.PersonId).Distinct().Count());
    }

    [Fact]
    public async Task The_packed_records_are_stored_as_text_in_the_column_types_EF_Core_writes()
    {
        // The log's writer binds the action row itself (a prepared command, not EF Core's SaveChanges): the packed records
        // must still be stored as EF Core stores a string, as text (the view's json_each would read a blob as JSONB, and
        // verify-log's check of stored forms refuses one).
        var client = factory.CreateClientWithPurpose(HubRole.GemeenteCoordinator, DemoOrganisations.GemeenteVeiligstad, LogIndex.Purpose);
        Assert.Empty((await client.GraphQLAsync("{ persons(first: 2) { nodes { id bsn } } }")).Errors);

        var types = factory.WithDb(db => db.Database.SqlQueryRaw<string>(
            "SELECT typeof(\"Id\") || typeof(\"Records\") || typeof(\"Hash\") || json_type(\"Records\") AS \"Value\" FROM \"ProcessingActions\" ORDER BY \"Id\" DESC LIMIT 1").Single());
        Assert.Equal("integertexttextarray", types);
    }

    [Fact]
    public async Task A_host_writing_the_earlier_form_writes_one_action_row_and_N_person_rows_naming_it()
    {
        // The form of 1 Dec 2026, as logs written then hold it: a host of its own, so this fixture's other tests read the
        // form the hub writes now.
        using var earlier = new HubFactory { WritesPersonRows = true };
        var client = earlier.CreateClientWithPurpose(HubRole.GemeenteCoordinator, DemoOrganisations.GemeenteVeiligstad, LogIndex.Purpose);
        var (actionsBefore, entriesBefore) = Counts(earlier);

        var response = await client.GraphQLAsync("{ persons(first: 7) { nodes { id bsn } } }");

        Assert.Empty(response.Errors);
        var persons = response.Data.GetProperty("persons").GetProperty("nodes").GetArrayLength();
        Assert.Equal(7, persons);
        var (actions, entries) = Counts(earlier);
        Assert.Equal(actionsBefore + 1, actions);
        Assert.Equal(entriesBefore + persons, entries);
        // The action is keyed by its first record's sequence; every entry of the request refers to it.
        var added = earlier.LogRecords().TakeLast(persons).ToList();
        var action = earlier.WithDb(db => db.Set<ProcessingAction>().AsNoTracking().OrderBy(a => a.Id).Last());
        Assert.Equal(added[0].Sequence, action.Id);
        Assert.Null(action.Records);
        Assert.All(earlier.WithDb(db => db.Set<ProcessingLogEntry>().AsNoTracking().Where(e => e.Sequence >= action.Id).ToList()),
            e => Assert.Equal(action.Id, e.ActionKey));
        Assert.All(added, r => Assert.Equal(action.ActionId, r.ActionId));

        // The person rows are stored in the column types EF Core writes: the log's writer binds them through SQLite's own
        // API (SqliteRowInsert), not EF Core's mappings (an integer id, the confidentiality's name as text).
        var stored = earlier.WithDb(db =>
        {
            var connection = db.Database.GetDbConnection();
            connection.Open();
            using var command = connection.CreateCommand();
            command.CommandText = "SELECT typeof(\"Sequence\") || typeof(\"ActionKey\") || typeof(\"PersonId\") || typeof(\"ProtectedBsn\") || typeof(\"Categories\")"
                                  + " || typeof(\"Confidentiality\") || typeof(\"Hash\"), \"Confidentiality\" FROM \"ProcessingLog\" ORDER BY \"Sequence\" DESC LIMIT 1;";
            using var reader = command.ExecuteReader();
            Assert.True(reader.Read());
            return (Types: reader.GetString(0), Confidentiality: reader.GetString(1));
        });
        Assert.Equal("integerintegerintegertexttexttexttext", stored.Types);
        Assert.Equal(nameof(ProcessingConfidentiality.Normaal), stored.Confidentiality);
    }

    private static (int Actions, int Entries) Counts(HubFactory hub)
        => hub.WithDb(db => (db.Set<ProcessingAction>().Count(), db.Set<ProcessingLogEntry>().Count()));
}

/// <summary>Tampering with the stored rows, each on a log of its own.</summary>
public sealed class ProcessingLogRowTamperingTests
{
    [Theory]
    [InlineData("Purpose", "aanpak-jeugdoverlast")]
    [InlineData("LegalGround", "AVG art. 6(1)(a)")]
    public async Task Changing_an_actions_field_breaks_every_record_of_it(string column, string value)
    {
        using var fresh = new HubFactory();
        var client = fresh.CreateClientWithPurpose(HubRole.Politie, DemoOrganisations.PolitieNoord, "aanpak-woonoverlast");
        for (var i = 0; i < 3; i++) Assert.Empty((await client.GraphQLAsync("{ persons(first: 3) { nodes { surname } } }")).Errors);
        var records = fresh.LogRecords();
        var victim = records.Where(r => r.ActionId == records[^1].ActionId).ToList(); // the last request's records
        Assert.Equal(3, victim.Count);
        Assert.True((await fresh.WithDbAsync(db => ProcessingLog.VerifyAsync(db, CancellationToken.None))).IsIntact);

        // Someone edits the action row directly, e.g. to claim another purpose or legal ground.
        var id = victim[0].Sequence;
        fresh.WithDb(db => column == "Purpose"
            ? db.Database.ExecuteSql($"UPDATE \"ProcessingActions\" SET \"Purpose\" = {value} WHERE \"Id\" = {id}")
            : db.Database.ExecuteSql($"UPDATE \"ProcessingActions\" SET \"LegalGround\" = {value} WHERE \"Id\" = {id}"));

        var verification = await fresh.WithDbAsync(db => ProcessingLog.VerifyAsync(db, CancellationToken.None));
        Assert.Equal(victim[0].Sequence, verification.BrokenAt);
        Assert.Equal(AccountabilityCommands.ExitBroken, await AccountabilityCommands.VerifyLogAsync(["--database", fresh.DatabasePath], TextWriter.Null, TextWriter.Null));
        // The action's one hash covers its fields for every record of it (they read them from its row): over the records
        // as they read now it is another than the stored one, over the records as written the same. (Compared with a hash
        // of each record on its own, as before the actions were chained as one, it could not have been equal anyway.)
        var tampered = fresh.LogRecords().Where(r => r.ActionId == victim[0].ActionId).ToList();
        Assert.Equal(victim.Select(r => r.Sequence), tampered.Select(r => r.Sequence));
        Assert.All(tampered, r => Assert.Equal(value, column == "Purpose" ? r.Purpose : r.LegalGround));
        var previous = records[records.IndexOf(victim[0]) - 1].Hash;
        Assert.Equal(victim[0].Hash, RecordHasher.ActionHash(victim, previous));
        Assert.NotEqual(tampered[0].Hash, RecordHasher.ActionHash(tampered, previous));
    }

    [Fact]
    public async Task Deleting_a_person_row_breaks_the_chain_and_an_action_row_cannot_be_deleted_under_its_entries()
    {
        // The earlier form, person rows (the hub packs a request's records into its action now): logs written so are
        // kept, and their rows are what is deleted here (a packed record removed: VerifyLogTests).
        using var fresh = new HubFactory { WritesPersonRows = true };
        var client = fresh.CreateClientWithPurpose(HubRole.Politie, DemoOrganisations.PolitieNoord, "aanpak-woonoverlast");
        Assert.Empty((await client.GraphQLAsync("{ persons(first: 4) { nodes { surname } } }")).Errors);
        var records = fresh.LogRecords();
        Assert.Equal(4, records.Count);

        // The foreign key keeps an action while it has entries: its records cannot silently vanish from the view.
        Assert.ThrowsAny<DbException>(() => fresh.WithDb(db => db.Set<ProcessingAction>().Where(a => a.Id == records[0].Sequence).ExecuteDelete()));
        Assert.Equal(4, fresh.LogRecords().Count);

        fresh.WithDb(db => db.Database.ExecuteSql($"DELETE FROM \"ProcessingLog\" WHERE \"Sequence\" = {records[2].Sequence}"));

        var verification = await fresh.WithDbAsync(db => ProcessingLog.VerifyAsync(db, CancellationToken.None));
        Assert.Equal(records[3].Sequence, verification.BrokenAt);
        Assert.Equal(0, verification.Verified); // the request's four records are one action, verified together
    }
}

public sealed class ProcessingLogMigrationTests
{
    public const string InitialMigration = "20261127224542_Initial";
    public const string SubjectsMigration = "20261129180143_ProcessingLogSubjects";

    [Fact]
    public async Task A_log_stored_one_wide_row_per_record_moves_to_actions_and_entries_and_still_verifies()
    {
        var directory = Path.Combine(Path.GetTempPath(), "veiligheid-tests", Guid.NewGuid().ToString("N"));
        var path = Path.Combine(directory, "wide.db");
        try
        {
            var written = new List<ProcessingRecord>();
            await using (var db = DatabaseSetup.OpenSqlite(path))
            {
                db.GetService<IMigrator>().Migrate(InitialMigration);
                var previous = ProcessingLog.GenesisHash;
                // Actions of 3, 1 and 2 records; one record without a person, one without a BSN; a user on one action.
                var runs = new[] { 3, 1, 2, 1 };
                var sequence = 0L;
                foreach (var (size, run) in runs.Select((size, run) => (size, run)))
                {
                    var actionId = Guid.NewGuid();
                    var at = new DateTime(2026, 3, 1 + run, 10, 0, 0, DateTimeKind.Utc).AddTicks(1234567);
                    for (var i = 0; i < size; i++)
                    {
                        sequence++;
                        var record = ChainedRecords.After(sequence, previous, sequence == 4 ? null : (int)sequence, sequence == 2 ? null : new string((char)('0' + sequence), 64), LogIndex.Purpose); // hex, as a protected BSN is
                        record.ActionId = actionId;
                        record.OccurredAt = at;
                        record.UserId = run == 2 ? "user-0001" : null;
                        record.RetentionYears = 5;
                        record.Categories = i % 2 == 0 ? "Identiteit" : "Casus,Zorg";
                        record.Confidentiality = i % 2 == 0 ? ProcessingConfidentiality.Normaal : ProcessingConfidentiality.Vertrouwelijk;
                        record.Hash = ProcessingLog.HashOf(record);
                        previous = record.Hash;
                        ChainedRecords.InsertIntoWideTable(db, record);
                        written.Add(record);
                    }
                }
                // The last run shares its action id with the one before but not its purpose (as a tampered log might):
                // the move keeps it apart, so every hash still matches what it covers.
                var last = written[^1];
                last.ActionId = written[^2].ActionId;
                last.Purpose = "toezicht-verwerkingen";
                last.Hash = ProcessingLog.HashOf(last);
                db.Database.ExecuteSql($"UPDATE \"ProcessingLog\" SET \"ActionId\" = {last.ActionId.ToString("D").ToUpperInvariant()}, \"Purpose\" = {last.Purpose}, \"Hash\" = {last.Hash} WHERE \"Sequence\" = {last.Sequence}");

                // Through the migrations and the move. The index by subject is made empty: the look-ups below read the
                // log's tail until the indexer has copied it (ProcessingLogIndexMigrationTests).
                await db.MigrateAsync();
                Assert.Empty(LogIndex.IndexRows(db));

                Assert.Equal(4, await db.Set<ProcessingAction>().CountAsync());
                Assert.Equal(written.Count, await db.Set<ProcessingLogEntry>().CountAsync());
                var read = await db.Set<ProcessingRecord>().AsNoTracking().OrderBy(r => r.Sequence).ToListAsync();
                Assert.Equal(written.Select(Fields), read.Select(Fields));
                var verification = await ProcessingLog.VerifyAsync(db, CancellationToken.None);
                Assert.True(verification.IsIntact, verification.Problem);
                Assert.Equal(written.Count, verification.Verified);

                // The look-ups by person and BSN find the same records.
                foreach (var record in written)
                {
                    if (record.PersonId is { } personId)
                        Assert.Equal(written.Where(r => r.PersonId == personId).Select(r => r.Sequence), ProcessingLogIndex.About(db, personId).OrderBy(r => r.Sequence).Select(r => r.Sequence).ToList());
                    if (record.ProtectedBsn is { } protectedBsn)
                        Assert.Equal(written.Where(r => r.ProtectedBsn == protectedBsn).Select(r => r.Sequence), ProcessingLogIndex.AboutBsn(db, protectedBsn).OrderBy(r => r.Sequence).Select(r => r.Sequence).ToList());
                }

                // The chain goes on from the moved records.
                using var writer = SqliteLogWriter.For(db)!;
                writer.Write((s, p) => ChainedRecords.Rows(ChainedRecords.After(s + 1, p, personId: 1)));
                Assert.True((await ProcessingLog.VerifyAsync(db, CancellationToken.None)).IsIntact);
            }
            var output = new StringWriter();
            Assert.Equal(AccountabilityCommands.ExitOk, await AccountabilityCommands.VerifyLogAsync(["--database", path], output, TextWriter.Null));
            Assert.Contains($"{written.Count + 1} records verified", output.ToString(), StringComparison.Ordinal);
        }
        finally
        {
            Microsoft.Data.Sqlite.SqliteConnection.ClearAllPools();
            if (Directory.Exists(directory)) Directory.Delete(directory, recursive: true);
        }
    }

    /// <summary>The migration before the records were packed into their actions.</summary>
    private const string BeforePackedRecords = "20261201030848_ProcessingLogWithoutActionIndex";

    /// <summary>
    /// Going down over the migration PackedRecords drops the column that holds the packed records: over a log that holds
    /// some, every record written since the upgrade would go without a word (and the actions left without records make
    /// the earlier version refuse every request it would log). So it refuses, and the log is as it was; a log of person
    /// rows alone goes down, with the log in its own file, and up again.
    /// </summary>
    [Fact]
    public async Task Going_down_over_PackedRecords_refuses_while_the_log_holds_packed_records()
    {
        var directory = Path.Combine(Path.GetTempPath(), "veiligheid-tests", Guid.NewGuid().ToString("N"));
        var path = Path.Combine(directory, "down.db");
        try
        {
            await using (var db = DatabaseSetup.OpenSqlite(path))
            {
                await db.MigrateAsync();
                using var writer = SqliteLogWriter.For(db)!;
                writer.Write((s, p) => ProcessingLog.Chain([ChainedRecords.Request(1, 2), ChainedRecords.Request(3)], s, p, personRows: true)); // 1-2, 3
            }
            Microsoft.Data.Sqlite.SqliteConnection.ClearAllPools();

            // Person rows alone: down and up again, the log in its own file throughout.
            await using (var db = DatabaseSetup.OpenSqlite(path))
            {
                await db.GetService<IMigrator>().MigrateAsync(BeforePackedRecords);
                Assert.DoesNotContain("20261201042410_PackedRecords", await db.Database.GetAppliedMigrationsAsync());
            }
            Microsoft.Data.Sqlite.SqliteConnection.ClearAllPools();
            await using (var db = DatabaseSetup.OpenSqlite(path))
            {
                await db.MigrateAsync();
                using var writer = SqliteLogWriter.For(db)!;
                writer.Write((s, p) => ProcessingLog.Chain([ChainedRecords.Request(1, 3)], s, p)); // 4-5, packed
                Assert.Equal([1L, 4L], await ProcessingLogIndex.About(db, 1).OrderBy(r => r.Sequence).Select(r => r.Sequence).ToListAsync());
            }
            Microsoft.Data.Sqlite.SqliteConnection.ClearAllPools();
            Assert.Equal(AccountabilityCommands.ExitOk, await AccountabilityCommands.VerifyLogAsync(["--database", path], TextWriter.Null, TextWriter.Null));

            // Packed records: the migration refuses to go down, and nothing of the log changed.
            await using (var db = DatabaseSetup.OpenSqlite(path))
            {
                var refused = await Assert.ThrowsAnyAsync<DbException>(() => db.GetService<IMigrator>().MigrateAsync(BeforePackedRecords));
                Assert.Contains("packed", refused.Message, StringComparison.Ordinal);
                Assert.Contains("20261201042410_PackedRecords", await db.Database.GetAppliedMigrationsAsync());
            }
            Microsoft.Data.Sqlite.SqliteConnection.ClearAllPools();
            var output = new StringWriter();
            Assert.Equal(AccountabilityCommands.ExitOk, await AccountabilityCommands.VerifyLogAsync(["--database", path], output, TextWriter.Null));
            Assert.Contains("5 records verified", output.ToString(), StringComparison.Ordinal);
        }
        finally
        {
            Microsoft.Data.Sqlite.SqliteConnection.ClearAllPools();
            if (Directory.Exists(directory)) Directory.Delete(directory, recursive: true);
        }
    }

    /// <summary>SQL Server's way down over PackedRecords refuses as SQLite's does, before it drops anything (read as ScriptDom parses it).</summary>
    [Fact]
    public void SQL_Servers_way_down_over_PackedRecords_refuses_first_while_the_log_holds_packed_records()
    {
        using var db = new SqlServerDesignTimeFactory().CreateDbContext([]);
        var script = db.GetService<IMigrator>().GenerateScript("20261201042412_PackedRecords", "20261201030850_ProcessingLogWithoutActionIndex", MigrationsSqlGenerationOptions.Idempotent);
        var fragment = new Microsoft.SqlServer.TransactSql.ScriptDom.TSql160Parser(initialQuotedIdentifiers: true).Parse(new StringReader(script), out var errors);
        Assert.Empty(errors.Select(e => $"line {e.Line}: {e.Message}"));
        var refusal = script.IndexOf("THROW", StringComparison.Ordinal);
        Assert.True(refusal >= 0 && refusal < script.IndexOf("DROP VIEW", StringComparison.Ordinal) && refusal < script.IndexOf("DROP COLUMN", StringComparison.Ordinal), script);
        Assert.Contains("WHERE [Records] IS NOT NULL", script[..refusal], StringComparison.Ordinal);
    }

    private static object Fields(ProcessingRecord r)
        => (r.Sequence, r.ActionId, r.ActionName, r.OccurredAt, r.OrganisationId, r.OrganisationKey, r.Role, r.ApplicationId, r.UserId,
            (r.Purpose, r.LegalGround, r.PersonId, r.ProtectedBsn, r.Categories, r.Confidentiality, r.RetentionYears, r.Hash));
}

/// <summary>The log writers' statement through SQLite's own API stores each value as Microsoft.Data.Sqlite would.</summary>
public sealed class SqliteRawStatementTests
{
    [Fact]
    public void Text_integers_and_nulls_are_stored_as_bound()
    {
        using var connection = InMemoryWith("CREATE TABLE t (n INTEGER, s TEXT);");
        var longText = string.Concat(Enumerable.Repeat("é€", 600)); // over the stack buffer's 1,024 bytes
        using (var insert = new SqliteRawStatement(connection, "INSERT INTO t (n, s) VALUES ($n, $s);"))
        {
            foreach (var (number, text) in new (long?, string?)[] { (1, ""), (null, "IJsselmonde ë"), (long.MinValue, longText), (2, null) })
            {
                insert.BindInt64(1, number);
                if (text is null) insert.BindNull(2);
                else insert.BindText(2, text);
                insert.Run();
            }
        }

        using var read = connection.CreateCommand();
        read.CommandText = "SELECT n, typeof(s), s FROM t ORDER BY rowid;";
        using var reader = read.ExecuteReader();
        var rows = new List<(long? Number, string Type, string? Text)>();
        while (reader.Read()) rows.Add((reader.IsDBNull(0) ? null : reader.GetInt64(0), reader.GetString(1), reader.IsDBNull(2) ? null : reader.GetString(2)));
        // Empty text stays text, not NULL (SQLite binds NULL for a null pointer, which an empty span may pin to).
        Assert.Equal([(1L, "text", ""), (null, "text", "IJsselmonde ë"), (long.MinValue, "text", longText), (2L, "null", null)], rows);
    }

    [Fact]
    public void A_failing_step_throws_SQLites_error()
    {
        using var connection = InMemoryWith("CREATE TABLE t (n INTEGER PRIMARY KEY);");
        using var insert = new SqliteRawStatement(connection, "INSERT INTO t (n) VALUES ($n);");
        insert.BindInt64(1, 7);
        insert.Run();
        var error = Assert.Throws<Microsoft.Data.Sqlite.SqliteException>(() => insert.Run());
        Assert.Equal(19, error.SqliteErrorCode); // SQLITE_CONSTRAINT

        // The statement was reset after the failure: it binds and runs again.
        insert.BindInt64(1, 8);
        insert.Run();
        using var count = connection.CreateCommand();
        count.CommandText = "SELECT count(*) FROM t;";
        Assert.Equal(2L, count.ExecuteScalar());
    }

    private static Microsoft.Data.Sqlite.SqliteConnection InMemoryWith(string ddl)
    {
        var connection = new Microsoft.Data.Sqlite.SqliteConnection("Data Source=:memory:");
        connection.Open();
        using var create = connection.CreateCommand();
        create.CommandText = ddl;
        create.ExecuteNonQuery();
        return connection;
    }

    /// <summary>
    /// The log's writer binds an action's row through SQLite's own API (its records from the UTF-8 the chain packed them in,
    /// its GUID and time formatted by it): each column must be stored exactly as EF Core stores the same action, or reads
    /// by time, by action id and verify-log's check of stored forms would tell the two apart.
    /// </summary>
    [Theory]
    [InlineData("2026-12-01T10:00:00.0000000", null)]
    [InlineData("2026-12-01T10:50:57.2478733", "user-1")]
    [InlineData("2026-02-28T23:59:59.0000001", "gebruiker é")]
    public async Task An_action_written_by_the_logs_writer_is_stored_as_EF_Core_stores_it(string occurredAt, string? user)
    {
        var directory = Path.Combine(Path.GetTempPath(), "veiligheid-tests", Guid.NewGuid().ToString("N"));
        var path = Path.Combine(directory, "stored.db");
        try
        {
            await using var db = DatabaseSetup.OpenSqlite(path);
            await db.MigrateAsync();
            var request = ChainedRecords.Request(1, 2);
            foreach (var record in request)
            {
                record.OccurredAt = DateTime.SpecifyKind(DateTime.Parse(occurredAt, System.Globalization.CultureInfo.InvariantCulture), DateTimeKind.Utc);
                record.UserId = user;
                record.ActionName = "inzage «é»";
            }
            LogRows? written = null;
            using (var writer = SqliteLogWriter.For(db)!)
                writer.Write((sequence, previous, packed) => written = ProcessingLog.Chain([request], sequence, previous, packedUtf8: packed));
            var action = Assert.Single(written!.Actions);
            Assert.Null(action.Records); // written from the UTF-8, not a string

            // The same action once more, through EF Core, under another key.
            action.Records = PackedRecords.Write(request);
            var byWriter = action.Id;
            action.Id = byWriter + 1000;
            db.Add(action);
            await db.SaveChangesAsync();

            var columns = db.Model.FindEntityType(typeof(ProcessingAction))!.GetProperties()
                .Where(p => p.Name != nameof(ProcessingAction.Id)).Select(p => $"quote(\"{p.GetColumnName()}\")").ToList();
            var select = $"SELECT {string.Join(" || '|' || ", columns)} AS \"Value\" FROM \"ProcessingActions\" WHERE \"Id\" = {{0}}";
            string Stored(long id) => db.Database.SqlQueryRaw<string>(select, id).Single();
            Assert.Equal(Stored(byWriter + 1000), Stored(byWriter));
            Assert.Equal(13, columns.Count);
        }
        finally
        {
            Microsoft.Data.Sqlite.SqliteConnection.ClearAllPools();
            if (Directory.Exists(directory)) Directory.Delete(directory, recursive: true);
        }
    }
}
