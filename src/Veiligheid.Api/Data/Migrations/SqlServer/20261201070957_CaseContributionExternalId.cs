using Microsoft.EntityFrameworkCore.Migrations;

#nullable disable

namespace Veiligheid.Data.Migrations.SqlServer
{
    /// <inheritdoc />
    public partial class CaseContributionExternalId : Migration
    {
        /// <inheritdoc />
        protected override void Up(MigrationBuilder migrationBuilder)
        {
            // A partner's note may carry its system's id, so a retried addCaseContribution finds the note instead of adding it
            // twice: one per (organisation, externalId), as for the other sourced rows. Existing notes have none (NULL) and
            // are outside the filtered index; the column compares binary, as every externalId column does here.
            migrationBuilder.AddColumn<string>(
                name: "ExternalId",
                table: "CaseContributions",
                type: "nvarchar(100)",
                maxLength: 100,
                nullable: true,
                collation: "Latin1_General_100_BIN2");

            migrationBuilder.AddColumn<int>(
                name: "SourceOrganisationId",
                table: "CaseContributions",
                type: "int",
                nullable: true);

            migrationBuilder.CreateIndex(
                name: "IX_CaseContributions_SourceOrganisationId_ExternalId",
                table: "CaseContributions",
                columns: new[] { "SourceOrganisationId", "ExternalId" },
                unique: true,
                filter: "[SourceOrganisationId] IS NOT NULL AND [ExternalId] IS NOT NULL");
        }

        /// <inheritdoc />
        protected override void Down(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.DropIndex(
                name: "IX_CaseContributions_SourceOrganisationId_ExternalId",
                table: "CaseContributions");

            migrationBuilder.DropColumn(
                name: "ExternalId",
                table: "CaseContributions");

            migrationBuilder.DropColumn(
                name: "SourceOrganisationId",
                table: "CaseContributions");
        }
    }
}
