using Veiligheid.Access;
using Veiligheid.GraphQL;
using Veiligheid.Locations;

namespace Veiligheid.Persons;

/// <summary>What a list of persons can be filtered and sorted on; by surname unless asked otherwise.</summary>
[Category(DataCategory.Identiteit)]
public sealed class PersonFilter : FilterDefinition<Person>
{
    public PersonFilter() : base("Person", DataCategory.Identiteit, p => p.Id)
    {
        Bsn("bsn", "Burgerservicenummer (exact).", p => p.Bsn);
        Text("givenName", "Given name.", p => p.GivenName, sortable: true);
        Text("surnamePrefix", "Surname prefix (tussenvoegsel).", p => p.SurnamePrefix);
        Text("surname", "Surname without prefix.", p => p.Surname, sortable: true);
        Date("dateOfBirth", "Date of birth.", p => p.DateOfBirth, sortable: true);
        One<LocationFilter, Location>("address", "The current address exists, the caller may see it, and it matches this filter.", DataCategory.Adres,
            p => p.Address, access => access.Locations);
        DefaultSort("surname", descending: false);
    }
}
