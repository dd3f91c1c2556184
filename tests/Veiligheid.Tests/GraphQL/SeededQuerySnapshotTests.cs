using Newtonsoft.Json.Linq;
using Snapshooter.Xunit;
using Veiligheid.Access;
using Veiligheid.Data.Seeding;
using Veiligheid.Tests.Infrastructure;

namespace Veiligheid.Tests.GraphQL;

/// <summary>
/// Representative reads on the deterministic demo seed, as partners see them. The snapshots were read by a person
/// once: they show each role its own slice (the corporation's persons without care data, the police's signals…).
/// </summary>
public sealed class SeededQuerySnapshotTests(HubFactory hub) : IClassFixture<HubFactory>
{
    [Fact]
    public async Task Coordinator_reads_a_page_of_cases_with_subjects_and_interventions()
    {
        var client = hub.CreateClient(HubRole.GemeenteCoordinator, DemoOrganisations.GemeenteVeiligstad);
        var response = await client.QueryOkAsync("""
            {
              cases(first: 3) {
                totalCount
                pageInfo { hasNextPage endCursor }
                nodes {
                  id kind title status confidentiality legalGround openedAt
                  coordinatingOrganisation { key }
                  participants { organisation { key } }
                  subjects { role person { bsn givenName surnamePrefix surname dateOfBirth address { street houseNumber postcode } } }
                  interventions { kind status startDate executingOrganisation { key } }
                  statusHistory { fromStatus toStatus }
                }
              }
            }
            """);
        JToken.Parse(response.Body!.ToJsonString()).MatchSnapshot();
    }

    [Fact]
    public async Task Housing_corporation_reads_its_tenants_without_care_or_police_detail()
    {
        var client = hub.CreateClient(HubRole.Woningcorporatie, DemoOrganisations.Woonstede);
        var response = await client.QueryOkAsync("""
            {
              viewer { role organisation { key kind } }
              persons(first: 3) { totalCount nodes { surname address { street postcode owner { key } } tenancies { landlord { key } startDate endDate } cases { role case { kind status } } } }
            }
            """);
        JToken.Parse(response.Body!.ToJsonString()).MatchSnapshot();
    }

    [Fact]
    public async Task Police_reads_recent_incidents_with_the_persons_involved()
    {
        var client = hub.CreateClient(HubRole.Politie, DemoOrganisations.PolitieNoord);
        var response = await client.QueryOkAsync("""
            {
              incidents(first: 3) { totalCount nodes { category occurredAt inPublicSpace neighbourhood { code district { code } } location { bagId street } reportingOrganisation { key } persons { role person { bsn policeSignals { kind registeredOn } } } } }
            }
            """);
        JToken.Parse(response.Body!.ToJsonString()).MatchSnapshot();
    }
}
