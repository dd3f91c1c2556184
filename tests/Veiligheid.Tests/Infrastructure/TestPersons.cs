using System.Globalization;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using Veiligheid.Data;
using Veiligheid.Data.Seeding;
using Veiligheid.Persons;

namespace Veiligheid.Tests.Infrastructure;

/// <summary>Persons a test needs from the hub's database: a BSN it does not hold, a person an organisation cannot see.</summary>
internal static class TestPersons
{
    // Counted across the tests of a run: two tests asking at once never get the same BSN, though neither has written it yet.
    private static int _bsns = Random.Shared.Next(1_000_000);

    /// <summary>A synthetic BSN that passes the 11-proef and that no person in the hub's database has; a new one each call.</summary>
    public static string UnheldBsn(this HubFactory hub)
    {
        while (true)
        {
            var candidate = Bsn.Complete((10_000_000 + Interlocked.Increment(ref _bsns) % 80_000_000).ToString(CultureInfo.InvariantCulture));
            if (candidate is not null && !Read(hub, db => db.Persons.Any(p => p.Bsn == candidate))) return candidate;
        }
    }

    /// <summary>A person the organisation cannot see: in no case it takes part in, and not its tenant.</summary>
    public static Person StrangerTo(this HubFactory hub, string organisationKey)
    {
        var id = DemoOrganisations.IdOf(organisationKey);
        return Read(hub, db => db.Persons.AsNoTracking()
            .Where(p => !p.CaseLinks.Any(l => l.Case.CoordinatingOrganisationId == id || l.Case.Participants.Any(x => x.OrganisationId == id))
                        && !p.Tenancies.Any(t => t.LandlordOrganisationId == id))
            .OrderBy(p => p.Id).First());
    }

    private static T Read<T>(HubFactory hub, Func<VeiligheidDbContext, T> read)
    {
        using var scope = hub.Services.CreateScope();
        return read(scope.ServiceProvider.GetRequiredService<VeiligheidDbContext>());
    }
}
