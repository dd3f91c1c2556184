using System.Text.Json;
using Microsoft.EntityFrameworkCore;
using Veiligheid.Access;
using Veiligheid.Data;
using Veiligheid.Data.Seeding;
using Veiligheid.GraphQL;
using Veiligheid.Persons;
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

    /// <summary>
    /// Care data only for a person some care intervention of whom could be among the caller's rows: one with an active
    /// consent toward the caller's organisation, or one it cares for itself. For any other person no care intervention is
    /// among them, so a count or list of their interventions says nothing about their care, and their access report must
    /// not say the caller processed it. Given such a consent (from a care provider that executes none of their
    /// interventions: the seed has no such person), the same person is logged with care data though the answer shows no
    /// care trajectory: a count only, or none at all.
    /// </summary>
    [Theory]
    [InlineData(false, false, "interventionsPage { totalCount }", "Interventie")]
    [InlineData(false, true, "interventionsPage { totalCount }", "Zorg,Interventie")]
    [InlineData(false, false, "interventions { id }", "Interventie")]
    [InlineData(false, true, "interventions { id }", "Zorg,Interventie")]
    [InlineData(true, false, "interventions { id }", "Interventie")]
    [InlineData(true, true, "interventions { id }", "Zorg,Interventie")]
    [InlineData(true, false, "interventions(first: 0) { id } all: interventions { kind }", "Interventie")]
    [InlineData(true, true, "interventions(first: 0) { id } all: interventions { kind }", "Zorg,Interventie")]
    public async Task A_persons_interventions_log_care_data_only_where_a_care_intervention_of_theirs_could_be_the_callers(bool compiled, bool consent,
        string list, string categories)
    {
        var id = WithoutCare(DemoOrganisations.GemeenteVeiligstad);
        var query = $$"""{ person(id: "{{GlobalId.Encode("Person", id)}}") { {{list}} } }""";

        var (_, records) = consent
            ? await WithConsentAsync(id, DemoOrganisations.GemeenteVeiligstad,
                () => factory.ReadAsync(compiled, HubRole.GemeenteCoordinator, DemoOrganisations.GemeenteVeiligstad, Casusoverleg, query))
            : await factory.ReadAsync(compiled, HubRole.GemeenteCoordinator, DemoOrganisations.GemeenteVeiligstad, Casusoverleg, query);

        var record = Assert.Single(records);
        Assert.Equal(id, record.PersonId);
        Assert.Equal(categories, record.Categories);
    }

    [Theory]
    [InlineData(true)]
    [InlineData(false)]
    public async Task An_empty_list_of_a_persons_care_trajectories_logs_care_data(bool compiled)
    {
        // "None that the caller may see" is an answer about the care of a person whose care trajectories could be among
        // its rows (a consent toward it), though no row comes back.
        var id = WithoutCare(DemoOrganisations.GemeenteVeiligstad);
        var query = $$"""{ person(id: "{{GlobalId.Encode("Person", id)}}") { interventions(filter: { {{CareKinds}} }) { id } } }""";

        var (response, records) = await WithConsentAsync(id, DemoOrganisations.GemeenteVeiligstad,
            () => factory.ReadAsync(compiled, HubRole.GemeenteCoordinator, DemoOrganisations.GemeenteVeiligstad, Casusoverleg, query));

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
        // A case's subjects are persons: a list under each says as much about that subject as under a person looked up,
        // each as far as their own care trajectories could be among the caller's rows (a case with subjects of both kinds).
        var caller = ReadPathDifferentialTests.CallerOf(HubRole.GemeenteCoordinator, DemoOrganisations.GemeenteVeiligstad, Casusoverleg);
        var organisation = DemoOrganisations.IdOf(DemoOrganisations.GemeenteVeiligstad);
        var (caseId, subjects, withCare) = factory.WithDb(db =>
        {
            var access = AccessPolicy.For(caller);
            var care = CareCouldBeAmongRowsOf(db, organisation);
            var visible = db.Cases.Where(access.Cases).Where(c => c.Subjects.Count >= 2)
                .Where(c => c.Subjects.Any(s => care.Contains(s.PersonId)) && c.Subjects.Any(s => !care.Contains(s.PersonId)))
                .OrderBy(c => c.Id).Select(c => c.Id).First();
            var persons = db.CaseSubjects.Where(access.CaseSubjects).Where(s => s.CaseId == visible).Select(s => s.PersonId).Distinct();
            return (visible, persons.ToList(), persons.Where(p => care.Contains(p)).ToHashSet());
        });
        var query = $$"""{ case(id: "{{GlobalId.Encode("Case", caseId)}}") { subjects { person { {{list}} } } } }""";

        var (_, records) = await factory.ReadAsync(compiled, HubRole.GemeenteCoordinator, DemoOrganisations.GemeenteVeiligstad, Casusoverleg, query);

        Assert.Equal(subjects.Order(), records.Select(r => r.PersonId!.Value).Order());
        Assert.NotEmpty(withCare);
        Assert.NotEqual(subjects.Count, withCare.Count);
        Assert.All(records, r => Assert.Equal(withCare.Contains(r.PersonId!.Value) ? "Zorg,Casus,Interventie" : "Casus,Interventie", r.Categories));
    }

    [Theory]
    [InlineData(Casusoverleg, true, "Zorg,Politie,Casus,Interventie")]
    [InlineData(Casusoverleg, false, "Politie,Casus,Interventie")]
    [InlineData(Woonoverlast, true, "Politie,Casus,Interventie")]
    public async Task A_persons_timeline_logs_every_kind_of_entry_it_includes_for_the_caller_whatever_entries_it_holds(string purpose, bool consent, string categories)
    {
        // The overview's timeline merges the person's incidents, interventions and care interventions as far as the purpose
        // covers them: one without care entries still says that the person has none the caller may see, where one of
        // theirs could be among them (a consent toward the caller's organisation); without, it says nothing of their care.
        var caller = ReadPathDifferentialTests.CallerOf(HubRole.GemeenteCoordinator, DemoOrganisations.GemeenteVeiligstad, purpose);
        var id = factory.WithDb(db =>
        {
            var access = AccessPolicy.For(caller);
            var care = db.Interventions.Where(access.Interventions).Where(AccessPolicy.IsCareIntervention);
            var casesWithCare = care.Where(i => i.CaseId != null).Select(i => i.CaseId!.Value);
            var withCare = care.Select(i => i.PersonId).Concat(db.CaseSubjects.Where(s => casesWithCare.Contains(s.CaseId)).Select(s => (int?)s.PersonId));
            var mayHaveCare = CareCouldBeAmongRowsOf(db, DemoOrganisations.IdOf(DemoOrganisations.GemeenteVeiligstad));
            return db.Persons.Where(access.Persons).Where(p => !withCare.Contains(p.Id) && !mayHaveCare.Contains(p.Id)).OrderBy(p => p.Id).Select(p => p.Id).First();
        });
        var query = $$"""{ personOverview(id: "{{GlobalId.Encode("Person", id)}}") { timeline { at } } }""";

        Task<(GraphQLResponse, List<Veiligheid.Accountability.ProcessingRecord>)> Read()
            => factory.ReadAsync(compiled: false, HubRole.GemeenteCoordinator, DemoOrganisations.GemeenteVeiligstad, purpose, query);

        var (_, records) = consent ? await WithConsentAsync(id, DemoOrganisations.GemeenteVeiligstad, Read) : await Read();

        var record = Assert.Single(records, r => r.PersonId == id);
        Assert.Equal(categories, record.Categories);
    }

    /// <summary>
    /// Care data only where the caller's slice can hold care interventions at all: under a role or purpose without care
    /// data they are not among its rows (<see cref="CallerAccess.Interventions"/>), so a count of a person's interventions
    /// says nothing about their care. A slice that holds some (a care provider's, by consent) does say something, however
    /// few rows it shows this person, where some care intervention of theirs could be among them (a consent toward the
    /// caller's organisation, or one it executes): so the person is one of those where there is one.
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
        var id = factory.WithDb(db =>
        {
            var persons = db.Persons.Where(AccessPolicy.For(caller).Persons).OrderBy(p => p.Id).Select(p => p.Id);
            var care = CareCouldBeAmongRowsOf(db, DemoOrganisations.IdOf(organisation));
            return persons.Where(p => care.Contains(p)).Cast<int?>().FirstOrDefault() ?? persons.First();
        });
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

    /// <summary>The first person the coordinator of this organisation sees, under the casusoverleg purpose, who has no care intervention of its own and no consent toward it.</summary>
    private int WithoutCare(string organisation)
    {
        var caller = ReadPathDifferentialTests.CallerOf(HubRole.GemeenteCoordinator, organisation, Casusoverleg);
        return factory.WithDb(db => db.Persons.Where(AccessPolicy.For(caller).Persons)
            .Where(p => !CareCouldBeAmongRowsOf(db, DemoOrganisations.IdOf(organisation)).Contains(p.Id))
            .OrderBy(p => p.Id).Select(p => p.Id).First());
    }

    /// <summary>
    /// Runs <paramref name="read"/> while the person has an active consent toward the organisation from a care provider
    /// that executes none of their interventions (so none becomes visible by it); the consent goes again after it.
    /// </summary>
    private async Task<T> WithConsentAsync<T>(int personId, string recipient, Func<Task<T>> read)
    {
        int[] providers = [.. new[] { DemoOrganisations.GgzHorizon, DemoOrganisations.VerslavingszorgAnkerpunt, DemoOrganisations.SchuldhulpVeiligstad }
            .Select(DemoOrganisations.IdOf)];
        var consent = await factory.WithDbAsync(async db =>
        {
            var executing = await db.Interventions.Where(i => i.PersonId == personId).Select(i => i.ExecutingOrganisationId).ToListAsync();
            var added = new Consent
            {
                PersonId = personId, CareProviderOrganisationId = providers.First(p => !executing.Contains(p)),
                RecipientOrganisationId = DemoOrganisations.IdOf(recipient), GivenOn = new DateOnly(2026, 11, 1),
            };
            db.Consents.Add(added);
            await db.SaveChangesAsync();
            return added;
        });
        try
        {
            return await read();
        }
        finally
        {
            await factory.WithDbAsync(db => db.Consents.Where(c => c.Id == consent.Id).ExecuteDeleteAsync());
        }
    }

    /// <summary>
    /// The persons some care intervention of whom could be among the rows of a caller of this organisation that may
    /// receive care: an active consent toward it (from any care provider), or a care intervention it executes.
    /// </summary>
    internal static IQueryable<int> CareCouldBeAmongRowsOf(VeiligheidDbContext db, int organisation)
        => db.Consents.Where(c => c.RecipientOrganisationId == organisation && c.WithdrawnOn == null).Select(c => c.PersonId)
            .Concat(db.Interventions.Where(AccessPolicy.IsCareIntervention).Where(i => i.ExecutingOrganisationId == organisation && i.PersonId != null)
                .Select(i => i.PersonId!.Value));
}
