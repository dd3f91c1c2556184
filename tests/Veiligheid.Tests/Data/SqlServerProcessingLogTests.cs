using Veiligheid.Access;
using Veiligheid.Accountability;
using Veiligheid.Data.Seeding;
using Veiligheid.Tests.Accountability;
using Veiligheid.Tests.Infrastructure;

namespace Veiligheid.Tests.Data;

/// <summary>
/// The processing log on a real SQL Server written by two hosts at once, as a municipality runs more than one behind a
/// load balancer: each host has its own writer lock, so only the database keeps their appends off a fork
/// (<see cref="ProcessingLog.LastRecordSql"/>). Runs in the Azure pipeline's SQL Server job (VEILIGHEID_TEST_SQLSERVER,
/// a database of its own with "Log" appended); skipped elsewhere, as in .ci/run.
/// </summary>
[Trait("Category", "SqlServer")]
public sealed class SqlServerProcessingLogTests
{
    private const string Purpose = "casusoverleg-zorg-en-veiligheid";

    [SkippableFact]
    public async Task Two_hosts_on_one_SQL_Server_database_append_to_one_chain_without_a_refused_request()
    {
        Skip.If(string.IsNullOrEmpty(SqlServerHub.ConnectionString), "VEILIGHEID_TEST_SQLSERVER is not set: no SQL Server to test against.");

        await using var first = new SqlServerHub(SqlServerHub.OwnDatabase("Log"));
        var token = first.CreateToken([HubRole.GemeenteCoordinator], DemoOrganisations.GemeenteVeiligstad);
        var firstClient = first.CreateClientWithToken(token); // migrated and seeded before the second host starts
        // The second host: its own ProcessingLog and writer lock on the same database, as a second process has.
        await using var second = first.WithWebHostBuilder(_ => { });
        var secondClient = second.CreateClient();
        secondClient.DefaultRequestHeaders.Authorization = new System.Net.Http.Headers.AuthenticationHeaderValue("Bearer", token);
        var clients = new[] { firstClient, secondClient };
        foreach (var client in clients) client.DefaultRequestHeaders.Add(Purposes.Header, Purpose);
        var before = first.LogRecords().Count;

        var responses = await Task.WhenAll(Enumerable.Range(0, 60).Select(i =>
            clients[i % 2].GraphQLAsync("query($n: Int!) { persons(first: $n) { nodes { id } } }", new { n = 1 + (i % 4) })));

        // Under READ COMMITTED both hosts read the same last record and one of them failed on the unique sequence: its
        // request answered PROCESSING_LOG_UNAVAILABLE with no data.
        Assert.All(responses, r => Assert.Empty(r.Errors));
        var returned = responses.Sum(r => r.Data.GetProperty("persons").GetProperty("nodes").GetArrayLength());
        Assert.Equal(before + returned, first.LogRecords().Count);
        var verification = await first.WithDbAsync(db => ProcessingLog.VerifyAsync(db, CancellationToken.None));
        Assert.True(verification.IsIntact, verification.Problem);
        Assert.Equal(before + returned, verification.Verified);
    }
}
