using Microsoft.EntityFrameworkCore;
using Veiligheid.Access;
using Veiligheid.Data;
using Veiligheid.Organisations;

namespace Veiligheid.Cases;

/// <summary>
/// Who reads a case: every role and organisation of the register whose case rule (<see cref="CallerAccess.Cases"/>)
/// admits it. The rules test more than the participants (a housing corporation reads the woonoverlast cases at its own
/// dwellings, a confidentiality level above a role's ceiling hides the case from it), so a write of an address, a kind or
/// a level can give a case new readers; comparing the audience before and after the write tells, by the policy itself.
/// </summary>
public static class CaseAudience
{
    /// <summary>A role held by an organisation of the register.</summary>
    public sealed record Reader(HubRole Role, int OrganisationId, string OrganisationKey, OrganisationKind OrganisationKind);

    /// <summary>Every role of the register's organisations that reads cases at all: what <see cref="AdmittedAsync"/> asks about.</summary>
    public static async Task<IReadOnlyList<Reader>> ReadersAsync(VeiligheidDbContext db, CancellationToken ct)
    {
        ArgumentNullException.ThrowIfNull(db);
        var organisations = await db.Organisations.AsNoTracking().Select(o => new { o.Id, o.Key, o.Kind }).ToListAsync(ct);
        return [.. AccessPolicy.Roles.Where(r => r.Value.Cases is not null)
            .SelectMany(r => organisations.Where(o => o.Kind == r.Key.RequiredOrganisationKind()).Select(o => new Reader(r.Key, o.Id, o.Key, o.Kind)))];
    }

    /// <summary>Those of <paramref name="readers"/> whose case rule admits the case now: one statement.</summary>
    public static async Task<IReadOnlySet<Reader>> AdmittedAsync(VeiligheidDbContext db, IReadOnlyList<Reader> readers, int caseId, CancellationToken ct)
    {
        ArgumentNullException.ThrowIfNull(readers);
        return readers.Count == 0 ? new HashSet<Reader>() : (await Admitting(db, readers, caseId).ToListAsync(ct)).Select(i => readers[i]).ToHashSet();
    }

    /// <summary>The positions in <paramref name="readers"/> (at least one) of those the case's row rule admits: one
    /// statement, a UNION ALL of the rule bound to each reader.</summary>
    internal static IQueryable<int> Admitting(VeiligheidDbContext db, IReadOnlyList<Reader> readers, int caseId)
    {
        ArgumentNullException.ThrowIfNull(db);
        ArgumentNullException.ThrowIfNull(readers);
        IQueryable<int>? admitted = null;
        for (var i = 0; i < readers.Count; i++)
        {
            var position = i;
            var (role, organisationId, key, kind) = readers[i];
            var rule = AccessPolicy.For(new Caller(role, organisationId, key, kind, "", null)).Cases;
            var admits = db.Cases.Where(c => c.Id == caseId).Where(rule).Select(c => position);
            admitted = admitted is null ? admits : admitted.Concat(admits);
        }
        return admitted ?? throw new ArgumentException("No readers.", nameof(readers));
    }
}
