using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using Veiligheid.Access;
using Veiligheid.Accountability;
using Veiligheid.Data.Seeding;
using Veiligheid.GraphQL;
using Veiligheid.Persons;
using Veiligheid.Tests.Infrastructure;

namespace Veiligheid.Tests.Accountability;

/// <summary>
/// What the privacy officer's look-up of the log by a person's id writes about that person: the inzage of someone, and
/// nothing for an id that names no one.
/// </summary>
public sealed class OfficerLookUpTests(HubFactory factory) : IClassFixture<HubFactory>
{
    private const string ByPerson = "query($person: ID) { processingLog(person: $person) { totalCount } }";

    [Fact]
    public async Task A_look_up_of_an_id_no_person_ever_had_writes_no_record_and_the_hub_still_starts()
    {
        var officer = factory.CreateClientWithPurpose(HubRole.PrivacyFunctionaris, DemoOrganisations.GemeenteVeiligstad, "toezicht-verwerkingen");
        var unknown = factory.WithDb(db => db.Persons.Max(p => p.Id)) + 1000;
        var before = factory.LogRecords().Count;

        var answer = await officer.GraphQLAsync(ByPerson, new { person = GlobalId.Encode("Person", unknown) });

        Assert.Empty(answer.Errors);
        Assert.Equal(0, answer.Data.GetProperty("processingLog").GetProperty("totalCount").GetInt32());
        // A record naming that id would be about no one, and the start-up check would take it for a log newer than the
        // database (a person id the database never gave out): the hub would not start again.
        Assert.DoesNotContain(factory.LogRecords().Skip(before), r => r.PersonId == unknown);
        await factory.WithDbAsync(async db =>
        {
            await LogConsistency.CheckHubNotOlderThanLogAsync(db, CancellationToken.None);
            return 0;
        });
    }

    [Fact]
    public async Task A_look_up_by_id_of_a_person_no_longer_held_is_in_their_access_report()
    {
        // A person the log has records about, then removed (as retention removes persons).
        var bsn = factory.UnheldBsn();
        var id = await factory.WithDbAsync(async db =>
        {
            var person = new Person { Bsn = bsn, GivenName = "Test", Surname = "Verwijderd", DateOfBirth = new DateOnly(1980, 1, 1) };
            db.Persons.Add(person);
            await db.SaveChangesAsync();
            return person.Id;
        });
        await factory.AppendAsync([(id, bsn)]);
        await factory.WithDbAsync(db => db.Persons.Where(p => p.Id == id).ExecuteDeleteAsync());

        var officer = factory.CreateClientWithPurpose(HubRole.PrivacyFunctionaris, DemoOrganisations.GemeenteVeiligstad, "toezicht-verwerkingen");
        var answer = await officer.GraphQLAsync(ByPerson, new { person = GlobalId.Encode("Person", id) });
        Assert.Equal(1, answer.Data.GetProperty("processingLog").GetProperty("totalCount").GetInt32());

        // The look-up is logged with the person's protected BSN, which their records carry: the report by BSN finds it.
        var lookUp = factory.LogRecords()[^1];
        Assert.Equal(id, lookUp.PersonId);
        Assert.Equal("toezicht-verwerkingen", lookUp.Purpose);
        Assert.Equal(factory.Services.GetRequiredService<ProcessingLog>().Protect(bsn), lookUp.ProtectedBsn);
        var inzage = factory.CreateClientWithPurpose(HubRole.PrivacyFunctionaris, DemoOrganisations.GemeenteVeiligstad, "inzageverzoek");
        var report = await inzage.GraphQLAsync("query($bsn: BSN!) { accessReport(bsn: $bsn) { entries { purpose } } }", new { bsn });
        Assert.Equal([LogIndex.Purpose, "toezicht-verwerkingen"],
            report.Data.GetProperty("accessReport").GetProperty("entries").EnumerateArray()
                .Select(e => Purposes.All.Single(p => p.Name == e.GetProperty("purpose").GetString()).Key));
    }
}
