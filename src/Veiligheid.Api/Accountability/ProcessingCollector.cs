using System.Collections.Concurrent;
using System.Linq.Expressions;
using Veiligheid.Access;
using Veiligheid.Persons;

namespace Veiligheid.Accountability;

/// <summary>
/// The persons one request processed and the categories of their data it touched, collected while the request runs;
/// written to the processing log as one record per person before the response leaves the hub.
/// </summary>
public sealed class ProcessingCollector
{
    private readonly Dictionary<int, ProcessedPerson> _byId = [];
    private readonly Dictionary<string, ProcessedPerson> _byBsnOnly = new(StringComparer.Ordinal);
    // By reference: a list's filter is noted under each parent it is read under, with the same condition each time.
    private readonly Dictionary<Expression<Func<Person, bool>>, HashSet<DataCategory>> _matching = new(ReferenceEqualityComparer.Instance);
    // By reference: the resolvers read each list's rows without tracking, so every row object is that list's alone.
    private readonly Dictionary<object, IReadOnlyList<DataCategory>> _readByFilter = new(ReferenceEqualityComparer.Instance);

    /// <summary>The persons processed so far, by internal id, then the ones known only by BSN.</summary>
    public IReadOnlyCollection<ProcessedPerson> Persons
    {
        get
        {
            var persons = new List<ProcessedPerson>(_byId.Count + _byBsnOnly.Count);
            persons.AddRange(_byId.Values);
            persons.Sort(static (a, b) => a.PersonId!.Value.CompareTo(b.PersonId!.Value)); // ids are unique: no ties to keep in order
            persons.AddRange(_byBsnOnly.Values);
            return persons;
        }
    }

    public bool IsEmpty => _byId.Count == 0 && _byBsnOnly.Count == 0 && !HasMatching;

    /// <summary>Notes that the request processed this person's data of this category.</summary>
    public void Add(int personId, DataCategory category, string? bsn = null)
    {
        if (!_byId.TryGetValue(personId, out var person))
        {
            person = new ProcessedPerson(personId);
            _byId[personId] = person;
        }
        person.Add(category);
        person.Bsn ??= bsn;
        person.NamedOnly = false;
    }

    /// <summary>
    /// Notes a person the request named by id only (a filter's id, the privacy officer's look-up of the log): processed if
    /// the hub holds such a person, or if <paramref name="protectedBsn"/> is given: the form the log's records about that id
    /// carry, for a person the hub no longer holds (retention removed them), whose look-up belongs in their access report.
    /// An id no person has names no one, and the log leaves it out (<see cref="ProcessedPerson.NamedOnly"/>), or a filter
    /// of a thousand made-up ids would write a thousand records about no one.
    /// </summary>
    public void AddNamed(int personId, DataCategory category, string? protectedBsn = null)
    {
        if (!_byId.TryGetValue(personId, out var person))
        {
            person = new ProcessedPerson(personId) { NamedOnly = true };
            _byId[personId] = person;
        }
        person.Add(category);
        person.ProtectedBsn ??= protectedBsn;
    }

    /// <summary>
    /// Notes a person known to the request only by BSN: one it named (a filter's BSN, an inzage), held or not, visible or
    /// not. When the log is written, a person the hub holds is given its id (<see cref="Identify"/>); one it does not hold
    /// (never, or no longer after retention) keeps a record by its protected BSN alone.
    /// </summary>
    public void AddByBsn(string bsn, DataCategory category)
    {
        if (!_byBsnOnly.TryGetValue(bsn, out var person))
        {
            person = new ProcessedPerson(null) { Bsn = bsn };
            _byBsnOnly[bsn] = person;
        }
        person.Add(category);
    }

    /// <summary>
    /// Notes the persons a condition matches (a filter through a relation to persons, by names or an address,
    /// <see cref="NamedPersons"/>): each processed with these categories. Which persons those are is read when the log is
    /// written (<see cref="Match"/>), in one statement per condition, however many parents a list was read under.
    /// </summary>
    public void AddMatching(Expression<Func<Person, bool>> persons, IEnumerable<DataCategory> categories)
    {
        ArgumentNullException.ThrowIfNull(persons);
        ArgumentNullException.ThrowIfNull(categories);
        if (!_matching.TryGetValue(persons, out var noted)) _matching[persons] = noted = [];
        noted.UnionWith(categories);
    }

    /// <summary>
    /// Notes that the filter of the list that answered these rows read <paramref name="categories"/> of each row's person
    /// (<see cref="GraphQL.FilterDefinition{T}.ReadOfEachPerson"/>): a case's subjects filtered on a surname read the
    /// surname of every subject they answer. Noted for a row's person as the row is (<see cref="AddReadByFilter"/>), so a
    /// row the response leaves out (the one read past a page to tell whether more follow) notes nothing.
    /// </summary>
    public void NoteReadByFilter(System.Collections.IEnumerable rows, IReadOnlyList<DataCategory> categories)
    {
        ArgumentNullException.ThrowIfNull(rows);
        ArgumentNullException.ThrowIfNull(categories);
        if (categories.Count == 0) return;
        foreach (var row in rows) _readByFilter[row] = categories;
    }

    /// <summary>Notes the person of <paramref name="row"/> with what its list's filter read of them (<see cref="NoteReadByFilter"/>); nothing for another row.</summary>
    public void AddReadByFilter(object row, int personId)
    {
        if (_readByFilter.Count == 0 || !_readByFilter.TryGetValue(row, out var categories)) return;
        foreach (var category in categories) Add(personId, category);
    }

    /// <summary>Whether some condition was noted by <see cref="AddMatching"/>.</summary>
    public bool HasMatching => _matching.Count > 0;

    /// <summary>The conditions noted by <see cref="AddMatching"/>, each with its categories.</summary>
    public IEnumerable<(Expression<Func<Person, bool>> Persons, IReadOnlyCollection<DataCategory> Categories)> Matching
        => _matching.Select(m => (m.Key, (IReadOnlyCollection<DataCategory>)m.Value));

    /// <summary>
    /// Drops the conditions noted by <see cref="AddMatching"/>: for a mutation whose response was refused for them
    /// (<see cref="TooManyPersonsMatchedException"/>), whose writes are then logged without them, as the response that
    /// asked for them goes nowhere.
    /// </summary>
    public void ForgetMatching() => _matching.Clear();

    /// <summary>Notes each person a condition of <see cref="Matching"/> matched (<paramref name="persons"/>: id and BSN) with its categories.</summary>
    public void Match(IReadOnlyCollection<DataCategory> categories, IEnumerable<(int Id, string Bsn)> persons)
    {
        ArgumentNullException.ThrowIfNull(categories);
        ArgumentNullException.ThrowIfNull(persons);
        foreach (var (id, bsn) in persons)
        {
            foreach (var category in categories) Add(id, category, bsn);
        }
    }

    /// <summary>The BSNs of the persons noted only by BSN so far.</summary>
    public IReadOnlyCollection<string> BsnsOnly => _byBsnOnly.Keys;

    /// <summary>
    /// Gives the persons noted only by BSN their ids, where <paramref name="idsByBsn"/> has them: each becomes the person
    /// noted by that id (one record per person), with the categories of both.
    /// </summary>
    public void Identify(IReadOnlyDictionary<string, int> idsByBsn)
    {
        ArgumentNullException.ThrowIfNull(idsByBsn);
        foreach (var (bsn, id) in idsByBsn)
        {
            if (!_byBsnOnly.Remove(bsn, out var named)) continue;
            if (!_byId.TryGetValue(id, out var person))
            {
                person = new ProcessedPerson(id);
                _byId[id] = person;
            }
            person.Add(named);
            person.Bsn ??= bsn;
        }
    }
}

/// <summary>One person a request processed.</summary>
/// <remarks>
/// The categories are bits of one number: a request notes a category per field of each person it reads, and a sorted
/// set per person with its enumerators and the joined list made of it was a tenth of what the hub allocated under the load
/// test (BENCHMARKS.md, fourteenth round).
/// </remarks>
public sealed class ProcessedPerson(int? personId)
{
    private static readonly DataCategory[] AllCategories = Enum.GetValues<DataCategory>();
    // The log's list for each set of categories met so far: a request's persons mostly share a handful of sets.
    private static readonly ConcurrentDictionary<int, string> Lists = new();

    static ProcessedPerson()
    {
        if (AllCategories.Any(c => (int)c is < 0 or >= 32)) throw new InvalidOperationException("A data category does not fit a bit of an int.");
    }

    private int _categories;

    public int? PersonId { get; } = personId;

    /// <summary>Held only in memory to compute the protected form; never written.</summary>
    public string? Bsn { get; set; }

    /// <summary>
    /// The protected form taken from the log's own records about this person, for one the hub no longer holds (so has no
    /// <see cref="Bsn"/> of); the record is written with it when no BSN is found.
    /// </summary>
    internal string? ProtectedBsn { get; set; }

    /// <summary>Whether the request only named this person by id (<see cref="ProcessingCollector.AddNamed"/>) and read nothing of it.</summary>
    internal bool NamedOnly { get; set; }

    /// <summary>The categories of this person's data the request touched, in their declared order.</summary>
    public IEnumerable<DataCategory> Categories => AllCategories.Where(Touched);

    /// <summary>The categories as the processing log writes them: their names in declared order, separated by commas.</summary>
    public string CategoryList => Lists.GetOrAdd(_categories, static (_, person) => string.Join(",", person.Categories), this);

    /// <summary>Notes that the request touched this person's data of this category.</summary>
    public void Add(DataCategory category) => _categories |= Bit(category);

    /// <summary>Notes every category noted of <paramref name="other"/> (the same person, known another way).</summary>
    internal void Add(ProcessedPerson other) => _categories |= other._categories;

    /// <summary>Whether the request touched this person's data of this category.</summary>
    public bool Touched(DataCategory category) => (_categories & Bit(category)) != 0;

    private static int Bit(DataCategory category) => 1 << (int)category;
}
