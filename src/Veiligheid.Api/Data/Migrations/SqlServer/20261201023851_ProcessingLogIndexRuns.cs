using Microsoft.EntityFrameworkCore.Migrations;

#nullable disable

namespace Veiligheid.Data.Migrations.SqlServer
{
    /// <summary>
    /// The index by data subject holds a run of sequences per subject and pass of the indexer instead of a row per record
    /// (<see cref="Veiligheid.Accountability.LogIndexRun"/>; BENCHMARKS.md, "Nineteenth round"). The rows are carried over,
    /// each as a run of its one record (no array), so the watermark holds and the look-ups stay complete; the indexer's
    /// later passes write longer runs.
    /// </summary>
    public partial class ProcessingLogIndexRuns : Migration
    {
        /// <inheritdoc />
        protected override void Up(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.CreateTable(
                name: "ProcessingLogIndexRuns",
                columns: table => new
                {
                    Subject = table.Column<int>(type: "int", nullable: false),
                    First = table.Column<long>(type: "bigint", nullable: false),
                    Sequences = table.Column<string>(type: "nvarchar(max)", nullable: true)
                },
                constraints: table =>
                {
                    table.PrimaryKey("PK_ProcessingLogIndexRuns", x => new { x.Subject, x.First });
                });

            migrationBuilder.Sql("""
                INSERT INTO [ProcessingLogIndexRuns] ([Subject], [First], [Sequences])
                SELECT [Subject], [Sequence], NULL FROM [ProcessingLogIndexRecords];
                """);

            migrationBuilder.DropTable(
                name: "ProcessingLogIndexRecords");
        }

        /// <inheritdoc />
        protected override void Down(MigrationBuilder migrationBuilder)
        {
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

            migrationBuilder.Sql("""
                INSERT INTO [ProcessingLogIndexRecords] ([Subject], [Sequence])
                SELECT [r].[Subject], CAST([j].[value] AS bigint) FROM [ProcessingLogIndexRuns] AS [r]
                CROSS APPLY OPENJSON(COALESCE([r].[Sequences], CONCAT(N'[', [r].[First], N']'))) AS [j];
                """);

            migrationBuilder.DropTable(
                name: "ProcessingLogIndexRuns");
        }
    }
}
