using Microsoft.EntityFrameworkCore.Migrations;

#nullable disable

namespace Veiligheid.Data.Migrations.SqlServer
{
    /// <summary>
    /// A request's records packed into its action's row (ProcessingAction.Records, Accountability.PackedRecords) instead of
    /// a person row each: a person row cost 2.3–2.7 µs to insert whatever it held (BENCHMARKS.md, "Twentieth round"). The
    /// view reads both forms: each person row with its action, and each packed element with its action (its sequence the
    /// action's id plus its place), with the action's key beside each record for readers that bound it.
    /// </summary>
    public partial class PackedRecords : Migration
    {
        /// <inheritdoc />
        protected override void Up(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.AddColumn<string>(
                name: "Records",
                table: "ProcessingActions",
                type: "nvarchar(max)",
                nullable: true);

            migrationBuilder.Sql("DROP VIEW [ProcessingRecords];");
            migrationBuilder.Sql("EXEC(N'CREATE VIEW [ProcessingRecords] AS SELECT [l].[Sequence], [l].[ActionKey], [a].[ActionId], [a].[ActionName], [a].[OccurredAt], [a].[OrganisationId], [a].[OrganisationKey], [a].[Role], [a].[ApplicationId], [a].[UserId], [a].[Purpose], [a].[LegalGround], [a].[RetentionYears], [l].[PersonId], [l].[ProtectedBsn], [l].[Categories], [l].[Confidentiality], COALESCE(NULLIF([l].[Hash], N''''), [a].[Hash]) AS [Hash] FROM [ProcessingLog] AS [l] INNER JOIN [ProcessingActions] AS [a] ON [a].[Id] = [l].[ActionKey] UNION ALL SELECT [a].[Id] + CAST([r].[key] AS bigint), [a].[Id], [a].[ActionId], [a].[ActionName], [a].[OccurredAt], [a].[OrganisationId], [a].[OrganisationKey], [a].[Role], [a].[ApplicationId], [a].[UserId], [a].[Purpose], [a].[LegalGround], [a].[RetentionYears], CAST(JSON_VALUE([r].[value], ''$[0]'') AS int), CAST(JSON_VALUE([r].[value], ''$[1]'') AS nvarchar(64)), CAST(JSON_VALUE([r].[value], ''$[2]'') AS nvarchar(200)), CAST(JSON_VALUE([r].[value], ''$[3]'') AS nvarchar(40)), [a].[Hash] FROM [ProcessingActions] AS [a] CROSS APPLY OPENJSON([a].[Records]) AS [r] WHERE [a].[Records] IS NOT NULL;');");
        }

        /// <inheritdoc />
        /// <remarks>The packed records would go with their column: refused while the log holds any (take the backup made before instead).</remarks>
        protected override void Down(MigrationBuilder migrationBuilder)
        {
            // Refused while the log holds packed records, before anything is changed.
            migrationBuilder.Sql("IF EXISTS (SELECT 1 FROM [ProcessingActions] WHERE [Records] IS NOT NULL) THROW 50000, N'The processing log holds records packed into their actions since the migration PackedRecords: going down over it would drop them with their column. Restore the backup of the database made before it instead.', 1;");

            migrationBuilder.Sql("DROP VIEW [ProcessingRecords];");

            migrationBuilder.DropColumn(
                name: "Records",
                table: "ProcessingActions");

            migrationBuilder.Sql("EXEC(N'CREATE VIEW [ProcessingRecords] AS SELECT [l].[Sequence], [a].[ActionId], [a].[ActionName], [a].[OccurredAt], [a].[OrganisationId], [a].[OrganisationKey], [a].[Role], [a].[ApplicationId], [a].[UserId], [a].[Purpose], [a].[LegalGround], [a].[RetentionYears], [l].[PersonId], [l].[ProtectedBsn], [l].[Categories], [l].[Confidentiality], COALESCE(NULLIF([l].[Hash], N''''), [a].[Hash]) AS [Hash] FROM [ProcessingLog] AS [l] INNER JOIN [ProcessingActions] AS [a] ON [a].[Id] = [l].[ActionKey];');");
        }
    }
}
