using Microsoft.EntityFrameworkCore;
using Veiligheid.Access;
using Veiligheid.Accountability;
using Veiligheid.Cases;
using Veiligheid.Tests.Infrastructure;

namespace Veiligheid.Tests.Accountability;

public sealed class RetentionTests(HubFactory factory) : IClassFixture<HubFactory>
{
    [Fact]
    public async Task Dry_run_lists_what_would_go_and_changes_nothing_then_the_real_run_removes_only_that()
    {
        // Every closed case's term has passed 50 years from now; open cases never expire.
        var asOf = DateTime.UtcNow.AddYears(50);
        var snapshot = Snapshot();
        var closed = factory.WithDb(db => db.Cases.Where(c => c.Status == CaseStatus.Afgesloten).Select(c => c.Id).ToHashSet());
        Assert.NotEmpty(closed);

        // Make sure one subject of a closed case also sits in an open case: it must stay.
        var (keptPerson, openCase) = factory.WithDb(db =>
        {
            var person = db.CaseSubjects.Where(s => closed.Contains(s.CaseId)).Select(s => s.PersonId).First();
            var open = db.Cases.Where(c => c.Status != CaseStatus.Afgesloten).Select(c => c.Id).First();
            if (!db.CaseSubjects.Any(s => s.PersonId == person && s.CaseId == open))
            {
                db.CaseSubjects.Add(new CaseSubject { CaseId = open, PersonId = person, Role = CaseSubjectRole.Betrokkene });
                db.SaveChanges();
            }
            return (person, open);
        });

        var output = new StringWriter();
        var code = await AccountabilityCommands.RetentionAsync(["--dry-run", "--as-of", asOf.ToString("yyyy-MM-dd"), "--database", factory.DatabasePath], output, TextWriter.Null);

        Assert.Equal(AccountabilityCommands.ExitOk, code);
        Assert.Contains("dry run", output.ToString(), StringComparison.Ordinal);
        Assert.Contains($"would remove {closed.Count} closed cases", output.ToString(), StringComparison.Ordinal);
        var afterDryRun = Snapshot();
        Assert.Equal(snapshot.Cases.Count, afterDryRun.Cases.Count);
        Assert.Equal(snapshot.Persons.Count + 0, afterDryRun.Persons.Count);

        var plan = await factory.WithDbAsync(db => Retention.PlanAsync(db, asOf, CancellationToken.None));
        Assert.Equal(closed.Order(), plan.Cases.Select(c => c.Id));
        Assert.DoesNotContain(keptPerson, plan.Persons);

        // Derived independently: a subject of closed cases goes only when nothing else refers to it.
        var expectedGone = factory.WithDb(db =>
        {
            var links = db.CaseSubjects.AsNoTracking().ToList();
            var incidentPersons = db.IncidentPersons.AsNoTracking().Select(l => l.PersonId).ToHashSet();
            var interventionPersons = db.Interventions.AsNoTracking().Where(i => i.PersonId != null && (i.CaseId == null || !closed.Contains(i.CaseId.Value)))
                .Select(i => i.PersonId!.Value).ToHashSet();
            return links.Where(l => closed.Contains(l.CaseId)).Select(l => l.PersonId).Distinct()
                .Where(p => !links.Any(o => o.PersonId == p && !closed.Contains(o.CaseId)) && !incidentPersons.Contains(p) && !interventionPersons.Contains(p))
                .Order().ToList();
        });
        Assert.Equal(expectedGone, plan.Persons);
        // The dry run lists what goes with those persons, as the run removes it.
        var day = DateOnly.FromDateTime(asOf);
        var expectedRows = factory.WithDb(db => new PersonRows(
            db.LifeDomainScores.Count(r => expectedGone.Contains(r.PersonId)),
            db.PoliceSignals.Count(r => expectedGone.Contains(r.PersonId)),
            db.Tenancies.Count(r => expectedGone.Contains(r.PersonId)),
            db.Tenancies.Count(r => expectedGone.Contains(r.PersonId) && (r.EndDate == null || r.EndDate >= day)),
            db.Consents.Count(r => expectedGone.Contains(r.PersonId))));
        Assert.Equal(expectedRows, plan.PersonRows);
        Assert.True(expectedRows.LifeDomainScores + expectedRows.Tenancies > 0, "the seed gives the persons that go some rows of their own");
        Assert.Contains($"{expectedRows.LifeDomainScores} life-domain scores, {expectedRows.PoliceSignals} police signals, {expectedRows.Tenancies} tenancies ({expectedRows.CurrentTenancies} current) and {expectedRows.Consents} consents",
            output.ToString(), StringComparison.Ordinal);

        code = await AccountabilityCommands.RetentionAsync(["--as-of", asOf.ToString("yyyy-MM-dd"), "--database", factory.DatabasePath], TextWriter.Null, TextWriter.Null);
        Assert.Equal(AccountabilityCommands.ExitOk, code);

        var after = Snapshot();
        Assert.Equal(snapshot.Cases.Except(closed).Order(), after.Cases.Order());
        Assert.Equal(snapshot.Persons.Except(expectedGone).Order(), after.Persons.Order());
        Assert.Contains(keptPerson, after.Persons);
        Assert.Equal(snapshot.Incidents, after.Incidents);
        Assert.Equal(snapshot.Locations, after.Locations);
        factory.WithDb(db =>
        {
            Assert.False(db.Interventions.Any(i => i.CaseId != null && closed.Contains(i.CaseId.Value)));
            Assert.False(db.CaseStatusChanges.Any(s => closed.Contains(s.CaseId)));
            Assert.False(db.CaseContributions.Any(c => closed.Contains(c.CaseId)));
            Assert.False(db.CaseSubjects.Any(s => closed.Contains(s.CaseId)));
            // Everything that stays still has its parts.
            Assert.True(db.CaseSubjects.Any(s => s.PersonId == keptPerson && s.CaseId == openCase));
            Assert.All(db.CaseSubjects.Select(s => s.PersonId).Distinct().ToList(), p => Assert.Contains(p, after.Persons));
            Assert.All(db.IncidentPersons.Select(s => s.PersonId).Distinct().ToList(), p => Assert.Contains(p, after.Persons));
            return 0;
        });

        // Nothing left to do.
        var again = await factory.WithDbAsync(db => Retention.PlanAsync(db, asOf, CancellationToken.None));
        Assert.True(again.IsEmpty);
    }

    [Fact]
    public async Task Cases_within_their_term_stay()
    {
        var plan = await factory.WithDbAsync(db => Retention.PlanAsync(db, new DateTime(2000, 1, 1, 0, 0, 0, DateTimeKind.Utc), CancellationToken.None));
        Assert.True(plan.IsEmpty);

        var closed = factory.WithDb(db => db.Cases.Where(c => c.Status == CaseStatus.Afgesloten && c.ClosedAt != null)
            .Select(c => new { c.Id, c.Kind, c.ClosedAt }).ToList());
        if (closed.Count == 0) return;
        var latest = closed.Max(c => c.ClosedAt!.Value);
        var justInTerm = await factory.WithDbAsync(db => Retention.PlanAsync(db, latest.AddDays(1), CancellationToken.None));
        Assert.All(justInTerm.Cases, c => Assert.True(c.ClosedAt.AddYears(Purposes.RetentionYearsFor(c.Kind)) <= latest.AddDays(1)));
        Assert.DoesNotContain(justInTerm.Cases, c => c.ClosedAt == latest);
    }

    [Fact]
    public async Task Bad_arguments_are_a_usage_error()
    {
        var error = new StringWriter();
        Assert.Equal(AccountabilityCommands.ExitUsage, await AccountabilityCommands.RetentionAsync(["--as-of", "yesterday"], TextWriter.Null, error));
        Assert.Contains("--as-of", error.ToString(), StringComparison.Ordinal);
    }

    private (List<int> Cases, List<int> Persons, int Incidents, int Locations) Snapshot() => factory.WithDb(db => (
        db.Cases.Select(c => c.Id).ToList(),
        db.Persons.Select(p => p.Id).ToList(),
        db.Incidents.Count(),
        db.Locations.Count()));
}
