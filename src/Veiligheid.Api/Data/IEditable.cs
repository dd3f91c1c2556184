namespace Veiligheid.Data;

/// <summary>
/// A row partners can edit. The version is the optimistic-concurrency token: the hub sets a new one on every
/// save, so an edit based on an outdated version fails instead of silently overwriting (same on SQLite and SQL Server).
/// </summary>
public interface IEditable
{
    Guid Version { get; set; }
    DateTime CreatedAt { get; set; }
    DateTime UpdatedAt { get; set; }
}

/// <summary>
/// A row that can arrive from a partner's own system. (SourceOrganisationId, ExternalId) is unique, so a replayed
/// push from that system finds its earlier row and updates it instead of inserting a duplicate.
/// </summary>
public interface ISourced
{
    int? SourceOrganisationId { get; set; }
    string? ExternalId { get; set; }
}
