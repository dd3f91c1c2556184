using System.Text.Json.Nodes;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using Veiligheid.Access;
using Veiligheid.Data;
using Veiligheid.Data.Seeding;
using Veiligheid.GraphQL;
using Veiligheid.GraphQL.Compiled;
using Veiligheid.Tests.Infrastructure;

namespace Veiligheid.Tests.Query;

/// <summary>
/// The compiled path reads a link row's person or case without testing its row rule again, because the only list those
/// link rows come from holds only visible ones (<see cref="ReadMap"/>). These tests pin that premise: each such link
/// type is reached by exactly one list, and a person hidden from the caller never comes through it.
/// </summary>
public sealed class ReadMapTests(HubFactory hub) : IClassFixture<HubFactory>
{
    [Theory]
    [InlineData("CaseSubject", "Case.subjects")]
    [InlineData("IncidentPerson", "Incident.persons")]
    [InlineData("PersonCase", "Person.cases")]
    [InlineData("PersonIncident", "Person.incidents")]
    public void A_link_type_whose_target_is_read_without_its_rule_is_reached_by_one_list_only(string linkType, string list)
    {
        var reaching = ReadMap.Types.Values
            .SelectMany(t => t.Fields.Where(f => f.Value is RelationField r && r.Target == linkType).Select(f => $"{t.Name}.{f.Key}"))
            .ToList();
        Assert.Equal([list], reaching);
        Assert.DoesNotContain(ReadMap.Roots.Values, r => r.TypeName == linkType);
    }

    [Fact]
    public async Task An_incidents_persons_hidden_from_the_coordinator_stay_out_on_the_compiled_path()
    {
        // The coordinator sees the incidents its municipality reported, but as persons only the subjects of its cases:
        // the persons of such an incident that are no subject are left out of the list, on both paths.
        var caller = ReadPathDifferentialTests.CallerOf(HubRole.GemeenteCoordinator, DemoOrganisations.GemeenteVeiligstad, HubFactory.DefaultPurposeOf(HubRole.GemeenteCoordinator));
        var access = AccessPolicy.For(caller);
        await using var scope = hub.Services.CreateAsyncScope();
        var db = scope.ServiceProvider.GetRequiredService<VeiligheidDbContext>();
        var visible = (await db.Persons.Where(access.Persons).Select(p => p.Id).ToListAsync()).ToHashSet();
        var incident = await db.Incidents.Where(access.Incidents)
            .Where(i => i.Persons.Any(ip => !visible.Contains(ip.PersonId)) && i.Persons.Any(ip => visible.Contains(ip.PersonId)))
            .Select(i => i.Id).FirstAsync();
        var query = $$"""{ incident(id: "{{GlobalId.Encode("Incident", incident)}}") { persons { role person { id surname } } } }""";

        var (fast, path, fastLog, _) = await ReadPathDifferentialTests.RunAsync(hub.Services, caller, query, compiledReads: true);
        var (reference, _, referenceLog, _) = await ReadPathDifferentialTests.RunAsync(hub.Services, caller, query, compiledReads: false);

        Assert.Equal(ReadPath.Compiled, path);
        Assert.True(JsonNode.DeepEquals(JsonNode.Parse(reference), JsonNode.Parse(fast)), $"reference: {reference}\ncompiled: {fast}");
        Assert.Equal(referenceLog, fastLog);
        var persons = JsonNode.Parse(fast)!["data"]!["incident"]!["persons"]!.AsArray();
        Assert.NotEmpty(persons);
        foreach (var person in persons)
        {
            Assert.True(GlobalId.TryDecode(person!["person"]!["id"]!.GetValue<string>(), "Person", out var id));
            Assert.Contains(id, visible);
        }
        Assert.True(persons.Count < await db.IncidentPersons.CountAsync(ip => ip.IncidentId == incident), "the incident must have a hidden person");
    }
}
