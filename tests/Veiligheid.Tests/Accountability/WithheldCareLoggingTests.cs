using System.Text.Json;
using Microsoft.EntityFrameworkCore;
using Veiligheid.Access;
using Veiligheid.Accountability;
using Veiligheid.Data.Seeding;
using Veiligheid.GraphQL;
using Veiligheid.Persons;
using Veiligheid.Tests.Infrastructure;

namespace Veiligheid.Tests.Accountability;

/// <summary>
/// The processing log records the care data a request was given, not the care data it was refused: a life domain that is
/// withheld (null with CARE_DATA_WITHHELD) is not logged as Zorg, and a request that got no care data at all is not
/// Vertrouwelijk because of it. And a timeline entry about an intervention aimed at another person logs that person.
/// </summary>
public sealed class WithheldCareLoggingTests(HubFactory factory) : IClassFixture<HubFactory>
{
    private const string Zorg = "casusoverleg-zorg-en-veiligheid";

    private static readonly string[] Domains = [.. Enum.GetValues<LifeDomain>().Select(d => JsonNamingPolicy.CamelCase.ConvertName(d.ToString()))];

    private static string AllDomains => string.Join(" ", Domains.Select(d => $"{d} {{ score }}"));

    [Fact]
    public async Task A_person_whose_life_domains_were_all_withheld_is_not_logged_with_care_data()
    {
        var client = factory.CreateClientWithPurpose(HubRole.ZvhProcesregisseur, DemoOrganisations.ZvhRegioNoord, Zorg);
        var before = factory.LogRecords().Count;

        var response = await client.GraphQLAsync($"{{ persons(first: 100) {{ nodes {{ id lifeDomains {{ {AllDomains} }} }} }} }}");

        var nodes = response.Data.GetProperty("persons").GetProperty("nodes").EnumerateArray().ToList();
        var withheldAt = response.Errors
            .Where(e => e.GetProperty("extensions").GetProperty("code").GetString() == LifeDomainsType.WithheldCode)
            .Select(e => e.GetProperty("path")[2].GetInt32()).ToHashSet();
        var records = factory.LogRecords().Skip(before).ToDictionary(r => r.PersonId!.Value);
        var refused = nodes.Where((n, i) => withheldAt.Contains(i) && Domains.All(d => n.GetProperty("lifeDomains").GetProperty(d).ValueKind == JsonValueKind.Null)).ToList();
        var given = nodes.Where(n => Domains.Any(d => n.GetProperty("lifeDomains").GetProperty(d).ValueKind == JsonValueKind.Object)).ToList();
        Assert.NotEmpty(refused);
        Assert.NotEmpty(given);

        Assert.All(refused, n =>
        {
            var record = records[ProcessingLogTests.Decode(n.GetProperty("id").GetString()!)];
            Assert.DoesNotContain("Zorg", record.Categories.Split(','));
            Assert.Equal(ProcessingConfidentiality.Normaal, record.Confidentiality);
        });
        Assert.All(given, n =>
        {
            var record = records[ProcessingLogTests.Decode(n.GetProperty("id").GetString()!)];
            Assert.Contains("Zorg", record.Categories.Split(','));
            Assert.Equal(ProcessingConfidentiality.Vertrouwelijk, record.Confidentiality);
        });
    }

    [Fact]
    public async Task The_overview_of_a_person_whose_life_domains_were_all_withheld_is_not_logged_with_care_data()
    {
        var client = factory.CreateClientWithPurpose(HubRole.ZvhProcesregisseur, DemoOrganisations.ZvhRegioNoord, Zorg);
        var persons = await client.GraphQLAsync($"{{ persons(first: 100) {{ nodes {{ id lifeDomains {{ {AllDomains} }} }} }} }}");
        var withheldAt = persons.Errors
            .Where(e => e.GetProperty("extensions").GetProperty("code").GetString() == LifeDomainsType.WithheldCode)
            .Select(e => e.GetProperty("path")[2].GetInt32()).ToHashSet();
        var id = persons.Data.GetProperty("persons").GetProperty("nodes").EnumerateArray()
            .Where((n, i) => withheldAt.Contains(i) && Domains.All(d => n.GetProperty("lifeDomains").GetProperty(d).ValueKind == JsonValueKind.Null))
            .Select(n => n.GetProperty("id").GetString()!).First();
        var before = factory.LogRecords().Count;

        var response = await client.GraphQLAsync(
            $"query($id: ID!) {{ personOverview(id: $id) {{ person {{ id }} lifeDomains {{ {AllDomains} }} withheld {{ part reason }} }} }}", new { id });

        Assert.Contains(LifeDomainsType.WithheldCode, response.ErrorCodes);
        Assert.Contains(response.Data.GetProperty("personOverview").GetProperty("withheld").EnumerateArray(),
            w => w.GetProperty("reason").GetString() == "NO_CONSENT_OR_LEGAL_GROUND");
        var record = Assert.Single(factory.LogRecords().Skip(before));
        Assert.Equal(ProcessingLogTests.Decode(id), record.PersonId);
        Assert.DoesNotContain("Zorg", record.Categories.Split(','));
        Assert.Equal(ProcessingConfidentiality.Normaal, record.Confidentiality);
    }

    [Fact]
    public async Task A_timeline_entry_about_an_intervention_aimed_at_another_subject_logs_that_subject()
    {
        // A care intervention on a case of the coordinator's, aimed at one subject, shared with the coordinator by consent,
        // and another subject of the same case whose overview shows it on the timeline.
        var (caseId, aimedAt, other, kind) = await factory.WithDbAsync(async db =>
        {
            var gemeente = await db.Organisations.Where(o => o.Key == DemoOrganisations.GemeenteVeiligstad).Select(o => o.Id).SingleAsync();
            var care = AccessPolicy.CareInterventionKinds.ToList();
            var found = await db.Interventions
                .Where(i => i.CaseId != null && i.PersonId != null && care.Contains(i.Kind) && i.Case!.CoordinatingOrganisationId == gemeente
                            && i.Person!.Consents.Any(c => c.CareProviderOrganisationId == i.ExecutingOrganisationId && c.RecipientOrganisationId == gemeente && c.WithdrawnOn == null))
                .Select(i => new { CaseId = i.CaseId!.Value, PersonId = i.PersonId!.Value, i.Kind, Other = i.Case!.Subjects.Where(s => s.PersonId != i.PersonId).Select(s => (int?)s.PersonId).FirstOrDefault() })
                .Where(x => x.Other != null)
                .FirstAsync();
            return (found.CaseId, found.PersonId, found.Other!.Value, found.Kind);
        });
        var client = factory.CreateClientWithPurpose(HubRole.GemeenteCoordinator, DemoOrganisations.GemeenteVeiligstad, Zorg);
        var before = factory.LogRecords().Count;

        var response = await client.GraphQLAsync("query($id: ID!) { personOverview(id: $id) { timeline { kind summary } } }",
            new { id = GlobalId.Encode("Person", other) });

        Assert.Empty(response.Errors);
        Assert.Contains(response.Data.GetProperty("personOverview").GetProperty("timeline").EnumerateArray(),
            t => t.GetProperty("kind").GetString() == "INTERVENTION" && t.GetProperty("summary").GetString()!.StartsWith(kind.ToString(), StringComparison.Ordinal));
        var records = factory.LogRecords().Skip(before).ToList();
        var record = Assert.Single(records, r => r.PersonId == aimedAt);
        Assert.Contains("Zorg", record.Categories.Split(','));
        Assert.True(caseId > 0);
    }

    [Fact]
    public async Task Another_subjects_care_intervention_on_the_timeline_is_not_logged_as_care_data_of_the_overviews_person()
    {
        // A care intervention on a case of the coordinator's, aimed at one subject and shared by consent, and another subject
        // of that case none of whose own care trajectories could be among the coordinator's rows: no consent toward the
        // gemeente, no care intervention of the gemeente's aimed at them. The entry is the first subject's care data.
        var (aimedAt, other, kind) = await factory.WithDbAsync(async db =>
        {
            var gemeente = DemoOrganisations.IdOf(DemoOrganisations.GemeenteVeiligstad);
            var care = AccessPolicy.CareInterventionKinds.ToList();
            var found = await db.Interventions
                .Where(i => i.CaseId != null && i.PersonId != null && care.Contains(i.Kind)
                            && (i.Case!.CoordinatingOrganisationId == gemeente || i.Case.Participants.Any(p => p.OrganisationId == gemeente))
                            && i.Person!.Consents.Any(c => c.CareProviderOrganisationId == i.ExecutingOrganisationId && c.RecipientOrganisationId == gemeente && c.WithdrawnOn == null))
                .Select(i => new
                {
                    PersonId = i.PersonId!.Value,
                    i.Kind,
                    Other = i.Case!.Subjects
                        .Where(s => s.PersonId != i.PersonId
                                    && !s.Person.Consents.Any(c => c.RecipientOrganisationId == gemeente && c.WithdrawnOn == null)
                                    && !db.Interventions.Any(o => o.PersonId == s.PersonId && o.ExecutingOrganisationId == gemeente && care.Contains(o.Kind)))
                        .Select(s => (int?)s.PersonId).FirstOrDefault(),
                })
                .Where(x => x.Other != null)
                .FirstAsync();
            return (found.PersonId, found.Other!.Value, found.Kind);
        });
        var client = factory.CreateClientWithPurpose(HubRole.GemeenteCoordinator, DemoOrganisations.GemeenteVeiligstad, Zorg);
        var before = factory.LogRecords().Count;

        var response = await client.GraphQLAsync("query($id: ID!) { personOverview(id: $id) { timeline { kind summary intervention { kind } } } }",
            new { id = GlobalId.Encode("Person", other) });

        Assert.Empty(response.Errors);
        Assert.Contains(response.Data.GetProperty("personOverview").GetProperty("timeline").EnumerateArray(),
            t => t.GetProperty("kind").GetString() == "INTERVENTION" && t.GetProperty("summary").GetString()!.StartsWith(kind.ToString(), StringComparison.Ordinal));
        var records = factory.LogRecords().Skip(before).ToList();
        Assert.Contains("Zorg", Assert.Single(records, r => r.PersonId == aimedAt).Categories.Split(','));
        var ofOther = Assert.Single(records, r => r.PersonId == other);
        Assert.DoesNotContain("Zorg", ofOther.Categories.Split(','));
        Assert.Contains("Interventie", ofOther.Categories.Split(','));
    }
}
