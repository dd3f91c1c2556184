using GraphQL.Types;
using Veiligheid.GraphQL;

namespace Veiligheid.Incidents;

/// <summary>An incident as a partner's system reports it; (caller's organisation, externalId) identifies it.</summary>
public sealed class ReportIncidentInput
{
    public required string ExternalId { get; init; }
    public IncidentCategory Category { get; init; }
    public DateTime OccurredAt { get; init; }
    public DateTime? ReportedAt { get; init; }
    public required string BagId { get; init; }
    public bool InPublicSpace { get; init; }
    public string? Version { get; init; }
}

/// <summary>A batch of incidents for bulk ingestion.</summary>
public sealed class ReportIncidentsInput
{
    public required IReadOnlyList<ReportIncidentInput> Items { get; init; }
}

public sealed class ReportIncidentInputType : InputObjectGraphType<ReportIncidentInput>
{
    public ReportIncidentInputType()
    {
        Name = "ReportIncidentInput";
        Description = "An incident as the reporting partner's own system knows it. Reporting the same externalId again updates the incident instead of adding a second one.";
        Field<NonNullGraphType<StringGraphType>>("externalId").Description("The incident's id in the caller's own system (at most 100 characters, compared exactly, so 'abc' and 'ABC' are two ids; no whitespace at either end); with the caller's organisation it identifies the incident, so a replay is an update, never a duplicate.");
        Field<NonNullGraphType<DomainEnumType<IncidentCategory>>>("category").Description("What kind of incident.");
        Field<NonNullGraphType<DateTimeScalar>>("occurredAt").Description("When it happened; not in the future, not before 1990.");
        Field<DateTimeScalar>("reportedAt").Description("When it was reported; not before occurredAt, not in the future. Defaults to now, or on a replay to the stored one, which must then not be before occurredAt either.");
        Field<NonNullGraphType<StringGraphType>>("bagId").Description("BAG verblijfsobject id of the address where it happened (16 digits); an address the caller may see.");
        Field<NonNullGraphType<BooleanGraphType>>("inPublicSpace").Description("True when it happened in public space rather than at a dwelling.");
        Field<StringGraphType>("version").Description("The version the caller last read, when it edits on that basis: a different stored version gives a CONFLICT error. Omit it to let the partner's system, the source of the incident, overwrite.");
    }

    // Built by hand: bulk requests hold thousands of these, and reflection-based binding is the slow path.
    public override object ParseDictionary(IDictionary<string, object?> value)
    {
        ArgumentNullException.ThrowIfNull(value);
        return new ReportIncidentInput
        {
            ExternalId = (string)value["externalId"]!,
            Category = (IncidentCategory)value["category"]!,
            OccurredAt = (DateTime)value["occurredAt"]!,
            ReportedAt = value.TryGetValue("reportedAt", out var reportedAt) ? (DateTime?)reportedAt : null,
            BagId = (string)value["bagId"]!,
            InPublicSpace = (bool)value["inPublicSpace"]!,
            Version = value.TryGetValue("version", out var version) ? (string?)version : null,
        };
    }
}

public sealed class ReportIncidentsInputType : InputObjectGraphType<ReportIncidentsInput>
{
    public ReportIncidentsInputType()
    {
        Name = "ReportIncidentsInput";
        Description = "A batch of incidents. At most the configured maximum per request (Ingestion:MaxBatchItems, 5,000 by default); the batch is written as a whole or not at all.";
        Field<NonNullGraphType<ListGraphType<NonNullGraphType<ReportIncidentInputType>>>>("items").Description("The incidents, each identified by its externalId; an externalId may appear once per batch.");
    }

    public override object ParseDictionary(IDictionary<string, object?> value)
    {
        ArgumentNullException.ThrowIfNull(value);
        var items = (IEnumerable<object?>)value["items"]!;
        return new ReportIncidentsInput { Items = items.Cast<ReportIncidentInput>().ToList() };
    }
}
