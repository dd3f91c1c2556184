using Microsoft.EntityFrameworkCore.Migrations;

#nullable disable

namespace Veiligheid.Data.Migrations.SqlServer
{
    /// <summary>
    /// An action's records chained as one: the action holds their hash (ProcessingAction.Hash) and they store an empty one,
    /// so the writer hashes once per request instead of once per person (BENCHMARKS.md, "Eighteenth round"). The view
    /// gives each record its own hash or else its action's; records written before keep theirs and verify as they did.
    /// </summary>
    public partial class ProcessingActionHash : Migration
    {
        /// <inheritdoc />
        protected override void Up(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.AddColumn<string>(
                name: "Hash",
                table: "ProcessingActions",
                type: "nchar(64)",
                fixedLength: true,
                maxLength: 64,
                nullable: true);

            // The view made again with the record's hash falling back to its action's (each record of an action chained
            // as one reads the action's hash, as a kept head or the processing log's page shows it).
            migrationBuilder.Sql("DROP VIEW [ProcessingRecords];");
            migrationBuilder.Sql("EXEC(N'CREATE VIEW [ProcessingRecords] AS SELECT [l].[Sequence], [a].[ActionId], [a].[ActionName], [a].[OccurredAt], [a].[OrganisationId], [a].[OrganisationKey], [a].[Role], [a].[ApplicationId], [a].[UserId], [a].[Purpose], [a].[LegalGround], [a].[RetentionYears], [l].[PersonId], [l].[ProtectedBsn], [l].[Categories], [l].[Confidentiality], COALESCE(NULLIF([l].[Hash], N''''), [a].[Hash]) AS [Hash] FROM [ProcessingLog] AS [l] INNER JOIN [ProcessingActions] AS [a] ON [a].[Id] = [l].[ActionKey];');");
        }

        /// <inheritdoc />
        /// <remarks>
        /// The records written chained as one keep an empty hash of their own, which the hub before this migration cannot
        /// verify: go down only with a log written before it.
        /// </remarks>
        protected override void Down(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.Sql("DROP VIEW [ProcessingRecords];");

            migrationBuilder.DropColumn(
                name: "Hash",
                table: "ProcessingActions");

            // After the column is gone: SQLite drops it by making the table again, which a view naming it would refuse.
            migrationBuilder.Sql("EXEC(N'CREATE VIEW [ProcessingRecords] AS SELECT [l].[Sequence], [a].[ActionId], [a].[ActionName], [a].[OccurredAt], [a].[OrganisationId], [a].[OrganisationKey], [a].[Role], [a].[ApplicationId], [a].[UserId], [a].[Purpose], [a].[LegalGround], [a].[RetentionYears], [l].[PersonId], [l].[ProtectedBsn], [l].[Categories], [l].[Confidentiality], [l].[Hash] FROM [ProcessingLog] AS [l] INNER JOIN [ProcessingActions] AS [a] ON [a].[Id] = [l].[ActionKey];');");
        }
    }
}
