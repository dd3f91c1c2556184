using Microsoft.EntityFrameworkCore.Migrations;
using Veiligheid.Accountability;

#nullable disable

namespace Veiligheid.Data.Migrations.Sqlite
{
    /// <summary>
    /// The index by data subject keys a record's protected BSN by its first 8 bytes as an integer (BsnKey) instead of the
    /// whole 64 characters: a third of the pages, so a cheaper background copy (BENCHMARKS.md, "Tenth round"). The table is
    /// derived from the log, so it is made again and filled from the records already there, in sequence order, before its
    /// indexes are built (one sort each), as the migration that made it did.
    /// </summary>
    public partial class ProcessingLogSubjectsBsnKey : Migration
    {
        /// <inheritdoc />
        protected override void Up(MigrationBuilder migrationBuilder) => Make(migrationBuilder, keyed: true);

        /// <inheritdoc />
        protected override void Down(MigrationBuilder migrationBuilder) => Make(migrationBuilder, keyed: false);

        /// <summary>The table made again with the key (up) or the whole protected BSN (down), filled from the log.</summary>
        private static void Make(MigrationBuilder migrationBuilder, bool keyed)
        {
            migrationBuilder.DropTable(
                name: "ProcessingLogSubjects");

            var subject = keyed ? "BsnKey" : "ProtectedBsn";
            // The columns in the order the model's own CREATE TABLE has them: on SQLite the hub compares the two to keep
            // the rows when it moves the table into the index's file (SqliteLogFile.PlaceIndexAsync).
            if (keyed)
                migrationBuilder.CreateTable(
                    name: "ProcessingLogSubjects",
                    columns: table => new
                    {
                        Sequence = table.Column<long>(type: "INTEGER", nullable: false),
                        PersonId = table.Column<int>(type: "INTEGER", nullable: true),
                        BsnKey = table.Column<long>(type: "INTEGER", nullable: true),
                    },
                    constraints: table => table.PrimaryKey("PK_ProcessingLogSubjects", x => x.Sequence));
            else
                migrationBuilder.CreateTable(
                    name: "ProcessingLogSubjects",
                    columns: table => new
                    {
                        Sequence = table.Column<long>(type: "INTEGER", nullable: false),
                        PersonId = table.Column<int>(type: "INTEGER", nullable: true),
                        ProtectedBsn = table.Column<string>(type: "TEXT", maxLength: 64, nullable: true),
                    },
                    constraints: table => table.PrimaryKey("PK_ProcessingLogSubjects", x => x.Sequence));

            // The key as the indexer makes it (ProcessingLogIndex.KeySql is KeyOf in SQL).
            var value = keyed ? ProcessingLogIndex.KeySql(sqlServer: false, "\"ProtectedBsn\"") : "\"ProtectedBsn\"";
            migrationBuilder.Sql($"INSERT INTO \"ProcessingLogSubjects\" (\"Sequence\", \"PersonId\", \"{subject}\") SELECT \"Sequence\", \"PersonId\", {value} FROM \"ProcessingLog\" ORDER BY \"Sequence\";");

            migrationBuilder.CreateIndex(
                name: "IX_ProcessingLogSubjects_PersonId",
                table: "ProcessingLogSubjects",
                column: "PersonId");

            migrationBuilder.CreateIndex(
                name: "IX_ProcessingLogSubjects_" + subject,
                table: "ProcessingLogSubjects",
                column: subject);
        }
    }
}
