using System.Text.Json.Nodes;
using Veiligheid.Access;
using Veiligheid.Data;
using Veiligheid.Data.Seeding;
using Veiligheid.GraphQL;
using Veiligheid.Tests.Infrastructure;

namespace Veiligheid.Tests.Mutations;

/// <summary>Case notes sent with the partner system's own id (externalId): added once per organisation, never moved or rewritten; over real HTTP.</summary>
public sealed class CaseContributionTests(HubFactory hub) : IClassFixture<HubFactory>
{
    private const string CaseFields = "case { id version status contributions { text } } errors { code field message currentVersion }";
    private const string OpenCase = $"mutation($input: OpenCaseInput!) {{ openCase(input: $input) {{ {CaseFields} }} }}";
    private const string ChangeStatus = $"mutation($input: ChangeCaseStatusInput!) {{ changeCaseStatus(input: $input) {{ {CaseFields} }} }}";
    private const string AddParticipant = $"mutation($input: AddCaseParticipantInput!) {{ addCaseParticipant(input: $input) {{ {CaseFields} }} }}";
    private const string AddContribution = $"mutation($input: AddCaseContributionInput!) {{ addCaseContribution(input: $input) {{ {CaseFields} }} }}";

    private static async Task<string> OpenAsync(HttpClient client, string title, string confidentiality = "ZAAKVERTROUWELIJK")
    {
        var payload = (await client.PostAsync(OpenCase, new { input = new { kind = "ZORG_EN_VEILIGHEID", title, legalGround = "CONVENANT_ZORG_EN_VEILIGHEID", confidentiality } })).Data("openCase");
        payload.AssertNoErrors();
        return (string)payload["case"]!["id"]!;
    }

    private static async Task<JsonObject> ContributeAsync(HttpClient client, string caseId, string text, string? externalId)
        => (await client.PostAsync(AddContribution, new { input = new { caseId, text, externalId } })).Data("addCaseContribution");

    private static int RowId(string caseId)
    {
        Assert.True(GlobalId.TryDecode(caseId, "Case", out var id));
        return id;
    }

    /// <summary>The notes on a case and the audit rows of notes on it: what a write of a note leaves behind.</summary>
    private (int Notes, int Audits) Written(string caseId)
    {
        var id = RowId(caseId);
        return hub.Query(db => (db.CaseContributions.Count(c => c.CaseId == id),
            db.Set<WriteAudit>().Count(a => a.Operation == "addCaseContribution" && a.EntityType == "Case" && a.EntityId == id)));
    }

    [Fact]
    public async Task A_note_sent_again_with_its_external_id_is_added_once()
    {
        // A partner's system that retries after a time-out sends the same note again: it must not appear twice.
        using var police = hub.CreateClient(HubRole.Politie, DemoOrganisations.PolitieNoord);
        var caseId = await OpenAsync(police, "Notes replayed");

        var first = await ContributeAsync(police, caseId, "Signal shared in the lokale kamer.", "BVH-NOTE-1");
        var again = await ContributeAsync(police, caseId, "Signal shared in the lokale kamer.", "BVH-NOTE-1");

        first.AssertNoErrors();
        again.AssertNoErrors();
        Assert.Equal(["Signal shared in the lokale kamer."], again["case"]!["contributions"]!.AsArray().Select(c => (string?)c!["text"]));
        Assert.Equal((1, 1), Written(caseId));
        var politie = DemoOrganisations.IdOf(DemoOrganisations.PolitieNoord);
        Assert.Equal(1, hub.Query(db => db.CaseContributions.Count(c => c.SourceOrganisationId == politie && c.ExternalId == "BVH-NOTE-1")));
    }

    [Fact]
    public async Task Notes_without_an_external_id_are_each_added()
    {
        // Without the partner's id the hub cannot tell a retry from a second note with the same words: both are kept.
        using var police = hub.CreateClient(HubRole.Politie, DemoOrganisations.PolitieNoord);
        var caseId = await OpenAsync(police, "Notes without ids");

        (await ContributeAsync(police, caseId, "Same words.", null)).AssertNoErrors();
        (await ContributeAsync(police, caseId, "Same words.", null)).AssertNoErrors();

        Assert.Equal((2, 2), Written(caseId));
    }

    [Fact]
    public async Task The_same_external_id_from_another_organisation_is_another_note()
    {
        // The key is (the caller's organisation, externalId): two partners' systems may well number their notes alike.
        using var coordinator = hub.CreateClient(HubRole.GemeenteCoordinator, DemoOrganisations.GemeenteVeiligstad);
        using var police = hub.CreateClient(HubRole.Politie, DemoOrganisations.PolitieNoord);
        var caseId = await OpenAsync(coordinator, "Notes of two partners");
        (await coordinator.PostAsync(AddParticipant, new { input = new { caseId, organisationId = GlobalId.Encode("Organisation", DemoOrganisations.IdOf(DemoOrganisations.PolitieNoord)) } }))
            .Data("addCaseParticipant").AssertNoErrors();

        var municipalNote = await ContributeAsync(coordinator, caseId, "Same words.", "NOTE-1");
        var policeNote = await ContributeAsync(police, caseId, "Same words.", "NOTE-1");

        municipalNote.AssertNoErrors();
        policeNote.AssertNoErrors();
        Assert.Equal((2, 2), Written(caseId));
        var id = RowId(caseId);
        var sources = hub.Query(db => db.CaseContributions.Where(c => c.CaseId == id && c.ExternalId == "NOTE-1").Select(c => c.SourceOrganisationId).ToList());
        Assert.Equal(
            new int?[] { DemoOrganisations.IdOf(DemoOrganisations.GemeenteVeiligstad), DemoOrganisations.IdOf(DemoOrganisations.PolitieNoord) }.Order().ToList(),
            sources.Order().ToList());
    }

    [Fact]
    public async Task A_note_is_not_moved_to_another_case_or_rewritten_under_its_external_id()
    {
        using var police = hub.CreateClient(HubRole.Politie, DemoOrganisations.PolitieNoord);
        var first = await OpenAsync(police, "Note stays here");
        var second = await OpenAsync(police, "Note does not move here");
        (await ContributeAsync(police, first, "Original note.", "BVH-NOTE-2")).AssertNoErrors();
        var before = (Written(first), Written(second));

        var moved = await ContributeAsync(police, second, "Original note.", "BVH-NOTE-2");
        var rewritten = await ContributeAsync(police, first, "Rewritten note.", "BVH-NOTE-2");

        moved.AssertSingleError("INVALID", "externalId");
        Assert.Contains("another case", (string?)moved.Errors()[0]["message"], StringComparison.Ordinal);
        rewritten.AssertSingleError("INVALID", "externalId");
        Assert.Contains("another text", (string?)rewritten.Errors()[0]["message"], StringComparison.Ordinal);
        Assert.Equal(before, (Written(first), Written(second)));
        var id = RowId(first);
        Assert.Equal("Original note.", hub.Query(db => db.CaseContributions.Single(c => c.CaseId == id).Text));
    }

    [Theory]
    [InlineData(" BVH-NOTE-3")]  // leading whitespace
    [InlineData("BVH-NOTE-3 ")]  // trailing: SQL Server would take it for "BVH-NOTE-3"
    [InlineData("BVH-NOTE-3\t")]
    [InlineData(null)]           // 101 characters
    public async Task An_external_id_breaking_the_shared_rules_is_refused_and_nothing_is_added(string? externalId)
    {
        // The same rules, messages and code as openCase's and recordIntervention's externalId.
        using var police = hub.CreateClient(HubRole.Politie, DemoOrganisations.PolitieNoord);
        var caseId = await OpenAsync(police, "Note ids checked " + externalId?.Trim());

        var payload = await ContributeAsync(police, caseId, "A note.", externalId ?? new string('x', 101));

        payload.AssertSingleError("INVALID", "externalId");
        Assert.Equal((0, 0), Written(caseId));
    }

    [Fact]
    public async Task The_external_id_is_compared_exactly()
    {
        // 'abc' and 'ABC' are two ids, as for cases and interventions.
        using var police = hub.CreateClient(HubRole.Politie, DemoOrganisations.PolitieNoord);
        var caseId = await OpenAsync(police, "Note ids by case");

        (await ContributeAsync(police, caseId, "Lower.", "bvh-note-4")).AssertNoErrors();
        (await ContributeAsync(police, caseId, "Upper.", "BVH-NOTE-4")).AssertNoErrors();

        Assert.Equal((2, 2), Written(caseId));
    }

    [Fact]
    public async Task A_note_sent_again_after_its_case_closed_adds_nothing_and_answers_the_case()
    {
        // A closed case takes no new note, but a retry of one it holds is not an addition: it answers as a replay does.
        using var police = hub.CreateClient(HubRole.Politie, DemoOrganisations.PolitieNoord);
        var caseId = await OpenAsync(police, "Note replayed after closing");
        var added = await ContributeAsync(police, caseId, "Before closing.", "BVH-NOTE-5");
        added.AssertNoErrors();
        var taken = (await police.PostAsync(ChangeStatus, new { input = new { caseId, version = (string?)added["case"]!["version"], status = "IN_BEHANDELING" } })).Data("changeCaseStatus");
        (await police.PostAsync(ChangeStatus, new { input = new { caseId, version = (string?)taken["case"]!["version"], status = "AFGESLOTEN", outcome = "OVERLAST_GESTOPT" } }))
            .Data("changeCaseStatus").AssertNoErrors();
        var before = Written(caseId);

        var replay = await ContributeAsync(police, caseId, "Before closing.", "BVH-NOTE-5");
        var another = await ContributeAsync(police, caseId, "After closing.", "BVH-NOTE-6");

        replay.AssertNoErrors();
        Assert.Equal("AFGESLOTEN", (string?)replay["case"]!["status"]);
        another.AssertSingleError("INVALID", "caseId");
        Assert.Equal(before, Written(caseId));
    }

    [Fact]
    public async Task A_note_sent_again_by_a_role_that_may_not_see_its_case_is_refused()
    {
        // The coordinator's note on a zeer geheim case; enforcement, of the same organisation, reads up to vertrouwelijk.
        // Its replay must not be told the note is there as if it could see the case, nor add a second one.
        using var coordinator = hub.CreateClient(HubRole.GemeenteCoordinator, DemoOrganisations.GemeenteVeiligstad);
        using var enforcement = hub.CreateClient(HubRole.GemeenteHandhaving, DemoOrganisations.GemeenteVeiligstad);
        var caseId = await OpenAsync(coordinator, "Zeer geheim notes", "ZEER_GEHEIM");
        (await ContributeAsync(coordinator, caseId, "Hidden note.", "HIDDEN-NOTE")).AssertNoErrors();
        var before = Written(caseId);

        var replay = await ContributeAsync(enforcement, caseId, "Hidden note.", "HIDDEN-NOTE");

        replay.AssertSingleError("FORBIDDEN", "externalId");
        Assert.Null(replay["case"]);
        Assert.Equal(before, Written(caseId));
    }

    [Fact]
    public async Task Two_concurrent_sends_of_one_note_add_it_once()
    {
        // A retry while the first request still runs: both miss the note, one insert loses on the unique key and runs
        // again as a replay (ConcurrentWriteRetry).
        using var first = hub.CreateClient(HubRole.Politie, DemoOrganisations.PolitieNoord);
        using var second = hub.CreateClient(HubRole.Politie, DemoOrganisations.PolitieNoord);
        var caseId = await OpenAsync(first, "Notes sent at once");

        var payloads = await Task.WhenAll(ContributeAsync(first, caseId, "At once.", "BVH-NOTE-7"), ContributeAsync(second, caseId, "At once.", "BVH-NOTE-7"));

        Assert.All(payloads, p => p.AssertNoErrors());
        Assert.Equal((1, 1), Written(caseId));
    }
}
