using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using Veiligheid.Cases;
using Veiligheid.Data;
using Veiligheid.Data.Seeding;
using Veiligheid.Persons;

namespace Veiligheid.Tests.Infrastructure;

/// <summary>A new synthetic person whose only case is closed, and the dwelling that case is about (a corporation's).</summary>
internal sealed record LoneSubject(int PersonId, int CaseId, int DwellingId, int LandlordId);

/// <summary>Persons retention tests need: the subject of one closed case and of nothing else, with what a test adds.</summary>
internal static class LoneSubjects
{
    /// <summary>
    /// A new person (a synthetic BSN no one has) whose only tie to the hub is one woonoverlast case, closed at
    /// <paramref name="closedAt"/>, about a dwelling a housing corporation owns; <paramref name="add"/> adds rows of the
    /// person's own (a tenancy, a score) in the same save.
    /// </summary>
    public static LoneSubject AddLoneSubjectOfClosedCase(this HubFactory hub, DateTime closedAt, Action<VeiligheidDbContext, LoneSubject>? add = null)
    {
        var bsn = hub.UnheldBsn();
        using var scope = hub.Services.CreateScope();
        var db = scope.ServiceProvider.GetRequiredService<VeiligheidDbContext>();
        var dwelling = db.Locations.AsNoTracking().Where(l => l.OwnerOrganisationId != null).OrderBy(l => l.Id)
            .Select(l => new { l.Id, Landlord = l.OwnerOrganisationId!.Value }).First();
        var person = new Person { Bsn = bsn, GivenName = "Test", Surname = "Persoon", DateOfBirth = new DateOnly(1970, 1, 1) };
        var closedCase = new Case
        {
            Kind = CaseKind.Woonoverlast,
            Title = "Retention test",
            Status = CaseStatus.Afgesloten,
            Outcome = CaseOutcome.OverlastGestopt,
            Confidentiality = ConfidentialityLevel.Vertrouwelijk,
            LegalGround = LegalGround.GemeentewetOpenbareOrde,
            OpenedAt = closedAt.AddMonths(-6),
            ClosedAt = closedAt,
            CoordinatingOrganisationId = DemoOrganisations.IdOf(DemoOrganisations.GemeenteVeiligstad),
            Subjects = [new CaseSubject { Person = person, Role = CaseSubjectRole.Veroorzaker }],
            Locations = [new CaseLocation { LocationId = dwelling.Id }],
        };
        db.Cases.Add(closedCase);
        db.SaveChanges();
        var subject = new LoneSubject(person.Id, closedCase.Id, dwelling.Id, dwelling.Landlord);
        if (add is not null)
        {
            add(db, subject);
            db.SaveChanges();
        }
        return subject;
    }

    /// <summary>A tenancy of the subject's dwelling with its landlord, from 2010 to <paramref name="endDate"/> (null: no end).</summary>
    public static Tenancy TenancyOf(LoneSubject subject, DateOnly? endDate)
        => new() { PersonId = subject.PersonId, LocationId = subject.DwellingId, LandlordOrganisationId = subject.LandlordId, StartDate = new DateOnly(2010, 1, 1), EndDate = endDate };
}
