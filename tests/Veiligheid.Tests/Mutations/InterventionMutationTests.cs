using System.Text.Json.Nodes;
using Veiligheid.Access;
using Veiligheid.Data.Seeding;
using Veiligheid.GraphQL;
using Veiligheid.Tests.Infrastructure;

namespace Veiligheid.Tests.Mutations;

/// <summary>Recording, updating and completing interventions, with concurrent edits, over real HTTP.</summary>
public sealed class InterventionMutationTests(HubFactory hub) : IClassFixture<HubFactory>
{
    private const string Fields = "intervention { id version kind status endDate result } errors { code field message currentVersion }";
    private const string Record = $"mutation($input: RecordInterventionInput!) {{ recordIntervention(input: $input) {{ {Fields} }} }}";
    private const string Update = $"mutation($input: UpdateInterventionInput!) {{ updateIntervention(input: $input) {{ {Fields} }} }}";
    private const string Complete = $"mutation($input: CompleteInterventionInput!) {{ completeIntervention(input: $input) {{ {Fields} }} }}";

    private string BagId() => hub.Query(db => db.Locations.OrderBy(l => l.Id).Select(l => l.BagId).First());

    private string NeighbourhoodCode() => hub.Query(db => db.Neighbourhoods.OrderBy(n => n.Id).Select(n => n.Code).First());

    private async Task<JsonObject> RecordAsync(HttpClient client, string? externalId = null, string? status = null)
    {
        var payload = (await client.PostAsync(Record, new { input = new { kind = "INTEGRALE_CONTROLE", startDate = "2026-03-02", bagId = BagId(), externalId, status } })).Data("recordIntervention");
        payload.AssertNoErrors();
        return payload["intervention"]!.AsObject();
    }

    [Fact]
    public async Task Two_concurrent_edits_of_one_intervention_give_one_success_and_one_conflict()
    {
        using var first = hub.CreateClient(HubRole.Politie, DemoOrganisations.PolitieNoord);
        using var second = hub.CreateClient(HubRole.Politie, DemoOrganisations.PolitieNoord);
        var intervention = await RecordAsync(first);
        var id = (string?)intervention["id"];
        var version = (string?)intervention["version"];

        var results = await Task.WhenAll(
            first.PostAsync(Update, new { input = new { id, version, status = "LOPEND", result = "first" } }),
            second.PostAsync(Update, new { input = new { id, version, status = "GEANNULEERD", result = "second" } }));

        var payloads = results.Select(r => r.Data("updateIntervention")).ToList();
        var success = Assert.Single(payloads, p => p.Errors().Count == 0);
        var conflict = Assert.Single(payloads, p => p.Errors().Count > 0);
        conflict.AssertSingleError("CONFLICT", "version");
        Assert.Equal((string?)success["intervention"]!["version"], (string?)conflict.Errors()[0]["currentVersion"]);
        GlobalId.TryDecode(id, "Intervention", out var rowId);
        var stored = hub.Query(db => db.Interventions.Single(i => i.Id == rowId));
        Assert.Equal(Guid.Parse((string)success["intervention"]!["version"]!), stored.Version);
        Assert.Equal((string?)success["intervention"]!["result"], stored.Result);
    }

    [Fact]
    public async Task The_executor_completes_its_intervention_and_another_partner_cannot_edit_it()
    {
        using var police = hub.CreateClient(HubRole.Politie, DemoOrganisations.PolitieNoord);
        using var otherPolice = hub.CreateClient(HubRole.Politie, DemoOrganisations.PolitieZuid);
        var intervention = await RecordAsync(police, status: "LOPEND"); // completed from under way (Gepland → Afgerond is allowed too)
        var input = new { id = (string?)intervention["id"], version = (string?)intervention["version"], endDate = "2026-03-05", result = "No irregularities found." };

        var refused = (await otherPolice.PostAsync(Complete, new { input })).Data("completeIntervention");
        var tooEarly = (await police.PostAsync(Complete, new { input = input with { endDate = "2026-03-01" } })).Data("completeIntervention");
        var blank = (await police.PostAsync(Complete, new { input = input with { result = "  " } })).Data("completeIntervention");
        var completed = (await police.PostAsync(Complete, new { input })).Data("completeIntervention");

        refused.AssertSingleError("FORBIDDEN", "id");
        tooEarly.AssertSingleError("INVALID", "endDate");
        blank.AssertSingleError("INVALID", "result");
        Assert.Equal("AFGEROND", (string?)completed["intervention"]!["status"]);
        Assert.Equal("No irregularities found.", (string?)completed["intervention"]!["result"]);
    }

    [Fact]
    public async Task Recording_again_with_the_same_external_id_updates_it()
    {
        using var police = hub.CreateClient(HubRole.Politie, DemoOrganisations.PolitieNoord);
        var first = await RecordAsync(police, "INZ-7");
        var again = await RecordAsync(police, "INZ-7");

        Assert.Equal((string?)first["id"], (string?)again["id"]);
        Assert.Equal(1, hub.Query(db => db.Interventions.Count(i => i.ExternalId == "INZ-7")));
    }

    [Fact]
    public async Task An_external_id_with_a_leading_space_is_refused()
    {
        using var police = hub.CreateClient(HubRole.Politie, DemoOrganisations.PolitieNoord);
        var before = hub.Fingerprint();

        var payload = (await police.PostAsync(Record, new { input = new { kind = "INTEGRALE_CONTROLE", startDate = "2026-03-02", bagId = BagId(), externalId = " INZ-8" } })).Data("recordIntervention");

        payload.AssertSingleError("INVALID", "externalId");
        Assert.Equal(before, hub.Fingerprint());
    }

    [Fact]
    public async Task Recording_again_does_not_overwrite_an_intervention_of_the_organisation_the_caller_may_not_see()
    {
        // The coordinator records a zeer geheim intervention; enforcement, of the same organisation, may not see above
        // vertrouwelijk. Its replay of the same externalId must neither overwrite the row nor tell its version.
        using var coordinator = hub.CreateClient(HubRole.GemeenteCoordinator, DemoOrganisations.GemeenteVeiligstad);
        using var enforcement = hub.CreateClient(HubRole.GemeenteHandhaving, DemoOrganisations.GemeenteVeiligstad);
        var recorded = (await coordinator.PostAsync(Record, new { input = new { externalId = "HIDDEN-1", kind = "BESTUURLIJKE_BOETE", startDate = "2026-02-01",
            neighbourhoodCode = NeighbourhoodCode(), fineAmount = 250m, confidentiality = "ZEER_GEHEIM", result = "Boete opgelegd." } })).Data("recordIntervention");
        recorded.AssertNoErrors();
        GlobalId.TryDecode((string?)recorded["intervention"]!["id"], "Intervention", out var id);
        var before = hub.Query(db => db.Interventions.Single(i => i.Id == id));

        var overwrite = (await enforcement.PostAsync(Record, new { input = new { externalId = "HIDDEN-1", kind = "WAARSCHUWING", startDate = "2026-02-01",
            neighbourhoodCode = NeighbourhoodCode(), confidentiality = "OPENBAAR" } })).Data("recordIntervention");
        var probe = (await enforcement.PostAsync(Record, new { input = new { externalId = "HIDDEN-1", kind = "WAARSCHUWING", startDate = "2026-02-01",
            neighbourhoodCode = NeighbourhoodCode(), version = Guid.Empty.ToString() } })).Data("recordIntervention");

        overwrite.AssertSingleError("FORBIDDEN", "externalId");
        probe.AssertSingleError("FORBIDDEN", "externalId");
        Assert.Null((string?)probe.Errors()[0]["currentVersion"]);
        var after = hub.Query(db => db.Interventions.Single(i => i.Id == id));
        Assert.Equal(before.Version, after.Version);
        Assert.Equal(Veiligheid.Interventions.InterventionKind.BestuurlijkeBoete, after.Kind);
        Assert.Equal(Veiligheid.Cases.ConfidentialityLevel.ZeerGeheim, after.Confidentiality);
        Assert.Equal(25000, after.FineAmountCents);
        Assert.Equal(0, hub.Query(db => db.Set<Veiligheid.Data.WriteAudit>().Count(a => a.EntityType == "Intervention" && a.EntityId == id && a.Role == "Gemeente.Handhaving")));
    }

    [Theory]
    [InlineData("neighbourhoodCode", "WK123456", null, null)]       // a district code is not a buurt code
    [InlineData("neighbourhoodCode", "BU99999999", null, null)]     // well-formed, but not in the municipality: NOT_FOUND
    [InlineData("bagId", null, "999901", null)]
    [InlineData("endDate", null, null, "2026-01-01")]
    [InlineData("endDate", null, null, "2999-01-01")]              // when it ended: not in the future, as completeIntervention says
    [InlineData("fineAmount", null, null, null)]
    public async Task Invalid_interventions_name_the_field_and_write_nothing(string field, string? neighbourhoodCode, string? bagId, string? endDate)
    {
        using var enforcement = hub.CreateClient(HubRole.GemeenteHandhaving, DemoOrganisations.GemeenteVeiligstad);
        var before = hub.Query(db => db.Interventions.Count());
        object input = field == "fineAmount"
            ? new { kind = "WAARSCHUWING", startDate = "2026-02-01", neighbourhoodCode = NeighbourhoodCode(), fineAmount = 95.5m }
            : new { kind = "INZET_POLITIE_BOA", startDate = "2026-02-01", endDate, bagId, neighbourhoodCode = neighbourhoodCode ?? (bagId is null ? NeighbourhoodCode() : null) };

        var payload = (await enforcement.PostAsync(Record, new { input })).Data("recordIntervention");

        payload.AssertSingleError(neighbourhoodCode == "BU99999999" ? "NOT_FOUND" : "INVALID", field);
        Assert.Equal(before, hub.Query(db => db.Interventions.Count()));
    }

    [Fact]
    public async Task Enforcement_records_a_fine_in_a_neighbourhood()
    {
        using var enforcement = hub.CreateClient(HubRole.GemeenteHandhaving, DemoOrganisations.GemeenteVeiligstad);

        var payload = (await enforcement.PostAsync(Record, new { input = new { kind = "BESTUURLIJKE_BOETE", startDate = "2026-02-01", neighbourhoodCode = NeighbourhoodCode(), fineAmount = 95.5m } })).Data("recordIntervention");

        payload.AssertNoErrors();
        GlobalId.TryDecode((string?)payload["intervention"]!["id"], "Intervention", out var id);
        Assert.Equal(9550, hub.Query(db => db.Interventions.Single(i => i.Id == id).FineAmountCents));
    }

    [Theory]
    [InlineData(HubRole.GemeenteAnalist, DemoOrganisations.GemeenteVeiligstad)]
    [InlineData(HubRole.PrivacyFunctionaris, DemoOrganisations.GemeenteVeiligstad)]
    public async Task Roles_that_may_not_record_interventions_cannot(HubRole role, string organisation)
    {
        using var client = hub.CreateClient(role, organisation);
        var before = hub.Query(db => db.Interventions.Count());

        var response = await client.PostAsync(Record, new { input = new { kind = "GESPREK", startDate = "2026-02-01", bagId = BagId() } });

        Assert.NotNull(response["errors"]);
        Assert.Equal(before, hub.Query(db => db.Interventions.Count()));
    }
}
