using System.Linq.Expressions;
using Veiligheid.Access;
using Veiligheid.Persons;

namespace Veiligheid.Accountability;

/// <summary>
/// The persons a list's filter names, with the categories of their data the filter reveals: a request that filters a list
/// by a person's BSN or global id processes that person, whatever rows it answers (8 incidents, no incidents, a count),
/// so the person's access report must show it. Worked out from the filter by
/// <see cref="GraphQL.FilterDefinition{T}.PersonsNamedBy"/>; noted in the request's <see cref="ProcessingCollector"/> once
/// the list was read, by the resolvers (<see cref="GraphQL.ListQuerying"/>, <see cref="GraphQL.NestedList{TDefinition, TEntity, TRow}"/>)
/// and by the compiled read path (a mark in the statement's JSON, where the list's rows would be) alike.
/// </summary>
/// <remarks>
/// <para>Which filters name a person: a BSN (<c>eq</c> or <c>in</c>), or a person's global id (<c>eq</c> or <c>in</c>, on a
/// person filter's <c>id</c> or a reference to a person), anywhere in the filter. Inside <c>and</c>, <c>or</c> and
/// <c>not</c> too, every person named is noted: an alternative of <c>or</c> that matched nothing, or a <c>not</c>, still
/// tells the caller something about that person (a count with and without them says whether the hub holds them), and
/// the log errs on the side of the data subject. Text conditions (a surname that contains or equals some text, a given
/// name, a date of birth, an address) name no one on a list of persons: they are not an identifier that the log could tie
/// to one person, and the persons they find are logged as the rows that answer them are read, as for any list, with what
/// the filter read of them (<see cref="GraphQL.FilterDefinition{T}.ReadOfEachPerson"/>). Through a
/// relation to persons (an incident's <c>person</c>, a case's <c>subject</c>, an intervention's <c>person</c>) no person's
/// row answers them: the incidents, cases or interventions found (or their count) are the data of the persons the
/// relation's filter matched, so every person it matches among those the caller may see is processed, with the categories
/// on the way and those of the conditions tested (Identiteit for names and a date of birth, Adres for an address). Name and
/// date of birth find someone as surely as a BSN names them. Which persons those are is read when the log is written
/// (<see cref="ProcessingCollector.AddMatching"/>).</para>
/// <para>Who is noted does not depend on what the caller may see, or on what the hub holds: a BSN is noted by BSN
/// (<see cref="ProcessingCollector.AddByBsn"/>; the log writes its protected form, with the person's id when the hub holds
/// the person), an id by id. Otherwise a partner could learn whether the hub holds someone, without it showing in that
/// person's access report.</para>
/// <para>The categories, as a privacy officer reads them: everything the filter ties to the person. That is the category
/// of the list it filters (Melding for incidents, Casus for cases, Politie for a person's incidents), of each filter field
/// on the way to the identifier and of the entity each tests (an incident's <c>person</c> is police data about the
/// person, <c>Politie</c>; a case's <c>subject</c> is <c>Identiteit</c> of a <c>Casus</c>), and of the identifier itself
/// (<c>Identiteit</c>). So <c>incidents(filter: {person: {bsn: …}})</c> logs Identiteit, Politie and Melding, and makes the
/// record confidential as a police link read through its field does.</para>
/// <para>When: once the list was read, as the inzage is noted once its page is read. A request refused outright (invalid,
/// not covered by its purpose) logs nothing, and neither does a list that answers with an error (a cursor it did not give);
/// a nested list is read under each parent that came back, so under none it names no one (it told the caller nothing).</para>
/// </remarks>
public sealed class NamedPersons
{
    private readonly IReadOnlyList<NamedPerson> _persons;

    internal NamedPersons(IReadOnlyList<NamedPerson> persons) => _persons = persons;

    /// <summary>A filter that names no one (or no filter).</summary>
    public static NamedPersons None { get; } = new([]);

    public bool IsEmpty => _persons.Count == 0;

    /// <summary>Notes every person named, with every category the filter reveals about them.</summary>
    public void NoteIn(ProcessingCollector collector)
    {
        ArgumentNullException.ThrowIfNull(collector);
        foreach (var person in _persons)
        {
            if (person.Matching is { } matching)
            {
                collector.AddMatching(matching, person.Categories);
                continue;
            }
            foreach (var category in person.Categories)
            {
                if (person.PersonId is { } id) collector.AddNamed(id, category);
                else collector.AddByBsn(person.Bsn!, category);
            }
        }
    }
}

/// <summary>One person a filter names: by internal id, or by BSN, or the persons a condition on them matches; and what the filter reveals about them.</summary>
internal sealed record NamedPerson(int? PersonId, string? Bsn, IReadOnlyList<DataCategory> Categories)
{
    /// <summary>The persons a relation's filter matches (those the caller may see), when it finds them by other conditions than an identifier.</summary>
    public Expression<Func<Person, bool>>? Matching { get; init; }
}
