using System.Net;
using System.Net.Http.Headers;
using Microsoft.AspNetCore.Mvc.Testing;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using Veiligheid.Access;
using Veiligheid.Accountability;
using Veiligheid.Data.Seeding;
using Veiligheid.GraphQL.Compiled;
using Veiligheid.Tests.Infrastructure;
using Veiligheid.Tests.Query;

namespace Veiligheid.Tests.Accountability;

/// <summary>
/// Reads sent over HTTP on the read path asked for, with the processing-log records each wrote: the compiled path (the
/// hub's default on SQLite, checked to answer the query) or the reference path (a host with the compiled path off).
/// </summary>
internal static class LoggedReads
{
    /// <summary>
    /// Sends the query on the path asked for; the response and the records it wrote. On the compiled path it first checks
    /// that the compiled path answers this query for this caller (on the reference path it cannot).
    /// </summary>
    public static async Task<(GraphQLResponse Response, List<ProcessingRecord> Records)> ReadAsync(this HubFactory factory, bool compiled, HubRole role,
        string organisation, string purpose, string query, bool expectData = true)
    {
        if (compiled && expectData)
        {
            var (_, path, _, _) = await ReadPathDifferentialTests.RunAsync(factory.Services, ReadPathDifferentialTests.CallerOf(role, organisation, purpose), query, compiledReads: true);
            Assert.Equal(ReadPath.Compiled, path);
        }
        await using var reference = compiled ? null : factory.WithWebHostBuilder(builder => builder.UseSetting("GraphQL:CompiledReads:Sqlite", "false"));
        WebApplicationFactory<Program> host = reference ?? factory;
        using var client = host.CreateClient();
        client.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", factory.CreateToken([role], organisation));
        client.DefaultRequestHeaders.Add(Purposes.Header, purpose);
        var before = factory.LastSequence();

        var response = await client.GraphQLAsync(query);

        if (expectData)
        {
            Assert.Equal(HttpStatusCode.OK, response.Status);
            Assert.Empty(response.Errors);
        }
        var records = factory.LogRecords().Where(r => r.Sequence > before).ToList();
        Assert.All(records, r => Assert.Equal(DemoOrganisations.IdOf(organisation), r.OrganisationId));
        return (response, records);
    }

    public static int PersonIdOf(this HubFactory factory, string bsn)
        => factory.WithDb(db => db.Persons.AsNoTracking().Where(p => p.Bsn == bsn).Select(p => p.Id).Single());

    public static string Protect(this HubFactory factory, string bsn) => factory.Services.GetRequiredService<ProcessingLog>().Protect(bsn);

    internal static long LastSequence(this HubFactory factory) => factory.WithDb(db => db.Set<ProcessingRecord>().Select(r => (long?)r.Sequence).Max() ?? 0);
}
