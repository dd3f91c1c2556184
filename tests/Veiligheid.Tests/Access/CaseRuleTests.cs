using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using Veiligheid.Access;
using Veiligheid.Cases;
using Veiligheid.Data;
using Veiligheid.Data.Seeding;
using Veiligheid.Tests.Infrastructure;

namespace Veiligheid.Tests.Access;

/// <summary>
/// The rules every role's cases are held to (<see cref="CallerAccess.Cases"/>): the confidentiality ceiling, and
/// ondermijning only for the partners named on it. A role whose own case rule is participation gets no separate
/// ondermijning test in its SQL (participation already implies it); these tests prove the rows are the same, and that a
/// role with a broader rule is still held to it.
/// </summary>
public sealed class CaseRuleTests(HubFactory hub) : IClassFixture<HubFactory>
{
    [Fact]
    public async Task A_role_with_a_broader_case_rule_still_sees_no_ondermijning_case_it_is_not_named_on()
    {
        var police = DemoOrganisations.IdOf(DemoOrganisations.PolitieZuid);
        var everything = new RowRule<Case>("all", "every case", _ => _ => true);
        var role = AccessPolicy.Roles[HubRole.Politie] with { Cases = everything };
        var access = new CallerAccess(ReadPathCaller(HubRole.Politie, DemoOrganisations.PolitieZuid), role);

        await using var scope = hub.Services.CreateAsyncScope();
        var db = scope.ServiceProvider.GetRequiredService<VeiligheidDbContext>();
        var seen = await db.Cases.Where(access.Cases).Select(c => new { c.Id, c.Kind, Named = c.CoordinatingOrganisationId == police || c.Participants.Any(p => p.OrganisationId == police) }).ToListAsync();

        Assert.DoesNotContain(seen, c => c.Kind == CaseKind.Ondermijning && !c.Named);
        // The broader rule is in effect (cases it is not named on), and ondermijning cases exist that it is not named on.
        Assert.Contains(seen, c => !c.Named);
        Assert.True(await db.Cases.AnyAsync(c => c.Kind == CaseKind.Ondermijning && c.CoordinatingOrganisationId != police && !c.Participants.Any(p => p.OrganisationId == police)));
    }

    [Theory]
    [InlineData(HubRole.Politie, DemoOrganisations.PolitieNoord)]
    [InlineData(HubRole.GemeenteCoordinator, DemoOrganisations.GemeenteVeiligstad)]
    [InlineData(HubRole.Zorgaanbieder, DemoOrganisations.GgzHorizon)]
    public async Task A_participation_role_sees_the_same_cases_with_and_without_the_separate_ondermijning_test(HubRole roleName, string organisation)
    {
        var role = AccessPolicy.Roles[roleName];
        Assert.Same(RowRules.ParticipatingCases, role.Cases);
        var caller = ReadPathCaller(roleName, organisation);
        var access = new CallerAccess(caller, role);
        // The same rule object under another reference: the policy's full form, with the ondermijning test.
        var full = new CallerAccess(caller, role with { Cases = RowRules.ParticipatingCases with { } });

        await using var scope = hub.Services.CreateAsyncScope();
        var db = scope.ServiceProvider.GetRequiredService<VeiligheidDbContext>();
        var simplified = await db.Cases.Where(access.Cases).Select(c => c.Id).OrderBy(id => id).ToListAsync();
        var complete = await db.Cases.Where(full.Cases).Select(c => c.Id).OrderBy(id => id).ToListAsync();

        Assert.NotEmpty(simplified);
        Assert.Equal(complete, simplified);
        Assert.DoesNotContain("Ondermijning", db.Cases.Where(access.Cases).ToQueryString(), StringComparison.Ordinal);
        Assert.Contains("Ondermijning", db.Cases.Where(full.Cases).ToQueryString(), StringComparison.Ordinal);
    }

    private static Caller ReadPathCaller(HubRole role, string organisation)
        => Query.ReadPathDifferentialTests.CallerOf(role, organisation, HubFactory.DefaultPurposeOf(role));
}
