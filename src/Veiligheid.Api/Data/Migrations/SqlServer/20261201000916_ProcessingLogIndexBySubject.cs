using Microsoft.EntityFrameworkCore.Migrations;

#nullable disable

namespace Veiligheid.Data.Migrations.SqlServer
{
    /// <summary>
    /// The index by data subject names each record by a small subject number (a person id with a BSN key) in one table
    /// keyed by subject and sequence, instead of one row per record with the person and the key and an index on each:
    /// one B-tree entry a record instead of three (BENCHMARKS.md, "Eighteenth round"). Its rows are carried over from the
    /// index before, which is derived from the log as this one is.
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
                    Through = table.Column<long>(type: "bigint", nullable: false)
                },
                constraints: table =>
                {
                    table.PrimaryKey("PK_ProcessingLogIndexPasses", x => x.Through);
                });

            migrationBuilder.CreateTable(
                name: "ProcessingLogIndexRecords",
                columns: table => new
                {
                    Subject = table.Column<int>(type: "int", nullable: false),
                    Sequence = table.Column<long>(type: "bigint", nullable: false)
                },
                constraints: table =>
                {
                    table.PrimaryKey("PK_ProcessingLogIndexRecords", x => new { x.Subject, x.Sequence });
                });

            migrationBuilder.CreateTable(
                name: "ProcessingLogIndexSubjects",
                columns: table => new
                {
                    Id = table.Column<int>(type: "int", nullable: false)
                        .Annotation("SqlServer:Identity", "1, 1"),
                    PersonId = table.Column<int>(type: "int", nullable: true),
                    BsnKey = table.Column<long>(type: "bigint", nullable: true)
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

            // The index is derived from the log, so the rows of the index before are carried over rather than copied again
            // from the log: its invariant (every record up to its highest sequence) is the new one's up to that pass.
            migrationBuilder.Sql("INSERT INTO [ProcessingLogIndexSubjects] ([PersonId], [BsnKey]) SELECT DISTINCT [PersonId], [BsnKey] FROM [ProcessingLogSubjects];");
            migrationBuilder.Sql("INSERT INTO [ProcessingLogIndexRecords] ([Subject], [Sequence]) SELECT [s].[Id], [o].[Sequence] " +
                                 "FROM [ProcessingLogSubjects] AS [o] INNER JOIN [ProcessingLogIndexSubjects] AS [s] ON EXISTS (SELECT [o].[PersonId], [o].[BsnKey] INTERSECT SELECT [s].[PersonId], [s].[BsnKey]);");
            migrationBuilder.Sql("INSERT INTO [ProcessingLogIndexPasses] ([Through]) SELECT MAX([Sequence]) FROM [ProcessingLogSubjects] HAVING COUNT(*) > 0;");

            migrationBuilder.DropTable(
                name: "ProcessingLogSubjects");
        }

        /// <inheritdoc />
        protected override void Down(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.CreateTable(
                name: "ProcessingLogSubjects",
                columns: table => new
                {
                    Sequence = table.Column<long>(type: "bigint", nullable: false),
                    PersonId = table.Column<int>(type: "int", nullable: true),
                    BsnKey = table.Column<long>(type: "bigint", nullable: true)
                },
                constraints: table =>
                {
                    table.PrimaryKey("PK_ProcessingLogSubjects", x => x.Sequence);
                });

            migrationBuilder.Sql("INSERT INTO [ProcessingLogSubjects] ([Sequence], [PersonId], [BsnKey]) SELECT [r].[Sequence], [s].[PersonId], [s].[BsnKey] " +
                                 "FROM [ProcessingLogIndexRecords] AS [r] INNER JOIN [ProcessingLogIndexSubjects] AS [s] ON [s].[Id] = [r].[Subject] " +
                                 "WHERE [r].[Sequence] <= (SELECT MAX([Through]) FROM [ProcessingLogIndexPasses]);");

            migrationBuilder.CreateIndex(
                name: "IX_ProcessingLogSubjects_BsnKey",
                table: "ProcessingLogSubjects",
                column: "BsnKey");

            migrationBuilder.CreateIndex(
                name: "IX_ProcessingLogSubjects_PersonId",
                table: "ProcessingLogSubjects",
                column: "PersonId");

            migrationBuilder.DropTable(
                name: "ProcessingLogIndexPasses");

            migrationBuilder.DropTable(
                name: "ProcessingLogIndexRecords");

            migrationBuilder.DropTable(
                name: "ProcessingLogIndexSubjects");
        }
    }
}
