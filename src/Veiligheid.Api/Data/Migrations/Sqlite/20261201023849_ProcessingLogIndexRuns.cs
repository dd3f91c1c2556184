using Microsoft.EntityFrameworkCore.Migrations;

#nullable disable

namespace Veiligheid.Data.Migrations.Sqlite
{
    /// <summary>
    /// The index by data subject holds a run of sequences per subject and pass of the indexer instead of a row per record
    /// (<see cref="Veiligheid.Accountability.LogIndexRun"/>; BENCHMARKS.md, "Nineteenth round"). Made empty, as the index
    /// by subject was: it is derived from the log, its file may be missing, and the hub's indexer fills it again. The passes
    /// are made again with it, so the watermark starts from the beginning; where the index has a file of its own, the hub's
    /// start makes the file's tables again anyway (their shape changed).
    /// </summary>
    public partial class ProcessingLogIndexRuns : Migration
    {
        /// <inheritdoc />
        protected override void Up(MigrationBuilder migrationBuilder)
        {
            // IF EXISTS: in an upgraded database the index's tables are in its own file, which may be missing.
            migrationBuilder.Sql("DROP TABLE IF EXISTS \"ProcessingLogIndexRecords\";");
            migrationBuilder.Sql("DROP TABLE IF EXISTS \"ProcessingLogIndexPasses\";");
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
                name: "ProcessingLogIndexRuns",
                columns: table => new
                {
                    Subject = table.Column<int>(type: "INTEGER", nullable: false),
                    First = table.Column<long>(type: "INTEGER", nullable: false),
                    Sequences = table.Column<string>(type: "TEXT", nullable: true)
                },
                constraints: table =>
                {
                    table.PrimaryKey("PK_ProcessingLogIndexRuns", x => new { x.Subject, x.First });
                });
        }

        /// <inheritdoc />
        protected override void Down(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.Sql("DROP TABLE IF EXISTS \"ProcessingLogIndexRuns\";");
            migrationBuilder.Sql("DELETE FROM \"ProcessingLogIndexPasses\";"); // made empty, as the rows are
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
        }
    }
}
