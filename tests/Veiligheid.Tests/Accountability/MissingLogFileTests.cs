using System.Net;
using Veiligheid.Access;
using Veiligheid.Accountability;
using Veiligheid.Data;
using Veiligheid.Data.Seeding;
using Veiligheid.Tests.Infrastructure;

namespace Veiligheid.Tests.Accountability;

/// <summary>The log's file deleted under a running hub (its own fixture: the hub is left without a log).</summary>
public sealed class MissingLogFileTests(HubFactory factory) : IClassFixture<HubFactory>
{
    [Fact]
    public async Task A_log_file_deleted_under_the_hub_withholds_person_data_and_fails_the_health_check()
    {
        var client = factory.CreateClientWithPurpose(HubRole.GemeenteCoordinator, DemoOrganisations.GemeenteVeiligstad, "casusoverleg-zorg-en-veiligheid");
        Assert.True((await client.GraphQLAsync("{ persons(first: 2) { nodes { surname } } }")).HasData); // the writer's connection is open
        Assert.Equal(HttpStatusCode.OK, (await client.GetAsync("/health")).StatusCode);

        foreach (var file in SqliteLogFile.WithCompanions(SqliteLogFile.PathFor(factory.DatabasePath))) File.Delete(file);

        var response = await client.GraphQLAsync("{ persons(first: 2) { nodes { surname } } }");
        Assert.Equal([ProcessingLogErrorCodes.Unavailable], response.ErrorCodes);
        Assert.False(response.HasData);
        using var health = await client.GetAsync("/health");
        Assert.Equal(HttpStatusCode.ServiceUnavailable, health.StatusCode);
    }
}
