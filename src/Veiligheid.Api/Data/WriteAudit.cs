using System.Globalization;
using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Infrastructure;
using Microsoft.EntityFrameworkCore.Metadata;
using Microsoft.EntityFrameworkCore.Metadata.Builders;
using Microsoft.EntityFrameworkCore.Storage;
using Veiligheid.Access;

namespace Veiligheid.Data;

/// <summary>What a write did to a row.</summary>
public enum WriteChange
{
    Created,
    Updated,
}

/// <summary>
/// One write, for accountability: who (organisation, role, application, user) did what to which row, when. Written in
/// the same transaction as the change itself, so a write without its audit row cannot exist. Never holds a BSN, a name
/// or any other content of the row.
/// </summary>
public sealed class WriteAudit
{
    public long Id { get; set; }
    public DateTime At { get; set; }
    public int OrganisationId { get; set; }
    public required string Role { get; set; }
    public required string ClientAppId { get; set; }
    public string? UserObjectId { get; set; }
    public WriteAction Action { get; set; }

    /// <summary>The GraphQL field that did it, e.g. "reportIncidents".</summary>
    public required string Operation { get; set; }

    /// <summary>The entity type written, e.g. "Incident".</summary>
    public required string EntityType { get; set; }

    public int EntityId { get; set; }
    public WriteChange Change { get; set; }
}

internal sealed class WriteAuditConfiguration : IEntityTypeConfiguration<WriteAudit>
{
    public void Configure(EntityTypeBuilder<WriteAudit> entity)
    {
        entity.Property(a => a.Role).HasMaxLength(40);
        entity.Property(a => a.ClientAppId).HasMaxLength(64);
        entity.Property(a => a.UserObjectId).HasMaxLength(64);
        entity.Property(a => a.Operation).HasMaxLength(60);
        entity.Property(a => a.EntityType).HasMaxLength(40);
        entity.HasIndex(a => new { a.EntityType, a.EntityId });
        entity.HasIndex(a => new { a.OrganisationId, a.At });
    }
}

/// <summary>
/// Audit rows for many rows written by one request in one statement: the who/what/when is the same for all of them,
/// only the entity id differs, so the ids go in as one JSON array parameter and the database makes one audit row per
/// id (json_each on SQLite, OPENJSON on SQL Server), in the order given. Must run in the transaction of the write.
/// </summary>
public static class WriteAudits
{
    public static async Task InsertManyAsync(DbContext db, WriteAudit template, IReadOnlyList<int> entityIds, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(db);
        ArgumentNullException.ThrowIfNull(template);
        ArgumentNullException.ThrowIfNull(entityIds);
        if (entityIds.Count == 0) return;
        var entity = db.Model.FindEntityType(typeof(WriteAudit)) ?? throw new InvalidOperationException("WriteAudit is not in the model.");
        var table = StoreObjectIdentifier.Table(entity.GetTableName()!, entity.GetSchema());
        var sql = db.GetService<ISqlGenerationHelper>();
        var sqlServer = db.Database.IsSqlServer();
        var connection = db.Database.GetDbConnection();

        await using var command = connection.CreateCommand();
        command.Transaction = db.Database.CurrentTransaction?.GetDbTransaction()
            ?? throw new InvalidOperationException("Audit rows are written in the transaction of the write they record.");
        var columns = new List<string>();
        var values = new List<string>();
        foreach (var property in entity.GetProperties())
        {
            if (property.IsPrimaryKey()) continue;
            columns.Add(sql.DelimitIdentifier(property.GetColumnName(table)!));
            if (property.Name == nameof(WriteAudit.EntityId))
            {
                values.Add(sqlServer ? "CAST([value] AS int)" : "CAST(value AS INTEGER)");
                continue;
            }
            var mapping = property.GetRelationalTypeMapping();
            var name = "@" + property.Name;
            // The mapping converts the value as EF would (enums to their stored names, times to the stored format).
            command.Parameters.Add(mapping.CreateParameter(command, name, property.GetGetter().GetClrValue(template), property.IsNullable));
            values.Add(name);
        }
        var ids = command.CreateParameter();
        ids.ParameterName = "@ids";
        ids.Value = "[" + string.Join(",", entityIds.Select(id => id.ToString(CultureInfo.InvariantCulture))) + "]";
        command.Parameters.Add(ids);
#pragma warning disable CA2100 // Identifiers come from the EF model; every value is a parameter.
        command.CommandText = $"INSERT INTO {sql.DelimitIdentifier(table.Name, table.Schema)} ({string.Join(", ", columns)}) SELECT {string.Join(", ", values)} "
            + (sqlServer ? "FROM OPENJSON(@ids) ORDER BY CAST([key] AS int);" : "FROM json_each(@ids) ORDER BY key;");
#pragma warning restore CA2100
        var written = await command.ExecuteNonQueryAsync(cancellationToken);
        if (written != entityIds.Count) throw new InvalidOperationException($"Wrote {written} audit rows for {entityIds.Count} written rows.");
    }
}
