using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using Veiligheid.Access;
using Veiligheid.Cases;
using Veiligheid.Data;
using Veiligheid.Data.Seeding;
using Veiligheid.Persons;
using Veiligheid.Tests.Infrastructure;

namespace Veiligheid.Tests.Access;

/// <summary>
/// A case's subjects are the links whose person the caller may see (<see cref="CallerAccess.CaseSubjects"/>). For a role
/// whose person rule includes "subjects of visible cases" the SQL tests the link's own case first; these tests prove the
/// links are exactly those of the plain person rule, for every role and every organisation of its kind.
/// </summary>
public sealed class CaseSubjectVisibilityTests(HubFactory hub) : IClassFixture<HubFactory>
{
    public static TheoryData<HubRole, string> RolesAndOrganisations()
    {
        var data = new TheoryData<HubRole, string>();
        foreach (var role in HubRoles.All)
            foreach (var organisation in DemoOrganisations.All.Where(o => o.Kind == role.RequiredOrganisationKind()))
                data.Add(role, organisation.Key);
        return data;
    }

    [Theory]
    [MemberData(nameof(RolesAndOrganisations))]
    public async Task The_subject_links_are_those_whose_person_the_caller_may_see(HubRole role, string organisation)
    {
        var access = new CallerAccess(Query.ReadPathDifferentialTests.CallerOf(role, organisation, HubFactory.DefaultPurposeOf(role)), AccessPolicy.Roles[role]);
        var plain = access.Persons.Through<CaseSubject, Person>(s => s.Person);

        await using var scope = hub.Services.CreateAsyncScope();
        var db = scope.ServiceProvider.GetRequiredService<VeiligheidDbContext>();
        var links = await db.CaseSubjects.Where(access.CaseSubjects).Select(s => new { s.CaseId, s.PersonId }).OrderBy(s => s.CaseId).ThenBy(s => s.PersonId).ToListAsync();
        var expected = await db.CaseSubjects.Where(plain).Select(s => new { s.CaseId, s.PersonId }).OrderBy(s => s.CaseId).ThenBy(s => s.PersonId).ToListAsync();

        Assert.Equal(expected, links);
        if (AccessPolicy.Roles[role].Persons is null) Assert.Empty(links);
        // The comparison means something: the coordinator's subjects take the rewritten form and are not empty.
        if (role == HubRole.GemeenteCoordinator) Assert.NotEmpty(links);
    }

    [Fact]
    public void Only_a_person_rule_that_includes_subjects_of_visible_cases_tests_the_links_case_first()
    {
        var withSubjects = RowRules.TenantsOfOwnDwellings.Or(RowRules.SubjectsOfVisibleCases);
        Assert.True(withSubjects.Includes(RowRules.SubjectsOfVisibleCases));
        Assert.True(withSubjects.Or(RowRules.InvolvedInVisibleIncidents).Includes(RowRules.SubjectsOfVisibleCases));
        Assert.False(RowRules.TenantsOfOwnDwellings.Or(RowRules.InvolvedInVisibleIncidents).Includes(RowRules.SubjectsOfVisibleCases));
        // A copy is another rule object: not recognised, so it keeps the plain person rule (never the other way round).
        Assert.False((RowRules.SubjectsOfVisibleCases with { }).Includes(RowRules.SubjectsOfVisibleCases));
        // A union given another predicate is no longer the union: it must not claim the subjects' rule it may not admit.
        Assert.True((withSubjects with { Name = "renamed" }).Includes(RowRules.SubjectsOfVisibleCases));
        Assert.False((withSubjects with { Predicate = RowRules.TenantsOfOwnDwellings.Predicate }).Includes(RowRules.SubjectsOfVisibleCases));

        var caller = Query.ReadPathDifferentialTests.CallerOf(HubRole.Woningcorporatie, DemoOrganisations.Woonstede, HubFactory.DefaultPurposeOf(HubRole.Woningcorporatie));
        var tenantsOnly = AccessPolicy.Roles[HubRole.Woningcorporatie] with { Persons = RowRules.TenantsOfOwnDwellings };
        using var scope = hub.Services.CreateScope();
        var db = scope.ServiceProvider.GetRequiredService<VeiligheidDbContext>();
        var narrow = db.CaseSubjects.Where(new CallerAccess(caller, tenantsOnly).CaseSubjects).ToQueryString();
        var broad = db.CaseSubjects.Where(new CallerAccess(caller, tenantsOnly with { Persons = RowRules.TenantsOfOwnDwellings.Or(RowRules.SubjectsOfVisibleCases) }).CaseSubjects).ToQueryString();
        Assert.DoesNotContain("\"CoordinatingOrganisationId\"", narrow, StringComparison.Ordinal);
        Assert.Contains("\"CoordinatingOrganisationId\"", broad, StringComparison.Ordinal);
    }
}
