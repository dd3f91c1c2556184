using Microsoft.EntityFrameworkCore.Migrations;

#nullable disable

namespace Veiligheid.Data.Migrations.SqlServer
{
    /// <inheritdoc />
    public partial class ActiveConsentUnique : Migration
    {
        /// <inheritdoc />
        protected override void Up(MigrationBuilder migrationBuilder)
        {
            // Consents registered twice at once before this index: the earliest given (the lowest id among those given
            // the same day) stays active; each other copy (the same consent recorded again) is marked withdrawn as of its
            // own date, so the index can be made and sharing goes on through the one left, as before.
            migrationBuilder.Sql("UPDATE [Consents] SET [WithdrawnOn] = [GivenOn] WHERE [WithdrawnOn] IS NULL AND EXISTS (SELECT 1 FROM [Consents] AS [o] WHERE [o].[WithdrawnOn] IS NULL AND [o].[PersonId] = [Consents].[PersonId] AND [o].[CareProviderOrganisationId] = [Consents].[CareProviderOrganisationId] AND [o].[RecipientOrganisationId] = [Consents].[RecipientOrganisationId] AND ([o].[GivenOn] < [Consents].[GivenOn] OR ([o].[GivenOn] = [Consents].[GivenOn] AND [o].[Id] < [Consents].[Id])));");
            migrationBuilder.CreateIndex(
                name: "IX_Consents_Active",
                table: "Consents",
                columns: new[] { "PersonId", "CareProviderOrganisationId", "RecipientOrganisationId" },
                unique: true,
                filter: "WithdrawnOn IS NULL");
        }

        /// <inheritdoc />
        protected override void Down(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.DropIndex(
                name: "IX_Consents_Active",
                table: "Consents");
        }
    }
}
