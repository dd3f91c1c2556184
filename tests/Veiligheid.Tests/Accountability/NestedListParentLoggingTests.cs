using System.Text.Json;
using Veiligheid.Access;
using Veiligheid.Data.Seeding;
using Veiligheid.GraphQL;
using Veiligheid.Tests.Infrastructure;
using Veiligheid.Tests.Query;

namespace Veiligheid.Tests.Accountability;

/// <summary>
/// A list under a person (its interventions, incidents, cases, …, or their …Page siblings) answers about that person
/// whatever rows it gives: a count, a page's pageInfo, an empty list. The person is logged with what the list may reveal
/// (its field's category, and the categories its rows may hold as its filter and the caller's slice leave them: care data
/// for interventions that may be care trajectories), on both read paths. The compiled path answers nested lists, not their
/// …Page siblings, so a page's case runs on the reference path.
/// </summary>
public sealed class NestedListParentLoggingTests(HubFactory factory) : IClassFixture<HubFactory>
{
    private const string Casusoverleg = "casusoverleg-zorg-en-veiligheid";
    private const string Woonoverlast = "aanpak-woonoverlast";

    // A subject of the coordinator's cases.
    private const string ReviewedBsn = FilterNamedPersonsTests.ReviewedBsn;

    private const string CareKinds = "kind: { in: [ZORGTRAJECT, SCHULDHULPVERLENING] }";

    [Theory]
    [InlineData("casesPage { totalCount }", "Casus")]
    [InlineData("incidentsPage { totalCount }", "Politie")]
    [InlineData("interventionsPage { totalCount }", "Zorg,Interventie")]
    [InlineData("interventionsPage(first: 1) { pageInfo { hasNextPage } }", "Zorg,Interventie")]
    [InlineData("interventionsPage(filter: { kind: { eq: ZORGTRAJECT } }) { totalCount }", "Zorg,Interventie")]
    [InlineData("interventionsPage(filter: { kind: { in: [WAARSCHUWING, GEDRAGSAANWIJZING] } }) { totalCount }", "Interventie")]
    [InlineData("policeSignalsPage { totalCount }", "Politie")]
    [InlineData("tenanciesPage { totalCount }", "Huisvesting")]
    public async Task A_page_under_a_person_logs_that_person_with_what_its_rows_may_reveal(string page, string categories)
    {
        var id = factory.PersonIdOf(ReviewedBsn);
        var query = $$"""{ person(id: "{{GlobalId.Encode("Person", id)}}") { {{page}} } }""";

        var (response, records) = await factory.ReadAsync(compiled: false, HubRole.GemeenteCoordinator, DemoOrganisations.GemeenteVeiligstad, Casusoverleg, query);

        Assert.NotEqual(JsonValueKind.Null, response.Data.GetProperty("person").ValueKind);
        var record = Assert.Single(records);
        Assert.Equal(id, record.PersonId);
        Assert.Equal(categories, record.Categories);
    }

    [Theory]
    [InlineData("ZORGTRAJECT", "Identiteit,Zorg,Interventie")]
    [InlineData("WAARSCHUWING", "Identiteit,Interventie")]
    public async Task A_count_of_care_trajectories_under_a_person_looked_up_by_bsn_logs_care_data(string kind, string categories)
    {
        // The lookup names its person (Identiteit); the count under it says how many care trajectories they have.
        var query = $$"""{ personByBsn(bsn: "{{ReviewedBsn}}") { interventionsPage(filter: { kind: { eq: {{kind}} } }) { totalCount } } }""";

        var (_, records) = await factory.ReadAsync(compiled: false, HubRole.GemeenteCoordinator, DemoOrganisations.GemeenteVeiligstad, Casusoverleg, query);

        var record = Assert.Single(records);
        Assert.Equal(factory.PersonIdOf(ReviewedBsn), record.PersonId);
        Assert.Equal(categories, record.Categories);
    }

    [Theory]
    [InlineData(true)]
    [InlineData(false)]
    public async Task An_empty_list_of_a_persons_care_trajectories_logs_care_data(bool compiled)
    {
        // "None that the caller may see" is an answer about the person's care, though no row comes back.
        var caller = ReadPathDifferentialTests.CallerOf(HubRole.GemeenteCoordinator, DemoOrganisations.GemeenteVeiligstad, Casusoverleg);
        var id = factory.WithDb(db =>
        {
            var access = AccessPolicy.For(caller);
            var withCare = db.Interventions.Where(access.Interventions).Where(AccessPolicy.IsCareIntervention).Select(i => i.PersonId);
            return db.Persons.Where(access.Persons).Where(p => !withCare.Contains(p.Id)).OrderBy(p => p.Id).Select(p => p.Id).First();
        });
        var query = $$"""{ person(id: "{{GlobalId.Encode("Person", id)}}") { interventions(filter: { {{CareKinds}} }) { id } } }""";

        var (response, records) = await factory.ReadAsync(compiled, HubRole.GemeenteCoordinator, DemoOrganisations.GemeenteVeiligstad, Casusoverleg, query);

        Assert.Empty(response.Data.GetProperty("person").GetProperty("interventions").EnumerateArray());
        var record = Assert.Single(records);
        Assert.Equal(id, record.PersonId);
        Assert.Equal("Zorg,Interventie", record.Categories);
    }

    [Theory]
    [InlineData(true, "interventions(filter: { " + CareKinds + " }) { id }")]
    [InlineData(false, "interventions(filter: { " + CareKinds + " }) { id }")]
    [InlineData(false, "interventionsPage(filter: { " + CareKinds + " }) { totalCount }")]
    public async Task The_care_trajectories_under_a_cases_subjects_log_each_subject_with_care_data(bool compiled, string list)
    {
        // A case's subjects are persons: a list under each says as much about that subject as under a person looked up.
        var caller = ReadPathDifferentialTests.CallerOf(HubRole.GemeenteCoordinator, DemoOrganisations.GemeenteVeiligstad, Casusoverleg);
        var (caseId, subjects) = factory.WithDb(db =>
        {
            var access = AccessPolicy.For(caller);
            var visible = db.Cases.Where(access.Cases).Where(c => c.Subjects.Count >= 2).OrderBy(c => c.Id).Select(c => c.Id).First();
            return (visible, db.CaseSubjects.Where(access.CaseSubjects).Where(s => s.CaseId == visible).Select(s => s.PersonId).Distinct().ToList());
        });
        var query = $$"""{ case(id: "{{GlobalId.Encode("Case", caseId)}}") { subjects { person { {{list}} } } } }""";

        var (_, records) = await factory.ReadAsync(compiled, HubRole.GemeenteCoordinator, DemoOrganisations.GemeenteVeiligstad, Casusoverleg, query);

        Assert.Equal(subjects.Order(), records.Select(r => r.PersonId!.Value).Order());
        Assert.All(records, r => Assert.Equal("Zorg,Casus,Interventie", r.Categories));
    }

    [Theory]
    [InlineData(Casusoverleg, "Zorg,Politie,Casus,Interventie")]
    [InlineData(Woonoverlast, "Politie,Casus,Interventie")]
    public async Task A_persons_timeline_logs_every_kind_of_entry_it_includes_for_the_caller_whatever_entries_it_holds(string purpose, string categories)
    {
        // The overview's timeline merges the person's incidents, interventions and care interventions as far as the purpose
        // covers them: one without care entries still says that the person has none the caller may see.
        var caller = ReadPathDifferentialTests.CallerOf(HubRole.GemeenteCoordinator, DemoOrganisations.GemeenteVeiligstad, purpose);
        var id = factory.WithDb(db =>
        {
            var access = AccessPolicy.For(caller);
            var care = db.Interventions.Where(access.Interventions).Where(AccessPolicy.IsCareIntervention);
            var casesWithCare = care.Where(i => i.CaseId != null).Select(i => i.CaseId!.Value);
            var withCare = care.Select(i => i.PersonId).Concat(db.CaseSubjects.Where(s => casesWithCare.Contains(s.CaseId)).Select(s => (int?)s.PersonId));
            return db.Persons.Where(access.Persons).Where(p => !withCare.Contains(p.Id)).OrderBy(p => p.Id).Select(p => p.Id).First();
        });
        var query = $$"""{ personOverview(id: "{{GlobalId.Encode("Person", id)}}") { timeline { at } } }""";

        var (_, records) = await factory.ReadAsync(compiled: false, HubRole.GemeenteCoordinator, DemoOrganisations.GemeenteVeiligstad, purpose, query);

        var record = Assert.Single(records, r => r.PersonId == id);
        Assert.Equal(categories, record.Categories);
    }

    /// <summary>
    /// Care data only where the caller's slice can hold care interventions at all: under a role or purpose without care
    /// data they are not among its rows (<see cref="CallerAccess.Interventions"/>), so a count of a person's interventions
    /// says nothing about their care. A slice that holds some (a care provider's, by consent) does say something, however
    /// few rows it shows this person: as for a filter that names the person (FilterNamedPersonsTests).
    /// </summary>
    [Theory]
    [InlineData(true, HubRole.GemeenteCoordinator, DemoOrganisations.GemeenteVeiligstad, Casusoverleg, "Zorg,Interventie")]
    [InlineData(false, HubRole.GemeenteCoordinator, DemoOrganisations.GemeenteVeiligstad, Casusoverleg, "Zorg,Interventie")]
    [InlineData(true, HubRole.Zorgaanbieder, DemoOrganisations.GgzHorizon, Casusoverleg, "Zorg,Interventie")]
    [InlineData(false, HubRole.Zorgaanbieder, DemoOrganisations.GgzHorizon, Casusoverleg, "Zorg,Interventie")]
    [InlineData(true, HubRole.GemeenteCoordinator, DemoOrganisations.GemeenteVeiligstad, Woonoverlast, "Interventie")]
    [InlineData(false, HubRole.GemeenteCoordinator, DemoOrganisations.GemeenteVeiligstad, Woonoverlast, "Interventie")]
    [InlineData(true, HubRole.Politie, DemoOrganisations.PolitieZuid, Casusoverleg, "Interventie")]
    [InlineData(false, HubRole.Politie, DemoOrganisations.PolitieZuid, Casusoverleg, "Interventie")]
    [InlineData(true, HubRole.Woningcorporatie, DemoOrganisations.Woonstede, Woonoverlast, "Interventie")]
    [InlineData(false, HubRole.Woningcorporatie, DemoOrganisations.Woonstede, Woonoverlast, "Interventie")]
    public async Task A_persons_interventions_log_care_data_only_where_the_callers_slice_holds_care(bool compiled, HubRole role, string organisation, string purpose,
        string categories)
    {
        var caller = ReadPathDifferentialTests.CallerOf(role, organisation, purpose);
        var id = factory.WithDb(db => db.Persons.Where(AccessPolicy.For(caller).Persons).OrderBy(p => p.Id).Select(p => p.Id).First());
        var person = GlobalId.Encode("Person", id);
        // The compiled path answers the list; the reference path answers the list and its page.
        var query = compiled
            ? $$"""{ person(id: "{{person}}") { interventions { kind } } }"""
            : $$"""{ person(id: "{{person}}") { interventions { kind } interventionsPage { totalCount } } }""";

        var (_, records) = await factory.ReadAsync(compiled, role, organisation, purpose, query);

        var record = Assert.Single(records);
        Assert.Equal(id, record.PersonId);
        Assert.Equal(categories, record.Categories);
    }
}
