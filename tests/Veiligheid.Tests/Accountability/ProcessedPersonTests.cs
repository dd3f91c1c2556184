using Veiligheid.Access;
using Veiligheid.Accountability;

namespace Veiligheid.Tests.Accountability;

/// <summary>
/// The categories a request notes for a person, as the processing log writes them: each once, in their declared order,
/// whatever order the request touched them in. Records written before they were kept as bits had this form, and a
/// record's hash covers it.
/// </summary>
public sealed class ProcessedPersonTests
{
    [Fact]
    public void Categories_are_listed_once_each_in_declared_order()
    {
        var person = new ProcessedPerson(7);
        foreach (var category in new[] { DataCategory.Zorg, DataCategory.Identiteit, DataCategory.Casus, DataCategory.Identiteit, DataCategory.Adres })
            person.Add(category);

        Assert.Equal("Identiteit,Adres,Zorg,Casus", person.CategoryList);
        Assert.Equal([DataCategory.Identiteit, DataCategory.Adres, DataCategory.Zorg, DataCategory.Casus], person.Categories);
        Assert.True(person.Touched(DataCategory.Zorg));
        Assert.False(person.Touched(DataCategory.Politie));
    }

    [Fact]
    public void Every_category_can_be_noted_and_a_person_without_any_lists_none()
    {
        var all = new ProcessedPerson(null);
        foreach (var category in Enum.GetValues<DataCategory>()) all.Add(category);

        Assert.Equal(string.Join(",", Enum.GetNames<DataCategory>()), all.CategoryList);
        Assert.Equal("", new ProcessedPerson(1).CategoryList);
    }
}
