using Microsoft.EntityFrameworkCore.Migrations;

#nullable disable

namespace Veiligheid.Data.Migrations.Sqlite
{
    /// <summary>
    /// The index by data subject names each record by a small subject number (a person id with a BSN key) in one table
    /// keyed by subject and sequence, instead of one row per record with the person and the key and an index on each:
    /// one B-tree entry a record instead of three (BENCHMARKS.md, "Eighteenth round"). Made empty: the index is derived
    /// from the log, and the hub's indexer fills it again.
    /// </summary>
    public partial class ProcessingLogIndexBySubject : Migration
    {
        /// <inheritdoc />
        protected override void Up(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.CreateTable(
                name: "ProcessingLogIndexPasses",
                columns: table => new
                {
                    Through = table.Column<long>(type: "INTEGER", nullable: false)
                },
                constraints: table =>
                {
                    table.PrimaryKey("PK_ProcessingLogIndexPasses", x => x.Through);
                });

            migrationBuilder.CreateTable(
                name: "ProcessingLogIndexRecords",
                columns: table => new
                {
                    Subject = table.Column<int>(type: "INTEGER", nullable: false),
                    Sequence = table.Column<long>(type: "INTEGER", nullable: false)
                },
                constraints: table =>
                {
                    table.PrimaryKey("PK_ProcessingLogIndexRecords", x => new { x.Subject, x.Sequence });
                });

            migrationBuilder.CreateTable(
                name: "ProcessingLogIndexSubjects",
                columns: table => new
                {
                    Id = table.Column<int>(type: "INTEGER", nullable: false)
                        .Annotation("Sqlite:Autoincrement", true),
                    PersonId = table.Column<int>(type: "INTEGER", nullable: true),
                    BsnKey = table.Column<long>(type: "INTEGER", nullable: true)
                },
                constraints: table =>
                {
                    table.PrimaryKey("PK_ProcessingLogIndexSubjects", x => x.Id);
                });

            migrationBuilder.CreateIndex(
                name: "IX_ProcessingLogIndexSubjects_BsnKey",
                table: "ProcessingLogIndexSubjects",
                column: "BsnKey");

            migrationBuilder.CreateIndex(
                name: "IX_ProcessingLogIndexSubjects_PersonId_BsnKey",
                table: "ProcessingLogIndexSubjects",
                columns: new[] { "PersonId", "BsnKey" });

            // Left empty: the hub's indexer fills the index from the log in the background (the look-ups read the log's
            // tail meanwhile). Not carried over from the index before: on SQLite it is in a file of its own that may be
            // missing (an operator may leave it out of a backup, the hub sets an unreadable one aside), and a migration
            // cannot ask whether a table exists before it reads one.
            migrationBuilder.Sql("DROP TABLE IF EXISTS \"ProcessingLogSubjects\";");
        }

        /// <inheritdoc />
        protected override void Down(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.CreateTable(
                name: "ProcessingLogSubjects",
                columns: table => new
                {
                    Sequence = table.Column<long>(type: "INTEGER", nullable: false),
                    PersonId = table.Column<int>(type: "INTEGER", nullable: true),
                    BsnKey = table.Column<long>(type: "INTEGER", nullable: true)
                },
                constraints: table =>
                {
                    table.PrimaryKey("PK_ProcessingLogSubjects", x => x.Sequence);
                });

            migrationBuilder.CreateIndex(
                name: "IX_ProcessingLogSubjects_BsnKey",
                table: "ProcessingLogSubjects",
                column: "BsnKey");

            migrationBuilder.CreateIndex(
                name: "IX_ProcessingLogSubjects_PersonId",
                table: "ProcessingLogSubjects",
                column: "PersonId");

            // Empty, as the index before is refilled from the log by its indexer (its watermark is its highest row).
            migrationBuilder.Sql("DROP TABLE IF EXISTS \"ProcessingLogIndexPasses\";");
            migrationBuilder.Sql("DROP TABLE IF EXISTS \"ProcessingLogIndexRecords\";");
            migrationBuilder.Sql("DROP TABLE IF EXISTS \"ProcessingLogIndexSubjects\";");
        }
    }
}
