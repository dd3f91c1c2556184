using Microsoft.EntityFrameworkCore.Migrations;

#nullable disable

namespace Veiligheid.Data.Migrations.SqlServer
{
    /// <summary>
    /// The processing log's person rows lose their index by action (the foreign key's, which EF Core made by convention):
    /// a second B-tree each row paid for at the request's commit, 4–8 % of the hub's CPU under load (BENCHMARKS.md,
    /// "Nineteenth round"). The rows are read by their own key; a period's by the range of sequences its actions span.
    /// </summary>
    public partial class ProcessingLogWithoutActionIndex : Migration
    {
        /// <inheritdoc />
        protected override void Up(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.DropIndex(
                name: "IX_ProcessingLog_ActionKey",
                table: "ProcessingLog");
        }

        /// <inheritdoc />
        protected override void Down(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.CreateIndex(
                name: "IX_ProcessingLog_ActionKey",
                table: "ProcessingLog",
                column: "ActionKey");
        }
    }
}
