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
/// for interventions that may be care trajectories), on both read paths. A list of a case's interventions answers so about
/// the care of the case's subjects. The compiled path answers nested lists, not their …Page siblings, so a page's case runs
/// on the reference path.
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

    // A case's interventions: what they answer of care trajectories is about the care of the case's subjects. Each list
    // here answers no row (first: 0, a count, pageInfo), so no row's own person is noted: only what the list reveals.

    /// <summary>
    /// A list of a case's interventions that may hold care trajectories, however the case is reached, logs each subject of
    /// the case some care intervention of whom could be among the caller's rows with care data, and only with that (a count
    /// of the case's other interventions is case data); a subject none of whose care interventions could be among them is
    /// not logged for it. The compiled path answers the lists, the reference path the lists and their pages.
    /// </summary>
    [Theory]
    [InlineData(true, "case", "interventions(first: 0) { id }")]
    [InlineData(false, "case", "interventions(first: 0) { id }")]
    [InlineData(true, "case", "interventions(first: 0, filter: { kind: { eq: ZORGTRAJECT } }) { id }")]
    [InlineData(false, "case", "interventionsPage(filter: { kind: { eq: ZORGTRAJECT } }) { totalCount }")]
    [InlineData(false, "case", "interventionsPage(first: 1) { pageInfo { hasNextPage } }")]
    [InlineData(true, "cases", "interventions(first: 0) { id } again: interventions(first: 0, filter: { " + CareKinds + " }) { id }")]
    [InlineData(false, "cases", "interventions(first: 0) { id } interventionsPage { totalCount }")]
    [InlineData(true, "intervention", "interventions(first: 0) { id }")]
    [InlineData(false, "intervention", "interventionsPage { totalCount }")]
    public async Task A_cases_interventions_log_each_subject_whose_care_could_be_among_the_callers_rows_with_care_data(bool compiled, string root, string list)
    {
        var (caseId, subjects, withCare, intervention) = CaseWithSubjectsOfBothKinds();
        var query = root switch
        {
            "case" => $$"""{ case(id: "{{GlobalId.Encode("Case", caseId)}}") { {{list}} } }""",
            "cases" => $$"""{ cases(filter: { id: { eq: "{{GlobalId.Encode("Case", caseId)}}" } }) { nodes { {{list}} } } }""",
            _ => $$"""{ intervention(id: "{{GlobalId.Encode("Intervention", intervention)}}") { case { {{list}} } } }""",
        };

        var (_, records) = await factory.ReadAsync(compiled, HubRole.GemeenteCoordinator, DemoOrganisations.GemeenteVeiligstad, Casusoverleg, query);

        Assert.All(subjects, s => Assert.Equal(withCare.Contains(s), records.Exists(r => r.PersonId == s && r.Categories.Split(',').Contains("Zorg"))));
        // Read from the case itself, the list notes no one else and nothing else (the intervention's own row notes its person).
        if (root != "intervention") Assert.Equal(withCare.Order().Select(s => (s, "Zorg")), records.Select(r => (r.PersonId!.Value, r.Categories)).Order());
    }

    /// <summary>
    /// The gap two reviewers found: the care trajectories of a case with one subject, counted, tell that subject's care. The
    /// subject is logged with care data once a care intervention of theirs could be among the caller's rows (a consent
    /// toward its organisation, from a care provider that executes none of their interventions: the answer is the same),
    /// and not at all before.
    /// </summary>
    [Theory]
    [InlineData(false, false, "interventionsPage(filter: { kind: { eq: ZORGTRAJECT } }) { totalCount }")]
    [InlineData(false, true, "interventionsPage(filter: { kind: { eq: ZORGTRAJECT } }) { totalCount }")]
    [InlineData(true, false, "interventions(filter: { kind: { eq: ZORGTRAJECT } }) { id }")]
    [InlineData(true, true, "interventions(filter: { kind: { eq: ZORGTRAJECT } }) { id }")]
    [InlineData(true, false, "interventions { id }")]
    [InlineData(true, true, "interventions { id }")]
    public async Task A_count_of_the_care_trajectories_of_a_case_with_one_subject_logs_that_subjects_care_where_it_could_be_the_callers(bool compiled, bool consent,
        string list)
    {
        var (caseId, subject) = CaseWithOneSubjectWithoutCare(HubRole.GemeenteCoordinator, DemoOrganisations.GemeenteVeiligstad, Casusoverleg);
        var query = $$"""{ case(id: "{{GlobalId.Encode("Case", caseId)}}") { {{list}} } }""";

        Task<(GraphQLResponse, List<Veiligheid.Accountability.ProcessingRecord>)> Read()
            => factory.ReadAsync(compiled, HubRole.GemeenteCoordinator, DemoOrganisations.GemeenteVeiligstad, Casusoverleg, query);

        var (_, records) = consent ? await WithConsentAsync(subject, DemoOrganisations.GemeenteVeiligstad, Read) : await Read();

        // Rows aimed at the subject (none of them care) are theirs as read; the list adds care data only with the consent.
        var ofSubject = records.SingleOrDefault(r => r.PersonId == subject)?.Categories.Split(',') ?? [];
        Assert.Equal(consent, ofSubject.Contains("Zorg"));
        Assert.All(records, r => Assert.Equal(r.PersonId, subject));
    }

    /// <summary>
    /// Care data of a case's subjects only where the caller's slice can hold care interventions at all (not the police's, not
    /// the coordinator's under a purpose without care), however much a consent toward its organisation would let it.
    /// </summary>
    [Theory]
    [InlineData(true, HubRole.GemeenteCoordinator, DemoOrganisations.GemeenteVeiligstad, Casusoverleg, true)]
    [InlineData(false, HubRole.GemeenteCoordinator, DemoOrganisations.GemeenteVeiligstad, Casusoverleg, true)]
    [InlineData(true, HubRole.GemeenteCoordinator, DemoOrganisations.GemeenteVeiligstad, Woonoverlast, false)]
    [InlineData(false, HubRole.GemeenteCoordinator, DemoOrganisations.GemeenteVeiligstad, Woonoverlast, false)]
    [InlineData(true, HubRole.Politie, DemoOrganisations.PolitieNoord, Casusoverleg, false)]
    [InlineData(false, HubRole.Politie, DemoOrganisations.PolitieNoord, Casusoverleg, false)]
    public async Task A_cases_interventions_log_its_subjects_care_only_where_the_callers_slice_holds_care(bool compiled, HubRole role, string organisation,
        string purpose, bool care)
    {
        var (caseId, subject) = CaseWithOneSubjectWithoutCare(role, organisation, purpose);
        var @case = GlobalId.Encode("Case", caseId);
        var query = compiled
            ? $$"""{ case(id: "{{@case}}") { interventions(first: 0) { id } } }"""
            : $$"""{ case(id: "{{@case}}") { interventions(first: 0) { id } interventionsPage { totalCount } } }""";

        var (_, records) = await WithConsentAsync(subject, organisation, () => factory.ReadAsync(compiled, role, organisation, purpose, query));

        if (care) Assert.Equal("Zorg", Assert.Single(records, r => r.PersonId == subject).Categories);
        else Assert.Empty(records);
    }

    /// <summary>
    /// A kind condition of the list's own filter that admits no care kind leaves the subjects' care out, as under a person
    /// (<see cref="Veiligheid.Interventions.InterventionFilter.CategoriesOfRows"/>); one that admits a care kind, or is not
    /// at the filter's top, does not.
    /// </summary>
    [Theory]
    [InlineData(true, "kind: { in: [WAARSCHUWING, GEDRAGSAANWIJZING] }", false)]
    [InlineData(false, "kind: { in: [WAARSCHUWING, GEDRAGSAANWIJZING] }", false)]
    [InlineData(true, "kind: { eq: WAARSCHUWING }", false)]
    [InlineData(false, "kind: { eq: WAARSCHUWING }", false)]
    [InlineData(true, "kind: { in: [WAARSCHUWING, SCHULDHULPVERLENING] }", true)]
    [InlineData(false, "kind: { in: [WAARSCHUWING, SCHULDHULPVERLENING] }", true)]
    [InlineData(true, "not: { kind: { eq: ZORGTRAJECT } }", true)]
    [InlineData(false, "not: { kind: { eq: ZORGTRAJECT } }", true)]
    public async Task A_kind_filter_that_excludes_care_leaves_the_case_subjects_care_out(bool compiled, string filter, bool care)
    {
        var (caseId, _, withCare, _) = CaseWithSubjectsOfBothKinds();
        var @case = GlobalId.Encode("Case", caseId);
        var query = compiled
            ? $$"""{ case(id: "{{@case}}") { interventions(first: 0, filter: { {{filter}} }) { id } } }"""
            : $$"""{ case(id: "{{@case}}") { interventionsPage(filter: { {{filter}} }) { totalCount } } }""";

        var (_, records) = await factory.ReadAsync(compiled, HubRole.GemeenteCoordinator, DemoOrganisations.GemeenteVeiligstad, Casusoverleg, query);

        Assert.Equal(care ? withCare.Order().ToList() : [], records.Select(r => r.PersonId!.Value).Order().ToList());
        Assert.All(records, r => Assert.Equal("Zorg", r.Categories));
    }

    /// <summary>
    /// A case reached under a person (its cases, the overview's current cases) is a case as any other: its interventions log
    /// the care of each of its subjects whose care could be among the caller's rows, the other subjects included.
    /// </summary>
    [Theory]
    [InlineData(true, "person", "cases { case { interventions(first: 0) { id } } }")]
    [InlineData(false, "person", "cases { case { interventions(first: 0) { id } } }")]
    [InlineData(false, "person", "casesPage { nodes { case { interventionsPage { totalCount } } } }")]
    [InlineData(false, "personOverview", "currentCases { case { interventionsPage(filter: { kind: { eq: ZORGTRAJECT } }) { totalCount } } }")]
    public async Task The_interventions_of_a_case_under_a_person_log_the_care_of_the_cases_other_subjects(bool compiled, string root, string list)
    {
        var (caseId, subjects, withCare, _) = CaseWithSubjectsOfBothKinds(open: true);
        var person = subjects.First(s => !withCare.Contains(s));
        var other = withCare.First();
        var caller = ReadPathDifferentialTests.CallerOf(HubRole.GemeenteCoordinator, DemoOrganisations.GemeenteVeiligstad, Casusoverleg);
        var care = factory.WithDb(db => CareCouldBeAmongRowsOf(db, DemoOrganisations.IdOf(DemoOrganisations.GemeenteVeiligstad)).ToHashSet());
        var (cases, ofCases) = factory.WithDb(db =>
        {
            var visible = db.CaseSubjects.Where(s => s.PersonId == person).Select(s => s.Case).Where(AccessPolicy.For(caller).Cases);
            if (root == "personOverview") visible = visible.Where(c => c.Status != Veiligheid.Cases.CaseStatus.Afgesloten);
            return (visible.Select(c => c.Id).ToHashSet(), visible.SelectMany(c => c.Subjects).Select(s => s.PersonId).ToHashSet());
        });
        var query = $$"""{ {{root}}(id: "{{GlobalId.Encode("Person", person)}}") { {{list}} } }""";

        var (_, records) = await factory.ReadAsync(compiled, HubRole.GemeenteCoordinator, DemoOrganisations.GemeenteVeiligstad, Casusoverleg, query);

        Assert.Contains(caseId, cases);
        Assert.Equal("Zorg", Assert.Single(records, r => r.PersonId == other).Categories);
        Assert.Equal(ofCases.Where(care.Contains).Order(), records.Where(r => r.PersonId != person).Select(r => r.PersonId!.Value).Order());
        Assert.All(records.Where(r => r.PersonId != person), r => Assert.Equal("Zorg", r.Categories));
        Assert.DoesNotContain("Zorg", Assert.Single(records, r => r.PersonId == person).Categories.Split(','));
    }

    /// <summary>
    /// A care trajectory on a case aimed at no one (visible to the organisation that executes it) is on each subject's
    /// timeline as that subject's care data (PersonOverview); a list of the case's care trajectories that counts it says as
    /// much, so it logs the subject's care too, though no consent of theirs and no care aimed at them is the caller's.
    /// </summary>
    [Theory]
    [InlineData(true, "interventions(filter: { kind: { eq: ZORGTRAJECT } }) { id }")]
    [InlineData(false, "interventionsPage(filter: { kind: { eq: ZORGTRAJECT } }) { totalCount }")]
    public async Task A_cases_care_trajectory_aimed_at_no_one_logs_its_subjects_care_in_the_cases_list_as_on_their_timeline(bool compiled, string list)
    {
        var (caseId, subject) = CaseWithOneSubjectWithoutCare(HubRole.GemeenteCoordinator, DemoOrganisations.GemeenteVeiligstad, Casusoverleg);
        var trajectory = await factory.WithDbAsync(async db =>
        {
            var level = await db.Cases.Where(c => c.Id == caseId).Select(c => c.Confidentiality).SingleAsync();
            var added = new Veiligheid.Interventions.Intervention
            {
                Kind = Veiligheid.Interventions.InterventionKind.Zorgtraject, Status = Veiligheid.Interventions.InterventionStatus.Lopend,
                Confidentiality = level, StartDate = new DateOnly(2026, 10, 1), CaseId = caseId,
                ExecutingOrganisationId = DemoOrganisations.IdOf(DemoOrganisations.GemeenteVeiligstad),
                Version = Guid.NewGuid(), CreatedAt = DateTime.UtcNow, UpdatedAt = DateTime.UtcNow,
            };
            db.Interventions.Add(added);
            await db.SaveChangesAsync();
            return added.Id;
        });
        try
        {
            var (_, timeline) = await factory.ReadAsync(false, HubRole.GemeenteCoordinator, DemoOrganisations.GemeenteVeiligstad, Casusoverleg,
                $$"""{ personOverview(id: "{{GlobalId.Encode("Person", subject)}}") { timeline { kind summary } } }""");
            var (_, records) = await factory.ReadAsync(compiled, HubRole.GemeenteCoordinator, DemoOrganisations.GemeenteVeiligstad, Casusoverleg,
                $$"""{ case(id: "{{GlobalId.Encode("Case", caseId)}}") { {{list}} } }""");

            Assert.Contains("Zorg", Assert.Single(timeline, r => r.PersonId == subject).Categories.Split(','));
            Assert.Contains("Zorg", Assert.Single(records, r => r.PersonId == subject).Categories.Split(','));
        }
        finally
        {
            await factory.WithDbAsync(db => db.Interventions.Where(i => i.Id == trajectory).ExecuteDeleteAsync());
        }
    }

    /// <summary>
    /// A case the coordinator sees, under the casusoverleg purpose, with subjects some care intervention of whom could be
    /// among its rows and subjects none of whose could, and a visible intervention of it; with <paramref name="open"/>, one
    /// not closed. Its subjects, those of the first kind, and the intervention.
    /// </summary>
    private (int Case, List<int> Subjects, HashSet<int> WithCare, int Intervention) CaseWithSubjectsOfBothKinds(bool open = false)
    {
        var caller = ReadPathDifferentialTests.CallerOf(HubRole.GemeenteCoordinator, DemoOrganisations.GemeenteVeiligstad, Casusoverleg);
        return factory.WithDb(db =>
        {
            var access = AccessPolicy.For(caller);
            var care = CareCouldBeAmongRowsOf(db, DemoOrganisations.IdOf(DemoOrganisations.GemeenteVeiligstad));
            var interventions = db.Interventions.Where(access.Interventions);
            var cases = db.Cases.Where(access.Cases)
                .Where(c => c.Subjects.Any(s => care.Contains(s.PersonId)) && c.Subjects.Any(s => !care.Contains(s.PersonId)))
                .Where(c => interventions.Any(i => i.CaseId == c.Id));
            if (open) cases = cases.Where(c => c.Status != Veiligheid.Cases.CaseStatus.Afgesloten);
            var found = cases.OrderBy(c => c.Id).Select(c => c.Id).First();
            var subjects = db.CaseSubjects.Where(s => s.CaseId == found).Select(s => s.PersonId).Distinct();
            return (found, subjects.ToList(), subjects.Where(p => care.Contains(p)).ToHashSet(),
                interventions.Where(i => i.CaseId == found).OrderBy(i => i.Id).Select(i => i.Id).First());
        });
    }

    /// <summary>
    /// A case this caller sees with one subject, none of whose care interventions could be among the rows of its
    /// organisation (no consent toward it, none it executes), and none of whose interventions on the case are care ones.
    /// </summary>
    private (int Case, int Subject) CaseWithOneSubjectWithoutCare(HubRole role, string organisation, string purpose)
    {
        var caller = ReadPathDifferentialTests.CallerOf(role, organisation, purpose);
        return factory.WithDb(db =>
        {
            var care = CareCouldBeAmongRowsOf(db, DemoOrganisations.IdOf(organisation));
            var kinds = AccessPolicy.CareInterventionKinds.ToList();
            var found = db.Cases.Where(AccessPolicy.For(caller).Cases)
                .Where(c => c.Subjects.Count == 1 && !c.Subjects.Any(s => care.Contains(s.PersonId)))
                .Where(c => !db.Interventions.Any(i => i.CaseId == c.Id && kinds.Contains(i.Kind)))
                .OrderBy(c => c.Id).Select(c => new { c.Id, Subject = c.Subjects.Select(s => s.PersonId).First() }).First();
            return (found.Id, found.Subject);
        });
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
