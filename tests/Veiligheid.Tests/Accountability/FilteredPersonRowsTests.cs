using System.Globalization;
using System.Text.Json;
using Veiligheid.Access;
using Veiligheid.Accountability;
using Veiligheid.Data.Seeding;
using Veiligheid.GraphQL;
using Veiligheid.Tests.Infrastructure;
using Veiligheid.Tests.Query;

namespace Veiligheid.Tests.Accountability;

/// <summary>
/// A list of persons, or of links to persons (a case's subjects, an incident's persons), filtered on the persons' own data
/// (a surname, a date of birth, an address) read that data of every row it answers: each such row's person is logged with
/// what the filter read of them (<see cref="FilterDefinition{T}.ReadOfEachPerson"/>), beside what the row's fields read,
/// as a filter through a relation to persons logs the persons it matches (<see cref="FilterNamedPersonsTests"/>). Every
/// case runs over HTTP on both read paths.
/// </summary>
public sealed class FilteredPersonRowsTests(HubFactory factory) : IClassFixture<HubFactory>
{
    private const string Casusoverleg = "casusoverleg-zorg-en-veiligheid";
    private const string Jeugdoverlast = "aanpak-jeugdoverlast";

    private static readonly Caller Coordinator = ReadPathDifferentialTests.CallerOf(HubRole.GemeenteCoordinator, DemoOrganisations.GemeenteVeiligstad, Casusoverleg);
    private static readonly Caller Police = ReadPathDifferentialTests.CallerOf(HubRole.Politie, DemoOrganisations.PolitieZuid, Jeugdoverlast);

    [Theory]
    [InlineData(true)]
    [InlineData(false)]
    public async Task A_cases_subjects_filtered_on_a_surname_log_the_subjects_answered_with_their_identity(bool compiled)
    {
        var split = Split(CaseSubjects(Coordinator), s => s.Surname);
        var query = $$"""{ case(id: "{{GlobalId.Encode("Case", split.Parent)}}") { subjects(filter: { surname: { eq: "{{split.Value}}" } }) { role } } }""";

        var (response, records) = await ReadAsCoordinatorAsync(compiled, query);

        Assert.Equal(split.Rows, response.Data.GetProperty("case").GetProperty("subjects").GetArrayLength());
        Assert.Equal(split.Kept, records.Select(r => r.PersonId!.Value).Order());
        Assert.All(records, r => Assert.Equal("Identiteit,Casus", r.Categories));
    }

    [Theory]
    [InlineData(true)]
    [InlineData(false)]
    public async Task A_cases_subjects_filtered_on_a_date_of_birth_log_the_subjects_answered_with_their_identity(bool compiled)
    {
        var split = Split(CaseSubjects(Coordinator), s => s.DateOfBirth.ToString("yyyy-MM-dd", CultureInfo.InvariantCulture));
        var query = $$"""{ case(id: "{{GlobalId.Encode("Case", split.Parent)}}") { subjects(filter: { dateOfBirth: { eq: "{{split.Value}}" } }) { role } } }""";

        var (_, records) = await ReadAsCoordinatorAsync(compiled, query);

        Assert.Equal(split.Kept, records.Select(r => r.PersonId!.Value).Order());
        Assert.All(records, r => Assert.Equal("Identiteit,Casus", r.Categories));
    }

    [Theory]
    [InlineData(true)]
    [InlineData(false)]
    public async Task A_cases_subjects_filtered_on_an_address_log_the_subjects_answered_with_their_address(bool compiled)
    {
        // Under not: the subjects kept are those living elsewhere (or at no address the caller may see), and the filter
        // read that of each of them.
        var split = Split(CaseSubjects(Coordinator), s => s.Postcode, keptWhenEqual: false);
        var query = $$"""{ case(id: "{{GlobalId.Encode("Case", split.Parent)}}") { subjects(filter: { not: { address: { postcode: { eq: "{{split.Value}}" } } } }) { role } } }""";

        var (_, records) = await ReadAsCoordinatorAsync(compiled, query);

        Assert.Equal(split.Kept, records.Select(r => r.PersonId!.Value).Order());
        Assert.All(records, r => Assert.Equal("Identiteit,Adres,Casus", r.Categories));
    }

    [Fact]
    public async Task A_page_of_a_cases_subjects_filtered_on_a_surname_logs_the_subjects_on_the_page_with_their_identity()
    {
        // The …Page sibling runs on the reference path only. Its page reads one row past the page to tell whether more
        // follow: that row is not answered, so not logged.
        var split = Split(CaseSubjects(Coordinator), s => s.Surname, keptAtLeast: 2);
        var query = $$"""{ case(id: "{{GlobalId.Encode("Case", split.Parent)}}") { subjectsPage(first: 1, filter: { surname: { eq: "{{split.Value}}" } }) { nodes { role } } } }""";

        var (response, records) = await ReadAsCoordinatorAsync(compiled: false, query);

        var answered = response.Data.GetProperty("case").GetProperty("subjectsPage").GetProperty("nodes").GetArrayLength();
        Assert.Equal(1, answered);
        var record = Assert.Single(records);
        Assert.Contains(record.PersonId!.Value, split.Kept);
        Assert.Equal("Identiteit,Casus", record.Categories);
    }

    [Theory]
    [InlineData(true)]
    [InlineData(false)]
    public async Task The_subjects_of_a_persons_cases_filtered_on_a_surname_log_the_subjects_answered_with_their_identity(bool compiled)
    {
        // The person whose cases are listed is logged with their cases (Casus); the subjects the filter kept under each of
        // those cases with their identity as well.
        var subjects = CaseSubjects(Coordinator);
        var split = Split(subjects, s => s.Surname);
        var person = subjects.First(s => s.Parent == split.Parent && !split.Kept.Contains(s.Person)).Person;
        var casesOfPerson = subjects.Where(s => s.Person == person).Select(s => s.Parent).ToHashSet();
        var kept = subjects.Where(s => casesOfPerson.Contains(s.Parent) && s.Surname == split.Value).Select(s => s.Person).Distinct().Order().ToList();
        var query = $$"""{ person(id: "{{GlobalId.Encode("Person", person)}}") { cases { case { subjects(filter: { surname: { eq: "{{split.Value}}" } }) { role } } } } }""";

        var (_, records) = await ReadAsCoordinatorAsync(compiled, query);

        Assert.Equal([person, .. kept], records.Select(r => r.PersonId!.Value).Order());
        Assert.Equal("Casus", Assert.Single(records, r => r.PersonId == person).Categories);
        Assert.All(records.Where(r => r.PersonId != person), r => Assert.Equal("Identiteit,Casus", r.Categories));
    }

    [Theory]
    [InlineData(true)]
    [InlineData(false)]
    public async Task An_incidents_persons_filtered_on_a_surname_log_the_persons_answered_with_their_identity(bool compiled)
    {
        var split = Split(IncidentPersons(Police), s => s.Surname);
        var query = $$"""{ incident(id: "{{GlobalId.Encode("Incident", split.Parent)}}") { persons(filter: { surname: { eq: "{{split.Value}}" } }) { role } } }""";

        var (_, records) = await factory.ReadAsync(compiled, Police.Role, Police.OrganisationKey, Jeugdoverlast, query);

        Assert.Equal(split.Kept, records.Select(r => r.PersonId!.Value).Order());
        Assert.All(records, r => Assert.Equal("Identiteit,Politie", r.Categories));
    }

    [Theory]
    [InlineData(true)]
    [InlineData(false)]
    public async Task Persons_listed_by_an_address_are_logged_with_their_address_whatever_fields_they_answer(bool compiled)
    {
        var living = factory.WithDb(db =>
        {
            var access = AccessPolicy.For(Coordinator);
            var visibleLocations = db.Locations.Where(access.Locations);
            return db.Persons.Where(access.Persons).Where(p => visibleLocations.Any(l => l.Id == p.AddressId))
                .Select(p => new { p.Id, p.Address!.Postcode }).AsEnumerable().GroupBy(p => p.Postcode).OrderBy(g => g.Key, StringComparer.Ordinal)
                .Select(g => (Postcode: g.Key, Persons: g.Select(p => p.Id).Order().ToList())).First();
        });
        var query = $$"""{ persons(first: 100, filter: { address: { postcode: { eq: "{{living.Postcode}}" } } }) { nodes { id } } }""";

        var (_, records) = await ReadAsCoordinatorAsync(compiled, query);

        Assert.Equal(living.Persons, records.Select(r => r.PersonId!.Value).Order());
        Assert.All(records, r => Assert.Equal("Identiteit,Adres", r.Categories));
    }

    [Theory]
    [InlineData(true)]
    [InlineData(false)]
    public async Task Persons_listed_by_a_surname_that_answer_only_their_cases_are_logged_with_their_identity(bool compiled)
    {
        var split = Split(CaseSubjects(Coordinator), s => s.Surname);
        var named = factory.WithDb(db => db.Persons.Where(AccessPolicy.For(Coordinator).Persons).Where(p => p.Surname == split.Value)
            .Select(p => p.Id).OrderBy(id => id).ToList());
        var query = $$"""{ persons(first: 100, filter: { surname: { eq: "{{split.Value}}" } }) { nodes { cases { role } } } }""";

        var (_, records) = await ReadAsCoordinatorAsync(compiled, query);

        Assert.NotEmpty(named);
        Assert.Equal(named, records.Select(r => r.PersonId!.Value).Order());
        Assert.All(records, r => Assert.Equal("Identiteit,Casus", r.Categories));
    }

    [Theory]
    [InlineData(true)]
    [InlineData(false)]
    public async Task A_cases_subjects_filtered_on_an_id_alone_log_what_they_did_before(bool compiled)
    {
        // An identifier names its person (NamedPersons) and reads nothing else of the others: the subjects answered
        // carry only what their fields read, as before.
        var subjects = CaseSubjects(Coordinator);
        var subject = subjects.GroupBy(s => s.Parent).First(g => g.Select(s => s.Person).Distinct().Count() >= 2).First();
        var query = $$"""{ case(id: "{{GlobalId.Encode("Case", subject.Parent)}}") { subjects(filter: { not: { id: { eq: "{{GlobalId.Encode("Person", subject.Person)}}" } } }) { role } } }""";
        var others = subjects.Where(s => s.Parent == subject.Parent && s.Person != subject.Person).Select(s => s.Person).Distinct().ToList();

        var (_, records) = await ReadAsCoordinatorAsync(compiled, query);

        Assert.Equal("Identiteit,Casus", Assert.Single(records, r => r.PersonId == subject.Person).Categories);
        Assert.NotEmpty(others);
        Assert.All(others, p => Assert.Equal("Casus", Assert.Single(records, r => r.PersonId == p).Categories));
    }

    private Task<(GraphQLResponse Response, List<ProcessingRecord> Records)> ReadAsCoordinatorAsync(bool compiled, string query)
        => factory.ReadAsync(compiled, Coordinator.Role, Coordinator.OrganisationKey, Casusoverleg, query);

    /// <summary>A person as a row of a list under a parent (a case's subject, an incident's person) that the caller may see.</summary>
    private sealed record PersonRow(int Parent, int Person, string Surname, DateOnly DateOfBirth, string? Postcode);

    /// <summary>
    /// The first parent whose rows a condition on their person splits (some kept, at least <paramref name="keptAtLeast"/>
    /// persons, some not: the filter did something), the value it compares with, the persons it keeps and how many rows.
    /// </summary>
    private static (int Parent, string Value, List<int> Kept, int Rows) Split(List<PersonRow> rows, Func<PersonRow, string?> key, bool keptWhenEqual = true,
        int keptAtLeast = 1)
    {
        foreach (var parent in rows.GroupBy(r => r.Parent).OrderBy(g => g.Key))
        {
            foreach (var value in parent.Select(key).OfType<string>().Distinct().Order(StringComparer.Ordinal))
            {
                // A row without the value (no visible address) is kept by not, as SQL's not of a missing address is true.
                var kept = parent.Where(r => (key(r) == value) == keptWhenEqual).ToList();
                if (kept.Select(r => r.Person).Distinct().Count() >= keptAtLeast && kept.Count < parent.Count())
                    return (parent.Key, value, [.. kept.Select(r => r.Person).Distinct().Order()], kept.Count);
            }
        }
        throw new InvalidOperationException("No parent whose rows the condition splits.");
    }

    /// <summary>The subjects of the cases the caller may see, as the caller may see them, with the address only where visible.</summary>
    private List<PersonRow> CaseSubjects(Caller caller) => factory.WithDb(db =>
    {
        var access = AccessPolicy.For(caller);
        var cases = db.Cases.Where(access.Cases).Select(c => c.Id);
        var locations = db.Locations.Where(access.Locations);
        return db.CaseSubjects.Where(access.CaseSubjects).Where(s => cases.Contains(s.CaseId))
            .Select(s => new { s.CaseId, s.PersonId, s.Person.Surname, s.Person.DateOfBirth, Postcode = locations.Any(l => l.Id == s.Person.AddressId) ? s.Person.Address!.Postcode : null })
            .AsEnumerable().Select(s => new PersonRow(s.CaseId, s.PersonId, s.Surname, s.DateOfBirth, s.Postcode)).ToList();
    });

    /// <summary>The persons of the incidents the caller may see, as the caller may see them.</summary>
    private List<PersonRow> IncidentPersons(Caller caller) => factory.WithDb(db =>
    {
        var access = AccessPolicy.For(caller);
        var incidents = db.Incidents.Where(access.Incidents).Select(i => i.Id);
        var persons = db.Persons.Where(access.Persons).Select(p => p.Id);
        return db.IncidentPersons.Where(l => incidents.Contains(l.IncidentId) && persons.Contains(l.PersonId))
            .Select(l => new { l.IncidentId, l.PersonId, l.Person.Surname, l.Person.DateOfBirth })
            .AsEnumerable().Select(l => new PersonRow(l.IncidentId, l.PersonId, l.Surname, l.DateOfBirth, null)).ToList();
    });
}
