using System.Net;
using System.Text.RegularExpressions;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using Veiligheid.Access;
using Veiligheid.Data;
using Veiligheid.Data.Seeding;
using Veiligheid.Tests.Infrastructure;
using static Veiligheid.Tests.Http.GraphQLHttp;

namespace Veiligheid.Tests.Http;

/// <summary>A real internal failure (a table gone from this fixture's own database) shows no internals, only a trace id.</summary>
public sealed partial class InternalErrorTests(HubFactory hub) : IClassFixture<HubFactory>
{
    private static readonly string[] ErrorMembers = ["extensions", "locations", "message", "path"];

    [Fact]
    public async Task An_internal_failure_answers_with_a_generic_message_and_a_trace_id_only()
    {
        using var client = hub.CreateClient(HubRole.Politie, DemoOrganisations.PolitieNoord);
        using (var scope = hub.Services.CreateScope())
        {
            var db = scope.ServiceProvider.GetRequiredService<VeiligheidDbContext>();
            await db.Database.ExecuteSqlRawAsync("ALTER TABLE \"Incidents\" RENAME TO \"IncidentsGone\"");
        }

        var answer = await client.SendAsync(() => PostQuery("{ incidents(first: 5) { nodes { id } } }"));

        Assert.True((int)answer.Status < 500, answer.ToString());
        var error = Assert.Single(answer.Errors);
        var extensions = error.GetProperty("extensions");
        Assert.Equal("INTERNAL_ERROR", extensions.GetProperty("code").GetString());
        var traceId = extensions.GetProperty("traceId").GetString();
        Assert.Matches(TraceId(), traceId);
        Assert.Contains(traceId!, error.GetProperty("message").GetString(), StringComparison.Ordinal);
        foreach (var internals in new[] { "Incidents", "SQLite", "Sqlite", "Exception", "no such table", "at Veiligheid", "at Microsoft" })
            Assert.DoesNotContain(internals, answer.Text, StringComparison.Ordinal);
        Assert.Equal(ErrorMembers, error.EnumerateObject().Select(p => p.Name).Order());
        Assert.Equal(["code", "traceId"], extensions.EnumerateObject().Select(p => p.Name).Order());

        // Fields that do not need the lost table still answer.
        var normal = await client.SendAsync(() => PostQuery("{ viewer { role } }"));
        Assert.Equal(HttpStatusCode.OK, normal.Status);
    }

    [GeneratedRegex("^[0-9a-f]{32}$")]
    private static partial Regex TraceId();
}
