using Microsoft.EntityFrameworkCore;
using Veiligheid.Access;
using Veiligheid.Cases;
using Veiligheid.Data;
using Veiligheid.Persons;

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
    PersonRows PersonRows,
    KeptSubjects Kept,
    TenancyOnly TenancyOnly)
{
    public bool IsEmpty => Cases.Count == 0;
}

/// <summary>
/// The rows that go with the persons a plan removes: counted in the plan so a dry run lists everything the run removes.
/// Their tenancies have all ended (a current one keeps its person, <see cref="KeptSubjects"/>).
/// </summary>
public sealed record PersonRows(int LifeDomainScores, int PoliceSignals, int EndedTenancies, int Consents)
{
    public static PersonRows None { get; } = new(0, 0, 0, 0);
}

/// <summary>
/// The subjects of the expiring cases that stay, and why: counts only, never an id, a name or a BSN. A person with
/// several reasons is counted under each; <see cref="Persons"/> counts every kept person once.
/// </summary>
/// <param name="Persons">Subjects of the expiring cases that stay.</param>
/// <param name="InOtherCases">Still a subject of a case that stays.</param>
/// <param name="InIncidents">Involved in an incident (incidents stay).</param>
/// <param name="WithOtherInterventions">The person of an intervention on no case or on a case that stays.</param>
/// <param name="WithCurrentTenancies">With a tenancy current on the plan's day (<see cref="Tenancy.IsCurrentOn"/>).</param>
public sealed record KeptSubjects(int Persons, int InOtherCases, int InIncidents, int WithOtherInterventions, int WithCurrentTenancies)
{
    public static KeptSubjects None { get; } = new(0, 0, 0, 0, 0);
}

/// <summary>
/// The subjects a current tenancy alone keeps (no other case, incident or intervention), and the rows about them that go
/// all the same: their life-domain scores and police signals, recorded for the joint work on the cases that go now, which
/// no role reaches through a tenancy (a corporation reads neither care nor police data). Their consents stay: the record
/// that a person consented is the evidence for what was shared under it. The ids are for the run; the output counts only.
/// </summary>
public sealed record TenancyOnly(IReadOnlyList<int> Persons, int LifeDomainScores, int PoliceSignals)
{
    public static TenancyOnly None { get; } = new([], 0, 0);
}

/// <summary>
/// What a retention run kept after all of what its plan listed, because partners tied those persons to the hub again
/// between the plan and the run (<see cref="Retention.ApplyAsync"/>).
/// </summary>
/// <param name="Persons">Listed persons kept, with all their rows (their ids were listed by the plan already).</param>
/// <param name="TenantsWithScores">Tenants kept by the tenancy alone in the plan, now tied otherwise: their scores and signals stay (a count).</param>
public sealed record RetentionDeviation(IReadOnlyList<int> Persons, int TenantsWithScores)
{
    public static RetentionDeviation None { get; } = new([], 0);
}

/// <summary>A closed case past its retention term.</summary>
public sealed record ExpiredCase(int Id, CaseKind Kind, DateTime ClosedAt, int RetentionYears);

/// <summary>
/// Applies the purposes' retention terms: a closed case whose term (counted from closure) has passed is removed with
/// everything only it references: its subjects' links, locations' links, participants, status history, contributions,
/// interventions, and the subjects nothing outside those cases still needs (with their scores, signals, ended tenancies
/// and consents). Locations, incidents and organisations are register or shared data and stay.
/// </summary>
/// <remarks>
/// <para>A person enters the hub as the subject of a case; what keeps one after those cases go is what a partner still
/// holds the person for without them (<see cref="SubjectTies"/>, each also a way a role reaches the person, see
/// <see cref="Access.RowRules"/>):</para>
/// <list type="bullet">
/// <item>another case, one that stays: the joint work on the person goes on;</item>
/// <item>an incident: incidents stay, and their persons with them (the police see a person through an incident);</item>
/// <item>an intervention on no case or on a case that stays: a partner's own work about the person (its executor sees it);</item>
/// <item>a current tenancy (<see cref="Tenancy.IsCurrentOn"/>, on the plan's day): the housing corporation's live
/// relation with its tenant, whom it sees as such without any case. The person stays, but when the tenancy is all that
/// keeps them, without their life-domain scores and police signals (<see cref="TenancyOnly"/>).</item>
/// </list>
/// <para>What does not keep a person, and goes with them: a tenancy that ended before the plan's day (a relation that is
/// over; the corporation no longer sees the person through it and keeps its history in its own administration);
/// life-domain scores and police signals (recorded about the person for the joint work: no role reaches them but through
/// a person it sees for one of the reasons above, and the partner that made them keeps its own); consents, given or
/// withdrawn (they let a care provider share what the hub holds in cases, and show no one the person by themselves).</para>
/// </remarks>
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
        if (ids.Count == 0) return new RetentionPlan(asOf, [], [], 0, 0, 0, 0, 0, 0, PersonRows.None, KeptSubjects.None, TenancyOnly.None);

        var subjects = await SubjectTiesAsync(db, ids, DateOnly.FromDateTime(asOf), cancellationToken);
        var kept = subjects.Where(s => s.Kept).ToList();
        var persons = subjects.Where(s => !s.Kept).Select(s => s.PersonId).Order().ToList();
        var tenantsOnly = subjects.Where(s => s.KeptByTenancyAlone).Select(s => s.PersonId).Order().ToList();

        return new RetentionPlan(
            asOf, expired, persons,
            await db.Interventions.CountAsync(i => i.CaseId != null && ids.Contains(i.CaseId.Value), cancellationToken),
            await db.CaseStatusChanges.CountAsync(s => ids.Contains(s.CaseId), cancellationToken),
            await db.CaseContributions.CountAsync(c => ids.Contains(c.CaseId), cancellationToken),
            await db.CaseParticipants.CountAsync(p => ids.Contains(p.CaseId), cancellationToken),
            await db.CaseLocations.CountAsync(l => ids.Contains(l.CaseId), cancellationToken),
            await db.CaseSubjects.CountAsync(s => ids.Contains(s.CaseId), cancellationToken),
            await PersonRowsAsync(db, persons, cancellationToken),
            new KeptSubjects(kept.Count, kept.Count(s => s.OtherCase), kept.Count(s => s.Incident),
                kept.Count(s => s.OtherIntervention), kept.Count(s => s.CurrentTenancy)),
            tenantsOnly.Count == 0 ? TenancyOnly.None : new TenancyOnly(tenantsOnly,
                await db.LifeDomainScores.CountAsync(s => tenantsOnly.Contains(s.PersonId), cancellationToken),
                await db.PoliceSignals.CountAsync(s => tenantsOnly.Contains(s.PersonId), cancellationToken)));
    }

    /// <summary>A subject of the expiring cases with what, outside them, still needs it on the plan's day (see the remarks on <see cref="Retention"/>).</summary>
    private sealed record SubjectTies(int PersonId, bool OtherCase, bool Incident, bool OtherIntervention, bool CurrentTenancy)
    {
        public bool Kept => OtherCase || Incident || OtherIntervention || CurrentTenancy;

        /// <summary>Kept by a current tenancy and nothing else (<see cref="TenancyOnly"/>).</summary>
        public bool KeptByTenancyAlone => CurrentTenancy && !(OtherCase || Incident || OtherIntervention);
    }

    /// <summary>Every subject of the cases <paramref name="ids"/> with its ties outside them, in one statement.</summary>
    private static Task<List<SubjectTies>> SubjectTiesAsync(VeiligheidDbContext db, List<int> ids, DateOnly day, CancellationToken cancellationToken)
    {
        var current = Tenancy.IsCurrentOn(day);
        return db.CaseSubjects.AsNoTracking()
            .Where(s => ids.Contains(s.CaseId))
            .Select(s => s.PersonId).Distinct()
            .Select(p => new SubjectTies(
                p,
                db.CaseSubjects.Any(o => o.PersonId == p && !ids.Contains(o.CaseId)),
                db.IncidentPersons.Any(l => l.PersonId == p),
                db.Interventions.Any(i => i.PersonId == p && (i.CaseId == null || !ids.Contains(i.CaseId.Value))),
                db.Tenancies.Where(current).Any(t => t.PersonId == p)))
            .ToListAsync(cancellationToken);
    }

    /// <summary>What goes with these persons: the same rows <see cref="ApplyAsync"/> removes with them.</summary>
    private static async Task<PersonRows> PersonRowsAsync(VeiligheidDbContext db, List<int> persons, CancellationToken cancellationToken)
    {
        if (persons.Count == 0) return PersonRows.None;
        return new PersonRows(
            await db.LifeDomainScores.CountAsync(s => persons.Contains(s.PersonId), cancellationToken),
            await db.PoliceSignals.CountAsync(s => persons.Contains(s.PersonId), cancellationToken),
            await db.Tenancies.CountAsync(t => persons.Contains(t.PersonId), cancellationToken),
            await db.Consents.CountAsync(c => persons.Contains(c.PersonId), cancellationToken));
    }

    /// <summary>
    /// Removes what <paramref name="plan"/> lists, in one transaction; returns what it kept after all of what the plan
    /// listed (<see cref="RetentionDeviation"/>: none when it removed all of it).
    /// </summary>
    /// <remarks>
    /// The partners go on writing between the plan and its run: a listed person may meanwhile have become the subject of
    /// another case, been named in an incident or got a tenancy. Removing the person then would take those rows with
    /// them (their links cascade), so the persons' ties are read again inside the transaction, before anything is
    /// removed, and only those that still have none go; never a person the plan did not list. Likewise a tenant kept by
    /// the tenancy alone loses scores and signals only when nothing else ties them still. The transaction is serializable:
    /// on SQLite it holds the write lock from its start (BEGIN IMMEDIATE), on SQL Server the ties it read stay locked, so
    /// no write comes between that reading and the removal.
    /// </remarks>
    public static async Task<RetentionDeviation> ApplyAsync(VeiligheidDbContext db, RetentionPlan plan, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(db);
        ArgumentNullException.ThrowIfNull(plan);
        if (plan.IsEmpty) return RetentionDeviation.None;
        var ids = plan.Cases.Select(c => c.Id).ToList();
        var deviation = RetentionDeviation.None;
        var strategy = db.Database.CreateExecutionStrategy();
        await strategy.ExecuteAsync(async ct =>
        {
            await using var transaction = await db.Database.BeginTransactionAsync(System.Data.IsolationLevel.Serializable, ct);
            var ties = await SubjectTiesAsync(db, ids, DateOnly.FromDateTime(plan.AsOf), ct);
            var stillUntied = ties.Where(s => !s.Kept).Select(s => s.PersonId).ToHashSet();
            var persons = plan.Persons.Where(stillUntied.Contains).ToList();
            IReadOnlyList<int> keptSincePlan = [.. plan.Persons.Where(p => !stillUntied.Contains(p))];
            // Likewise a tenant only: not one tied to a case, incident or intervention since the plan.
            var stillTenantsOnly = ties.Where(s => s.KeptByTenancyAlone).Select(s => s.PersonId).ToHashSet();
            var tenantsOnly = plan.TenancyOnly.Persons.Where(stillTenantsOnly.Contains).ToList();
            deviation = new RetentionDeviation(keptSincePlan, plan.TenancyOnly.Persons.Count - tenantsOnly.Count);
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
            if (tenantsOnly.Count > 0)
            {
                await db.LifeDomainScores.Where(s => tenantsOnly.Contains(s.PersonId)).ExecuteDeleteAsync(ct);
                await db.PoliceSignals.Where(s => tenantsOnly.Contains(s.PersonId)).ExecuteDeleteAsync(ct);
            }
            await transaction.CommitAsync(ct);
        }, cancellationToken);
        return deviation;
    }
}
