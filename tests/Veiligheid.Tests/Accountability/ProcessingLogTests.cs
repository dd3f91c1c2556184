using System.Data.Common;
using System.Net;
using System.Text.Json;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.TestHost;
using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Diagnostics;
using Microsoft.Extensions.DependencyInjection;
using Veiligheid.Access;
using Veiligheid.Accountability;
using Veiligheid.Data;
using Veiligheid.Data.Seeding;
using Veiligheid.GraphQL;
using Veiligheid.Tests.Infrastructure;

namespace Veiligheid.Tests.Accountability;

public sealed class ProcessingLogTests(HubFactory factory) : IClassFixture<HubFactory>
{
    private const string Purpose = "casusoverleg-zorg-en-veiligheid";
    private static readonly string[] IdentityAndAddress = ["Adres", "Identiteit"];

    [Fact]
    public async Task Each_person_a_request_returns_gets_one_record_with_the_standard_fields()
    {
        var client = factory.CreateClientWithPurpose(HubRole.GemeenteCoordinator, DemoOrganisations.GemeenteVeiligstad, Purpose, userObjectId: "user-0001");
        var before = factory.LogRecords().Count;

        var response = await client.GraphQLAsync(
            "query CoordinatorPersons { persons(first: 4) { nodes { id bsn surname address { postcode } } } }", operationName: "CoordinatorPersons");

        Assert.Equal(HttpStatusCode.OK, response.Status);
        Assert.Empty(response.Errors);
        var persons = response.Data.GetProperty("persons").GetProperty("nodes").EnumerateArray()
            .Select(p => (Id: Decode(p.GetProperty("id").GetString()!), Bsn: p.GetProperty("bsn").GetString()!))
            .ToList();
        Assert.NotEmpty(persons);

        var records = factory.LogRecords().Skip(before).ToList();
        Assert.Equal(persons.Count, records.Count);
        Assert.Single(records.Select(r => r.ActionId).Distinct());
        var log = factory.Services.GetRequiredService<ProcessingLog>();
        var organisationId = factory.WithDb(db => db.Organisations.Single(o => o.Key == DemoOrganisations.GemeenteVeiligstad).Id);
        var purpose = Purposes.Get(Purpose);
        foreach (var person in persons)
        {
            var record = Assert.Single(records, r => r.PersonId == person.Id);
            Assert.Equal("CoordinatorPersons", record.ActionName);
            Assert.Equal(organisationId, record.OrganisationId);
            Assert.Equal("Gemeente.Coordinator", record.Role);
            Assert.Equal("user-0001", record.UserId);
            Assert.Equal(factory.ClientAppIdOf(DemoOrganisations.GemeenteVeiligstad), record.ApplicationId);
            Assert.Equal(Purpose, record.Purpose);
            Assert.Equal(purpose.LegalGround, record.LegalGround);
            Assert.Equal(purpose.RetentionYears, record.RetentionYears);
            Assert.Equal(log.Protect(person.Bsn), record.ProtectedBsn);
            Assert.DoesNotContain(person.Bsn, record.ProtectedBsn, StringComparison.Ordinal);
            // The address field resolved for every person (null or not), so both categories were processed.
            Assert.Equal(IdentityAndAddress, record.Categories.Split(',').Order());
            Assert.Equal(ProcessingConfidentiality.Normaal, record.Confidentiality);
        }
    }

    [Fact]
    public async Task Care_data_makes_the_record_confidential()
    {
        var client = factory.CreateClientWithPurpose(HubRole.GemeenteCoordinator, DemoOrganisations.GemeenteVeiligstad, Purpose);
        var before = factory.LogRecords().Count;

        var response = await client.GraphQLAsync("{ persons(first: 20) { nodes { id lifeDomains { financien { score } } } } }");

        Assert.True(response.HasData);
        var records = factory.LogRecords().Skip(before).ToList();
        var nodes = response.Data.GetProperty("persons").GetProperty("nodes").EnumerateArray().ToList();
        Assert.Equal(nodes.Count, records.Count);
        Assert.All(records, r => Assert.Equal("(anonymous)", r.ActionName));
        // Care data is logged where it was given: a score. A domain without one (or withheld) gives none.
        var scored = nodes.Where(n => n.GetProperty("lifeDomains").GetProperty("financien").ValueKind == JsonValueKind.Object)
            .Select(n => Decode(n.GetProperty("id").GetString()!)).ToHashSet();
        Assert.NotEmpty(scored);
        Assert.All(records, r =>
        {
            Assert.Equal(scored.Contains(r.PersonId!.Value), r.Categories.Split(',').Contains("Zorg"));
            Assert.Equal(scored.Contains(r.PersonId!.Value) ? ProcessingConfidentiality.Vertrouwelijk : ProcessingConfidentiality.Normaal, r.Confidentiality);
        });
    }

    [Fact]
    public async Task A_request_without_person_data_writes_nothing()
    {
        var client = factory.CreateClientWithPurpose(HubRole.GemeenteCoordinator, DemoOrganisations.GemeenteVeiligstad, Purpose);
        var before = factory.LogRecords().Count;

        var response = await client.GraphQLAsync("{ viewer { role } districts { code } cases(first: 3) { nodes { kind status } } }");

        Assert.Empty(response.Errors);
        Assert.Equal(before, factory.LogRecords().Count);
    }

    [Fact]
    public async Task Persons_reached_through_cases_are_logged_with_the_case_category()
    {
        var client = factory.CreateClientWithPurpose(HubRole.GemeenteCoordinator, DemoOrganisations.GemeenteVeiligstad, Purpose);
        var before = factory.LogRecords().Count;

        var response = await client.GraphQLAsync("{ cases(first: 3) { nodes { subjects { role } } } }");

        var subjects = response.Data.GetProperty("cases").GetProperty("nodes").EnumerateArray().Sum(c => c.GetProperty("subjects").GetArrayLength());
        Assert.True(subjects > 0);
        var records = factory.LogRecords().Skip(before).ToList();
        Assert.NotEmpty(records);
        Assert.All(records, r => Assert.Equal("Casus", r.Categories));
        Assert.All(records, r => Assert.NotNull(r.ProtectedBsn));
    }

    [Fact]
    public async Task The_chain_verifies_after_requests()
    {
        var client = factory.CreateClientWithPurpose(HubRole.Politie, DemoOrganisations.PolitieNoord, "aanpak-woonoverlast");
        await client.GraphQLAsync("{ persons(first: 5) { nodes { surname } } }");
        await client.GraphQLAsync("{ persons(first: 5) { nodes { surname } } }");

        var verification = await factory.WithDbAsync(db => ProcessingLog.VerifyAsync(db, CancellationToken.None));
        Assert.True(verification.IsIntact, verification.Problem);
        Assert.Equal(factory.LogRecords().Count, verification.Verified);
        Assert.True(verification.Verified >= 2);
    }

    internal static int Decode(string globalId) => GlobalId.TryDecode(globalId, "Person", out var id) ? id : throw new InvalidOperationException(globalId);
}

/// <summary>The hub with a processing-log table that refuses every insert from now on, as a full disk or a revoked grant would.</summary>
public sealed class UnwritableLogHubFactory : HubFactory
{
    /// <summary>
    /// An index, in the log's own file, on an expression that fails for every new row (json() of a purpose's key, which is
    /// no JSON); partial, so the rows already there are not indexed. On the actions' table: the hub packs a request's
    /// records into its action's row and writes no person row (an index on those, as before, refused nothing), and in the
    /// earlier form too every request wrote its action, so it refuses both. Not a trigger: the log's writer turns triggers
    /// off on its connection.
    /// </summary>
    public void MakeLogUnwritable()
    {
        var end = this.WithDb(db => db.Set<ProcessingAction>().Max(a => (long?)a.Id) ?? 0);
        var sql = string.Create(System.Globalization.CultureInfo.InvariantCulture,
            $"CREATE INDEX IF NOT EXISTS \"{SqliteLogFile.Schema}\".refuse_log ON \"ProcessingActions\" (json(\"Purpose\")) WHERE \"Id\" > {end};");
        this.WithDb(db => db.Database.ExecuteSqlRaw(sql));
    }

    /// <summary>Takes <see cref="MakeLogUnwritable"/> back.</summary>
    public void MakeLogWritable() => this.WithDb(db => db.Database.ExecuteSqlRaw("DROP INDEX refuse_log;"));
}

public sealed class UnwritableLogTests(UnwritableLogHubFactory factory) : IClassFixture<UnwritableLogHubFactory>
{
    [Fact]
    public async Task A_request_whose_log_cannot_be_written_returns_no_data()
    {
        factory.MakeLogUnwritable();
        var client = factory.CreateClientWithPurpose(HubRole.GemeenteCoordinator, DemoOrganisations.GemeenteVeiligstad, "casusoverleg-zorg-en-veiligheid");

        var response = await client.GraphQLAsync("{ persons(first: 3) { nodes { bsn surname } } }");

        Assert.False(response.HasData);
        Assert.Equal([ProcessingLogErrorCodes.Unavailable], response.ErrorCodes);
        Assert.Empty(factory.LogRecords());
        var text = response.Body.GetRawText();
        var bsns = factory.WithDb(db => db.Persons.Select(p => p.Bsn).ToList());
        Assert.DoesNotContain(bsns, bsn => text.Contains(bsn, StringComparison.Ordinal));
    }

    [Fact]
    public async Task A_mutation_whose_log_cannot_be_written_says_its_writes_were_saved()
    {
        // A mutation's writes commit as it runs, before its log: withholding the response must not suggest nothing happened.
        factory.MakeLogUnwritable();
        var client = factory.CreateClientWithPurpose(HubRole.GemeenteCoordinator, DemoOrganisations.GemeenteVeiligstad, "casusoverleg-zorg-en-veiligheid");
        var personId = factory.WithDb(db => db.CaseSubjects.OrderBy(s => s.PersonId).Select(s => s.PersonId).First());

        var response = await client.PostGraphQLAsync(
            "mutation($input: RecordInterventionInput!) { recordIntervention(input: $input) { intervention { id } } }",
            new { input = new { kind = "GESPREK", startDate = "2026-03-01", personId = GlobalId.Encode("Person", personId), externalId = "LOG-DOWN-1" } });

        Assert.Null(response.Body?["data"]); // "data": null, as a mutation's executed result is written
        Assert.Equal([ProcessingLogErrorCodes.Unavailable], response.ErrorCodes);
        Assert.Contains("were saved", (string?)response.Errors[0]!["message"], StringComparison.Ordinal);
        Assert.Equal(1, factory.WithDb(db => db.Interventions.Count(i => i.ExternalId == "LOG-DOWN-1")));
    }

    [Fact]
    public async Task A_request_without_person_data_still_works_when_the_log_is_down()
    {
        var client = factory.CreateClientWithPurpose(HubRole.GemeenteCoordinator, DemoOrganisations.GemeenteVeiligstad, null);

        var response = await client.GraphQLAsync("{ districts { code } }");

        Assert.True(response.HasData);
        Assert.Empty(response.Errors);
    }
}

public sealed class RecoveringLogTests(UnwritableLogHubFactory factory) : IClassFixture<UnwritableLogHubFactory>
{
    [Fact]
    public async Task After_a_failed_write_the_next_request_is_logged_and_the_chain_holds()
    {
        var client = factory.CreateClientWithPurpose(HubRole.GemeenteCoordinator, DemoOrganisations.GemeenteVeiligstad, "casusoverleg-zorg-en-veiligheid");
        Assert.True((await client.GraphQLAsync("{ persons(first: 2) { nodes { surname } } }")).HasData);
        factory.MakeLogUnwritable();
        Assert.Equal([ProcessingLogErrorCodes.Unavailable], (await client.GraphQLAsync("{ persons(first: 2) { nodes { surname } } }")).ErrorCodes);
        var before = factory.LogRecords().Count;

        // The log's connection was closed with the failed transaction; the next write opens a fresh one.
        factory.MakeLogWritable();
        var response = await client.GraphQLAsync("{ persons(first: 3) { nodes { surname } } }");

        Assert.True(response.HasData);
        Assert.Empty(response.Errors);
        Assert.Equal(before + response.Data.GetProperty("persons").GetProperty("nodes").GetArrayLength(), factory.LogRecords().Count);
        var verification = await factory.WithDbAsync(db => ProcessingLog.VerifyAsync(db, CancellationToken.None));
        Assert.True(verification.IsIntact, verification.Problem);
    }
}

/// <summary>
/// verify-log on a log the hub wrote in the earlier form, a person row per record (<see cref="HubFactory.WritesPersonRows"/>):
/// the hub now packs a request's records into its action, but logs written so are kept and verified, and their person rows
/// are what these tests edit (the packed form's edits: <see cref="VerifyLogTests"/>).
/// </summary>
public sealed class LogTamperingTests(PersonRowsHubFactory factory) : IClassFixture<PersonRowsHubFactory>
{
    [Fact]
    public async Task Verify_log_detects_a_changed_record_and_a_removed_record()
    {
        var client = factory.CreateClientWithPurpose(HubRole.Politie, DemoOrganisations.PolitieNoord, "aanpak-woonoverlast");
        for (var i = 0; i < 3; i++) await client.GraphQLAsync("{ persons(first: 3) { nodes { surname } } }");
        var records = factory.LogRecords();
        Assert.True(records.Count >= 6);

        var output = new StringWriter();
        var error = new StringWriter();
        Assert.Equal(AccountabilityCommands.ExitOk, await AccountabilityCommands.VerifyLogAsync(["--database", factory.DatabasePath], output, error));
        Assert.Contains($"{records.Count} records verified", output.ToString(), StringComparison.Ordinal);

        // Someone edits a record in the database to change which categories it says were read. Its request's records are
        // one action, chained as one: the action is found changed, at its first record.
        var victim = records[2];
        var action = records.Where(r => r.ActionId == victim.ActionId).ToList();
        Assert.True(action.Count > 1);
        factory.WithDb(db => db.Database.ExecuteSql($"UPDATE ProcessingLog SET Categories = 'Adres' WHERE Sequence = {victim.Sequence}"));
        Assert.Equal(AccountabilityCommands.ExitBroken, await AccountabilityCommands.VerifyLogAsync(["--database", factory.DatabasePath], output, error));
        Assert.Contains($"BROKEN at record {action[0].Sequence}: records {action[0].Sequence} to {action[^1].Sequence} (one action, chained as one) were changed", error.ToString(), StringComparison.Ordinal);

        // Even with the action's hash recomputed, the next action no longer points at it.
        var tampered = factory.LogRecords().Where(r => r.ActionId == victim.ActionId).ToList();
        var before = records.SingleOrDefault(r => r.Sequence == action[0].Sequence - 1)?.Hash ?? ProcessingLog.GenesisHash;
        var rehashed = RecordHasher.ActionHash(tampered, before);
        factory.WithDb(db => db.Database.ExecuteSql($"UPDATE ProcessingActions SET Hash = {rehashed} WHERE Id = {action[0].Sequence}"));
        var afterRehash = await factory.WithDbAsync(db => ProcessingLog.VerifyAsync(db, CancellationToken.None));
        Assert.Equal(action[^1].Sequence + 1, afterRehash.BrokenAt);
    }

    [Fact]
    public async Task Verify_log_detects_a_removed_record()
    {
        using var fresh = new HubFactory { WritesPersonRows = true }; // the earlier form: a record removed is a person row deleted
        var client = fresh.CreateClientWithPurpose(HubRole.Politie, DemoOrganisations.PolitieNoord, "aanpak-woonoverlast");
        await client.GraphQLAsync("{ persons(first: 4) { nodes { surname } } }");
        var records = fresh.LogRecords();
        Assert.True(records.Count >= 3);
        Assert.True((await fresh.WithDbAsync(db => ProcessingLog.VerifyAsync(db, CancellationToken.None))).IsIntact);

        fresh.WithDb(db => db.Database.ExecuteSql($"DELETE FROM ProcessingLog WHERE Sequence = {records[1].Sequence}"));

        var verification = await fresh.WithDbAsync(db => ProcessingLog.VerifyAsync(db, CancellationToken.None));
        Assert.False(verification.IsIntact);
        Assert.Equal(records[2].Sequence, verification.BrokenAt);
        Assert.Equal(AccountabilityCommands.ExitBroken, await AccountabilityCommands.VerifyLogAsync(["--database", fresh.DatabasePath], TextWriter.Null, TextWriter.Null));
    }
}

/// <summary>
/// The hub writing on after the log's end was edited in its file: it reads the end's sequence and hash as the view does
/// and chains on, as it always did over an edited end, and verify-log shows the edit. The end here is of the earlier form,
/// person rows (<see cref="HubFactory.WritesPersonRows"/>): a hub upgraded over such a log reads its end from them, and the
/// row removed is one of them (a packed end: <see cref="EditedPackedLogEndTests"/>).
/// </summary>
public sealed class EditedLogEndTests(PersonRowsHubFactory factory) : IClassFixture<PersonRowsHubFactory>
{
    [Fact]
    public async Task Requests_are_answered_and_logged_after_the_last_actions_hash_or_row_was_removed_and_verify_log_shows_it()
    {
        var client = factory.CreateClientWithPurpose(HubRole.Politie, DemoOrganisations.PolitieNoord, "aanpak-woonoverlast");
        Assert.Empty((await client.GraphQLAsync("{ persons(first: 3) { nodes { surname } } }")).Errors);
        var last = factory.LogRecords()[^1];
        var action = factory.WithDb(db => db.Set<ProcessingLogEntry>().Single(e => e.Sequence == last.Sequence).ActionKey);

        // The action's hash cleared: its records store none of their own, so the end reads no hash (NULL), which the
        // writer read as a string and failed on: every request with person data withheld (on SQL Server an unhandled error).
        factory.WithDb(db => db.Database.ExecuteSql($"UPDATE ProcessingActions SET Hash = NULL WHERE Id = {action}"));
        await AssertAnsweredAndLoggedAsync(client, last.Sequence);
        var cleared = await factory.WithDbAsync(db => ProcessingLog.VerifyAsync(db, CancellationToken.None));
        Assert.Equal(action, cleared.BrokenAt);

        // The last action's row removed (foreign keys off, as whoever holds the file can): the join to it dropped the last
        // record, so the writer read an earlier end and its records collided with the ones after it.
        var end = factory.WithDb(db => db.Set<ProcessingLogEntry>().Max(e => e.Sequence));
        var lastAction = factory.WithDb(db => db.Set<ProcessingLogEntry>().Single(e => e.Sequence == end).ActionKey);
        VerifyLogTests.Tamper(factory.DatabasePath, $"DELETE FROM \"ProcessingActions\" WHERE \"Id\" = {lastAction};");
        await AssertAnsweredAndLoggedAsync(client, end);
        Assert.Equal(action, (await factory.WithDbAsync(db => ProcessingLog.VerifyAsync(db, CancellationToken.None))).BrokenAt);
    }

    private async Task AssertAnsweredAndLoggedAsync(HttpClient client, long end)
    {
        var response = await client.GraphQLAsync("{ persons(first: 2) { nodes { surname } } }");
        Assert.Empty(response.Errors);
        var written = factory.WithDb(db => db.Set<ProcessingLogEntry>().Where(e => e.Sequence > end).OrderBy(e => e.Sequence).Select(e => e.Sequence).ToList());
        Assert.Equal(Enumerable.Range(1, response.Data.GetProperty("persons").GetProperty("nodes").GetArrayLength()).Select(i => end + i), written);
    }
}

/// <summary>
/// As <see cref="EditedLogEndTests"/>, over an end the hub wrote packed (<see cref="PackedRecords"/>): the writer reads the
/// last action's last record from its packed records (<see cref="ProcessingLog.LastRecordSql"/>), and chains on over an
/// edit of it. The indexer is off: it has nothing to do with the end (over the edited records it stops before them:
/// <see cref="UnindexedRecordsNotJsonReadTests"/>).
/// </summary>
public sealed class EditedPackedLogEndTests(UnindexedHubFactory factory) : IClassFixture<UnindexedHubFactory>
{
    [Fact]
    public async Task Requests_are_answered_and_logged_after_the_last_packed_actions_hash_or_records_were_edited_and_verify_log_shows_it()
    {
        var client = factory.CreateClientWithPurpose(HubRole.Politie, DemoOrganisations.PolitieNoord, "aanpak-woonoverlast");
        Assert.Empty((await client.GraphQLAsync("{ persons(first: 3) { nodes { surname } } }")).Errors);
        var (action, end) = LastAction();
        Assert.Empty(factory.WithDb(db => db.Set<ProcessingLogEntry>().ToList()));
        Assert.Equal(action + 2, end); // three records packed into one action

        // The action's hash cleared: the end reads no hash (NULL), which the writer must take as an empty one and chain on.
        factory.WithDb(db => db.Database.ExecuteSql($"UPDATE ProcessingActions SET Hash = NULL WHERE Id = {action}"));
        var written = await AnsweredAsync(client);
        Assert.Equal(end + 1, written.Action);
        var cleared = await factory.WithDbAsync(db => ProcessingLog.VerifyAsync(db, CancellationToken.None));
        Assert.Equal(action, cleared.BrokenAt);
        Assert.Contains($"action {action} packs its records but holds no hash", cleared.Problem, StringComparison.Ordinal);

        // The last action's records made something else than a JSON array: the writer counts them as one record and chains
        // on past the action, rather than failing every request with person data on reading its end.
        factory.WithDb(db => db.Database.ExecuteSql($"UPDATE ProcessingActions SET Records = 'edited' WHERE Id = {written.Action}"));
        var after = await AnsweredAsync(client);
        Assert.Equal(written.Action + 1, after.Action);
        Assert.Equal(action, (await factory.WithDbAsync(db => ProcessingLog.VerifyAsync(db, CancellationToken.None))).BrokenAt);
    }

    /// <summary>The last action's id and the last sequence it packs, read from its row (the view cannot read edited records).</summary>
    private (long Action, long End) LastAction()
        => factory.WithDb(db =>
        {
            var last = db.Set<ProcessingAction>().AsNoTracking().OrderByDescending(a => a.Id).First();
            return (last.Id, last.Id + PackedRecords.Read(last.Records!).Count - 1);
        });

    /// <summary>A request with person data, answered, and the action the hub wrote for it: its records, one a person.</summary>
    private async Task<(long Action, long End)> AnsweredAsync(HttpClient client)
    {
        var response = await client.GraphQLAsync("{ persons(first: 2) { nodes { surname } } }");
        Assert.Empty(response.Errors);
        var written = LastAction();
        Assert.Equal(response.Data.GetProperty("persons").GetProperty("nodes").GetArrayLength(), written.End - written.Action + 1);
        return written;
    }
}
