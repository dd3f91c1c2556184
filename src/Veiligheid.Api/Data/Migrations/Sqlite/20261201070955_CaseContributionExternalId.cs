using Microsoft.EntityFrameworkCore.Migrations;

#nullable disable

namespace Veiligheid.Data.Migrations.Sqlite
{
    /// <inheritdoc />
    public partial class CaseContributionExternalId : Migration
    {
        /// <inheritdoc />
        protected override void Up(MigrationBuilder migrationBuilder)
        {
            // A partner's note may carry its system's id, so a retried addCaseContribution finds the note instead of adding it
            // twice: one per (organisation, externalId), as for the other sourced rows. Existing notes have none (NULL), and
            // SQLite's unique index takes NULLs as distinct.
            migrationBuilder.AddColumn<string>(
                name: "ExternalId",
                table: "CaseContributions",
                type: "TEXT",
                maxLength: 100,
                nullable: true);

            migrationBuilder.AddColumn<int>(
                name: "SourceOrganisationId",
                table: "CaseContributions",
                type: "INTEGER",
                nullable: true);

            migrationBuilder.CreateIndex(
                name: "IX_CaseContributions_SourceOrganisationId_ExternalId",
                table: "CaseContributions",
                columns: new[] { "SourceOrganisationId", "ExternalId" },
                unique: true);
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
