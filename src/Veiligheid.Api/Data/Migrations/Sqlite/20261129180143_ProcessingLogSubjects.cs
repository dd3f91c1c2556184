using Microsoft.EntityFrameworkCore.Migrations;

#nullable disable

namespace Veiligheid.Data.Migrations.Sqlite
{
    /// <inheritdoc />
    public partial class ProcessingLogSubjects : Migration
    {
        /// <inheritdoc />
        protected override void Up(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.CreateTable(
                name: "ProcessingLogSubjects",
                columns: table => new
                {
                    Sequence = table.Column<long>(type: "INTEGER", nullable: false),
                    PersonId = table.Column<int>(type: "INTEGER", nullable: true),
                    ProtectedBsn = table.Column<string>(type: "TEXT", maxLength: 64, nullable: true)
                },
                constraints: table =>
                {
                    table.PrimaryKey("PK_ProcessingLogSubjects", x => x.Sequence);
                });

            // The index by data subject is derived from the log: fill it from the records already there, in sequence order,
            // before its indexes are built (one sort each, rather than a random insert per row).
            migrationBuilder.Sql("INSERT INTO \"ProcessingLogSubjects\" (\"Sequence\", \"PersonId\", \"ProtectedBsn\") SELECT \"Sequence\", \"PersonId\", \"ProtectedBsn\" FROM \"ProcessingLog\" ORDER BY \"Sequence\";");

            migrationBuilder.CreateIndex(
                name: "IX_ProcessingLogSubjects_PersonId",
                table: "ProcessingLogSubjects",
                column: "PersonId");

            migrationBuilder.CreateIndex(
                name: "IX_ProcessingLogSubjects_ProtectedBsn",
                table: "ProcessingLogSubjects",
                column: "ProtectedBsn");

            // Only now the log's own random-order indexes go: the look-ups by person and BSN use the table above.
            migrationBuilder.DropIndex(
                name: "IX_ProcessingLog_PersonId",
                table: "ProcessingLog");

            migrationBuilder.DropIndex(
                name: "IX_ProcessingLog_ProtectedBsn",
                table: "ProcessingLog");
        }

        /// <inheritdoc />
        protected override void Down(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.DropTable(
                name: "ProcessingLogSubjects");

            migrationBuilder.CreateIndex(
                name: "IX_ProcessingLog_PersonId",
                table: "ProcessingLog",
                column: "PersonId");

            migrationBuilder.CreateIndex(
                name: "IX_ProcessingLog_ProtectedBsn",
                table: "ProcessingLog",
                column: "ProtectedBsn");
        }
    }
}
