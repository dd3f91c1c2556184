using System.Net;
using System.Net.Http.Json;
using System.Text.Json.Nodes;
using Microsoft.EntityFrameworkCore;
using Veiligheid.Access;
using Veiligheid.Data;
using Veiligheid.Data.Seeding;
using Veiligheid.GraphQL;
using Veiligheid.Interventions;
using Veiligheid.Tests.Infrastructure;

namespace Veiligheid.Tests.Mutations;

/// <summary>
/// An intervention's status flow (Gepland → Lopend → Afgerond, or Gepland → Afgerond directly; Gepland or Lopend →
/// Geannuleerd; Afgerond and Geannuleerd final) and what Afgerond demands, through every mutation that sets a status, over real HTTP.
/// </summary>
public sealed class InterventionFlowTests(HubFactory hub) : IClassFixture<HubFactory>
{
    private const string Fields = "intervention { id version status endDate result } errors { code field message currentVersion }";
    private const string Record = $"mutation($input: RecordInterventionInput!) {{ recordIntervention(input: $input) {{ {Fields} }} }}";
    private const string Update = $"mutation($input: UpdateInterventionInput!) {{ updateIntervention(input: $input) {{ {Fields} }} }}";
    private const string Complete = $"mutation($input: CompleteInterventionInput!) {{ completeIntervention(input: $input) {{ {Fields} }} }}";

    private string BagId() => hub.Query(db => db.Locations.OrderBy(l => l.Id).Select(l => l.BagId).First());

    private HttpClient Police() => hub.CreateClient(HubRole.Politie, DemoOrganisations.PolitieNoord);

    /// <summary>A new intervention in <paramref name="status"/> (a new one may start in any), completed ones with what Afgerond demands.</summary>
    private async Task<JsonObject> RecordInAsync(HttpClient client, string status, string? externalId = null)
    {
        var done = status == "AFGEROND";
        var payload = (await client.PostAsync(Record, new
        {
            input = new
            {
                externalId,
                kind = "INTEGRALE_CONTROLE",
                status,
                startDate = "2026-03-02",
                bagId = BagId(),
                endDate = done ? "2026-03-05" : null,
                result = done ? "Checked." : null
            }
        })).Data("recordIntervention");
        payload.AssertNoErrors();
        Assert.Equal(status, (string?)payload["intervention"]!["status"]);
        return payload["intervention"]!.AsObject();
    }

    private static int RowId(JsonObject intervention)
    {
        Assert.True(GlobalId.TryDecode((string?)intervention["id"], "Intervention", out var id));
        return id;
    }

    /// <summary>Everything a write of an intervention changes: the row's status, version, end date and result, and its audit rows.</summary>
    private string Stored(JsonObject intervention)
    {
        var id = RowId(intervention);
        return hub.Query(db =>
        {
            var row = db.Interventions.AsNoTracking().Single(i => i.Id == id);
            var audits = db.Set<WriteAudit>().Count(a => a.EntityType == "Intervention" && a.EntityId == id);
            return $"{row.Status}|{row.Version}|{row.EndDate}|{row.Result}|{audits}";
        });
    }

    private InterventionStatus StoredStatus(JsonObject intervention)
    {
        var id = RowId(intervention);
        return hub.Query(db => db.Interventions.Single(i => i.Id == id).Status);
    }

    private static void AssertRefusedTransition(JsonObject payload, string? field)
    {
        payload.AssertSingleError("INVALID_TRANSITION", field);
        Assert.Null(payload["intervention"]);
    }

    [Theory]
    [InlineData("GEPLAND", "GEPLAND", true)]      // the same status: no transition
    [InlineData("GEPLAND", "LOPEND", true)]
    [InlineData("GEPLAND", "AFGEROND", true)]     // a one-off action, done before anyone marked it under way
    [InlineData("GEPLAND", "GEANNULEERD", true)]
    [InlineData("LOPEND", "GEPLAND", false)]      // not back
    [InlineData("LOPEND", "LOPEND", true)]
    [InlineData("LOPEND", "AFGEROND", true)]
    [InlineData("LOPEND", "GEANNULEERD", true)]
    [InlineData("AFGEROND", "GEPLAND", false)]    // final
    [InlineData("AFGEROND", "LOPEND", false)]
    [InlineData("AFGEROND", "AFGEROND", true)]
    [InlineData("AFGEROND", "GEANNULEERD", false)]
    [InlineData("GEANNULEERD", "GEPLAND", false)] // final
    [InlineData("GEANNULEERD", "LOPEND", false)]
    [InlineData("GEANNULEERD", "AFGEROND", false)]
    [InlineData("GEANNULEERD", "GEANNULEERD", true)]
    public async Task UpdateIntervention_moves_the_status_only_along_the_flow(string from, string to, bool allowed)
    {
        using var police = Police();
        var intervention = await RecordInAsync(police, from);
        var before = Stored(intervention);

        // With an end date and a result, so that only the flow decides a move to Afgerond.
        var payload = (await police.PostAsync(Update, new
        {
            input = new
            {
                id = (string?)intervention["id"],
                version = (string?)intervention["version"],
                status = to,
                endDate = "2026-03-06",
                result = "Done."
            }
        })).Data("updateIntervention");

        if (allowed)
        {
            payload.AssertNoErrors();
            Assert.Equal(to, (string?)payload["intervention"]!["status"]);
            Assert.Equal(Enum.Parse<InterventionStatus>(to, ignoreCase: true), StoredStatus(intervention));
            Assert.NotEqual((string?)intervention["version"], (string?)payload["intervention"]!["version"]);
        }
        else
        {
            AssertRefusedTransition(payload, "status");
            Assert.Contains($"from {Enum.Parse<InterventionStatus>(from, ignoreCase: true)} to {Enum.Parse<InterventionStatus>(to, ignoreCase: true)}",
                (string?)payload.Errors()[0]["message"], StringComparison.Ordinal);
            Assert.Equal(before, Stored(intervention));
        }
    }

    [Theory]
    [InlineData("GEPLAND", true)]      // a one-off action, completed as planned
    [InlineData("LOPEND", true)]
    [InlineData("AFGEROND", true)]     // no transition: corrects the end date and result
    [InlineData("GEANNULEERD", false)] // a cancelled one is not completed
    public async Task CompleteIntervention_completes_a_planned_or_running_intervention_not_a_cancelled_one(string from, bool allowed)
    {
        using var police = Police();
        var intervention = await RecordInAsync(police, from);
        var before = Stored(intervention);

        var payload = (await police.PostAsync(Complete, new
        {
            input = new
            {
                id = (string?)intervention["id"],
                version = (string?)intervention["version"],
                endDate = "2026-03-07",
                result = "Completed after all."
            }
        })).Data("completeIntervention");

        if (allowed)
        {
            payload.AssertNoErrors();
            Assert.Equal("AFGEROND", (string?)payload["intervention"]!["status"]);
            Assert.Equal("2026-03-07", (string?)payload["intervention"]!["endDate"]);
            Assert.Equal("Completed after all.", (string?)payload["intervention"]!["result"]);
        }
        else
        {
            AssertRefusedTransition(payload, null); // completeIntervention's input has no status field: the whole input
            Assert.Equal(before, Stored(intervention));
        }
    }

    [Theory]
    [InlineData("AFGEROND", "GEPLAND", false)]
    [InlineData("AFGEROND", "LOPEND", false)]
    [InlineData("GEANNULEERD", "LOPEND", false)]
    [InlineData("LOPEND", "GEPLAND", false)]
    [InlineData("GEPLAND", "AFGEROND", true)]
    [InlineData("GEPLAND", "LOPEND", true)]
    [InlineData("LOPEND", "AFGEROND", true)]
    [InlineData("LOPEND", "GEANNULEERD", true)]
    public async Task Recording_again_through_the_external_id_moves_the_status_only_along_the_flow(string from, string to, bool allowed)
    {
        using var police = Police();
        var externalId = $"FLOW-{from}-{to}";
        var intervention = await RecordInAsync(police, from, externalId);
        var before = Stored(intervention);

        var payload = (await police.PostAsync(Record, new
        {
            input = new
            {
                externalId,
                kind = "INTEGRALE_CONTROLE",
                status = to,
                startDate = "2026-03-02",
                bagId = BagId(),
                endDate = "2026-03-06",
                result = "Done."
            }
        })).Data("recordIntervention");

        if (allowed)
        {
            payload.AssertNoErrors();
            Assert.Equal((string?)intervention["id"], (string?)payload["intervention"]!["id"]);
            Assert.Equal(Enum.Parse<InterventionStatus>(to, ignoreCase: true), StoredStatus(intervention));
        }
        else
        {
            AssertRefusedTransition(payload, "status");
            Assert.Equal(before, Stored(intervention));
        }
        Assert.Equal(1, hub.Query(db => db.Interventions.Count(i => i.ExternalId == externalId)));
    }

    [Theory]
    [InlineData("LOPEND")]
    [InlineData("AFGEROND")]
    [InlineData("GEANNULEERD")]
    public async Task Recording_again_without_a_status_keeps_the_stored_one(string status)
    {
        // "Default Gepland" is for a new intervention: a replay without a status used to send a completed one back to Gepland.
        using var police = Police();
        var externalId = $"KEEP-{status}";
        var intervention = await RecordInAsync(police, status, externalId);

        var payload = (await police.PostAsync(Record, new
        {
            input = new
            {
                externalId,
                kind = "INTEGRALE_CONTROLE",
                startDate = "2026-03-02",
                bagId = BagId(),
                endDate = "2026-03-05",
                result = "Checked again."
            }
        })).Data("recordIntervention");

        payload.AssertNoErrors();
        Assert.Equal(status, (string?)payload["intervention"]!["status"]);
        Assert.Equal(Enum.Parse<InterventionStatus>(status, ignoreCase: true), StoredStatus(intervention));
        Assert.Equal("Checked again.", hub.Query(db => db.Interventions.Single(i => i.ExternalId == externalId).Result)); // the rest of a final one is corrected
    }

    [Theory]
    [InlineData(null, "Checked.", "endDate")]
    [InlineData("2026-03-05", null, "result")]
    [InlineData("2026-03-05", "   ", "result")]
    public async Task A_new_intervention_recorded_as_completed_needs_an_end_date_and_a_result(string? endDate, string? result, string field)
    {
        using var police = Police();
        var before = hub.Query(db => (db.Interventions.Count(), db.Set<WriteAudit>().Count()));

        var payload = (await police.PostAsync(Record, new { input = new { kind = "INTEGRALE_CONTROLE", status = "AFGEROND", startDate = "2026-03-02", bagId = BagId(), endDate, result } }))
            .Data("recordIntervention");

        payload.AssertSingleError("INVALID", field);
        Assert.Equal(before, hub.Query(db => (db.Interventions.Count(), db.Set<WriteAudit>().Count())));
    }

    [Fact]
    public async Task Recording_a_completed_intervention_again_without_its_end_date_is_refused()
    {
        // A replay carries the whole record: one without the end date would leave a completed intervention without one.
        using var police = Police();
        var intervention = await RecordInAsync(police, "AFGEROND", "DONE-1");
        var before = Stored(intervention);

        var payload = (await police.PostAsync(Record, new { input = new { externalId = "DONE-1", kind = "INTEGRALE_CONTROLE", startDate = "2026-03-02", bagId = BagId(), result = "Checked." } }))
            .Data("recordIntervention");

        payload.AssertSingleError("INVALID", "endDate");
        Assert.Equal(before, Stored(intervention));
    }

    [Fact]
    public async Task A_completed_intervention_stored_without_an_end_date_and_result_before_the_flow_is_replayed_and_edited_unrefused()
    {
        // The hub accepted Afgerond without them before the flow: a partner's nightly replay of such a record, unchanged,
        // must still answer, and an edit may add what it lacks; only what it has may not be taken away.
        using var police = Police();
        var intervention = await RecordInAsync(police, "AFGEROND", "OLD-DONE-1");
        var id = RowId(intervention);
        hub.Query(db => db.Interventions.Where(i => i.Id == id).ExecuteUpdate(u => u.SetProperty(i => i.EndDate, (DateOnly?)null).SetProperty(i => i.Result, (string?)null)));

        var replay = (await police.PostAsync(Record, new { input = new { externalId = "OLD-DONE-1", kind = "INTEGRALE_CONTROLE", status = "AFGEROND", startDate = "2026-03-02", bagId = BagId() } }))
            .Data("recordIntervention");
        replay.AssertNoErrors();
        Assert.Equal("AFGEROND", (string?)replay["intervention"]!["status"]);

        var edit = (await police.PostAsync(Update, new { input = new { id = (string?)intervention["id"], version = (string?)replay["intervention"]!["version"], result = "Checked after all." } }))
            .Data("updateIntervention");
        edit.AssertNoErrors();
        Assert.Equal("Checked after all.", (string?)edit["intervention"]!["result"]);

        // Now it has a result: a replay without it would take it away.
        var losing = (await police.PostAsync(Record, new { input = new { externalId = "OLD-DONE-1", kind = "INTEGRALE_CONTROLE", status = "AFGEROND", startDate = "2026-03-02", bagId = BagId() } }))
            .Data("recordIntervention");
        losing.AssertSingleError("INVALID", "result");
    }

    [Theory]
    [InlineData(null, "Done.", "endDate")]
    [InlineData("2026-03-06", null, "result")]
    [InlineData("2026-03-06", "", "result")]
    public async Task UpdateIntervention_completes_only_with_an_end_date_and_a_result(string? endDate, string? result, string field)
    {
        using var police = Police();
        var intervention = await RecordInAsync(police, "LOPEND");
        var before = Stored(intervention);

        var payload = (await police.PostAsync(Update, new { input = new { id = (string?)intervention["id"], version = (string?)intervention["version"], status = "AFGEROND", endDate, result } }))
            .Data("updateIntervention");

        payload.AssertSingleError("INVALID", field);
        Assert.Equal(before, Stored(intervention));
    }

    [Fact]
    public async Task UpdateIntervention_completes_with_the_end_date_and_result_already_stored()
    {
        using var police = Police();
        var intervention = await RecordInAsync(police, "LOPEND");
        var noted = (await police.PostAsync(Update, new { input = new { id = (string?)intervention["id"], version = (string?)intervention["version"], endDate = "2026-03-06", result = "Done." } }))
            .Data("updateIntervention");
        noted.AssertNoErrors();

        var completed = (await police.PostAsync(Update, new { input = new { id = (string?)intervention["id"], version = (string?)noted["intervention"]!["version"], status = "AFGEROND" } }))
            .Data("updateIntervention");

        completed.AssertNoErrors();
        Assert.Equal(InterventionStatus.Afgerond, StoredStatus(intervention));
    }

    [Fact]
    public async Task A_completed_intervention_keeps_its_status_but_its_result_and_end_date_are_corrected()
    {
        using var police = Police();
        var intervention = await RecordInAsync(police, "AFGEROND");
        var id = (string?)intervention["id"];

        var corrected = (await police.PostAsync(Update, new { input = new { id, version = (string?)intervention["version"], endDate = "2026-03-04", result = "Checked; no irregularities." } }))
            .Data("updateIntervention");
        corrected.AssertNoErrors();
        var afterCorrection = Stored(intervention);
        var blanked = (await police.PostAsync(Update, new { input = new { id, version = (string?)corrected["intervention"]!["version"], result = " " } }))
            .Data("updateIntervention");

        Assert.Equal("AFGEROND", (string?)corrected["intervention"]!["status"]);
        Assert.Equal("2026-03-04", (string?)corrected["intervention"]!["endDate"]);
        Assert.Equal("Checked; no irregularities.", (string?)corrected["intervention"]!["result"]);
        blanked.AssertSingleError("INVALID", "result"); // the correction may not take away what Afgerond demands
        Assert.Equal(afterCorrection, Stored(intervention));
    }

    [Fact]
    public async Task A_refused_transition_is_answered_as_every_other_refused_write()
    {
        // In the payload's errors, with 200 and data, as an INVALID input is: the request ran, the write did not.
        using var police = Police();
        var intervention = await RecordInAsync(police, "GEANNULEERD");
        var input = new { id = (string?)intervention["id"], version = (string?)intervention["version"], status = "LOPEND" };

        using var refused = await police.PostAsJsonAsync("/graphql", new { query = Update, variables = new { input } });
        using var invalid = await police.PostAsJsonAsync("/graphql", new { query = Update, variables = new { input = new { input.id, input.version, endDate = "2999-01-01" } } });

        foreach (var (response, code) in new[] { (refused, "INVALID_TRANSITION"), (invalid, "INVALID") })
        {
            Assert.Equal(HttpStatusCode.OK, response.StatusCode);
            var body = JsonNode.Parse(await response.Content.ReadAsStringAsync())!.AsObject();
            Assert.Null(body["errors"]);
            Assert.Equal(code, (string?)body["data"]!["updateIntervention"]!["errors"]![0]!["code"]);
        }
    }

    [Fact]
    public void The_flow_the_schema_describes_is_the_flow_the_hub_enforces()
    {
        // The descriptions quote InterventionFlow.Summary (attributes take only constants); it must say what the map holds.
        Assert.Equal(InterventionFlow.Summary, InterventionFlow.Describe());
    }
}
