using Microsoft.EntityFrameworkCore.Migrations;

#nullable disable

namespace Veiligheid.Data.Migrations.SqlServer
{
    /// <inheritdoc />
    public partial class FigureIndexes : Migration
    {
        /// <inheritdoc />
        protected override void Up(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.CreateIndex(
                name: "IX_Interventions_StartDate_Kind_Status",
                table: "Interventions",
                columns: new[] { "StartDate", "Kind", "Status" });

            migrationBuilder.CreateIndex(
                name: "IX_Incidents_OccurredAt_NeighbourhoodId_Category",
                table: "Incidents",
                columns: new[] { "OccurredAt", "NeighbourhoodId", "Category" });

            migrationBuilder.CreateIndex(
                name: "IX_Cases_ClosedAt",
                table: "Cases",
                column: "ClosedAt");

            migrationBuilder.CreateIndex(
                name: "IX_Cases_EscalatedAt",
                table: "Cases",
                column: "EscalatedAt");
        }

        /// <inheritdoc />
        protected override void Down(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.DropIndex(
                name: "IX_Interventions_StartDate_Kind_Status",
                table: "Interventions");

            migrationBuilder.DropIndex(
                name: "IX_Incidents_OccurredAt_NeighbourhoodId_Category",
                table: "Incidents");

            migrationBuilder.DropIndex(
                name: "IX_Cases_ClosedAt",
                table: "Cases");

            migrationBuilder.DropIndex(
                name: "IX_Cases_EscalatedAt",
                table: "Cases");
        }
    }
}
