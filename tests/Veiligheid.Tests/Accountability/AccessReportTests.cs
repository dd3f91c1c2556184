using System.Net;
using System.Text.Json;
using Veiligheid.Access;
using Veiligheid.Accountability;
using Veiligheid.Data.Seeding;
using Veiligheid.Tests.Infrastructure;

namespace Veiligheid.Tests.Accountability;

public sealed class AccessReportTests(HubFactory factory) : IClassFixture<HubFactory>
{
    private const string ReportQuery = "query Report($bsn: BSN!) { accessReport(bsn: $bsn) { entries { organisation { key } occurredAt purpose legalGround categories } } }";

    [Fact]
    public async Task The_report_says_which_organisation_processed_the_data_when_and_why_and_its_making_is_logged()
    {
        // Two partners look at the same person under different purposes.
        var coordinator = factory.CreateClientWithPurpose(HubRole.GemeenteCoordinator, DemoOrganisations.GemeenteVeiligstad, "casusoverleg-zorg-en-veiligheid", userObjectId: "coordinator-user");
        var seen = await coordinator.GraphQLAsync("{ persons(first: 1) { nodes { id bsn } } }");
        var node = seen.Data.GetProperty("persons").GetProperty("nodes")[0];
        var bsn = node.GetProperty("bsn").GetString()!;
        var personId = ProcessingLogTests.Decode(node.GetProperty("id").GetString()!);
        var expected = factory.LogRecords().Where(r => r.PersonId == personId).ToList();
        Assert.NotEmpty(expected);

        var officer = factory.CreateClientWithPurpose(HubRole.PrivacyFunctionaris, DemoOrganisations.GemeenteVeiligstad, "inzageverzoek", userObjectId: "fg-user");
        var before = factory.LogRecords().Count;
        var report = await officer.GraphQLAsync(ReportQuery, new { bsn }, "Report");

        Assert.Equal(HttpStatusCode.OK, report.Status);
        Assert.Empty(report.Errors);
        var entries = report.Data.GetProperty("accessReport").GetProperty("entries").EnumerateArray().ToList();
        Assert.Equal(expected.Count, entries.Count);
        var organisationKeys = factory.WithDb(db => db.Organisations.ToDictionary(o => o.Id, o => o.Key));
        foreach (var (record, entry) in expected.Zip(entries))
        {
            Assert.Equal(organisationKeys[record.OrganisationId], entry.GetProperty("organisation").GetProperty("key").GetString());
            Assert.Equal(Purposes.Get(record.Purpose).Name, entry.GetProperty("purpose").GetString());
            Assert.Equal(record.LegalGround, entry.GetProperty("legalGround").GetString());
        }
        // The standard leaves users and systems out of the report.
        var text = report.Body.GetRawText();
        Assert.DoesNotContain("coordinator-user", text, StringComparison.Ordinal);
        Assert.DoesNotContain(factory.ClientAppIdOf(DemoOrganisations.GemeenteVeiligstad), text, StringComparison.Ordinal);
        Assert.DoesNotContain(bsn, text, StringComparison.Ordinal);

        // The inzage itself is logged, for that person, under the officer's purpose.
        var inzage = Assert.Single(factory.LogRecords().Skip(before));
        Assert.Equal(personId, inzage.PersonId);
        Assert.Equal("inzageverzoek", inzage.Purpose);
        Assert.Equal("Verwerkingslog", inzage.Categories);
        Assert.Equal("Privacy.Functionaris", inzage.Role);
        Assert.Equal("Report", inzage.ActionName);

        // And a second report shows it.
        var again = await officer.GraphQLAsync(ReportQuery, new { bsn });
        var last = again.Data.GetProperty("accessReport").GetProperty("entries").EnumerateArray().Last();
        Assert.Equal(Purposes.Get("inzageverzoek").Name, last.GetProperty("purpose").GetString());
    }

    [Fact]
    public async Task The_officer_queries_the_log_by_person_and_period()
    {
        var police = factory.CreateClientWithPurpose(HubRole.Politie, DemoOrganisations.PolitieNoord, "aanpak-woonoverlast");
        var seen = await police.GraphQLAsync("{ persons(first: 1) { nodes { id bsn } } }");
        var node = seen.Data.GetProperty("persons").GetProperty("nodes")[0];
        var personId = node.GetProperty("id").GetString()!;
        var expected = factory.LogRecords().Where(r => r.PersonId == ProcessingLogTests.Decode(personId)).Select(r => r.Sequence).OrderDescending().ToList();

        var officer = factory.CreateClientWithPurpose(HubRole.PrivacyFunctionaris, DemoOrganisations.GemeenteVeiligstad, "toezicht-verwerkingen");
        var log = await officer.GraphQLAsync(
            "query($person: ID, $from: DateTime) { processingLog(person: $person, from: $from, first: 100) { totalCount nodes { sequence purpose role userId applicationId categories confidentiality } } }",
            new { person = personId, from = DateTime.UtcNow.AddHours(-1).ToString("O") });

        Assert.Empty(log.Errors);
        var nodes = log.Data.GetProperty("processingLog").GetProperty("nodes").EnumerateArray().ToList();
        Assert.Equal(expected, nodes.Select(n => long.Parse(n.GetProperty("sequence").GetString()!, System.Globalization.CultureInfo.InvariantCulture)));
        Assert.Contains(nodes, n => n.GetProperty("role").GetString() == "Politie" && n.GetProperty("applicationId").GetString() == factory.ClientAppIdOf(DemoOrganisations.PolitieNoord));

        var future = await officer.GraphQLAsync("query($person: ID, $from: DateTime) { processingLog(person: $person, from: $from) { totalCount } }",
            new { person = personId, from = DateTime.UtcNow.AddHours(1).ToString("O") });
        Assert.Equal(0, future.Data.GetProperty("processingLog").GetProperty("totalCount").GetInt32());
    }

    [Fact]
    public async Task The_officer_sees_the_log_and_nothing_of_the_cases()
    {
        var officer = factory.CreateClientWithPurpose(HubRole.PrivacyFunctionaris, DemoOrganisations.GemeenteVeiligstad, "inzageverzoek");

        var persons = await officer.GraphQLAsync("{ persons(first: 1) { nodes { id } } }");
        Assert.Equal(HttpStatusCode.BadRequest, persons.Status);
        Assert.DoesNotContain(CallerErrorCodes.PurposeDoesNotCover, persons.ErrorCodes);

        var withoutPurpose = factory.CreateClientWithPurpose(HubRole.PrivacyFunctionaris, DemoOrganisations.GemeenteVeiligstad, null);
        var refused = await withoutPurpose.GraphQLAsync("{ processingLog { totalCount } }");
        Assert.Equal([CallerErrorCodes.PurposeRequired], refused.ErrorCodes);
    }

    [Fact]
    public async Task The_report_entry_type_has_no_user_or_system()
    {
        var officer = factory.CreateClientWithPurpose(HubRole.PrivacyFunctionaris, DemoOrganisations.GemeenteVeiligstad, "inzageverzoek");

        var type = await officer.GraphQLAsync("{ __type(name: \"AccessReportEntry\") { fields { name } } }");

        var fields = type.Data.GetProperty("__type").GetProperty("fields").EnumerateArray().Select(f => f.GetProperty("name").GetString()).ToList();
        Assert.Equal(["categories", "legalGround", "occurredAt", "organisation", "purpose"], fields.Order());
    }
}
