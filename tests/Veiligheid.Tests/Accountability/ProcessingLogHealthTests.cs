using System.Net;
using System.Text.Json;
using Microsoft.Data.Sqlite;
using Microsoft.Extensions.Diagnostics.HealthChecks;
using Veiligheid.Access;
using Veiligheid.Accountability;
using Veiligheid.Data;
using Veiligheid.Data.Seeding;
using Veiligheid.Http;
using Veiligheid.Tests.Infrastructure;

namespace Veiligheid.Tests.Accountability;

/// <summary>/health while the log's file is write-locked by another connection (its own fixture: the hub's log is locked).</summary>
public sealed class ProcessingLogHealthTests(HubFactory factory) : IClassFixture<HubFactory>
{
    private const string PersonRead = "{ persons(first: 3) { nodes { bsn givenName surname } } }";

    [Fact]
    public async Task A_log_locked_by_another_connection_makes_health_unhealthy_until_a_write_succeeds()
    {
        var client = factory.CreateClientWithPurpose(HubRole.GemeenteCoordinator, DemoOrganisations.GemeenteVeiligstad, "casusoverleg-zorg-en-veiligheid");
        var read = await client.GraphQLAsync(PersonRead);
        Assert.True(read.HasData);
        var personData = read.Data.GetProperty("persons").GetProperty("nodes").EnumerateArray()
            .SelectMany(p => new[] { p.GetProperty("bsn").GetString()!, p.GetProperty("givenName").GetString()!, p.GetProperty("surname").GetString()! })
            .ToList();
        Assert.Equal((HttpStatusCode.OK, "Healthy"), await HealthAsync(client));

        // Another process's write transaction on the log's file, as `sqlite3 veiligheid.processing-log.db 'BEGIN IMMEDIATE;'`
        // leaves it: a connection of its own (not pooled, so closing it releases the lock) that takes the write lock.
        string body;
        await using (var other = new SqliteConnection(new SqliteConnectionStringBuilder { DataSource = SqliteLogFile.PathFor(factory.DatabasePath), Pooling = false }.ToString()))
        {
            await other.OpenAsync();
            await using (var begin = other.CreateCommand())
            {
                begin.CommandText = "BEGIN IMMEDIATE;";
                await begin.ExecuteNonQueryAsync();
            }

            var waited = System.Diagnostics.Stopwatch.StartNew();
            var refused = await client.GraphQLAsync(PersonRead);
            Assert.Equal([ProcessingLogErrorCodes.Unavailable], refused.ErrorCodes);
            // It waited for the lock about SqliteLogWriter.LockWaitSeconds, not Microsoft.Data.Sqlite's default 30 s on top
            // (every other request's log write queued behind it meanwhile). A bound on behaviour, far from the wait.
            Assert.InRange(waited.Elapsed, TimeSpan.FromSeconds(SqliteLogWriter.LockWaitSeconds - 1), TimeSpan.FromSeconds(20));
            Assert.False(refused.HasData);

            HttpStatusCode status;
            (status, body) = await HealthAsync(client);
            Assert.Equal(HttpStatusCode.ServiceUnavailable, status);
            Assert.StartsWith("Unhealthy\n", body, StringComparison.Ordinal);
            Assert.Contains("processing-log: Unhealthy: The hub withholds person data: the processing log could not be written since", body, StringComparison.Ordinal);
            Assert.Contains("SQLite error 5: database is locked", body, StringComparison.Ordinal);
        }
        // The reason names the log, never data: no BSN, no name, no path.
        Assert.All(personData, value => Assert.DoesNotContain(value, body, StringComparison.OrdinalIgnoreCase));
        Assert.DoesNotMatch(@"\d{9}", body);
        Assert.DoesNotContain(factory.TempDirectory, body, StringComparison.Ordinal);

        // The lock is gone, but no write has shown it yet: the check reports outcomes, it does not probe the lock itself.
        Assert.Equal(HttpStatusCode.ServiceUnavailable, (await HealthAsync(client)).Status);

        // The next request's write succeeds: healthy again.
        Assert.True((await client.GraphQLAsync(PersonRead)).HasData);
        Assert.Equal((HttpStatusCode.OK, "Healthy"), await HealthAsync(client));
    }

    [Fact]
    public void A_failure_with_no_write_since_turns_degraded_after_a_while_and_a_success_ends_it()
    {
        // A real failure comes from SQLite, whose provider is then set; this one is made here, possibly before any test
        // opened a connection (the reason names SQLite's fixed text for the code through that provider).
        SQLitePCL.Batteries_V2.Init();
        var failedAt = new DateTime(2026, 12, 1, 10, 0, 0, DateTimeKind.Utc);
        var locked = new SqliteException("database is locked", 5);
        var failing = OperationOutcomes.None.Succeeded().Failed(failedAt, ProcessingLogWrites.KindOf(locked));

        Assert.Equal(HealthStatus.Healthy, ProcessingLogHealth.Assess(OperationOutcomes.None, failedAt).Status);
        Assert.Equal(HealthStatus.Unhealthy, ProcessingLogHealth.Assess(failing, failedAt.AddSeconds(30)).Status);
        Assert.Equal(HealthStatus.Unhealthy, ProcessingLogHealth.Assess(failing, failedAt + ProcessingLogHealth.UnprovenAfter - TimeSpan.FromSeconds(1)).Status);
        // No traffic since: not unhealthy for ever, but not healthy either (200, so a load balancer sends a request that tells).
        var unproven = ProcessingLogHealth.Assess(failing, failedAt + ProcessingLogHealth.UnprovenAfter);
        Assert.Equal(HealthStatus.Degraded, unproven.Status);
        Assert.Contains("SQLite error 5: database is locked", unproven.Description, StringComparison.Ordinal);
        // Each failure keeps it unhealthy from its own time; the first failure's time is kept.
        var again = failing.Failed(failedAt.AddMinutes(5), ProcessingLogWrites.KindOf(locked));
        Assert.Equal(failedAt, again.FailingSince);
        Assert.Equal(HealthStatus.Unhealthy, ProcessingLogHealth.Assess(again, failedAt.AddMinutes(6)).Status);
        Assert.Equal(HealthStatus.Healthy, ProcessingLogHealth.Assess(again.Succeeded(), failedAt.AddMinutes(7)).Status);
    }

    internal static async Task<(HttpStatusCode Status, string Body)> HealthAsync(HttpClient client)
    {
        using var response = await client.GetAsync(new Uri("/health", UriKind.Relative));
        return (response.StatusCode, await response.Content.ReadAsStringAsync());
    }
}

/// <summary>The hub with the background indexer off and a low bound on the index's lag: /health sees the index fall behind.</summary>
public sealed class LaggingIndexHubFactory : HubFactory
{
    protected override void ConfigureWebHost(Microsoft.AspNetCore.Hosting.IWebHostBuilder builder)
    {
        base.ConfigureWebHost(builder);
        builder.UseSetting(UnindexedHubFactory.IndexInBackground, "false");
        builder.UseSetting($"{ProcessingLogOptions.Section}:{nameof(ProcessingLogOptions.IndexBehindDegradedAfter)}", "4");
    }
}

/// <summary>/health on the index by data subject: Degraded (200) while it is further behind the log than the setting allows.</summary>
public sealed class ProcessingLogIndexHealthTests(LaggingIndexHubFactory factory) : IClassFixture<LaggingIndexHubFactory>
{
    [Fact]
    public async Task An_index_further_behind_than_the_setting_makes_health_degraded_until_it_catches_up()
    {
        var client = factory.CreateClient();
        Assert.Equal((HttpStatusCode.OK, "Healthy"), await ProcessingLogHealthTests.HealthAsync(client));

        await factory.AppendAsync(factory.Persons(5));
        var (status, body) = await ProcessingLogHealthTests.HealthAsync(client);
        Assert.Equal(HttpStatusCode.OK, status); // still in rotation: the look-ups stay complete
        Assert.Equal("Degraded\nprocessing-log-index: Degraded: The processing log's index by data subject is 5 records behind the log: look-ups by " +
                     "person and BSN (access reports) stay complete, but read the records past it one by one. It catches up when the load falls; " +
                     "the hub's log has the indexer's warnings when it cannot.", body);

        Assert.Equal(5, await factory.IndexAsync());
        Assert.Equal((HttpStatusCode.OK, "Healthy"), await ProcessingLogHealthTests.HealthAsync(client));
    }

    [Fact]
    public void A_bound_below_one_stops_the_hub_at_start()
    {
        var options = Microsoft.Extensions.Options.Options.Create(new ProcessingLogOptions { PseudonymKey = "AAECAwQFBgcICQoLDA0ODxAREhMUFRYXGBkaGxwdHh8=", IndexBehindDegradedAfter = 0 });
        var refused = Assert.Throws<HubConfigurationException>(() => new ProcessingLog(options, new Microsoft.Extensions.Hosting.Internal.HostingEnvironment { EnvironmentName = "Production" }));
        Assert.Contains("IndexBehindDegradedAfter must be at least 1", refused.Message, StringComparison.Ordinal);
    }
}
