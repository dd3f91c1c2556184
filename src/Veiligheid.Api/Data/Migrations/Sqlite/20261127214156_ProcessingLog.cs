using System;
using Microsoft.EntityFrameworkCore.Migrations;

#nullable disable

namespace Veiligheid.Data.Migrations.Sqlite
{
    /// <inheritdoc />
    public partial class ProcessingLog : Migration
    {
        /// <inheritdoc />
        protected override void Up(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.CreateTable(
                name: "ProcessingLog",
                columns: table => new
                {
                    Id = table.Column<long>(type: "INTEGER", nullable: false)
                        .Annotation("Sqlite:Autoincrement", true),
                    Sequence = table.Column<long>(type: "INTEGER", nullable: false),
                    ActionId = table.Column<Guid>(type: "TEXT", nullable: false),
                    ActionName = table.Column<string>(type: "TEXT", maxLength: 200, nullable: false),
                    OccurredAt = table.Column<DateTime>(type: "TEXT", nullable: false),
                    OrganisationId = table.Column<int>(type: "INTEGER", nullable: false),
                    OrganisationKey = table.Column<string>(type: "TEXT", maxLength: 200, nullable: false),
                    Role = table.Column<string>(type: "TEXT", maxLength: 200, nullable: false),
                    ApplicationId = table.Column<string>(type: "TEXT", maxLength: 200, nullable: false),
                    UserId = table.Column<string>(type: "TEXT", maxLength: 200, nullable: true),
                    Purpose = table.Column<string>(type: "TEXT", maxLength: 200, nullable: false),
                    LegalGround = table.Column<string>(type: "TEXT", maxLength: 400, nullable: false),
                    PersonId = table.Column<int>(type: "INTEGER", nullable: true),
                    ProtectedBsn = table.Column<string>(type: "TEXT", maxLength: 64, nullable: true),
                    Categories = table.Column<string>(type: "TEXT", maxLength: 200, nullable: false),
                    Confidentiality = table.Column<string>(type: "TEXT", maxLength: 40, nullable: false),
                    RetentionYears = table.Column<int>(type: "INTEGER", nullable: false),
                    PreviousHash = table.Column<string>(type: "TEXT", fixedLength: true, maxLength: 64, nullable: false),
                    Hash = table.Column<string>(type: "TEXT", fixedLength: true, maxLength: 64, nullable: false)
                },
                constraints: table =>
                {
                    table.PrimaryKey("PK_ProcessingLog", x => x.Id);
                });

            migrationBuilder.CreateIndex(
                name: "IX_ProcessingLog_OccurredAt",
                table: "ProcessingLog",
                column: "OccurredAt");

            migrationBuilder.CreateIndex(
                name: "IX_ProcessingLog_PersonId",
                table: "ProcessingLog",
                column: "PersonId");

            migrationBuilder.CreateIndex(
                name: "IX_ProcessingLog_ProtectedBsn",
                table: "ProcessingLog",
                column: "ProtectedBsn");

            migrationBuilder.CreateIndex(
                name: "IX_ProcessingLog_Sequence",
                table: "ProcessingLog",
                column: "Sequence",
                unique: true);
        }

        /// <inheritdoc />
        protected override void Down(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.DropTable(
                name: "ProcessingLog");
        }
    }
}
