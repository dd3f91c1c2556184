using System.Net;
using System.Net.Http.Headers;
using System.Text.Json;
using Microsoft.AspNetCore.Hosting;
using Veiligheid.Access;
using Veiligheid.Accountability;
using Veiligheid.Data.Seeding;
using Veiligheid.GraphQL;
using Veiligheid.Tests.Infrastructure;
using Veiligheid.Tests.Query;

namespace Veiligheid.Tests.Accountability;

/// <summary>
/// A filter that names persons (by BSN or person id) processes them: each named person gets a record, whatever the list
/// answers and whether or not the caller may see them or the hub holds them (<see cref="NamedPersons"/>). Every case runs
/// over HTTP on both read paths: the compiled path (the hub's default on SQLite, checked to answer it) and the reference
/// path (a host with the compiled path switched off).
/// </summary>
public sealed class FilterNamedPersonsTests(HubFactory factory) : IClassFixture<HubFactory>
{
    private const string Jeugdoverlast = "aanpak-jeugdoverlast";
    private const string Casusoverleg = "casusoverleg-zorg-en-veiligheid";

    // The reviewer's person of the demo data: 8 incidents for the police, 4 cases for the coordinator.
    internal const string ReviewedBsn = "921430231";

    [Theory]
    [InlineData(true)]
    [InlineData(false)]
    public async Task Incidents_filtered_by_a_persons_bsn_log_that_person_as_police_data(bool compiled)
    {
        const string query = """{ incidents(filter: { person: { bsn: { eq: "921430231" } } }) { totalCount nodes { id category } } }""";
        var (response, records) = await factory.ReadAsync(compiled, HubRole.Politie, DemoOrganisations.PolitieZuid, Jeugdoverlast, query);

        Assert.True(response.Data.GetProperty("incidents").GetProperty("totalCount").GetInt32() > 0);
        var record = Assert.Single(records);
        Assert.Equal(factory.PersonIdOf(ReviewedBsn), record.PersonId);
        Assert.Equal(factory.Protect(ReviewedBsn), record.ProtectedBsn);
        Assert.Equal("Identiteit,Politie,Melding", record.Categories);
        Assert.Equal(ProcessingConfidentiality.Vertrouwelijk, record.Confidentiality);
        Assert.Equal(Jeugdoverlast, record.Purpose);
    }

    [Theory]
    [InlineData(true)]
    [InlineData(false)]
    public async Task Cases_filtered_by_a_subjects_bsn_log_that_person_with_the_case_category(bool compiled)
    {
        const string query = """{ cases(filter: { subject: { bsn: { eq: "921430231" } } }) { totalCount nodes { kind } } }""";
        var (response, records) = await factory.ReadAsync(compiled, HubRole.GemeenteCoordinator, DemoOrganisations.GemeenteVeiligstad, Casusoverleg, query);

        Assert.True(response.Data.GetProperty("cases").GetProperty("totalCount").GetInt32() > 0);
        var record = Assert.Single(records);
        Assert.Equal(factory.PersonIdOf(ReviewedBsn), record.PersonId);
        Assert.Equal(factory.Protect(ReviewedBsn), record.ProtectedBsn);
        Assert.Equal("Identiteit,Casus", record.Categories);
    }

    [Theory]
    [InlineData(true)]
    [InlineData(false)]
    public async Task A_count_of_persons_by_bsn_logs_that_person_and_shows_in_the_access_report(bool compiled)
    {
        const string query = """{ persons(filter: { bsn: { eq: "921430231" } }) { totalCount } }""";
        var (response, records) = await factory.ReadAsync(compiled, HubRole.GemeenteCoordinator, DemoOrganisations.GemeenteVeiligstad, Casusoverleg, query);

        Assert.Equal(1, response.Data.GetProperty("persons").GetProperty("totalCount").GetInt32());
        var record = Assert.Single(records);
        Assert.Equal(factory.PersonIdOf(ReviewedBsn), record.PersonId);
        Assert.Equal(factory.Protect(ReviewedBsn), record.ProtectedBsn);
        Assert.Equal("Identiteit", record.Categories);

        // The person's access report shows the look-up.
        var officer = factory.CreateClientWithPurpose(HubRole.PrivacyFunctionaris, DemoOrganisations.GemeenteVeiligstad, "inzageverzoek");
        var report = await officer.GraphQLAsync("query($bsn: BSN!) { accessReport(bsn: $bsn) { entries { occurredAt organisation { key } purpose } } }", new { bsn = ReviewedBsn });
        Assert.Empty(report.Errors);
        Assert.Contains(report.Data.GetProperty("accessReport").GetProperty("entries").EnumerateArray(),
            e => Math.Abs((e.GetProperty("occurredAt").GetDateTime().ToUniversalTime() - record.OccurredAt).TotalSeconds) < 1
                 && e.GetProperty("organisation").GetProperty("key").GetString() == DemoOrganisations.GemeenteVeiligstad);
    }

    [Theory]
    [InlineData(true)]
    [InlineData(false)]
    public async Task A_bsn_the_hub_does_not_hold_is_logged_by_its_protected_form(bool compiled)
    {
        var unknown = factory.UnheldBsn();
        var query = $$"""{ incidents(filter: { person: { bsn: { eq: "{{unknown}}" } } }) { totalCount } }""";
        var (response, records) = await factory.ReadAsync(compiled, HubRole.Politie, DemoOrganisations.PolitieZuid, Jeugdoverlast, query);

        Assert.Equal(0, response.Data.GetProperty("incidents").GetProperty("totalCount").GetInt32());
        var record = Assert.Single(records);
        Assert.Null(record.PersonId);
        Assert.Equal(factory.Protect(unknown), record.ProtectedBsn);
        Assert.DoesNotContain(unknown, record.ProtectedBsn, StringComparison.Ordinal);
        Assert.Equal("Identiteit,Politie,Melding", record.Categories);
    }

    [Theory]
    [InlineData(true)]
    [InlineData(false)]
    public async Task A_bsn_the_caller_may_not_see_is_logged_with_the_persons_id(bool compiled)
    {
        // A person the housing corporation does not see: its filter finds nothing, and the person is still logged.
        var caller = ReadPathDifferentialTests.CallerOf(HubRole.Woningcorporatie, DemoOrganisations.Woonstede, "aanpak-woonoverlast");
        var (id, bsn) = factory.WithDb(db =>
        {
            var visible = db.Persons.Where(AccessPolicy.For(caller).Persons).Select(p => p.Id);
            return db.Persons.Where(p => !visible.Contains(p.Id)).OrderBy(p => p.Id).Select(p => new { p.Id, p.Bsn }).AsEnumerable()
                .Select(p => (p.Id, p.Bsn)).First();
        });
        var query = $$"""{ persons(filter: { bsn: { eq: "{{bsn}}" } }) { totalCount } }""";
        var (response, records) = await factory.ReadAsync(compiled, HubRole.Woningcorporatie, DemoOrganisations.Woonstede, "aanpak-woonoverlast", query);

        Assert.Equal(0, response.Data.GetProperty("persons").GetProperty("totalCount").GetInt32());
        var record = Assert.Single(records);
        Assert.Equal(id, record.PersonId);
        Assert.Equal(factory.Protect(bsn), record.ProtectedBsn);
    }

    [Theory]
    [InlineData(true)]
    [InlineData(false)]
    public async Task Ids_that_no_person_has_name_no_one_and_write_no_record(bool compiled)
    {
        // Otherwise a filter of a thousand made-up ids would write a thousand records about no one.
        var held = factory.WithDb(db => db.Persons.Max(p => p.Id));
        var madeUp = Enumerable.Range(held + 1_000, 50).Select(id => $"\"{GlobalId.Encode("Person", id)}\"");
        var query = $$"""{ persons(filter: { id: { in: [{{string.Join(", ", madeUp)}}] } }) { totalCount } }""";

        var (response, records) = await factory.ReadAsync(compiled, HubRole.GemeenteCoordinator, DemoOrganisations.GemeenteVeiligstad, Casusoverleg, query);

        Assert.Equal(0, response.Data.GetProperty("persons").GetProperty("totalCount").GetInt32());
        Assert.Empty(records);
    }

    [Theory]
    [InlineData(true)]
    [InlineData(false)]
    public async Task An_in_list_past_its_bound_is_refused_and_names_no_one(bool compiled)
    {
        // Each BSN named is a person processed: without a bound one request wrote a record for each of 30,000.
        var bsns = Enumerable.Range(0, Operators.MaxInValues + 1).Select(_ => $"\"{factory.UnheldBsn()}\"");
        var query = $$"""{ persons(filter: { bsn: { in: [{{string.Join(", ", bsns)}}] } }) { totalCount } }""";

        var (response, records) = await factory.ReadAsync(compiled, HubRole.GemeenteCoordinator, DemoOrganisations.GemeenteVeiligstad, Casusoverleg, query, expectData: false);

        Assert.Contains("FILTER_TOO_LARGE", response.ErrorCodes);
        Assert.Empty(records);
    }

    [Theory]
    [InlineData(true, "ZORGTRAJECT", "Identiteit,Zorg,Interventie")]
    [InlineData(false, "ZORGTRAJECT", "Identiteit,Zorg,Interventie")]
    [InlineData(true, "WAARSCHUWING", "Identiteit,Interventie")]
    [InlineData(false, "WAARSCHUWING", "Identiteit,Interventie")]
    public async Task A_count_of_a_named_persons_interventions_that_may_be_care_logs_care_data(bool compiled, string kind, string categories)
    {
        // A count of someone's care trajectories says something about their care though no row is read.
        var query = $$"""{ interventions(filter: { kind: { eq: {{kind}} }, person: { bsn: { eq: "{{ReviewedBsn}}" } } }) { totalCount } }""";

        var (_, records) = await factory.ReadAsync(compiled, HubRole.Zorgaanbieder, DemoOrganisations.GgzHorizon, Casusoverleg, query);

        var record = Assert.Single(records);
        Assert.Equal(factory.PersonIdOf(ReviewedBsn), record.PersonId);
        Assert.Equal(categories, record.Categories);
    }

    [Theory]
    [InlineData(true, HubRole.Politie, DemoOrganisations.PolitieZuid, Casusoverleg)]
    [InlineData(false, HubRole.Politie, DemoOrganisations.PolitieZuid, Casusoverleg)]
    [InlineData(true, HubRole.GemeenteCoordinator, DemoOrganisations.GemeenteVeiligstad, Jeugdoverlast)]
    [InlineData(false, HubRole.GemeenteCoordinator, DemoOrganisations.GemeenteVeiligstad, Jeugdoverlast)]
    public async Task A_count_of_a_named_persons_interventions_under_a_slice_without_care_data_logs_no_care_data(bool compiled, HubRole role, string organisation,
        string purpose)
    {
        // Without care data in the role or the purpose no care intervention is among the caller's rows at all: the count
        // says nothing about the person's care, as the same count under the person says nothing (NestedListParentLoggingTests).
        var query = $$"""{ interventions(filter: { person: { bsn: { eq: "{{ReviewedBsn}}" } } }) { totalCount } }""";

        var (_, records) = await factory.ReadAsync(compiled, role, organisation, purpose, query);

        var record = Assert.Single(records);
        Assert.Equal(factory.PersonIdOf(ReviewedBsn), record.PersonId);
        Assert.Equal("Identiteit,Interventie", record.Categories);
    }

    [Fact]
    public async Task A_lookup_by_a_bsn_that_answers_null_still_logs_the_person_asked_about()
    {
        // personByBsn names its person as a filter does: a BSN not held, and one the caller may not see, both answer null.
        var caller = ReadPathDifferentialTests.CallerOf(HubRole.Woningcorporatie, DemoOrganisations.Woonstede, "aanpak-woonoverlast");
        var (id, hidden) = factory.WithDb(db =>
        {
            var visible = db.Persons.Where(AccessPolicy.For(caller).Persons).Select(p => p.Id);
            return db.Persons.Where(p => !visible.Contains(p.Id)).OrderBy(p => p.Id).Select(p => new { p.Id, p.Bsn }).AsEnumerable()
                .Select(p => (p.Id, p.Bsn)).First();
        });
        var unknown = factory.UnheldBsn();
        var query = $$"""{ hidden: personByBsn(bsn: "{{hidden}}") { id } unknown: personByBsn(bsn: "{{unknown}}") { id } }""";

        var (response, records) = await factory.ReadAsync(compiled: false, HubRole.Woningcorporatie, DemoOrganisations.Woonstede, "aanpak-woonoverlast", query);

        Assert.Equal(JsonValueKind.Null, response.Data.GetProperty("hidden").ValueKind);
        Assert.Equal(JsonValueKind.Null, response.Data.GetProperty("unknown").ValueKind);
        Assert.Equal(2, records.Count);
        Assert.Contains(records, r => r.PersonId == id && r.ProtectedBsn == factory.Protect(hidden) && r.Categories == "Identiteit");
        Assert.Contains(records, r => r.PersonId is null && r.ProtectedBsn == factory.Protect(unknown) && r.Categories == "Identiteit");
    }

    [Theory]
    [InlineData(true)]
    [InlineData(false)]
    public async Task A_filter_with_in_of_two_bsns_logs_both(bool compiled)
    {
        var unknown = factory.UnheldBsn();
        var query = $$"""{ cases(filter: { subject: { bsn: { in: ["921430231", "{{unknown}}"] } } }) { totalCount } }""";
        var (_, records) = await factory.ReadAsync(compiled, HubRole.GemeenteCoordinator, DemoOrganisations.GemeenteVeiligstad, Casusoverleg, query);

        Assert.Equal(2, records.Count);
        Assert.Contains(records, r => r.PersonId == factory.PersonIdOf(ReviewedBsn) && r.ProtectedBsn == factory.Protect(ReviewedBsn));
        Assert.Contains(records, r => r.PersonId is null && r.ProtectedBsn == factory.Protect(unknown));
        Assert.All(records, r => Assert.Equal("Identiteit,Casus", r.Categories));
    }

    [Theory]
    [InlineData(true)]
    [InlineData(false)]
    public async Task Persons_named_under_not_and_or_and_by_id_in_a_nested_list_are_logged(bool compiled)
    {
        var reviewed = factory.PersonIdOf(ReviewedBsn);
        var unknown = factory.UnheldBsn();
        // not: the count without the person, beside the count of all, tells whether the hub holds them. or: each
        // alternative names its person, matched or not. A nested list's filter by a person's global id names them too.
        var query = $$"""
            {
              all: persons { totalCount }
              others: persons(filter: { not: { bsn: { eq: "921430231" } } }) { totalCount }
              either: cases(filter: { or: [{ kind: { eq: JEUGDOVERLAST } }, { subject: { bsn: { eq: "{{unknown}}" } } }] }) { totalCount }
              cases(first: 3) { nodes { subjects(filter: { id: { eq: "{{GlobalId.Encode("Person", reviewed)}}" } }) { role } } }
            }
            """;
        var (_, records) = await factory.ReadAsync(compiled, HubRole.GemeenteCoordinator, DemoOrganisations.GemeenteVeiligstad, Casusoverleg, query);

        var named = Assert.Single(records, r => r.PersonId == reviewed);
        Assert.Equal(factory.Protect(ReviewedBsn), named.ProtectedBsn);
        // Identiteit from persons' not; Casus from the subjects list (and from any subject it answered).
        Assert.Equal("Identiteit,Casus", named.Categories);
        var byBsn = Assert.Single(records, r => r.PersonId is null);
        Assert.Equal(factory.Protect(unknown), byBsn.ProtectedBsn);
        Assert.Equal("Identiteit,Casus", byBsn.Categories);
    }

    [Theory]
    [InlineData(true)]
    [InlineData(false)]
    public async Task A_filter_on_surname_names_no_one(bool compiled)
    {
        var surname = factory.WithDb(db => db.Persons.Where(p => p.Bsn == ReviewedBsn).Select(p => p.Surname).Single());
        var query = $$"""{ persons(filter: { or: [{ surname: { eq: "{{surname}}" } }, { surname: { contains: "a" } }] }) { totalCount } }""";
        var (response, records) = await factory.ReadAsync(compiled, HubRole.GemeenteCoordinator, DemoOrganisations.GemeenteVeiligstad, Casusoverleg, query);

        Assert.True(response.Data.GetProperty("persons").GetProperty("totalCount").GetInt32() > 0);
        Assert.Empty(records);
    }

    [Theory]
    [InlineData(true)]
    [InlineData(false)]
    public async Task Incidents_filtered_by_a_persons_name_and_date_of_birth_log_the_persons_it_matches(bool compiled)
    {
        // Name and date of birth single out the reviewed person as well as the BSN does: the incidents answered are that
        // person's police data, though no person's row is read.
        var (surname, born) = factory.WithDb(db => db.Persons.Where(p => p.Bsn == ReviewedBsn).Select(p => new { p.Surname, p.DateOfBirth })
            .AsEnumerable().Select(p => (p.Surname, p.DateOfBirth.ToString("yyyy-MM-dd", System.Globalization.CultureInfo.InvariantCulture))).Single());
        var query = $$"""{ incidents(filter: { person: { surname: { eq: "{{surname}}" }, dateOfBirth: { eq: "{{born}}" } } }) { totalCount nodes { id category } } }""";
        var (response, records) = await factory.ReadAsync(compiled, HubRole.Politie, DemoOrganisations.PolitieZuid, Jeugdoverlast, query);

        Assert.True(response.Data.GetProperty("incidents").GetProperty("totalCount").GetInt32() > 0);
        var record = Assert.Single(records);
        Assert.Equal(factory.PersonIdOf(ReviewedBsn), record.PersonId);
        Assert.Equal(factory.Protect(ReviewedBsn), record.ProtectedBsn);
        Assert.Equal("Identiteit,Politie,Melding", record.Categories);
        Assert.Equal(ProcessingConfidentiality.Vertrouwelijk, record.Confidentiality);
    }

    [Theory]
    [InlineData(true)]
    [InlineData(false)]
    public async Task A_condition_through_a_relation_that_matches_more_persons_than_may_be_logged_is_refused_without_data_or_records(bool compiled)
    {
        // Two persons at most here; a surname that contains "e" matches far more of the coordinator's persons.
        await using var host = factory.WithWebHostBuilder(builder =>
        {
            builder.UseSetting("ProcessingLog:MostPersonsMatched", "2");
            if (!compiled) builder.UseSetting("GraphQL:CompiledReads:Sqlite", "false");
        });
        using var client = host.CreateClient();
        client.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", factory.CreateToken([HubRole.GemeenteCoordinator], DemoOrganisations.GemeenteVeiligstad));
        client.DefaultRequestHeaders.Add(Purposes.Header, Casusoverleg);
        var before = factory.LastSequence();

        var broad = await client.GraphQLAsync("""{ cases(filter: { subject: { surname: { contains: "e" } } }) { totalCount nodes { title } } }""");
        var narrow = await client.GraphQLAsync("""{ cases(filter: { subject: { bsn: { eq: "921430231" } } }) { totalCount } }""");

        Assert.Equal(HttpStatusCode.BadRequest, broad.Status);
        Assert.Equal([ProcessingLogErrorCodes.TooManyPersonsMatched], broad.ErrorCodes);
        Assert.False(broad.HasData);
        // The refusal wrote nothing; the narrow request after it was logged as ever (the log is not taken for broken).
        var records = factory.LogRecords().Where(r => r.Sequence > before).ToList();
        Assert.Equal(factory.PersonIdOf(ReviewedBsn), Assert.Single(records).PersonId);
        Assert.Empty(narrow.Errors);
    }

    [Theory]
    [InlineData(true)]
    [InlineData(false)]
    public async Task Conditions_that_together_match_more_persons_than_may_be_logged_are_refused_as_one_such_condition_is(bool compiled)
    {
        // Three conditions of one person each, two persons at most: split over an or, the broad filter is as broad.
        var caller = ReadPathDifferentialTests.CallerOf(HubRole.GemeenteCoordinator, DemoOrganisations.GemeenteVeiligstad, Casusoverleg);
        var surnames = factory.WithDb(db => db.Persons.Where(AccessPolicy.For(caller).Persons).GroupBy(p => p.Surname)
            .Where(g => g.Count() == 1).Select(g => g.Key).OrderBy(s => s).Take(3).ToList());
        await using var host = factory.WithWebHostBuilder(builder =>
        {
            builder.UseSetting("ProcessingLog:MostPersonsMatched", "2");
            if (!compiled) builder.UseSetting("GraphQL:CompiledReads:Sqlite", "false");
        });
        using var client = host.CreateClient();
        client.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", factory.CreateToken([HubRole.GemeenteCoordinator], DemoOrganisations.GemeenteVeiligstad));
        client.DefaultRequestHeaders.Add(Purposes.Header, Casusoverleg);
        var conditions = string.Join(", ", surnames.Select(s => $$"""{ subject: { surname: { eq: "{{s}}" } } }"""));
        var before = factory.LastSequence();

        var split = await client.GraphQLAsync($$"""{ cases(filter: { or: [{{conditions}}] }) { totalCount } }""");

        Assert.Equal(3, surnames.Count);
        Assert.Equal(HttpStatusCode.BadRequest, split.Status);
        Assert.Equal([ProcessingLogErrorCodes.TooManyPersonsMatched], split.ErrorCodes);
        Assert.DoesNotContain(factory.LogRecords(), r => r.Sequence > before);
    }

    [Fact]
    public async Task A_write_whose_response_filters_on_more_persons_than_may_be_logged_is_still_logged_for_the_persons_it_wrote()
    {
        // The refusal withholds the response, but the write stands: the new subject it registered must be in the log.
        await using var host = factory.WithWebHostBuilder(builder => builder.UseSetting("ProcessingLog:MostPersonsMatched", "2"));
        using var client = host.CreateClient();
        client.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", factory.CreateToken([HubRole.GemeenteCoordinator], DemoOrganisations.GemeenteVeiligstad));
        client.DefaultRequestHeaders.Add(Purposes.Header, Casusoverleg);
        var opened = await client.GraphQLAsync("""
            mutation { openCase(input: { kind: ZORG_EN_VEILIGHEID, title: "Refused response", legalGround: CONVENANT_ZORG_EN_VEILIGHEID }) { case { id } } }
            """);
        var caseId = opened.Data.GetProperty("openCase").GetProperty("case").GetProperty("id").GetString();
        var bsn = factory.UnheldBsn();
        var before = factory.LastSequence();

        var added = await client.GraphQLAsync("""
            mutation($input: AddCaseSubjectInput!) { addCaseSubject(input: $input) {
              errors { code } case { interventions(filter: { person: { surname: { contains: "e" } } }) { id } } } }
            """, new { input = new { caseId, bsn, role = "BETROKKENE", givenName = "Test", surname = "Persoon", dateOfBirth = "1990-05-17" } });

        Assert.Equal([ProcessingLogErrorCodes.TooManyPersonsMatched], added.ErrorCodes);
        Assert.False(added.HasData);
        var created = factory.WithDb(db => db.Persons.Where(p => p.Bsn == bsn).Select(p => p.Id).Single());
        var record = Assert.Single(factory.LogRecords(), r => r.Sequence > before);
        Assert.Equal(created, record.PersonId);
        Assert.Equal("Identiteit,Casus", record.Categories);
    }

    [Theory]
    [InlineData(true)]
    [InlineData(false)]
    public async Task A_count_of_cases_whose_subject_lives_at_an_address_logs_the_subjects_living_there(bool compiled)
    {
        // Under not, as the named persons are: the count without them beside the count of all says as much.
        var caller = ReadPathDifferentialTests.CallerOf(HubRole.GemeenteCoordinator, DemoOrganisations.GemeenteVeiligstad, Casusoverleg);
        var (postcode, houseNumber, living) = factory.WithDb(db =>
        {
            var visible = db.Persons.Where(AccessPolicy.For(caller).Persons);
            var address = visible.Where(p => p.Address != null).OrderBy(p => p.Id).Select(p => new { p.Address!.Postcode, p.Address.HouseNumber }).First();
            var (postcode, houseNumber) = (address.Postcode, address.HouseNumber);
            var there = visible.Where(p => p.Address!.Postcode == postcode && p.Address.HouseNumber == houseNumber)
                .Select(p => p.Id).OrderBy(id => id).ToList();
            return (postcode, houseNumber, there);
        });
        var query = $$"""{ cases(filter: { not: { subject: { address: { postcode: { eq: "{{postcode}}" }, houseNumber: { eq: {{houseNumber}} } } } } }) { totalCount } }""";
        var (_, records) = await factory.ReadAsync(compiled, HubRole.GemeenteCoordinator, DemoOrganisations.GemeenteVeiligstad, Casusoverleg, query);

        Assert.NotEmpty(living);
        Assert.Equal(living, records.Select(r => r.PersonId!.Value).Order());
        Assert.All(records, r => Assert.Equal("Identiteit,Adres,Casus", r.Categories));
    }

    [Theory]
    [InlineData(true)]
    [InlineData(false)]
    public async Task A_refused_request_that_names_a_person_logs_nothing(bool compiled)
    {
        // Not valid for the schema (an unknown field): refused before anything runs.
        const string query = """{ persons(filter: { bsn: { eq: "921430231" } }) { totalCount noSuchField } }""";
        var (response, records) = await factory.ReadAsync(compiled, HubRole.GemeenteCoordinator, DemoOrganisations.GemeenteVeiligstad, Casusoverleg, query, expectData: false);

        Assert.NotEmpty(response.Errors);
        Assert.Empty(records);
    }
}
