using System.Text.Json.Nodes;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using Veiligheid.Access;
using Veiligheid.Accountability;
using Veiligheid.Data.Seeding;
using Veiligheid.GraphQL;
using Veiligheid.Persons;
using Veiligheid.Tests.Infrastructure;
using Veiligheid.Tests.Mutations;

namespace Veiligheid.Tests.Accountability;

/// <summary>
/// A write processes the persons it is about, whatever its response selects: each such mutation is logged for its person
/// even when the response asks only for errors, where the log notes a read only for the fields that resolve.
/// </summary>
public sealed class MutationProcessingTests(HubFactory hub) : IClassFixture<HubFactory>
{
    private const string Casusoverleg = "casusoverleg-zorg-en-veiligheid";

    private static async Task<string> OpenCaseAsync(HttpClient client, string title, string? confidentiality = null)
    {
        var payload = (await client.PostAsync(
            "mutation($input: OpenCaseInput!) { openCase(input: $input) { case { id } errors { code } } }",
            new { input = new { kind = "ZORG_EN_VEILIGHEID", title, legalGround = "CONVENANT_ZORG_EN_VEILIGHEID", confidentiality } })).Data("openCase");
        payload.AssertNoErrors();
        return (string)payload["case"]!["id"]!;
    }

    private static async Task AddSubjectAsync(HttpClient client, string caseId, string bsn, string role)
        => (await client.PostAsync("mutation($input: AddCaseSubjectInput!) { addCaseSubject(input: $input) { errors { code } } }",
            new { input = new { caseId, bsn, role } })).Data("addCaseSubject").AssertNoErrors();

    private static async Task<System.Text.Json.Nodes.JsonObject> AddParticipantAsync(HttpClient client, string caseId, string organisationKey)
        => (await client.PostAsync("mutation($input: AddCaseParticipantInput!) { addCaseParticipant(input: $input) { errors { code } } }",
            new { input = new { caseId, organisationId = GlobalId.Encode("Organisation", DemoOrganisations.IdOf(organisationKey)) } })).Data("addCaseParticipant");

    /// <summary>The records a request wrote: those past <paramref name="before"/>, by person.</summary>
    private List<ProcessingRecord> RecordsSince(int before) => hub.LogRecords().Skip(before).ToList();

    [Fact]
    public async Task Adding_a_known_person_to_a_case_is_logged_though_the_response_selects_no_person()
    {
        using var coordinator = hub.CreateClientWithPurpose(HubRole.GemeenteCoordinator, DemoOrganisations.GemeenteVeiligstad, Casusoverleg);
        var caseId = await OpenCaseAsync(coordinator, "Logged subject");
        var person = hub.Query(db => db.Persons.AsNoTracking().Single(p => p.Id == CaseSubject(db)));
        var before = hub.LogRecords().Count;

        var payload = (await coordinator.PostAsync(
            "mutation($input: AddCaseSubjectInput!) { addCaseSubject(input: $input) { errors { code } } }",
            new { input = new { caseId, bsn = person.Bsn, role = "BETROKKENE" } })).Data("addCaseSubject");

        payload.AssertNoErrors();
        var record = Assert.Single(RecordsSince(before));
        Assert.Equal(person.Id, record.PersonId);
        Assert.Equal(hub.Services.GetRequiredService<ProcessingLog>().Protect(person.Bsn), record.ProtectedBsn);
        Assert.Equal("Identiteit,Casus", record.Categories);
    }

    [Fact]
    public async Task Registering_a_new_person_on_a_case_is_logged_for_the_new_person()
    {
        using var coordinator = hub.CreateClientWithPurpose(HubRole.GemeenteCoordinator, DemoOrganisations.GemeenteVeiligstad, Casusoverleg);
        var caseId = await OpenCaseAsync(coordinator, "Logged new subject");
        var bsn = hub.UnheldBsn();
        var before = hub.LogRecords().Count;

        var payload = (await coordinator.PostAsync(
            "mutation($input: AddCaseSubjectInput!) { addCaseSubject(input: $input) { errors { code } } }",
            new { input = new { caseId, bsn, role = "BETROKKENE", givenName = "Test", surname = "Persoon", dateOfBirth = "1990-05-17" } })).Data("addCaseSubject");

        payload.AssertNoErrors();
        var created = hub.Query(db => db.Persons.Single(p => p.Bsn == bsn).Id);
        var record = Assert.Single(RecordsSince(before));
        Assert.Equal(created, record.PersonId);
        Assert.Equal("Identiteit,Casus", record.Categories);
    }

    [Fact]
    public async Task A_held_person_named_with_the_wrong_details_is_logged_as_processed()
    {
        // The refusal says the hub holds the BSN: that answer processed the person.
        using var corporation = hub.CreateClientWithPurpose(HubRole.Woningcorporatie, DemoOrganisations.Thuisbaas, "aanpak-woonoverlast");
        var caseId = (string)(await corporation.PostAsync(
            "mutation($input: OpenCaseInput!) { openCase(input: $input) { case { id } } }",
            new { input = new { kind = "WOONOVERLAST", title = "Logged guess", legalGround = "CONVENANT_ZORG_EN_VEILIGHEID" } })).Data("openCase")["case"]!["id"]!;
        var stranger = hub.StrangerTo(DemoOrganisations.Thuisbaas);
        var before = hub.LogRecords().Count;

        var payload = (await corporation.PostAsync(
            "mutation($input: AddCaseSubjectInput!) { addCaseSubject(input: $input) { errors { code field } } }",
            new { input = new { caseId, bsn = stranger.Bsn, role = "VEROORZAKER", givenName = "Iemand", surname = "Anders", dateOfBirth = "1970-01-01" } })).Data("addCaseSubject");

        payload.AssertSingleError("INVALID", "bsn");
        var record = Assert.Single(RecordsSince(before));
        Assert.Equal(stranger.Id, record.PersonId);
        Assert.Equal("Identiteit", record.Categories);
    }

    [Fact]
    public async Task Without_names_a_held_person_the_caller_cannot_see_is_answered_as_a_BSN_the_hub_does_not_hold()
    {
        using var corporation = hub.CreateClientWithPurpose(HubRole.Woningcorporatie, DemoOrganisations.Thuisbaas, "aanpak-woonoverlast");
        var caseId = (string)(await corporation.PostAsync(
            "mutation($input: OpenCaseInput!) { openCase(input: $input) { case { id } } }",
            new { input = new { kind = "WOONOVERLAST", title = "No oracle", legalGround = "CONVENANT_ZORG_EN_VEILIGHEID" } })).Data("openCase")["case"]!["id"]!;
        const string addSubject = "mutation($input: AddCaseSubjectInput!) { addCaseSubject(input: $input) { case { id } errors { code field message } } }";
        var before = hub.LogRecords().Count;

        var held = (await corporation.PostAsync(addSubject, new { input = new { caseId, bsn = hub.StrangerTo(DemoOrganisations.Thuisbaas).Bsn, role = "VEROORZAKER" } })).Data("addCaseSubject");
        var notHeld = (await corporation.PostAsync(addSubject, new { input = new { caseId, bsn = hub.UnheldBsn(), role = "VEROORZAKER" } })).Data("addCaseSubject");

        Assert.Equal(3, held.Errors().Count);
        Assert.True(JsonNode.DeepEquals(notHeld, held), $"held: {held.ToJsonString()}\nnot held: {notHeld.ToJsonString()}");
        Assert.Empty(RecordsSince(before)); // neither answer told anything about a person
    }

    [Fact]
    public async Task Recording_an_intervention_aimed_at_a_person_is_logged_though_the_response_selects_no_person()
    {
        using var coordinator = hub.CreateClientWithPurpose(HubRole.GemeenteCoordinator, DemoOrganisations.GemeenteVeiligstad, Casusoverleg);
        var personId = hub.Query(CaseSubject);
        var before = hub.LogRecords().Count;

        var payload = (await coordinator.PostAsync(
            "mutation($input: RecordInterventionInput!) { recordIntervention(input: $input) { errors { code } } }",
            new { input = new { kind = "GESPREK", startDate = "2026-03-01", personId = GlobalId.Encode("Person", personId) } })).Data("recordIntervention");

        payload.AssertNoErrors();
        var record = Assert.Single(RecordsSince(before));
        Assert.Equal(personId, record.PersonId);
        Assert.Equal("Interventie", record.Categories);
    }

    [Fact]
    public async Task Adding_a_participant_logs_the_subjects_it_discloses_to_them()
    {
        using var coordinator = hub.CreateClientWithPurpose(HubRole.GemeenteCoordinator, DemoOrganisations.GemeenteVeiligstad, Casusoverleg);
        var caseId = await OpenCaseAsync(coordinator, "Disclosed subjects");
        var subjects = hub.Query(db => db.CaseSubjects.OrderBy(s => s.PersonId).Select(s => s.Person.Bsn).Distinct().Take(2).ToList());
        foreach (var bsn in subjects)
        {
            await AddSubjectAsync(coordinator, caseId, bsn, "BETROKKENE");
        }
        var before = hub.LogRecords().Count;

        var payload = (await AddParticipantAsync(coordinator, caseId, DemoOrganisations.Woonstede));

        payload.AssertNoErrors();
        var records = RecordsSince(before);
        var ids = hub.Query(db => db.Persons.Where(p => subjects.Contains(p.Bsn)).Select(p => p.Id).ToList());
        Assert.Equal(ids.Order(), records.Select(r => r.PersonId!.Value).Order());
        Assert.All(records, r => Assert.Equal("Casus", r.Categories));
    }

    [Fact]
    public async Task Adding_a_participant_that_cannot_read_the_case_logs_no_disclosure()
    {
        // A housing corporation reads cases up to Confidentieel: as a participant of a Geheim case it is shown nothing.
        using var coordinator = hub.CreateClientWithPurpose(HubRole.GemeenteCoordinator, DemoOrganisations.GemeenteVeiligstad, Casusoverleg);
        var caseId = await OpenCaseAsync(coordinator, "Above the corporation", "GEHEIM");
        var bsn = hub.Query(db => db.CaseSubjects.OrderBy(s => s.PersonId).Select(s => s.Person.Bsn).First());
        await AddSubjectAsync(coordinator, caseId, bsn, "BETROKKENE");
        var before = hub.LogRecords().Count;

        var payload = (await AddParticipantAsync(coordinator, caseId, DemoOrganisations.Woonstede));

        payload.AssertNoErrors();
        Assert.Empty(RecordsSince(before));
    }

    /// <summary>
    /// A housing corporation reads the woonoverlast cases at the dwellings it owns, participant or not: adding its dwelling
    /// to such a case discloses the case's subjects to it as adding it as a participant does, and is logged alike. An
    /// address that makes no one new a reader logs no one.
    /// </summary>
    [Fact]
    public async Task Adding_a_corporations_dwelling_to_a_woonoverlast_case_logs_the_subjects_it_discloses_to_the_corporation()
    {
        using var coordinator = hub.CreateClientWithPurpose(HubRole.GemeenteCoordinator, DemoOrganisations.GemeenteVeiligstad, "aanpak-woonoverlast");
        using var corporation = hub.CreateClientWithPurpose(HubRole.Woningcorporatie, DemoOrganisations.Thuisbaas, "aanpak-woonoverlast");
        var caseId = (string)(await coordinator.PostAsync(
            "mutation($input: OpenCaseInput!) { openCase(input: $input) { case { id } } }",
            new { input = new { kind = "WOONOVERLAST", title = "Dwelling discloses", legalGround = "GEMEENTEWET_OPENBARE_ORDE" } })).Data("openCase")["case"]!["id"]!;
        var subject = hub.Query(db => db.Persons.AsNoTracking().Single(p => p.Id == CaseSubject(db)));
        await AddSubjectAsync(coordinator, caseId, subject.Bsn, "VEROORZAKER");
        var thuisbaas = DemoOrganisations.IdOf(DemoOrganisations.Thuisbaas);
        var dwelling = hub.Query(db => db.Locations.Where(l => l.OwnerOrganisationId == thuisbaas).OrderBy(l => l.Id).Select(l => l.BagId).First());
        var unowned = hub.Query(db => db.Locations.Where(l => l.OwnerOrganisationId == null).OrderBy(l => l.Id).Select(l => l.BagId).First());
        const string addLocation = "mutation($input: AddCaseLocationInput!) { addCaseLocation(input: $input) { errors { code } } }";
        const string readCase = "query($id: ID!) { case(id: $id) { subjects { person { bsn } } } }";
        Assert.Null((await corporation.PostAsync(readCase, new { id = caseId }))["data"]!["case"]);

        var before = hub.LogRecords().Count;
        (await coordinator.PostAsync(addLocation, new { input = new { caseId, bagId = unowned } })).Data("addCaseLocation").AssertNoErrors();
        Assert.Empty(RecordsSince(before));
        (await coordinator.PostAsync(addLocation, new { input = new { caseId, bagId = dwelling } })).Data("addCaseLocation").AssertNoErrors();

        var record = Assert.Single(RecordsSince(before));
        Assert.Equal(subject.Id, record.PersonId);
        Assert.Equal("Casus", record.Categories);
        // What the record is about: the corporation reads the subject from now on.
        Assert.Equal(subject.Bsn, (string?)(await corporation.PostAsync(readCase, new { id = caseId })).Data("case")["subjects"]![0]!["person"]!["bsn"]);
    }

    /// <summary>
    /// Opening a case again through its externalId may change its kind or confidentiality, and with them who reads it: a
    /// case made woonoverlast discloses its subjects to the corporations whose dwellings it holds, and is logged for them.
    /// </summary>
    [Fact]
    public async Task Opening_a_case_again_as_woonoverlast_logs_the_subjects_it_discloses()
    {
        using var coordinator = hub.CreateClientWithPurpose(HubRole.GemeenteCoordinator, DemoOrganisations.GemeenteVeiligstad, "aanpak-woonoverlast");
        const string open = "mutation($input: OpenCaseInput!) { openCase(input: $input) { case { id } errors { code field } } }";
        object Input(string kind) => new { externalId = "DISCLOSE-KIND", kind, title = "Kind discloses", legalGround = "GEMEENTEWET_OPENBARE_ORDE" };
        var caseId = (string)(await coordinator.PostAsync(open, new { input = Input("JEUGDOVERLAST") })).Data("openCase")["case"]!["id"]!;
        var subject = hub.Query(db => db.Persons.AsNoTracking().Single(p => p.Id == CaseSubject(db)));
        await AddSubjectAsync(coordinator, caseId, subject.Bsn, "VEROORZAKER");
        var woonstede = DemoOrganisations.IdOf(DemoOrganisations.Woonstede);
        var dwelling = hub.Query(db => db.Locations.Where(l => l.OwnerOrganisationId == woonstede).OrderBy(l => l.Id).Select(l => l.BagId).First());
        var before = hub.LogRecords().Count;
        (await coordinator.PostAsync("mutation($input: AddCaseLocationInput!) { addCaseLocation(input: $input) { errors { code } } }",
            new { input = new { caseId, bagId = dwelling } })).Data("addCaseLocation").AssertNoErrors();
        Assert.Empty(RecordsSince(before)); // a jeugdoverlast case is not the corporation's to read

        var again = (await coordinator.PostAsync(open, new { input = Input("WOONOVERLAST") })).Data("openCase");

        again.AssertNoErrors();
        var record = Assert.Single(RecordsSince(before));
        Assert.Equal(subject.Id, record.PersonId);
        Assert.Equal("Casus", record.Categories);
    }

    /// <summary>
    /// The convenant's legal ground covers every life domain: a case moved onto it shows its readers the subjects' scores,
    /// which the openbare-orde ground covered none of. A care disclosure by the write, logged for each subject as care data.
    /// </summary>
    [Fact]
    public async Task Opening_a_case_again_under_a_legal_ground_that_covers_more_life_domains_logs_its_subjects_care()
    {
        using var coordinator = hub.CreateClientWithPurpose(HubRole.GemeenteCoordinator, DemoOrganisations.GemeenteVeiligstad, Casusoverleg);
        const string open = "mutation($input: OpenCaseInput!) { openCase(input: $input) { case { id } errors { code field } } }";
        object Input(string legalGround) => new { externalId = "DISCLOSE-GROUND", kind = "ZORG_EN_VEILIGHEID", title = "Ground discloses", legalGround };
        var caseId = (string)(await coordinator.PostAsync(open, new { input = Input("GEMEENTEWET_OPENBARE_ORDE") })).Data("openCase")["case"]!["id"]!;
        var subject = hub.Query(db => db.Persons.AsNoTracking().Single(p => p.Id == CaseSubject(db)));
        await AddSubjectAsync(coordinator, caseId, subject.Bsn, "BETROKKENE");
        var before = hub.LogRecords().Count;

        (await coordinator.PostAsync(open, new { input = Input("CONVENANT_ZORG_EN_VEILIGHEID") })).Data("openCase").AssertNoErrors();
        var widened = RecordsSince(before);
        var back = hub.LogRecords().Count;
        (await coordinator.PostAsync(open, new { input = Input("WET_VERPLICHTE_GGZ") })).Data("openCase").AssertNoErrors();

        var record = Assert.Single(widened);
        Assert.Equal(subject.Id, record.PersonId);
        Assert.Equal("Zorg", record.Categories);
        Assert.Equal(ProcessingConfidentiality.Vertrouwelijk, record.Confidentiality);
        Assert.Empty(RecordsSince(back)); // a narrower ground shows no one anything new
    }

    /// <summary>
    /// A purpose that covers no persons (handhaving-openbare-ruimte) has no way to name one on the read side (a filter's
    /// person is not there under it); a write under it aims nothing at a person either, and logs no one.
    /// </summary>
    [Fact]
    public async Task An_intervention_is_aimed_at_a_person_only_under_a_purpose_that_covers_persons()
    {
        using var coordinator = hub.CreateClientWithPurpose(HubRole.GemeenteCoordinator, DemoOrganisations.GemeenteVeiligstad, "handhaving-openbare-ruimte");
        var personId = hub.Query(CaseSubject);
        var interventions = hub.Query(db => db.Interventions.Count());
        var before = hub.LogRecords().Count;

        var payload = (await coordinator.PostAsync(
            "mutation($input: RecordInterventionInput!) { recordIntervention(input: $input) { intervention { id } errors { code field } } }",
            new { input = new { kind = "GESPREK", startDate = "2026-03-01", personId = GlobalId.Encode("Person", personId) } })).Data("recordIntervention");

        payload.AssertSingleError("INVALID", "personId");
        Assert.Equal(interventions, hub.Query(db => db.Interventions.Count()));
        Assert.Empty(RecordsSince(before));
    }

    /// <summary>
    /// An escalation makes the Zorg- en Veiligheidshuis a participant of the case, so it discloses the case's subjects to it
    /// as addCaseParticipant does, by whichever role coordinates the case (the police and housing corporations escalate
    /// the cases they open too): each subject is logged for the caller, though the response selects none.
    /// </summary>
    [Theory]
    [InlineData(HubRole.GemeenteCoordinator, DemoOrganisations.GemeenteVeiligstad, Casusoverleg, "ZORG_EN_VEILIGHEID", "CONVENANT_ZORG_EN_VEILIGHEID")]
    [InlineData(HubRole.Politie, DemoOrganisations.PolitieNoord, "aanpak-woonoverlast", "WOONOVERLAST", "GEMEENTEWET_OPENBARE_ORDE")]
    [InlineData(HubRole.Woningcorporatie, DemoOrganisations.Woonstede, "aanpak-woonoverlast", "WOONOVERLAST", "GEMEENTEWET_OPENBARE_ORDE")]
    public async Task Escalating_a_case_logs_the_subjects_it_discloses_to_the_ZVH(HubRole role, string organisation, string purpose, string kind, string legalGround)
    {
        using var client = hub.CreateClientWithPurpose(role, organisation, purpose);
        var opened = (await client.PostAsync(
            "mutation($input: OpenCaseInput!) { openCase(input: $input) { case { id version } errors { code } } }",
            new { input = new { kind, title = "Escalated " + role, legalGround } })).Data("openCase");
        opened.AssertNoErrors();
        var caseId = (string)opened["case"]!["id"]!;
        var subjects = hub.Query(db => db.Persons.AsNoTracking().OrderBy(p => p.Id).Take(2)
            .Select(p => new { p.Id, p.Bsn, p.GivenName, p.Surname, p.DateOfBirth }).ToList());
        foreach (var person in subjects)
        {
            (await client.PostAsync("mutation($input: AddCaseSubjectInput!) { addCaseSubject(input: $input) { errors { code field } } }",
                new { input = new { caseId, bsn = person.Bsn, role = "BETROKKENE", givenName = person.GivenName, surname = person.Surname, dateOfBirth = person.DateOfBirth.ToString("yyyy-MM-dd", System.Globalization.CultureInfo.InvariantCulture) } }))
                .Data("addCaseSubject").AssertNoErrors();
        }
        const string move = "mutation($input: ChangeCaseStatusInput!) { changeCaseStatus(input: $input) { case { version } errors { code field } } }";
        var version = hub.Query(db => db.Cases.Single(c => c.Title == "Escalated " + role).Version.ToString());
        var taken = (await client.PostAsync(move, new { input = new { caseId, version, status = "IN_BEHANDELING" } })).Data("changeCaseStatus");
        taken.AssertNoErrors();
        var before = hub.LogRecords().Count;

        var escalated = (await client.PostAsync(
            "mutation($input: ChangeCaseStatusInput!) { changeCaseStatus(input: $input) { errors { code field } } }",
            new { input = new { caseId, version = (string)taken["case"]!["version"]!, status = "OPGESCHAALD_NAAR_ZVH",
                zvhOrganisationId = GlobalId.Encode("Organisation", DemoOrganisations.IdOf(DemoOrganisations.ZvhRegioNoord)) } })).Data("changeCaseStatus");

        escalated.AssertNoErrors();
        var records = RecordsSince(before);
        Assert.Equal(subjects.Select(p => p.Id).Order(), records.Select(r => r.PersonId!.Value).Order());
        Assert.All(records, r => Assert.Equal("Casus", r.Categories));
        Assert.All(records, r => Assert.Equal(role.TokenValue(), r.Role));
    }

    [Fact]
    public async Task Registering_a_consent_is_logged_as_the_persons_care_data()
    {
        using var careProvider = hub.CreateClientWithPurpose(HubRole.Zorgaanbieder, DemoOrganisations.GgzHorizon, Casusoverleg);
        var ggzId = DemoOrganisations.IdOf(DemoOrganisations.GgzHorizon);
        // Its own client: a subject of a case the care provider takes part in.
        var client = hub.Query(db => db.CaseSubjects.Where(s => s.Case.Participants.Any(p => p.OrganisationId == ggzId) || s.Case.CoordinatingOrganisationId == ggzId)
            .OrderBy(s => s.PersonId).Select(s => s.PersonId).First());
        var before = hub.LogRecords().Count;

        var payload = (await careProvider.PostAsync(
            "mutation($input: RegisterConsentInput!) { registerConsent(input: $input) { errors { code } } }",
            new { input = new { personId = GlobalId.Encode("Person", client), recipientOrganisationId = GlobalId.Encode("Organisation", DemoOrganisations.IdOf(DemoOrganisations.GemeenteVeiligstad)), givenOn = "2026-01-10" } })).Data("registerConsent");

        payload.AssertNoErrors();
        var record = Assert.Single(RecordsSince(before));
        Assert.Equal(client, record.PersonId);
        Assert.Equal("Zorg", record.Categories);
        Assert.Equal(ProcessingConfidentiality.Vertrouwelijk, record.Confidentiality);
    }

    /// <summary>A person the lokale kamer sees: a subject of a case (the demo's gemeente-veiligstad takes part in every case).</summary>
    private static int CaseSubject(Veiligheid.Data.VeiligheidDbContext db) => db.CaseSubjects.OrderBy(s => s.PersonId).Select(s => s.PersonId).First();
}
