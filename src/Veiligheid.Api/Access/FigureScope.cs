using System.Linq.Expressions;
using Veiligheid.Cases;
using Veiligheid.Interventions;

namespace Veiligheid.Access;

/// <summary>
/// Which rows a role's aggregated figures count. Figures are municipality-wide (the analyst's need), so they are not
/// bounded by the role's case rows (the analyst and BI roles have none); instead this rule, declared per role in
/// <see cref="AccessPolicy"/>, says what may be counted:
/// <list type="bullet">
/// <item>incidents: all of them (incidents carry no confidentiality level and no person appears in a count);</item>
/// <item>cases: those up to <see cref="MaxConfidentiality"/>, never an ondermijning case (visible only to the partners
/// named on it, so not even its existence may show through a count);</item>
/// <item>interventions: those up to <see cref="MaxConfidentiality"/>, never one on a case that is not counted, and never
/// a care intervention (care data is shared only with consent, also not as a count).</item>
/// </list>
/// Every figure also passes small-count suppression (Figures:SuppressionThreshold).
/// </summary>
public sealed record FigureScope(ConfidentialityLevel MaxConfidentiality)
{
    /// <summary>The cases a figure may count.</summary>
    public Expression<Func<Case, bool>> Cases
    {
        get
        {
            var max = MaxConfidentiality;
            return c => c.Confidentiality <= max && c.Kind != CaseKind.Ondermijning;
        }
    }

    /// <summary>The interventions a figure may count.</summary>
    public Expression<Func<Intervention, bool>> Interventions
    {
        get
        {
            Expression<Func<Intervention, bool>> notCare = i => !ExpressionComposition.Is(i);
            Expression<Func<Intervention, bool>> withoutCase = i => i.CaseId == null;
            var max = MaxConfidentiality;
            Expression<Func<Intervention, bool>> atMost = i => i.Confidentiality <= max;
            return atMost
                .And(notCare.Inline(AccessPolicy.IsCareIntervention))
                .And(withoutCase.Or(Cases.Through<Intervention, Case>(i => i.Case!)));
        }
    }
}
