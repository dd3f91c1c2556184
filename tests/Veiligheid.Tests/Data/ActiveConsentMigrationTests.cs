using Microsoft.Data.Sqlite;
using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Infrastructure;
using Microsoft.EntityFrameworkCore.Migrations;
using Veiligheid.Data;
using Veiligheid.Organisations;
using Veiligheid.Persons;
using Veiligheid.Tests.Infrastructure;

namespace Veiligheid.Tests.Data;

/// <summary>The migration that makes one consent per person, care provider and recipient active, on a database that has duplicates.</summary>
public sealed class ActiveConsentMigrationTests : IDisposable
{
    private const string Before = "20261130080351_ProcessingLogSubjectsBsnKey";
    private readonly TestDirectory _directory = new();

    [Fact]
    public async Task Duplicates_keep_the_earliest_given_active_and_the_index_holds_afterwards()
    {
        var path = _directory.File("consents.db");
        int person, provider, recipient;
        await using (var db = DatabaseSetup.OpenSqlite(path))
        {
            await db.GetService<IMigrator>().MigrateAsync(Before);
            // Only the rows the migration is about, in tables no later migration changed: the demo seed writes every
            // table as the model has it now, and a column a later migration added (CaseContributions.ExternalId) is not
            // there yet at this point.
            var careProvider = new Organisation { Key = "zorg-test", Name = "Zorgaanbieder (test)", Kind = OrganisationKind.Zorgaanbieder };
            var municipality = new Organisation { Key = "gemeente-test", Name = "Gemeente (test)", Kind = OrganisationKind.Gemeente };
            var client = new Person { Bsn = Bsn.Complete("12345678")!, GivenName = "Synthetisch", Surname = "Testpersoon", DateOfBirth = new DateOnly(1980, 1, 1) };
            var consent = new Consent { Person = client, CareProviderOrganisation = careProvider, RecipientOrganisation = municipality, GivenOn = new DateOnly(2026, 1, 10) };
            db.AddRange(careProvider, municipality, client, consent);
            await db.SaveChangesAsync();
            (person, provider, recipient) = (consent.PersonId, consent.CareProviderOrganisationId, consent.RecipientOrganisationId);
            // Two more copies: one given earlier (a higher id), one later.
            db.Consents.Add(new Consent { PersonId = person, CareProviderOrganisationId = provider, RecipientOrganisationId = recipient, GivenOn = consent.GivenOn.AddDays(-10) });
            db.Consents.Add(new Consent { PersonId = person, CareProviderOrganisationId = provider, RecipientOrganisationId = recipient, GivenOn = consent.GivenOn.AddDays(5) });
            await db.SaveChangesAsync();
        }

        await using (var db = DatabaseSetup.OpenSqlite(path))
        {
            await db.GetService<IMigrator>().MigrateAsync();
            var copies = await db.Consents.AsNoTracking()
                .Where(c => c.PersonId == person && c.CareProviderOrganisationId == provider && c.RecipientOrganisationId == recipient)
                .OrderBy(c => c.GivenOn).ToListAsync();

            Assert.Equal(3, copies.Count);
            Assert.Null(copies[0].WithdrawnOn); // the earliest given stays active
            Assert.All(copies.Skip(1), c => Assert.Equal(c.GivenOn, c.WithdrawnOn));
            db.Consents.Add(new Consent { PersonId = person, CareProviderOrganisationId = provider, RecipientOrganisationId = recipient, GivenOn = copies[0].GivenOn });
            var refused = await Assert.ThrowsAsync<DbUpdateException>(() => db.SaveChangesAsync());
            Assert.Equal(19, Assert.IsType<SqliteException>(refused.InnerException).SqliteErrorCode);
        }
    }

    public void Dispose()
    {
        SqliteConnection.ClearAllPools();
        _directory.Dispose();
    }
}
