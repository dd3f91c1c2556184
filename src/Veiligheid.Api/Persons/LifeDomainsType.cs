using System.Text.Json;
using GraphQL;
using GraphQL.DataLoader;
using GraphQL.Types;
using Microsoft.EntityFrameworkCore;
using Veiligheid.Access;
using Veiligheid.Cases;
using Veiligheid.GraphQL;
using Veiligheid.Organisations;

namespace Veiligheid.Persons;

/// <summary>
/// The 13 life domains, one field each, because sharing is decided per domain: the assessing care provider sees its own
/// scores, another organisation only with the person's active consent or under the legal ground of a case it shares with
/// the person. A withheld domain resolves to null with a CARE_DATA_WITHHELD error on its path; the others still resolve.
/// A domain without a score answers the same wherever a score on it would be withheld (<see cref="SharedLifeDomains"/>).
/// </summary>
[Category(DataCategory.Zorg)]
public sealed class LifeDomainsType : SlicedObjectGraphType<Person>
{
    public const string WithheldCode = "CARE_DATA_WITHHELD";

    public LifeDomainsType()
    {
        Name = "LifeDomains";
        Description = "Self-reliance scores per life domain of the Zelfredzaamheid-Matrix; null where there is no score or the score is withheld.";
        foreach (var domain in Enum.GetValues<LifeDomain>())
        {
            Field<LifeDomainAssessmentType>(JsonNamingPolicy.CamelCase.ConvertName(domain.ToString()))
                .Description(DescriptionOf(domain))
                .Resolve(ctx =>
                {
                    var person = ctx.Source;
                    return ctx.LoadLifeDomains(person.Id).Then(shared =>
                    {
                        // Logged here, for a score the caller is given: a withheld domain (an error) or one without a score
                        // gave the caller no care data, so the field middleware does not note these fields
                        // (ProcessingObserver), or every withheld domain made the record Zorg and Vertrouwelijk.
                        var score = shared.Get(domain);
                        if (score is not null) ctx.Hub().Processing.Add(person.Id, DataCategory.Zorg, person.Bsn);
                        return score;
                    });
                });
        }
    }

    private static string DescriptionOf(LifeDomain domain)
        => typeof(LifeDomain).GetField(domain.ToString())!.GetCustomAttributes(typeof(System.ComponentModel.DescriptionAttribute), false)
            .OfType<System.ComponentModel.DescriptionAttribute>().Single().Description;
}

[Category(DataCategory.Zorg)]
public sealed class LifeDomainAssessmentType : SlicedObjectGraphType<LifeDomainScore>
{
    public LifeDomainAssessmentType()
    {
        Name = "LifeDomainAssessment";
        Description = "One assessed score on a life domain.";
        Field<NonNullGraphType<IntGraphType>>("score").Description("1 acute problem … 5 fully self-reliant.").Resolve(ctx => ctx.Source.Score);
        Field<NonNullGraphType<DateScalar>>("assessedOn").Description("When it was assessed.").Resolve(ctx => ctx.Source.AssessedOn);
        Field<NonNullGraphType<OrganisationType>>("assessedBy").Description("The organisation that assessed it.").Category(DataCategory.Register)
            .Resolve(ctx => ctx.LoadOrganisation(ctx.Source.AssessedByOrganisationId));
    }
}

/// <summary>
/// The latest score per domain of one person among those the caller may see, and the domains a legal ground of a case the
/// caller shares with the person covers. A domain without a score the caller may see is withheld (null with an error)
/// unless such a legal ground covers it, whether or not the person has a score on it: a withheld score is outside the
/// caller's slice, and answered otherwise than no score it would tell that some organisation assessed the person on the
/// domain, as a hidden row answers exactly like a missing one. So a later score the caller may not see leaves the latest
/// one it may see as it is: withheld in its place, it would tell that someone assessed the person again (and hide a care
/// provider's own assessment from it). Where a legal ground covers the domain every score would be shown, so a null there
/// (without an error) says only that there is none.
/// </summary>
public sealed class SharedLifeDomains(IReadOnlyDictionary<LifeDomain, LifeDomainScore> latestShared, Func<LifeDomain, bool> coveredByLegalGround)
{
    public LifeDomainScore? Get(LifeDomain domain)
    {
        if (latestShared.TryGetValue(domain, out var score)) return score;
        if (coveredByLegalGround(domain)) return null;
        throw new ExecutionError(
            $"The life domain '{domain}' of this person is withheld, whether or not it has a score: no score on it is your organisation's own, shared by the person's consent to your organisation, or covered by the legal ground of a case you share with the person.")
        {
            Code = LifeDomainsType.WithheldCode,
            Data = { ["reason"] = "NO_CONSENT_OR_LEGAL_GROUND", ["domain"] = domain.ToString() },
        };
    }
}

/// <summary>Loads scores, consents and case legal grounds for all persons on a level in three statements.</summary>
public static class LifeDomainLoading
{
    public static IDataLoaderResult<SharedLifeDomains> LoadLifeDomains(this IResolveFieldContext context, int personId)
    {
        var hub = context.Hub();
        return hub.Loader<int, SharedLifeDomains>("person.lifeDomains", (ids, ct) => FetchAsync(hub, ids, ct), Empty).Load(personId);
    }

    // The loader's answer for an id its batch left out; none is (FetchAsync answers every person it is given).
    private static readonly SharedLifeDomains Empty = new(new Dictionary<LifeDomain, LifeDomainScore>(), _ => true);

    private static async Task<IReadOnlyDictionary<int, SharedLifeDomains>> FetchAsync(RequestContext hub, IReadOnlyList<int> ids, CancellationToken ct)
    {
        var organisationId = hub.Access.Caller.OrganisationId;
        var scores = await hub.Db.LifeDomainScores.AsNoTracking().WhereKeyIn(s => s.PersonId, ids).ToListAsync(ct);
        var consents = await hub.Db.Consents.AsNoTracking().WhereKeyIn(c => c.PersonId, ids)
            .Where(c => c.RecipientOrganisationId == organisationId && c.WithdrawnOn == null)
            .Select(c => new { c.PersonId, c.CareProviderOrganisationId }).ToListAsync(ct);
        var grounds = await hub.Db.CaseSubjects.AsNoTracking().WhereKeyIn(s => s.PersonId, ids)
            .Where(hub.Access.Cases.Through<CaseSubject, Case>(s => s.Case))
            .Select(s => new { s.PersonId, s.Case.LegalGround }).Distinct().ToListAsync(ct);

        var consented = consents.Select(c => (c.PersonId, c.CareProviderOrganisationId)).ToHashSet();
        var covered = grounds.SelectMany(g => AccessPolicy.LegalGroundCoverage[g.LegalGround].Select(d => (g.PersonId, d))).ToHashSet();

        // Every person of the batch, scored or not: a domain without a score is withheld as one with a score is.
        var shared = scores.Where(score => score.AssessedByOrganisationId == organisationId
                                           || consented.Contains((score.PersonId, score.AssessedByOrganisationId))
                                           || covered.Contains((score.PersonId, score.Domain)))
            .ToLookup(s => s.PersonId);
        return ids.Distinct().ToDictionary(
            id => id,
            id => new SharedLifeDomains(
                shared[id].GroupBy(s => s.Domain).ToDictionary(d => d.Key, d => d.OrderByDescending(s => s.AssessedOn).ThenByDescending(s => s.Id).First()),
                domain => covered.Contains((id, domain))));
    }
}
