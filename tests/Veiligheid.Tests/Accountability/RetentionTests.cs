using System.Globalization;
using Microsoft.EntityFrameworkCore;
using Veiligheid.Access;
using Veiligheid.Accountability;
using Veiligheid.Cases;
using Veiligheid.Data;
using Veiligheid.Data.Seeding;
using Veiligheid.Incidents;
using Veiligheid.Persons;
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

        // The demo's subjects that only closed cases hold all have a current tenancy (they stay): one that goes, with rows of its own.
        var gone = factory.AddLoneSubjectOfClosedCase(new DateTime(2020, 1, 1, 0, 0, 0, DateTimeKind.Utc), (db, subject) =>
        {
            db.Tenancies.Add(LoneSubjects.TenancyOf(subject, new DateOnly(2021, 1, 1)));
            db.LifeDomainScores.Add(new LifeDomainScore { PersonId = subject.PersonId, Domain = LifeDomain.Huisvesting, Score = 2, AssessedOn = new DateOnly(2019, 6, 1), AssessedByOrganisationId = DemoOrganisations.IdOf(DemoOrganisations.GemeenteVeiligstad) });
        });
        closed.Add(gone.CaseId);
        snapshot = Snapshot();

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

        // Derived independently: a subject of closed cases goes only when nothing else needs it: no other case, no
        // incident, no intervention outside those cases, no tenancy that has not ended by the day.
        var day = DateOnly.FromDateTime(asOf);
        var expectedGone = factory.WithDb(db =>
        {
            var links = db.CaseSubjects.AsNoTracking().ToList();
            var incidentPersons = db.IncidentPersons.AsNoTracking().Select(l => l.PersonId).ToHashSet();
            var interventionPersons = db.Interventions.AsNoTracking().Where(i => i.PersonId != null && (i.CaseId == null || !closed.Contains(i.CaseId.Value)))
                .Select(i => i.PersonId!.Value).ToHashSet();
            var tenants = db.Tenancies.AsNoTracking().ToList().Where(t => t.EndDate is not { } end || end >= day).Select(t => t.PersonId).ToHashSet();
            return links.Where(l => closed.Contains(l.CaseId)).Select(l => l.PersonId).Distinct()
                .Where(p => !links.Any(o => o.PersonId == p && !closed.Contains(o.CaseId)) && !incidentPersons.Contains(p) && !interventionPersons.Contains(p) && !tenants.Contains(p))
                .Order().ToList();
        });
        Assert.Equal(expectedGone, plan.Persons);
        Assert.Contains(gone.PersonId, plan.Persons);
        // The dry run lists what goes with those persons, as the run removes it.
        var expectedRows = factory.WithDb(db => new PersonRows(
            db.LifeDomainScores.Count(r => expectedGone.Contains(r.PersonId)),
            db.PoliceSignals.Count(r => expectedGone.Contains(r.PersonId)),
            db.Tenancies.Count(r => expectedGone.Contains(r.PersonId)),
            db.Consents.Count(r => expectedGone.Contains(r.PersonId))));
        Assert.Equal(expectedRows, plan.PersonRows);
        Assert.True(expectedRows.LifeDomainScores > 0 && expectedRows.EndedTenancies > 0, "the person that goes has rows of its own");
        Assert.Contains($"{expectedRows.LifeDomainScores} life-domain scores, {expectedRows.PoliceSignals} police signals, {expectedRows.EndedTenancies} ended tenancies and {expectedRows.Consents} consents",
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
    public async Task A_current_tenancy_keeps_its_tenant_and_the_dry_run_lists_what_the_run_removes()
    {
        // Lone subjects of woonoverlast cases closed in 2000 (term 2 years), planned as of 2005: only these cases expire.
        var closedAt = new DateTime(2000, 3, 1, 0, 0, 0, DateTimeKind.Utc);
        var asOf = new DateTime(2005, 1, 1, 0, 0, 0, DateTimeKind.Utc);
        var day = DateOnly.FromDateTime(asOf);
        var gemeente = DemoOrganisations.IdOf(DemoOrganisations.GemeenteVeiligstad);
        // This tenant also has a score, a signal and a consent from the joint work: the tenancy keeps the person and the
        // consent (the evidence of what was shared), not the score and the signal, which no role reaches through a tenancy.
        var tenant = factory.AddLoneSubjectOfClosedCase(closedAt, (db, s) =>
        {
            db.Tenancies.Add(LoneSubjects.TenancyOf(s, null));
            AddJointWorkRows(db, s.PersonId, gemeente);
        });
        var underNotice = factory.AddLoneSubjectOfClosedCase(closedAt, (db, s) => db.Tenancies.Add(LoneSubjects.TenancyOf(s, day.AddMonths(6))));
        var lastDay = factory.AddLoneSubjectOfClosedCase(closedAt, (db, s) => db.Tenancies.Add(LoneSubjects.TenancyOf(s, day)));
        var formerTenant = factory.AddLoneSubjectOfClosedCase(closedAt, (db, s) => db.Tenancies.Add(LoneSubjects.TenancyOf(s, day.AddDays(-1))));
        // Scores, signals and consents keep no one: they go with the person.
        var assessed = factory.AddLoneSubjectOfClosedCase(closedAt, (db, s) => AddJointWorkRows(db, s.PersonId, gemeente));
        var ours = new[] { tenant, underNotice, lastDay, formerTenant, assessed };
        var plan = await factory.WithDbAsync(db => Retention.PlanAsync(db, asOf, CancellationToken.None));
        Assert.Equal(ours.Select(s => s.CaseId), plan.Cases.Select(c => c.Id));

        var dryRun = await RetentionOutputAsync(asOf, dryRun: true);
        Assert.Contains("and 2 persons nothing else refers to", dryRun, StringComparison.Ordinal);
        Assert.Contains("with their 1 life-domain scores, 1 police signals, 1 ended tenancies and 1 consents", dryRun, StringComparison.Ordinal);
        Assert.Contains("keeping 3 of their subjects, still needed: 0 in another case, 0 in an incident, 0 with an intervention outside these cases, 3 with a current tenancy", dryRun, StringComparison.Ordinal);
        Assert.Contains("of whom 3 kept by a current tenancy alone, without their 1 life-domain scores and 1 police signals", dryRun, StringComparison.Ordinal);
        // What is kept is counted, never named.
        foreach (var kept in new[] { tenant, underNotice, lastDay })
            Assert.DoesNotMatch($@"\b{kept.PersonId}\b", dryRun.Split('\n').Single(l => l.Contains("keeping", StringComparison.Ordinal)));
        var before = Count();

        var run = await RetentionOutputAsync(asOf, dryRun: false);

        // The run says what the dry run said, and removed exactly that.
        Assert.Equal(dryRun.Replace(" (dry run: nothing is changed): would remove", ": removed", StringComparison.Ordinal), run);
        var after = Count();
        Assert.Equal(before with
        {
            Cases = before.Cases - plan.Cases.Count,
            CaseSubjects = before.CaseSubjects - plan.CaseSubjects,
            CaseLocations = before.CaseLocations - plan.CaseLocations,
            Persons = before.Persons - plan.Persons.Count,
            LifeDomainScores = before.LifeDomainScores - plan.PersonRows.LifeDomainScores - plan.TenancyOnly.LifeDomainScores,
            PoliceSignals = before.PoliceSignals - plan.PersonRows.PoliceSignals - plan.TenancyOnly.PoliceSignals,
            Tenancies = before.Tenancies - plan.PersonRows.EndedTenancies,
            Consents = before.Consents - plan.PersonRows.Consents,
        }, after);
        factory.WithDb(db =>
        {
            Assert.False(db.Cases.Any(c => ours.Select(s => s.CaseId).Contains(c.Id)));
            // The current tenants stay, with their tenancies; the former tenant and the assessed person go, with their rows.
            foreach (var kept in new[] { tenant, underNotice, lastDay })
            {
                Assert.True(db.Persons.Any(p => p.Id == kept.PersonId));
                Assert.True(db.Tenancies.Any(t => t.PersonId == kept.PersonId));
            }
            Assert.False(db.LifeDomainScores.Any(t => t.PersonId == tenant.PersonId) || db.PoliceSignals.Any(t => t.PersonId == tenant.PersonId));
            Assert.True(db.Consents.Any(t => t.PersonId == tenant.PersonId));
            foreach (var goneOne in new[] { formerTenant, assessed })
            {
                Assert.False(db.Persons.Any(p => p.Id == goneOne.PersonId));
                Assert.False(db.Tenancies.Any(t => t.PersonId == goneOne.PersonId));
                Assert.False(db.LifeDomainScores.Any(t => t.PersonId == goneOne.PersonId));
                Assert.False(db.PoliceSignals.Any(t => t.PersonId == goneOne.PersonId));
                Assert.False(db.Consents.Any(t => t.PersonId == goneOne.PersonId));
            }
            return 0;
        });
    }

    /// <summary>A life-domain score, a police signal and a consent about the person, as the joint work on a case records them.</summary>
    private static void AddJointWorkRows(VeiligheidDbContext db, int personId, int gemeente)
    {
        db.LifeDomainScores.Add(new LifeDomainScore { PersonId = personId, Domain = LifeDomain.Financien, Score = 1, AssessedOn = new DateOnly(2000, 1, 1), AssessedByOrganisationId = gemeente });
        db.PoliceSignals.Add(new PoliceSignal { PersonId = personId, Kind = PoliceSignalKind.Geweld, RegisteredOn = new DateOnly(2000, 1, 1), OrganisationId = DemoOrganisations.IdOf(DemoOrganisations.PolitieNoord) });
        db.Consents.Add(new Consent { PersonId = personId, CareProviderOrganisationId = DemoOrganisations.IdOf(DemoOrganisations.GgzHorizon), RecipientOrganisationId = gemeente, GivenOn = new DateOnly(2000, 1, 1) });
    }

    [Fact]
    public async Task A_tenancy_that_ended_keeps_no_one_later_but_a_current_one_keeps_its_tenant_until_it_ends()
    {
        // The same tenant on two days: on its last day the tenancy keeps the person, the day after it no longer does.
        var end = new DateOnly(2004, 6, 30);
        var subject = factory.AddLoneSubjectOfClosedCase(new DateTime(2001, 1, 1, 0, 0, 0, DateTimeKind.Utc), (db, s) => db.Tenancies.Add(LoneSubjects.TenancyOf(s, end)));
        var onLastDay = await factory.WithDbAsync(db => Retention.PlanAsync(db, end.ToDateTime(TimeOnly.MinValue, DateTimeKind.Utc), CancellationToken.None));
        var dayAfter = await factory.WithDbAsync(db => Retention.PlanAsync(db, end.AddDays(1).ToDateTime(TimeOnly.MinValue, DateTimeKind.Utc), CancellationToken.None));

        Assert.Contains(subject.CaseId, onLastDay.Cases.Select(c => c.Id));
        Assert.DoesNotContain(subject.PersonId, onLastDay.Persons);
        Assert.Contains(subject.PersonId, dayAfter.Persons);
        await factory.WithDbAsync(async db =>
        {
            await Retention.ApplyAsync(db, dayAfter, CancellationToken.None);
            return 0;
        });
        Assert.False(factory.WithDb(db => db.Persons.Any(p => p.Id == subject.PersonId) || db.Tenancies.Any(t => t.PersonId == subject.PersonId)));
    }

    [Fact]
    public async Task A_person_tied_again_between_the_plan_and_its_run_is_kept_with_the_new_tie()
    {
        // Partners write between the plan and the run: a listed person named in a new incident meanwhile must not go, or
        // the incident's link would go with them (it cascades).
        var asOf = new DateTime(2010, 1, 1, 0, 0, 0, DateTimeKind.Utc);
        var tied = factory.AddLoneSubjectOfClosedCase(new DateTime(2003, 1, 1, 0, 0, 0, DateTimeKind.Utc));
        var untied = factory.AddLoneSubjectOfClosedCase(new DateTime(2003, 1, 1, 0, 0, 0, DateTimeKind.Utc));
        // A tenant kept by the tenancy alone in the plan, named in the incident too before the run: their score stays.
        var gemeente = DemoOrganisations.IdOf(DemoOrganisations.GemeenteVeiligstad);
        var tenant = factory.AddLoneSubjectOfClosedCase(new DateTime(2003, 1, 1, 0, 0, 0, DateTimeKind.Utc), (db, s) =>
        {
            db.Tenancies.Add(LoneSubjects.TenancyOf(s, null));
            AddJointWorkRows(db, s.PersonId, gemeente);
        });
        var plan = await factory.WithDbAsync(db => Retention.PlanAsync(db, asOf, CancellationToken.None));
        Assert.Contains(tenant.PersonId, plan.TenancyOnly.Persons);
        Assert.Contains(tied.PersonId, plan.Persons);
        Assert.Contains(untied.PersonId, plan.Persons);
        var incidentId = factory.WithDb(db => db.Incidents.OrderBy(i => i.Id).Select(i => i.Id).First());
        factory.WithDb(db =>
        {
            db.IncidentPersons.Add(new IncidentPerson { IncidentId = incidentId, PersonId = tied.PersonId, Role = IncidentPersonRole.Betrokkene });
            db.IncidentPersons.Add(new IncidentPerson { IncidentId = incidentId, PersonId = tenant.PersonId, Role = IncidentPersonRole.Betrokkene });
            return db.SaveChanges();
        });

        var kept = await factory.WithDbAsync(db => Retention.ApplyAsync(db, plan, CancellationToken.None));

        Assert.Equal([tied.PersonId], kept.Persons);
        Assert.Equal(1, kept.TenantsWithScores);
        Assert.True(factory.WithDb(db => db.LifeDomainScores.Any(s => s.PersonId == tenant.PersonId) && db.PoliceSignals.Any(s => s.PersonId == tenant.PersonId)));
        Assert.True(factory.WithDb(db => db.IncidentPersons.Any(l => l.IncidentId == incidentId && l.PersonId == tied.PersonId)));
        Assert.False(factory.WithDb(db => db.Persons.Any(p => p.Id == untied.PersonId)));
        Assert.False(factory.WithDb(db => db.Cases.Any(c => c.Id == tied.CaseId)));
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

    private async Task<string> RetentionOutputAsync(DateTime asOf, bool dryRun)
    {
        var output = new StringWriter();
        string[] args = ["--as-of", asOf.ToString("yyyy-MM-dd", CultureInfo.InvariantCulture), "--database", factory.DatabasePath];
        Assert.Equal(AccountabilityCommands.ExitOk, await AccountabilityCommands.RetentionAsync(dryRun ? ["--dry-run", .. args] : args, output, TextWriter.Null));
        return output.ToString();
    }

    /// <summary>How many rows each table retention touches holds.</summary>
    private sealed record RowCounts(int Cases, int CaseSubjects, int CaseLocations, int Persons, int LifeDomainScores, int PoliceSignals, int Tenancies, int Consents, int Incidents, int Locations);

    private RowCounts Count() => factory.WithDb(db => new RowCounts(
        db.Cases.Count(), db.CaseSubjects.Count(), db.CaseLocations.Count(), db.Persons.Count(), db.LifeDomainScores.Count(),
        db.PoliceSignals.Count(), db.Tenancies.Count(), db.Consents.Count(), db.Incidents.Count(), db.Locations.Count()));

    private (List<int> Cases, List<int> Persons, int Incidents, int Locations) Snapshot() => factory.WithDb(db => (
        db.Cases.Select(c => c.Id).ToList(),
        db.Persons.Select(p => p.Id).ToList(),
        db.Incidents.Count(),
        db.Locations.Count()));
}
