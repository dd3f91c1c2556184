using Microsoft.EntityFrameworkCore.Migrations;

#nullable disable

namespace Veiligheid.Data.Migrations.Sqlite
{
    /// <summary>
    /// A request's records packed into its action's row (ProcessingAction.Records, Accountability.PackedRecords) instead of
    /// a person row each: a person row cost 2.3–2.7 µs to insert whatever it held (BENCHMARKS.md, "Twentieth round"). The
    /// view reads both forms: each person row with its action, and each packed element with its action (its sequence the
    /// action's id plus its place), with the action's key beside each record for readers that bound it.
    /// </summary>
    public partial class PackedRecords : Migration
    {
        /// <inheritdoc />
        protected override void Up(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.AddColumn<string>(
                name: "Records",
                table: "ProcessingActions",
                type: "TEXT",
                nullable: true);

            migrationBuilder.Sql("DROP VIEW \"ProcessingRecords\";");
            migrationBuilder.Sql("CREATE VIEW \"ProcessingRecords\" AS SELECT \"l\".\"Sequence\", \"l\".\"ActionKey\", \"a\".\"ActionId\", \"a\".\"ActionName\", \"a\".\"OccurredAt\", \"a\".\"OrganisationId\", \"a\".\"OrganisationKey\", \"a\".\"Role\", \"a\".\"ApplicationId\", \"a\".\"UserId\", \"a\".\"Purpose\", \"a\".\"LegalGround\", \"a\".\"RetentionYears\", \"l\".\"PersonId\", \"l\".\"ProtectedBsn\", \"l\".\"Categories\", \"l\".\"Confidentiality\", COALESCE(NULLIF(\"l\".\"Hash\", ''), \"a\".\"Hash\") AS \"Hash\" FROM \"ProcessingLog\" AS \"l\" INNER JOIN \"ProcessingActions\" AS \"a\" ON \"a\".\"Id\" = \"l\".\"ActionKey\" UNION ALL SELECT \"a\".\"Id\" + \"r\".\"key\", \"a\".\"Id\", \"a\".\"ActionId\", \"a\".\"ActionName\", \"a\".\"OccurredAt\", \"a\".\"OrganisationId\", \"a\".\"OrganisationKey\", \"a\".\"Role\", \"a\".\"ApplicationId\", \"a\".\"UserId\", \"a\".\"Purpose\", \"a\".\"LegalGround\", \"a\".\"RetentionYears\", \"r\".\"value\" ->> 0, \"r\".\"value\" ->> 1, \"r\".\"value\" ->> 2, \"r\".\"value\" ->> 3, \"a\".\"Hash\" FROM \"ProcessingActions\" AS \"a\", json_each(\"a\".\"Records\") AS \"r\" WHERE \"a\".\"Records\" IS NOT NULL;");
        }

        /// <inheritdoc />
        /// <remarks>The packed records would go with their column: refused while the log holds any (take the backup made before instead).</remarks>
        protected override void Down(MigrationBuilder migrationBuilder)
        {
            // Refused while the log holds packed records, before anything is changed: SQLite has no THROW, so a check that
            // fails, named for why, stops the migration.
            migrationBuilder.Sql("CREATE TEMP TABLE \"PackedRecordsDown\" (\"Packed\" INTEGER NOT NULL CONSTRAINT \"The processing log holds records packed into their actions since the migration PackedRecords: going down over it would drop them with their column. Restore the backup of the database made before it instead\" CHECK (\"Packed\" = 0)); " +
                                 "INSERT INTO temp.\"PackedRecordsDown\" SELECT EXISTS (SELECT 1 FROM \"ProcessingActions\" WHERE \"Records\" IS NOT NULL); " +
                                 "DROP TABLE temp.\"PackedRecordsDown\";");

            migrationBuilder.Sql("DROP VIEW \"ProcessingRecords\";");

            // SQLite's own DROP COLUMN (3.35 and later): EF Core's would make the table again after every other step of
            // the migration, and the view made below would then name a table dropped under it.
            migrationBuilder.Sql("ALTER TABLE \"ProcessingActions\" DROP COLUMN \"Records\";");

            migrationBuilder.Sql("CREATE VIEW \"ProcessingRecords\" AS SELECT \"l\".\"Sequence\", \"a\".\"ActionId\", \"a\".\"ActionName\", \"a\".\"OccurredAt\", \"a\".\"OrganisationId\", \"a\".\"OrganisationKey\", \"a\".\"Role\", \"a\".\"ApplicationId\", \"a\".\"UserId\", \"a\".\"Purpose\", \"a\".\"LegalGround\", \"a\".\"RetentionYears\", \"l\".\"PersonId\", \"l\".\"ProtectedBsn\", \"l\".\"Categories\", \"l\".\"Confidentiality\", COALESCE(NULLIF(\"l\".\"Hash\", ''), \"a\".\"Hash\") AS \"Hash\" FROM \"ProcessingLog\" AS \"l\" INNER JOIN \"ProcessingActions\" AS \"a\" ON \"a\".\"Id\" = \"l\".\"ActionKey\";");
        }
    }
}
