using System;
using Microsoft.EntityFrameworkCore.Migrations;

#nullable disable

namespace Veiligheid.Data.Migrations.SqlServer
{
    /// <summary>
    /// The processing log stored as the VNG standard models it: one action (verwerkingsactie) per request in
    /// ProcessingActions, one row per person processed (verwerkt object) in ProcessingLog, keyed by its sequence, without the
    /// previous record's hash (the walk of verify-log holds it); the view ProcessingRecords joins them back into one record
    /// per person. A pure data move: every record keeps its sequence and hash, and an action is a run of records with
    /// exactly the same action fields (so nothing a hash covers is merged away, even in a tampered log).
    /// </summary>
    public partial class ProcessingActions : Migration
    {
        /// <inheritdoc />
        protected override void Up(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.DropIndex(
                name: "IX_ProcessingLog_OccurredAt",
                table: "ProcessingLog");

            migrationBuilder.DropIndex(
                name: "IX_ProcessingLog_Sequence",
                table: "ProcessingLog");

            // Constraint names are per schema on SQL Server: the new table takes PK_ProcessingLog.
            migrationBuilder.DropPrimaryKey(
                name: "PK_ProcessingLog",
                table: "ProcessingLog");

            migrationBuilder.RenameTable(
                name: "ProcessingLog",
                newName: "ProcessingLogBeforeActions");

            migrationBuilder.CreateTable(
                name: "ProcessingActions",
                columns: table => new
                {
                    Id = table.Column<long>(type: "bigint", nullable: false),
                    ActionId = table.Column<Guid>(type: "uniqueidentifier", nullable: false),
                    ActionName = table.Column<string>(type: "nvarchar(200)", maxLength: 200, nullable: false),
                    OccurredAt = table.Column<DateTime>(type: "datetime2", nullable: false),
                    OrganisationId = table.Column<int>(type: "int", nullable: false),
                    OrganisationKey = table.Column<string>(type: "nvarchar(200)", maxLength: 200, nullable: false),
                    Role = table.Column<string>(type: "nvarchar(200)", maxLength: 200, nullable: false),
                    ApplicationId = table.Column<string>(type: "nvarchar(200)", maxLength: 200, nullable: false),
                    UserId = table.Column<string>(type: "nvarchar(200)", maxLength: 200, nullable: true),
                    Purpose = table.Column<string>(type: "nvarchar(200)", maxLength: 200, nullable: false),
                    LegalGround = table.Column<string>(type: "nvarchar(400)", maxLength: 400, nullable: false),
                    RetentionYears = table.Column<int>(type: "int", nullable: false)
                },
                constraints: table =>
                {
                    table.PrimaryKey("PK_ProcessingActions", x => x.Id);
                });

            migrationBuilder.CreateTable(
                name: "ProcessingLog",
                columns: table => new
                {
                    Sequence = table.Column<long>(type: "bigint", nullable: false),
                    ActionKey = table.Column<long>(type: "bigint", nullable: false),
                    PersonId = table.Column<int>(type: "int", nullable: true),
                    ProtectedBsn = table.Column<string>(type: "nvarchar(64)", maxLength: 64, nullable: true),
                    Categories = table.Column<string>(type: "nvarchar(200)", maxLength: 200, nullable: false),
                    Confidentiality = table.Column<string>(type: "nvarchar(40)", maxLength: 40, nullable: false),
                    Hash = table.Column<string>(type: "nchar(64)", fixedLength: true, maxLength: 64, nullable: false)
                },
                constraints: table =>
                {
                    table.PrimaryKey("PK_ProcessingLog", x => x.Sequence);
                    table.ForeignKey(
                        name: "FK_ProcessingLog_ProcessingActions_ActionKey",
                        column: x => x.ActionKey,
                        principalTable: "ProcessingActions",
                        principalColumn: "Id",
                        onDelete: ReferentialAction.Restrict);
                });

            // The actions first (the entries refer to them): one per run of records with the same action fields, keyed by
            // the sequence of its first record; then every record's person fields, sequence and hash, unchanged. Both in
            // sequence order, before the indexes are built.
            migrationBuilder.Sql("INSERT INTO [ProcessingActions] ([Id], [ActionId], [ActionName], [OccurredAt], [OrganisationId], [OrganisationKey], [Role], [ApplicationId], [UserId], [Purpose], [LegalGround], [RetentionYears]) SELECT [Sequence], [ActionId], [ActionName], [OccurredAt], [OrganisationId], [OrganisationKey], [Role], [ApplicationId], [UserId], [Purpose], [LegalGround], [RetentionYears] FROM (SELECT *, MIN([Sequence]) OVER (PARTITION BY [ActionId], [ActionName], [OccurredAt], [OrganisationId], [OrganisationKey], [Role], [ApplicationId], [UserId], [Purpose], [LegalGround], [RetentionYears]) AS [First] FROM [ProcessingLogBeforeActions]) AS [o] WHERE [Sequence] = [First] ORDER BY [Sequence];");
            migrationBuilder.Sql("INSERT INTO [ProcessingLog] ([Sequence], [ActionKey], [PersonId], [ProtectedBsn], [Categories], [Confidentiality], [Hash]) SELECT [Sequence], MIN([Sequence]) OVER (PARTITION BY [ActionId], [ActionName], [OccurredAt], [OrganisationId], [OrganisationKey], [Role], [ApplicationId], [UserId], [Purpose], [LegalGround], [RetentionYears]), [PersonId], [ProtectedBsn], [Categories], [Confidentiality], [Hash] FROM [ProcessingLogBeforeActions] ORDER BY [Sequence];");

            migrationBuilder.DropTable(
                name: "ProcessingLogBeforeActions");

            migrationBuilder.CreateIndex(
                name: "IX_ProcessingLog_ActionKey",
                table: "ProcessingLog",
                column: "ActionKey");

            migrationBuilder.CreateIndex(
                name: "IX_ProcessingActions_OccurredAt",
                table: "ProcessingActions",
                column: "OccurredAt");

            // What every reader reads (the entity ProcessingRecord): each person row with its action's fields.
            // In EXEC: CREATE VIEW must start its batch, and the idempotent script puts each step inside an IF block.
            migrationBuilder.Sql("EXEC(N'CREATE VIEW [ProcessingRecords] AS SELECT [l].[Sequence], [a].[ActionId], [a].[ActionName], [a].[OccurredAt], [a].[OrganisationId], [a].[OrganisationKey], [a].[Role], [a].[ApplicationId], [a].[UserId], [a].[Purpose], [a].[LegalGround], [a].[RetentionYears], [l].[PersonId], [l].[ProtectedBsn], [l].[Categories], [l].[Confidentiality], [l].[Hash] FROM [ProcessingLog] AS [l] INNER JOIN [ProcessingActions] AS [a] ON [a].[Id] = [l].[ActionKey];');");
        }

        /// <inheritdoc />
        protected override void Down(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.Sql("DROP VIEW [ProcessingRecords];");

            migrationBuilder.CreateTable(
                name: "ProcessingLogBeforeActions",
                columns: table => new
                {
                    Id = table.Column<long>(type: "bigint", nullable: false)
                        .Annotation("SqlServer:Identity", "1, 1"),
                    Sequence = table.Column<long>(type: "bigint", nullable: false),
                    ActionId = table.Column<Guid>(type: "uniqueidentifier", nullable: false),
                    ActionName = table.Column<string>(type: "nvarchar(200)", maxLength: 200, nullable: false),
                    OccurredAt = table.Column<DateTime>(type: "datetime2", nullable: false),
                    OrganisationId = table.Column<int>(type: "int", nullable: false),
                    OrganisationKey = table.Column<string>(type: "nvarchar(200)", maxLength: 200, nullable: false),
                    Role = table.Column<string>(type: "nvarchar(200)", maxLength: 200, nullable: false),
                    ApplicationId = table.Column<string>(type: "nvarchar(200)", maxLength: 200, nullable: false),
                    UserId = table.Column<string>(type: "nvarchar(200)", maxLength: 200, nullable: true),
                    Purpose = table.Column<string>(type: "nvarchar(200)", maxLength: 200, nullable: false),
                    LegalGround = table.Column<string>(type: "nvarchar(400)", maxLength: 400, nullable: false),
                    PersonId = table.Column<int>(type: "int", nullable: true),
                    ProtectedBsn = table.Column<string>(type: "nvarchar(64)", maxLength: 64, nullable: true),
                    Categories = table.Column<string>(type: "nvarchar(200)", maxLength: 200, nullable: false),
                    Confidentiality = table.Column<string>(type: "nvarchar(40)", maxLength: 40, nullable: false),
                    RetentionYears = table.Column<int>(type: "int", nullable: false),
                    PreviousHash = table.Column<string>(type: "nchar(64)", fixedLength: true, maxLength: 64, nullable: false),
                    Hash = table.Column<string>(type: "nchar(64)", fixedLength: true, maxLength: 64, nullable: false)
                },
                constraints: table =>
                {
                    table.PrimaryKey("PK_ProcessingLogBeforeActions", x => x.Id);
                });

            migrationBuilder.Sql("INSERT INTO [ProcessingLogBeforeActions] ([Sequence], [ActionId], [ActionName], [OccurredAt], [OrganisationId], [OrganisationKey], [Role], [ApplicationId], [UserId], [Purpose], [LegalGround], [PersonId], [ProtectedBsn], [Categories], [Confidentiality], [RetentionYears], [PreviousHash], [Hash]) SELECT [l].[Sequence], [a].[ActionId], [a].[ActionName], [a].[OccurredAt], [a].[OrganisationId], [a].[OrganisationKey], [a].[Role], [a].[ApplicationId], [a].[UserId], [a].[Purpose], [a].[LegalGround], [l].[PersonId], [l].[ProtectedBsn], [l].[Categories], [l].[Confidentiality], [a].[RetentionYears], COALESCE(LAG([l].[Hash]) OVER (ORDER BY [l].[Sequence]), '0000000000000000000000000000000000000000000000000000000000000000'), [l].[Hash] FROM [ProcessingLog] AS [l] INNER JOIN [ProcessingActions] AS [a] ON [a].[Id] = [l].[ActionKey] ORDER BY [l].[Sequence];");

            migrationBuilder.DropTable(
                name: "ProcessingLog");

            migrationBuilder.DropTable(
                name: "ProcessingActions");

            migrationBuilder.RenameTable(
                name: "ProcessingLogBeforeActions",
                newName: "ProcessingLog");

            migrationBuilder.Sql("EXEC sp_rename N'PK_ProcessingLogBeforeActions', N'PK_ProcessingLog', N'OBJECT';");

            migrationBuilder.CreateIndex(
                name: "IX_ProcessingLog_OccurredAt",
                table: "ProcessingLog",
                column: "OccurredAt");

            migrationBuilder.CreateIndex(
                name: "IX_ProcessingLog_Sequence",
                table: "ProcessingLog",
                column: "Sequence",
                unique: true);
        }
    }
}
