using System.Text.Json.Nodes;
using Microsoft.EntityFrameworkCore;
using Veiligheid.Access;
using Veiligheid.Cases;
using Veiligheid.Data;
using Veiligheid.Data.Seeding;
using Veiligheid.GraphQL;
using Veiligheid.Persons;
using Veiligheid.Tests.Infrastructure;

namespace Veiligheid.Tests.Mutations;

/// <summary>Opening cases, adding to them, their status flow, and consent, over real HTTP.</summary>
public sealed class CaseMutationTests(HubFactory hub) : IClassFixture<HubFactory>
{
    private const string CaseFields = "case { id version status outcome participants { organisation { name } } subjects { role } contributions { text } } errors { code field message currentVersion }";

    private static string Mutation(string name, string inputType) => $"mutation($input: {inputType}!) {{ {name}(input: $input) {{ {CaseFields} }} }}";

    private static readonly string OpenCase = Mutation("openCase", "OpenCaseInput");
    private static readonly string ChangeStatus = Mutation("changeCaseStatus", "ChangeCaseStatusInput");
    private static readonly string AddSubject = Mutation("addCaseSubject", "AddCaseSubjectInput");
    private static readonly string AddLocation = Mutation("addCaseLocation", "AddCaseLocationInput");
    private static readonly string AddParticipant = Mutation("addCaseParticipant", "AddCaseParticipantInput");
    private static readonly string AddContribution = Mutation("addCaseContribution", "AddCaseContributionInput");

    private static string Org(string key) => GlobalId.Encode("Organisation", DemoOrganisations.IdOf(key));

    private static async Task<JsonObject> OpenAsync(HttpClient client, string title, string kind = "ZORG_EN_VEILIGHEID", string? externalId = null)
    {
        var payload = (await client.PostAsync(OpenCase, new { input = new { kind, title, legalGround = "CONVENANT_ZORG_EN_VEILIGHEID", externalId } })).Data("openCase");
        payload.AssertNoErrors();
        return payload["case"]!.AsObject();
    }

    private static async Task<JsonObject> MoveAsync(HttpClient client, JsonObject @case, string status, string? outcome = null, string? zvh = null)
        => (await client.PostAsync(ChangeStatus, new { input = new { caseId = (string?)@case["id"], version = (string?)@case["version"], status, outcome, zvhOrganisationId = zvh } })).Data("changeCaseStatus");

    [Fact]
    public async Task Opening_a_closed_case_again_changes_nothing_of_it()
    {
        // A closed case's kind, confidentiality and legal ground decided who saw it and how long it is kept.
        var politie = DemoOrganisations.IdOf(DemoOrganisations.PolitieNoord);
        var closed = hub.Query(db => db.Cases.AsNoTracking()
            .Where(c => c.SourceOrganisationId == politie && c.ExternalId != null && c.Status == CaseStatus.Afgesloten)
            .OrderBy(c => c.Id).First());
        using var police = hub.CreateClient(HubRole.Politie, DemoOrganisations.PolitieNoord);
        var before = hub.Fingerprint();

        var changed = (await police.PostAsync(OpenCase, new { input = new { kind = "WOONOVERLAST", title = "x", legalGround = "GEMEENTEWET_OPENBARE_ORDE", confidentiality = "OPENBAAR", externalId = closed.ExternalId } })).Data("openCase");

        changed.AssertSingleError("INVALID", "externalId");
        Assert.Equal(before, hub.Fingerprint());
        var after = hub.Query(db => db.Cases.AsNoTracking().Single(c => c.Id == closed.Id));
        Assert.Equal((closed.Kind, closed.Confidentiality, closed.Title), (after.Kind, after.Confidentiality, after.Title));
    }

    [Fact]
    public async Task Nothing_is_added_to_a_closed_case()
    {
        // A participant added after closing would read the case's subjects; what a closed case holds was settled then.
        var gemeente = DemoOrganisations.IdOf(DemoOrganisations.GemeenteVeiligstad);
        var closed = hub.Query(db => db.Cases.AsNoTracking()
            .Where(c => c.Status == CaseStatus.Afgesloten && c.CoordinatingOrganisationId == gemeente && c.Kind != CaseKind.Ondermijning)
            .OrderBy(c => c.Id).Select(c => c.Id).First());
        using var coordinator = hub.CreateClient(HubRole.GemeenteCoordinator, DemoOrganisations.GemeenteVeiligstad);
        var caseId = GlobalId.Encode("Case", closed);
        var before = hub.Fingerprint();

        var participant = (await coordinator.PostAsync(AddParticipant, new { input = new { caseId, organisationId = Org(DemoOrganisations.Woonstede) } })).Data("addCaseParticipant");
        var contribution = (await coordinator.PostAsync(AddContribution, new { input = new { caseId, text = "Na afsluiting." } })).Data("addCaseContribution");

        participant.AssertSingleError("INVALID", "caseId");
        contribution.AssertSingleError("INVALID", "caseId");
        Assert.Equal(before, hub.Fingerprint());
        Assert.False(hub.Query(db => db.CaseParticipants.Any(p => p.CaseId == closed && p.OrganisationId == DemoOrganisations.IdOf(DemoOrganisations.Woonstede))));
    }

    [Fact]
    public async Task The_coordinator_takes_a_case_through_its_whole_flow()
    {
        using var coordinator = hub.CreateClient(HubRole.GemeenteCoordinator, DemoOrganisations.GemeenteVeiligstad);
        var @case = await OpenAsync(coordinator, "Multi-problem case Oost");
        Assert.Equal("GEMELD", (string?)@case["status"]);

        var taken = await MoveAsync(coordinator, @case, "IN_BEHANDELING");
        var escalated = await MoveAsync(coordinator, taken["case"]!.AsObject(), "OPGESCHAALD_NAAR_ZVH", zvh: Org(DemoOrganisations.ZvhRegioNoord));
        var closed = await MoveAsync(coordinator, escalated["case"]!.AsObject(), "AFGESLOTEN", outcome: "OVERLAST_GESTOPT");

        Assert.Equal("AFGESLOTEN", (string?)closed["case"]!["status"]);
        Assert.Equal("OVERLAST_GESTOPT", (string?)closed["case"]!["outcome"]);
        Assert.Contains(escalated["case"]!["participants"]!.AsArray(), p => (string?)p!["organisation"]!["name"] == "Zorg- en Veiligheidshuis Regio Noord");
        GlobalId.TryDecode((string?)@case["id"], "Case", out var id);
        var history = hub.Query(db => db.CaseStatusChanges.Where(s => s.CaseId == id).OrderBy(s => s.Id).Select(s => s.ToStatus).ToList());
        Assert.Equal([CaseStatus.Gemeld, CaseStatus.InBehandeling, CaseStatus.OpgeschaaldNaarZvh, CaseStatus.Afgesloten], history);
        Assert.Equal(4, hub.Query(db => db.Set<WriteAudit>().Count(a => a.EntityType == "Case" && a.EntityId == id)));
    }

    [Theory]
    [InlineData("AFGESLOTEN", null, "outcome", "INVALID")]                    // closing needs an outcome
    [InlineData("IN_BEHANDELING", "OVERLAST_GESTOPT", "outcome", "INVALID")]  // only a closed case has one
    [InlineData("OPGESCHAALD_NAAR_ZVH", null, "zvhOrganisationId", "INVALID")] // escalation names the ZVH
    [InlineData("GEMELD", null, "status", "INVALID_TRANSITION")]              // not back to Gemeld
    [InlineData("AFGESLOTEN", "NIET_OPGELOST", "status", "INVALID_TRANSITION")] // Gemeld → Afgesloten skips a step
    public async Task Status_changes_outside_the_flow_are_refused_and_write_nothing(string status, string? outcome, string field, string code)
    {
        using var coordinator = hub.CreateClient(HubRole.GemeenteCoordinator, DemoOrganisations.GemeenteVeiligstad);
        var @case = await OpenAsync(coordinator, "Flow check " + status + outcome);
        var before = hub.Fingerprint();

        var payload = await MoveAsync(coordinator, @case, status, outcome);

        payload.AssertSingleError(code, field);
        Assert.Equal(before, hub.Fingerprint());
    }

    [Fact]
    public async Task A_case_above_what_the_ZVH_may_read_is_not_escalated_to_it()
    {
        // The Zorg- en Veiligheidshuis takes an escalated case over; one it may not read would be escalated to no one.
        using var coordinator = hub.CreateClient(HubRole.GemeenteCoordinator, DemoOrganisations.GemeenteVeiligstad);
        var opened = (await coordinator.PostAsync(OpenCase, new { input = new { kind = "ZORG_EN_VEILIGHEID", title = "Zeer geheim, escalated", legalGround = "CONVENANT_ZORG_EN_VEILIGHEID", confidentiality = "ZEER_GEHEIM" } })).Data("openCase");
        var taken = await MoveAsync(coordinator, opened["case"]!.AsObject(), "IN_BEHANDELING");
        var before = hub.Fingerprint();

        var escalated = await MoveAsync(coordinator, taken["case"]!.AsObject(), "OPGESCHAALD_NAAR_ZVH", zvh: Org(DemoOrganisations.ZvhRegioNoord));

        escalated.AssertSingleError("INVALID", "zvhOrganisationId");
        Assert.Equal(before, hub.Fingerprint());
        GlobalId.TryDecode((string?)opened["case"]!["id"], "Case", out var id);
        Assert.False(hub.Query(db => db.CaseParticipants.Any(p => p.CaseId == id)));
        Assert.Equal(CaseStatus.InBehandeling, hub.Query(db => db.Cases.Single(c => c.Id == id).Status));
    }

    [Fact]
    public async Task Only_the_coordinating_organisation_changes_the_status()
    {
        using var corporation = hub.CreateClient(HubRole.Woningcorporatie, DemoOrganisations.Woonstede);
        using var coordinator = hub.CreateClient(HubRole.GemeenteCoordinator, DemoOrganisations.GemeenteVeiligstad);
        var @case = await OpenAsync(corporation, "Woonoverlast Dorpsstraat", "WOONOVERLAST");
        var added = (await corporation.PostAsync(AddParticipant, new { input = new { caseId = (string?)@case["id"], organisationId = Org(DemoOrganisations.GemeenteVeiligstad) } })).Data("addCaseParticipant");
        added.AssertNoErrors();

        var refused = await MoveAsync(coordinator, @case, "IN_BEHANDELING");

        refused.AssertSingleError("FORBIDDEN", "caseId");
        Assert.Equal("GEMELD", hub.Query(db => db.Cases.Single(c => c.Title == "Woonoverlast Dorpsstraat").Status.ToString().ToUpperInvariant()));

        // The corporation opened it, so it coordinates it and moves it on: without the write the case stayed reported for good.
        var taken = await MoveAsync(corporation, @case, "IN_BEHANDELING");
        taken.AssertNoErrors();
        var closed = await MoveAsync(corporation, taken["case"]!.AsObject(), "AFGESLOTEN", outcome: "AANVAARDBAAR_NIVEAU");
        closed.AssertNoErrors();
        Assert.Equal("AFGESLOTEN", (string?)closed["case"]!["status"]);
    }

    [Fact]
    public async Task The_police_move_on_the_cases_they_open_and_no_other()
    {
        using var police = hub.CreateClient(HubRole.Politie, DemoOrganisations.PolitieNoord);
        using var coordinator = hub.CreateClient(HubRole.GemeenteCoordinator, DemoOrganisations.GemeenteVeiligstad);
        var own = await OpenAsync(police, "Jeugdoverlast Stationsplein", "JEUGDOVERLAST");
        var municipal = await OpenAsync(coordinator, "Zorg en veiligheid Stationsplein");
        (await coordinator.PostAsync(AddParticipant, new { input = new { caseId = (string?)municipal["id"], organisationId = Org(DemoOrganisations.PolitieNoord) } }))
            .Data("addCaseParticipant").AssertNoErrors();
        var before = hub.Fingerprint();

        var refused = await MoveAsync(police, municipal, "IN_BEHANDELING");

        refused.AssertSingleError("FORBIDDEN", "caseId");
        Assert.Equal(before, hub.Fingerprint());
        var escalated = await MoveAsync(police, (await MoveAsync(police, own, "IN_BEHANDELING"))["case"]!.AsObject(), "OPGESCHAALD_NAAR_ZVH", zvh: Org(DemoOrganisations.ZvhRegioNoord));
        escalated.AssertNoErrors();
        Assert.Equal("OPGESCHAALD_NAAR_ZVH", (string?)escalated["case"]!["status"]);
    }

    [Fact]
    public async Task A_stale_version_is_a_conflict()
    {
        using var coordinator = hub.CreateClient(HubRole.GemeenteCoordinator, DemoOrganisations.GemeenteVeiligstad);
        var @case = await OpenAsync(coordinator, "Version check");
        var taken = await MoveAsync(coordinator, @case, "IN_BEHANDELING");

        var stale = await MoveAsync(coordinator, @case, "AFGESLOTEN", outcome: "NIET_OPGELOST");

        stale.AssertSingleError("CONFLICT", "version");
        Assert.Equal((string?)taken["case"]!["version"], (string?)stale.Errors()[0]["currentVersion"]);
    }

    [Fact]
    public async Task Opening_with_the_same_external_id_updates_instead_of_duplicating()
    {
        using var police = hub.CreateClient(HubRole.Politie, DemoOrganisations.PolitieNoord);
        var first = await OpenAsync(police, "Ondermijning A", "ONDERMIJNING", "PB-42");
        var again = await OpenAsync(police, "Ondermijning A (renamed)", "ONDERMIJNING", "PB-42");

        Assert.Equal((string?)first["id"], (string?)again["id"]);
        Assert.Equal(1, hub.Query(db => db.Cases.Count(c => c.ExternalId == "PB-42")));
        Assert.Equal(ConfidentialityLevel.Geheim, hub.Query(db => db.Cases.Single(c => c.ExternalId == "PB-42").Confidentiality));
    }

    [Fact]
    public async Task An_external_id_with_a_trailing_space_is_refused()
    {
        // On SQL Server "PB-43 " and "PB-43" would be one key, on SQLite two: the hub takes neither id with the space.
        using var police = hub.CreateClient(HubRole.Politie, DemoOrganisations.PolitieNoord);
        var before = hub.Fingerprint();

        var payload = (await police.PostAsync(OpenCase, new { input = new { kind = "ONDERMIJNING", title = "x", legalGround = "CONVENANT_ZORG_EN_VEILIGHEID", externalId = "PB-43 " } })).Data("openCase");

        payload.AssertSingleError("INVALID", "externalId");
        Assert.Equal(before, hub.Fingerprint());
    }

    [Fact]
    public async Task Confidentiality_above_the_callers_level_is_refused()
    {
        using var corporation = hub.CreateClient(HubRole.Woningcorporatie, DemoOrganisations.Woonstede);
        var before = hub.Fingerprint();

        var payload = (await corporation.PostAsync(OpenCase, new { input = new { kind = "WOONOVERLAST", title = "Too secret", legalGround = "WMO", confidentiality = "GEHEIM" } })).Data("openCase");

        payload.AssertSingleError("INVALID", "confidentiality");
        Assert.Equal(before, hub.Fingerprint());
    }

    [Fact]
    public async Task Participants_add_subjects_locations_and_notes_and_outsiders_cannot()
    {
        using var coordinator = hub.CreateClient(HubRole.GemeenteCoordinator, DemoOrganisations.GemeenteVeiligstad);
        using var police = hub.CreateClient(HubRole.Politie, DemoOrganisations.PolitieNoord);
        using var outsider = hub.CreateClient(HubRole.Politie, DemoOrganisations.PolitieZuid);
        var @case = await OpenAsync(coordinator, "Subjects and notes");
        var caseId = (string?)@case["id"];
        (await coordinator.PostAsync(AddParticipant, new { input = new { caseId, organisationId = Org(DemoOrganisations.PolitieNoord) } })).Data("addCaseParticipant");
        var bsn = hub.UnheldBsn();
        var bagId = hub.Query(db => db.Locations.OrderBy(l => l.Id).Select(l => l.BagId).First());

        var subject = (await police.PostAsync(AddSubject, new { input = new { caseId, bsn, role = "VEROORZAKER", givenName = "Test", surname = "Persoon", dateOfBirth = "1990-05-17" } })).Data("addCaseSubject");
        var location = (await police.PostAsync(AddLocation, new { input = new { caseId, bagId } })).Data("addCaseLocation");
        var note = (await police.PostAsync(AddContribution, new { input = new { caseId, text = "Signal shared in the lokale kamer." } })).Data("addCaseContribution");
        var refused = (await outsider.PostAsync(AddContribution, new { input = new { caseId, text = "Not ours." } })).Data("addCaseContribution");

        subject.AssertNoErrors();
        Assert.Single(subject["case"]!["subjects"]!.AsArray());
        location.AssertNoErrors();
        Assert.Equal("Signal shared in the lokale kamer.", (string?)note["case"]!["contributions"]![0]!["text"]);
        refused.AssertSingleError("NOT_FOUND", "caseId");
        Assert.Equal(1, hub.Query(db => db.CaseContributions.Count(c => c.Text == "Signal shared in the lokale kamer.")));
        Assert.Equal(0, hub.Query(db => db.CaseContributions.Count(c => c.Text == "Not ours.")));
    }

    [Theory]
    [InlineData("123456789", "bsn")]          // fails the 11-proef
    [InlineData("12345678", "bsn")]           // eight digits
    [InlineData(null, "givenName")]           // unknown person without names
    [InlineData(null, "dateOfBirth", "1850-01-01", "Jan")] // born before 1900: a typing error
    public async Task Adding_a_subject_validates_the_person(string? bsn, string field, string dateOfBirth = "1980-01-01", string? givenName = null)
    {
        using var coordinator = hub.CreateClient(HubRole.GemeenteCoordinator, DemoOrganisations.GemeenteVeiligstad);
        var @case = await OpenAsync(coordinator, "Subject validation " + field + bsn);
        var before = hub.Fingerprint();
        var persons = hub.Query(db => db.Persons.Count());

        var payload = (await coordinator.PostAsync(AddSubject, new { input = new { caseId = (string?)@case["id"], bsn = bsn ?? hub.UnheldBsn(), role = "BETROKKENE", givenName, surname = "X", dateOfBirth } })).Data("addCaseSubject");

        payload.AssertSingleError("INVALID", field);
        Assert.Equal(before, hub.Fingerprint());
        Assert.Equal(persons, hub.Query(db => db.Persons.Count()));
    }

    [Fact]
    public async Task A_person_the_caller_cannot_see_is_linked_only_with_the_registered_details()
    {
        using var corporation = hub.CreateClient(HubRole.Woningcorporatie, DemoOrganisations.Thuisbaas);
        var @case = await OpenAsync(corporation, "Woonoverlast Kerkpad", "WOONOVERLAST");
        var stranger = hub.StrangerTo(DemoOrganisations.Thuisbaas);
        var caseId = (string?)@case["id"];

        var guess = (await corporation.PostAsync(AddSubject, new { input = new { caseId, bsn = stranger.Bsn, role = "VEROORZAKER", givenName = "Iemand", surname = "Anders", dateOfBirth = "1970-01-01" } })).Data("addCaseSubject");
        var known = (await corporation.PostAsync(AddSubject, new { input = new { caseId, bsn = stranger.Bsn, role = "VEROORZAKER", givenName = stranger.GivenName, surname = stranger.Surname, dateOfBirth = stranger.DateOfBirth.ToString("yyyy-MM-dd", System.Globalization.CultureInfo.InvariantCulture) } })).Data("addCaseSubject");

        guess.AssertSingleError("INVALID", "bsn");
        known.AssertNoErrors();
        Assert.Equal(1, hub.Query(db => db.CaseSubjects.Count(s => s.PersonId == stranger.Id && s.Case.Title == "Woonoverlast Kerkpad")));
    }

    [Fact]
    public async Task Adding_a_location_validates_the_bag_id()
    {
        using var coordinator = hub.CreateClient(HubRole.GemeenteCoordinator, DemoOrganisations.GemeenteVeiligstad);
        var @case = await OpenAsync(coordinator, "Location validation");

        var payload = (await coordinator.PostAsync(AddLocation, new { input = new { caseId = (string?)@case["id"], bagId = "12AB" } })).Data("addCaseLocation");

        payload.AssertSingleError("INVALID", "bagId");
    }

    [Fact]
    public async Task A_care_provider_registers_and_withdraws_consent_for_its_own_client_only()
    {
        using var coordinator = hub.CreateClient(HubRole.GemeenteCoordinator, DemoOrganisations.GemeenteVeiligstad);
        using var care = hub.CreateClient(HubRole.Zorgaanbieder, DemoOrganisations.GgzHorizon);
        using var otherCare = hub.CreateClient(HubRole.Zorgaanbieder, DemoOrganisations.VerslavingszorgAnkerpunt);
        var @case = await OpenAsync(coordinator, "Consent case");
        var caseId = (string?)@case["id"];
        (await coordinator.PostAsync(AddParticipant, new { input = new { caseId, organisationId = Org(DemoOrganisations.GgzHorizon) } })).Data("addCaseParticipant");
        var bsn = hub.UnheldBsn();
        (await coordinator.PostAsync(AddSubject, new { input = new { caseId, bsn, role = "BETROKKENE", givenName = "Client", surname = "Synthetisch", dateOfBirth = "1975-02-03" } })).Data("addCaseSubject");
        var personId = GlobalId.Encode("Person", hub.Query(db => db.Persons.Single(p => p.Bsn == bsn).Id));
        const string Register = "mutation($input: RegisterConsentInput!) { registerConsent(input: $input) { consent { id version givenOn withdrawnOn recipient { name } } errors { code field message currentVersion } } }";
        const string Withdraw = "mutation($input: WithdrawConsentInput!) { withdrawConsent(input: $input) { consent { id version withdrawnOn } errors { code field message currentVersion } } }";
        var consentInput = new { personId, recipientOrganisationId = Org(DemoOrganisations.GemeenteVeiligstad), givenOn = "2026-01-10" };

        var refusedOther = (await otherCare.PostAsync(Register, new { input = consentInput })).Data("registerConsent");
        var future = (await care.PostAsync(Register, new { input = consentInput with { givenOn = "2999-01-01" } })).Data("registerConsent");
        var ancient = (await care.PostAsync(Register, new { input = consentInput with { givenOn = "0001-01-01" } })).Data("registerConsent");
        var registered = (await care.PostAsync(Register, new { input = consentInput })).Data("registerConsent");
        var again = (await care.PostAsync(Register, new { input = consentInput })).Data("registerConsent");
        registered.AssertNoErrors();
        var consent = registered["consent"]!.AsObject();
        var withdrawInput = new { consentId = (string?)consent["id"], version = (string?)consent["version"], withdrawnOn = "2026-02-01" };
        var otherWithdraw = (await otherCare.PostAsync(Withdraw, new { input = withdrawInput })).Data("withdrawConsent");
        var early = (await care.PostAsync(Withdraw, new { input = withdrawInput with { withdrawnOn = "2025-12-31" } })).Data("withdrawConsent");
        var withdrawn = (await care.PostAsync(Withdraw, new { input = withdrawInput })).Data("withdrawConsent");

        refusedOther.AssertSingleError("NOT_FOUND", "personId");
        future.AssertSingleError("INVALID", "givenOn");
        ancient.AssertSingleError("INVALID", "givenOn");
        registered.AssertNoErrors();
        Assert.Equal((string?)consent["id"], (string?)again["consent"]!["id"]);
        otherWithdraw.AssertSingleError("NOT_FOUND", "consentId");
        early.AssertSingleError("INVALID", "withdrawnOn");
        Assert.Equal("2026-02-01", (string?)withdrawn["consent"]!["withdrawnOn"]);
        var consents = hub.Query(db => db.Consents.AsNoTracking().Where(c => c.Person.Bsn == bsn).ToList());
        Assert.Equal(new DateOnly(2026, 2, 1), Assert.Single(consents).WithdrawnOn);
    }
}
