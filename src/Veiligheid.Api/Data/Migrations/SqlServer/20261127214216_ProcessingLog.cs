using System;
using Microsoft.EntityFrameworkCore.Migrations;

#nullable disable

namespace Veiligheid.Data.Migrations.SqlServer
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
