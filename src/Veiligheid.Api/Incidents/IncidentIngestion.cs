using System.ComponentModel;
using System.Data.Common;
using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Infrastructure;
using Microsoft.EntityFrameworkCore.Metadata;
using Microsoft.EntityFrameworkCore.Storage;
using Veiligheid.Access;
using Veiligheid.Data;
using Veiligheid.GraphQL;
using Veiligheid.Locations;

namespace Veiligheid.Incidents;

/// <summary>What happened to one reported incident.</summary>
[Description("What happened to one reported incident.")]
public enum IngestStatus
{
    [Description("A new incident was added.")]
    Created,
    [Description("An incident with this externalId existed and was changed.")]
    Updated,
    [Description("An incident with this externalId existed with exactly these values: nothing was written.")]
    Unchanged,
    [Description("The item has errors; nothing of the batch was written.")]
    Failed,
    [Description("The item was valid, but another item of the batch failed, so nothing of the batch was written.")]
    NotWritten,
}

/// <summary>The outcome for one item of a report.</summary>
public sealed class IngestItemResult(int index, string externalId)
{
    public int Index { get; } = index;
    public string ExternalId { get; } = externalId;
    public IngestStatus Status { get; set; } = IngestStatus.NotWritten;
    public int? IncidentId { get; set; }
    public Guid? Version { get; set; }
    public List<MutationError> Errors { get; } = [];
}

/// <summary>
/// Writes reported incidents: validates every item first, then writes all of them in one transaction or none.
/// Idempotent by (caller's organisation, externalId). Set-based per batch: one query for the addresses, one for the
/// earlier reports, prepared ADO.NET commands on the request's own connection with EF Core's column and type mappings
/// for the rows (EF's change tracking costs several times the insert itself at bulk sizes), one query for the new ids
/// and one statement per kind of audit row; the rules (versions, timestamps, audit rows) are those of every other write.
/// Collections go to the database as one JSON parameter (<see cref="EF.Parameter{T}(T)"/>): 5,000 separate parameters
/// cost more than the lookup itself, because the drivers bind parameters by name.
/// </summary>
public static class IncidentIngestion
{
    public const int DefaultMaxBatchItems = 5_000;
    private static readonly DateTime Earliest = EarliestDates.Record.ToDateTime(TimeOnly.MinValue, DateTimeKind.Utc);
    private static readonly TimeSpan ClockSkew = TimeSpan.FromMinutes(5);

    public static async Task<IReadOnlyList<IngestItemResult>> IngestAsync(
        RequestContext hub, IReadOnlyList<ReportIncidentInput> items, bool bulk, string operation, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(hub);
        ArgumentNullException.ThrowIfNull(items);
        var caller = hub.Access.Caller;
        var now = DateTime.UtcNow;
        var results = new IngestItemResult[items.Count];
        var versions = new Guid?[items.Count];
        var firstIndex = new Dictionary<string, int>(StringComparer.Ordinal);

        for (var i = 0; i < items.Count; i++)
        {
            var item = items[i];
            var prefix = bulk ? $"items[{i}]." : "";
            var result = results[i] = new IngestItemResult(i, item.ExternalId);
            var errors = new InputErrors();
            errors.ExternalId(prefix + "externalId", item.ExternalId, required: true);
            if (!string.IsNullOrWhiteSpace(item.ExternalId) && !firstIndex.TryAdd(item.ExternalId, i))
                errors.Invalid(prefix + "externalId", $"The same externalId as items[{firstIndex[item.ExternalId]}]: an incident appears once per batch.");
            if (!AreaCodes.IsBagVerblijfsobjectId(item.BagId))
                errors.Invalid(prefix + "bagId", "Not a BAG verblijfsobject id: 16 digits, the 4-digit municipality code, 01, then a 10-digit serial.");
            if (item.OccurredAt > now + ClockSkew) errors.Invalid(prefix + "occurredAt", "Lies in the future.");
            if (item.OccurredAt < Earliest) errors.Invalid(prefix + "occurredAt", "Before 1990-01-01.");
            if (item.ReportedAt is { } reportedAt)
            {
                if (reportedAt < item.OccurredAt) errors.Invalid(prefix + "reportedAt", "Before occurredAt: an incident is reported after it happens.");
                if (reportedAt > now + ClockSkew) errors.Invalid(prefix + "reportedAt", "Lies in the future.");
            }
            versions[i] = errors.Version(prefix + "version", item.Version);
            result.Errors.AddRange(errors);
        }

        // Addresses the caller may see, by BAG id, and the caller's earlier reports of these external ids: two queries.
        var bagIds = items.Select(i => i.BagId).Where(AreaCodes.IsBagVerblijfsobjectId).Distinct().ToList();
        var locations = await hub.Locations().AsNoTracking().Where(l => EF.Parameter(bagIds).Contains(l.BagId))
            .Select(l => new { l.BagId, l.Id, l.NeighbourhoodId })
            .ToDictionaryAsync(l => l.BagId, l => (l.Id, l.NeighbourhoodId), cancellationToken);
        var externalIds = firstIndex.Keys.ToList();
        var organisationId = caller.OrganisationId;
        var existing = await OwnByExternalId(hub.Db, organisationId, externalIds)
            .ToDictionaryAsync(x => x.ExternalId!, StringComparer.Ordinal, cancellationToken);

        var rows = new Incident?[items.Count];
        for (var i = 0; i < items.Count; i++)
        {
            var item = items[i];
            var result = results[i];
            var prefix = bulk ? $"items[{i}]." : "";
            if (AreaCodes.IsBagVerblijfsobjectId(item.BagId) && !locations.ContainsKey(item.BagId))
                result.Errors.Add(new MutationError(MutationErrorCode.NotFound, prefix + "bagId", "No address with this BAG id that the caller may see."));
            if (result.Errors.Count > 0) continue;

            var (locationId, neighbourhoodId) = locations[item.BagId];
            existing.TryGetValue(item.ExternalId, out var stored);
            if (stored is not null && versions[i] is { } expected && expected != stored.Version)
            {
                result.Errors.Add(new MutationError(MutationErrorCode.Conflict, prefix + "version",
                    "The incident changed since this version was read.", stored.Version));
                continue;
            }
            // A replay without reportedAt keeps the stored one, which must then still come after the new occurredAt.
            if (item.ReportedAt is null && stored is not null && stored.ReportedAt < item.OccurredAt)
            {
                result.Errors.Add(new MutationError(MutationErrorCode.Invalid, prefix + "reportedAt",
                    "The stored reportedAt is before this occurredAt: an incident is reported after it happens; send reportedAt with it."));
                continue;
            }
            var row = new Incident
            {
                Id = stored?.Id ?? 0,
                Category = item.Category,
                OccurredAt = item.OccurredAt,
                ReportedAt = item.ReportedAt ?? stored?.ReportedAt ?? now,
                LocationId = locationId,
                NeighbourhoodId = neighbourhoodId,
                ReportingOrganisationId = organisationId,
                InPublicSpace = item.InPublicSpace,
                SourceOrganisationId = organisationId,
                ExternalId = item.ExternalId,
                Version = stored?.Version ?? Guid.Empty,
                CreatedAt = stored?.CreatedAt ?? now,
                UpdatedAt = now,
            };
            if (stored is not null && SameValues(stored, row))
            {
                result.Status = IngestStatus.Unchanged;
                result.IncidentId = stored.Id;
                result.Version = stored.Version;
                continue;
            }
            rows[i] = row;
        }

        if (results.Any(r => r.Errors.Count > 0))
        {
            foreach (var r in results) r.Status = r.Errors.Count > 0 ? IngestStatus.Failed : IngestStatus.NotWritten;
            return results;
        }

        await WriteAsync(hub, caller, rows, results, operation, now, cancellationToken);
        return results;
    }

    private static bool SameValues(Incident stored, Incident row)
        => stored.Category == row.Category
           && stored.OccurredAt.Ticks == row.OccurredAt.Ticks
           && stored.ReportedAt.Ticks == row.ReportedAt.Ticks
           && stored.LocationId == row.LocationId
           && stored.NeighbourhoodId == row.NeighbourhoodId
           && stored.InPublicSpace == row.InPublicSpace
           && stored.ReportingOrganisationId == row.ReportingOrganisationId;

    /// <summary>The organisation's incidents with these externalIds, the list sent as one parameter (one statement
    /// and one plan for any batch size). <see cref="ExternalIds.Exact"/>: on SQL Server the list's values would otherwise
    /// conflict with the column's collation.</summary>
    private static IQueryable<Incident> OwnByExternalId(VeiligheidDbContext db, int organisationId, List<string> externalIds)
        => db.Incidents.AsNoTracking()
            .Where(x => x.SourceOrganisationId == organisationId && EF.Parameter(externalIds).Contains(ExternalIds.Exact(x.ExternalId!)));

    private static async Task WriteAsync(RequestContext hub, Caller caller, Incident?[] rows, IngestItemResult[] results,
        string operation, DateTime now, CancellationToken cancellationToken)
    {
        if (rows.All(r => r is null)) return;
        var db = hub.Db;
        await using var transaction = await db.Database.BeginTransactionAsync(cancellationToken);
        var connection = db.Database.GetDbConnection();
        var dbTransaction = transaction.GetDbTransaction();
        var sqlite = db.Database.ProviderName?.Contains("Sqlite", StringComparison.Ordinal) == true;
        var isNew = Array.ConvertAll(rows, r => r is { Id: 0 });

        // Changes of earlier reports first: each UPDATE checks the version it was read with, so a conflict is found
        // before anything else is written.
        string[] updateColumns =
        [
            nameof(Incident.Category), nameof(Incident.OccurredAt), nameof(Incident.ReportedAt), nameof(Incident.LocationId),
            nameof(Incident.NeighbourhoodId), nameof(Incident.ReportingOrganisationId), nameof(Incident.InPublicSpace),
            nameof(Incident.Version), nameof(Incident.UpdatedAt),
        ];
        IncidentUpdate? update = null;
        try
        {
            for (var i = 0; i < rows.Length; i++)
            {
                if (rows[i] is not { Id: > 0 } row) continue;
                update ??= new IncidentUpdate(db, connection, dbTransaction, updateColumns);
                var previousVersion = row.Version;
                row.Version = Guid.NewGuid();
                if (await update.UpdateAsync(row, row.Id, previousVersion, cancellationToken)) continue;
                // Changed by another request between our read and this write: nothing of the batch is kept.
                await transaction.RollbackAsync(cancellationToken);
                var current = await db.Incidents.AsNoTracking().Where(x => x.Id == row.Id).Select(x => (Guid?)x.Version).FirstOrDefaultAsync(cancellationToken);
                foreach (var r in results) r.Status = IngestStatus.NotWritten;
                results[i].Status = IngestStatus.Failed;
                results[i].Errors.Add(new MutationError(MutationErrorCode.Conflict, null, "The incident changed while this request was written; read it again, then retry.", current));
                return;
            }
        }
        finally
        {
            if (update is not null) await update.DisposeAsync();
        }

        // New reports: one prepared INSERT reused for every row (on SQLite a multi-row statement is no faster, and both
        // drivers look parameters up by name), then their ids in one statement by (organisation, externalId), the
        // unique key. Nothing is returned per row.
        var created = new List<string>();
        await using (var inserter = new TableInserter<Incident>(db, connection, dbTransaction, IncidentRowsPerStatement(sqlite), explicitKeys: false))
        {
            foreach (var row in rows)
            {
                if (row is not { Id: 0 }) continue;
                row.Version = Guid.NewGuid();
                created.Add(row.ExternalId!);
                await inserter.AddAsync(row, cancellationToken);
            }
        }
        if (created.Count > 0)
        {
            var organisationId = caller.OrganisationId;
            var ids = await OwnByExternalId(db, organisationId, created)
                .Select(x => new { ExternalId = x.ExternalId!, x.Id })
                .ToDictionaryAsync(x => x.ExternalId, x => x.Id, StringComparer.Ordinal, cancellationToken);
            for (var i = 0; i < rows.Length; i++)
            {
                if (isNew[i]) rows[i]!.Id = ids[rows[i]!.ExternalId!];
            }
        }

        // One audit row per written incident, in the same transaction: one statement for the new ones, one for the changed.
        var createdIds = new List<int>();
        var updatedIds = new List<int>();
        for (var i = 0; i < rows.Length; i++)
        {
            if (rows[i] is not { } row) continue;
            (isNew[i] ? createdIds : updatedIds).Add(row.Id);
            results[i].Status = isNew[i] ? IngestStatus.Created : IngestStatus.Updated;
            results[i].IncidentId = row.Id;
            results[i].Version = row.Version;
        }
        await WriteAudits.InsertManyAsync(db, MutationFields.NewAudit(caller, WriteAction.ReportIncident, operation, "Incident", 0, WriteChange.Created, now), createdIds, cancellationToken);
        await WriteAudits.InsertManyAsync(db, MutationFields.NewAudit(caller, WriteAction.ReportIncident, operation, "Incident", 0, WriteChange.Updated, now), updatedIds, cancellationToken);
        await transaction.CommitAsync(cancellationToken);
    }

    // SQLite: a prepared single-row INSERT is as fast as any multi-row form (measured, see BENCHMARKS.md). SQL Server:
    // fewer round trips; TableInserter keeps a statement under its 2,100 parameters.
    private static int IncidentRowsPerStatement(bool sqlite) => sqlite ? 1 : 100;
}

/// <summary>
/// One prepared UPDATE of an incident that succeeds only while the row still has the version it was read with, with
/// table, column names and parameter types taken from the EF Core model (so enums become strings, Guids and times are
/// stored exactly as EF stores them) on both providers.
/// </summary>
internal sealed class IncidentUpdate : IAsyncDisposable
{
    private readonly DbCommand _command;
    private readonly (IProperty Property, DbParameter Parameter, RelationalTypeMapping Mapping)[] _values;
    private readonly DbParameter _id;
    private readonly DbParameter _expectedVersion;
    private readonly RelationalTypeMapping _versionMapping;

    public IncidentUpdate(DbContext db, DbConnection connection, DbTransaction transaction, string[] properties)
    {
        var entity = db.Model.FindEntityType(typeof(Incident)) ?? throw new InvalidOperationException("Incident is not in the model.");
        var table = StoreObjectIdentifier.Table(entity.GetTableName()!, entity.GetSchema());
        var sql = db.GetService<ISqlGenerationHelper>();
        string Column(IProperty p) => sql.DelimitIdentifier(p.GetColumnName(table)!);

        _command = connection.CreateCommand();
        _command.Transaction = transaction;
        _values = new (IProperty, DbParameter, RelationalTypeMapping)[properties.Length];
        for (var i = 0; i < _values.Length; i++)
        {
            var property = entity.FindProperty(properties[i]) ?? throw new InvalidOperationException($"No property {properties[i]}.");
            var mapping = property.GetRelationalTypeMapping();
            var parameter = mapping.CreateParameter(_command, "@p" + i.ToString(System.Globalization.CultureInfo.InvariantCulture), null, nullable: true);
            _command.Parameters.Add(parameter);
            _values[i] = (property, parameter, mapping);
        }
        var key = entity.FindPrimaryKey()!.Properties[0];
        var version = entity.FindProperty(nameof(IEditable.Version))!;
        _id = key.GetRelationalTypeMapping().CreateParameter(_command, "@id", null, nullable: false);
        _versionMapping = version.GetRelationalTypeMapping();
        _expectedVersion = _versionMapping.CreateParameter(_command, "@expectedVersion", null, nullable: false);
        _command.Parameters.Add(_id);
        _command.Parameters.Add(_expectedVersion);
#pragma warning disable CA2100 // Identifiers come from the EF model; every value is a parameter.
        _command.CommandText = $"UPDATE {sql.DelimitIdentifier(table.Name, table.Schema)} SET {string.Join(", ", _values.Select(v => $"{Column(v.Property)} = {v.Parameter.ParameterName}"))} "
            + $"WHERE {Column(key)} = @id AND {Column(version)} = @expectedVersion;";
#pragma warning restore CA2100
    }

    /// <summary>Updates the row when it still has <paramref name="expectedVersion"/>; false when it does not (a conflict).</summary>
    public async Task<bool> UpdateAsync(Incident row, int id, Guid expectedVersion, CancellationToken cancellationToken)
    {
        foreach (var (property, parameter, mapping) in _values)
        {
            parameter.Value = Provider(mapping, property.GetGetter().GetClrValue(row));
        }
        _id.Value = id;
        _expectedVersion.Value = Provider(_versionMapping, expectedVersion);
        return await _command.ExecuteNonQueryAsync(cancellationToken) == 1;
    }

    private static object Provider(RelationalTypeMapping mapping, object? value)
    {
        if (value is null) return DBNull.Value;
        return (mapping.Converter is { } converter ? converter.ConvertToProvider(value) : value) ?? DBNull.Value;
    }

    public ValueTask DisposeAsync() => _command.DisposeAsync();
}
