using Microsoft.EntityFrameworkCore;
using Veiligheid.Access;
using Veiligheid.Cases;
using Veiligheid.Data;

namespace Veiligheid.Accountability;

/// <summary>What applying the retention terms removes (or, in a dry run, would remove). Ids only: never a name or BSN.</summary>
public sealed record RetentionPlan(
    DateTime AsOf,
    IReadOnlyList<ExpiredCase> Cases,
    IReadOnlyList<int> Persons,
    int Interventions,
    int StatusChanges,
    int Contributions,
    int Participants,
    int CaseLocations,
    int CaseSubjects,
    PersonRows PersonRows)
{
    public bool IsEmpty => Cases.Count == 0;
}

/// <summary>
/// The rows that go with the persons a plan removes: counted in the plan so a dry run lists everything the run removes.
/// A current tenancy (no end date, or one still to come) is counted apart too: a privacy officer may want to know that
/// a housing corporation's tenant leaves the hub with its last case.
/// </summary>
public sealed record PersonRows(int LifeDomainScores, int PoliceSignals, int Tenancies, int CurrentTenancies, int Consents)
{
    public static PersonRows None { get; } = new(0, 0, 0, 0, 0);
}

/// <summary>A closed case past its retention term.</summary>
public sealed record ExpiredCase(int Id, CaseKind Kind, DateTime ClosedAt, int RetentionYears);

/// <summary>
/// Applies the purposes' retention terms: a closed case whose term (counted from closure) has passed is removed with
/// everything only it references: its subjects' links, locations' links, participants, status history, contributions,
/// interventions, and the persons no other case, incident or intervention still refers to (with their scores, signals,
/// tenancies and consents). Locations, incidents and organisations are register or shared data and stay.
/// </summary>
public static class Retention
{
    public static async Task<RetentionPlan> PlanAsync(VeiligheidDbContext db, DateTime asOf, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(db);
        var closed = await db.Cases.AsNoTracking().Where(c => c.Status == CaseStatus.Afgesloten && c.ClosedAt != null)
            .Select(c => new { c.Id, c.Kind, ClosedAt = c.ClosedAt!.Value }).ToListAsync(cancellationToken);
        var expired = closed
            .Select(c => new ExpiredCase(c.Id, c.Kind, c.ClosedAt, Purposes.RetentionYearsFor(c.Kind)))
            .Where(c => c.ClosedAt.AddYears(c.RetentionYears) <= asOf)
            .OrderBy(c => c.Id)
            .ToList();
        var ids = expired.Select(c => c.Id).ToList();
        if (ids.Count == 0) return new RetentionPlan(asOf, [], [], 0, 0, 0, 0, 0, 0, PersonRows.None);

        // A subject stays when anything outside the expiring cases still refers to it.
        var persons = await db.CaseSubjects.AsNoTracking()
            .Where(s => ids.Contains(s.CaseId))
            .Select(s => s.PersonId).Distinct()
            .Where(p => !db.CaseSubjects.Any(o => o.PersonId == p && !ids.Contains(o.CaseId))
                        && !db.IncidentPersons.Any(l => l.PersonId == p)
                        && !db.Interventions.Any(i => i.PersonId == p && (i.CaseId == null || !ids.Contains(i.CaseId.Value))))
            .OrderBy(p => p)
            .ToListAsync(cancellationToken);

        return new RetentionPlan(
            asOf, expired, persons,
            await db.Interventions.CountAsync(i => i.CaseId != null && ids.Contains(i.CaseId.Value), cancellationToken),
            await db.CaseStatusChanges.CountAsync(s => ids.Contains(s.CaseId), cancellationToken),
            await db.CaseContributions.CountAsync(c => ids.Contains(c.CaseId), cancellationToken),
            await db.CaseParticipants.CountAsync(p => ids.Contains(p.CaseId), cancellationToken),
            await db.CaseLocations.CountAsync(l => ids.Contains(l.CaseId), cancellationToken),
            await db.CaseSubjects.CountAsync(s => ids.Contains(s.CaseId), cancellationToken),
            await PersonRowsAsync(db, persons, asOf, cancellationToken));
    }

    /// <summary>What goes with these persons: the same rows <see cref="ApplyAsync"/> removes with them.</summary>
    private static async Task<PersonRows> PersonRowsAsync(VeiligheidDbContext db, List<int> persons, DateTime asOf, CancellationToken cancellationToken)
    {
        if (persons.Count == 0) return PersonRows.None;
        var day = DateOnly.FromDateTime(asOf);
        return new PersonRows(
            await db.LifeDomainScores.CountAsync(s => persons.Contains(s.PersonId), cancellationToken),
            await db.PoliceSignals.CountAsync(s => persons.Contains(s.PersonId), cancellationToken),
            await db.Tenancies.CountAsync(t => persons.Contains(t.PersonId), cancellationToken),
            await db.Tenancies.CountAsync(t => persons.Contains(t.PersonId) && (t.EndDate == null || t.EndDate >= day), cancellationToken),
            await db.Consents.CountAsync(c => persons.Contains(c.PersonId), cancellationToken));
    }

    /// <summary>Removes what <paramref name="plan"/> lists, in one transaction.</summary>
    public static async Task ApplyAsync(VeiligheidDbContext db, RetentionPlan plan, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(db);
        ArgumentNullException.ThrowIfNull(plan);
        if (plan.IsEmpty) return;
        var ids = plan.Cases.Select(c => c.Id).ToList();
        var persons = plan.Persons.ToList();
        var strategy = db.Database.CreateExecutionStrategy();
        await strategy.ExecuteAsync(async ct =>
        {
            await using var transaction = await db.Database.BeginTransactionAsync(ct);
            await db.Interventions.Where(i => i.CaseId != null && ids.Contains(i.CaseId.Value)).ExecuteDeleteAsync(ct);
            await db.CaseStatusChanges.Where(s => ids.Contains(s.CaseId)).ExecuteDeleteAsync(ct);
            await db.CaseContributions.Where(c => ids.Contains(c.CaseId)).ExecuteDeleteAsync(ct);
            await db.CaseParticipants.Where(p => ids.Contains(p.CaseId)).ExecuteDeleteAsync(ct);
            await db.CaseLocations.Where(l => ids.Contains(l.CaseId)).ExecuteDeleteAsync(ct);
            await db.CaseSubjects.Where(s => ids.Contains(s.CaseId)).ExecuteDeleteAsync(ct);
            await db.Cases.Where(c => ids.Contains(c.Id)).ExecuteDeleteAsync(ct);
            if (persons.Count > 0)
            {
                await db.LifeDomainScores.Where(s => persons.Contains(s.PersonId)).ExecuteDeleteAsync(ct);
                await db.PoliceSignals.Where(s => persons.Contains(s.PersonId)).ExecuteDeleteAsync(ct);
                await db.Tenancies.Where(t => persons.Contains(t.PersonId)).ExecuteDeleteAsync(ct);
                await db.Consents.Where(c => persons.Contains(c.PersonId)).ExecuteDeleteAsync(ct);
                await db.Persons.Where(p => persons.Contains(p.Id)).ExecuteDeleteAsync(ct);
            }
            await transaction.CommitAsync(ct);
        }, cancellationToken);
    }
}
