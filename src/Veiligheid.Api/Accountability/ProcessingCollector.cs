using Veiligheid.Access;

namespace Veiligheid.Accountability;

/// <summary>
/// The persons one request processed and the categories of their data it touched, collected while the request runs;
/// written to the processing log as one record per person before the response leaves the hub.
/// </summary>
public sealed class ProcessingCollector
{
    private readonly Dictionary<int, ProcessedPerson> _byId = [];
    private readonly Dictionary<string, ProcessedPerson> _byBsnOnly = new(StringComparer.Ordinal);

    /// <summary>The persons processed so far, by internal id, then the ones known only by BSN.</summary>
    public IReadOnlyCollection<ProcessedPerson> Persons => [.. _byId.Values.OrderBy(p => p.PersonId), .. _byBsnOnly.Values];

    public bool IsEmpty => _byId.Count == 0 && _byBsnOnly.Count == 0;

    /// <summary>Notes that the request processed this person's data of this category.</summary>
    public void Add(int personId, DataCategory category, string? bsn = null)
    {
        if (!_byId.TryGetValue(personId, out var person))
        {
            person = new ProcessedPerson(personId);
            _byId[personId] = person;
        }
        person.Categories.Add(category);
        person.Bsn ??= bsn;
    }

    /// <summary>Notes a person the hub no longer holds (for example after retention), known only by BSN.</summary>
    public void AddByBsn(string bsn, DataCategory category)
    {
        if (!_byBsnOnly.TryGetValue(bsn, out var person))
        {
            person = new ProcessedPerson(null) { Bsn = bsn };
            _byBsnOnly[bsn] = person;
        }
        person.Categories.Add(category);
    }
}

/// <summary>One person a request processed.</summary>
public sealed class ProcessedPerson(int? personId)
{
    public int? PersonId { get; } = personId;

    /// <summary>Held only in memory to compute the protected form; never written.</summary>
    public string? Bsn { get; set; }

    public SortedSet<DataCategory> Categories { get; } = [];
}
