using Veiligheid.Access;
using Veiligheid.GraphQL;

namespace Veiligheid.Cases;

/// <summary>What a case's participants can be filtered and sorted on (<c>Case.participants</c>); by joining unless asked otherwise.</summary>
[Category(DataCategory.Casus)]
public sealed class CaseParticipantFilter : FilterDefinition<CaseParticipant>
{
    // A participant is its organisation within its case: that is the key that makes every order of the list total.
    public CaseParticipantFilter() : base("CaseParticipant", DataCategory.Casus, p => p.OrganisationId,
        "The participating organisation's id: the order the hub registered the organisations in.")
    {
        Reference("organisation", "The organisation taking part (an Organisation id).", "Organisation", p => p.OrganisationId);
        Time("joinedAt", "When it joined the case.", p => p.JoinedAt, sortable: true);
    }
}

/// <summary>What a case's status history can be filtered and sorted on (<c>Case.statusHistory</c>); oldest first unless asked otherwise.</summary>
[Category(DataCategory.Casus)]
public sealed class CaseStatusChangeFilter : FilterDefinition<CaseStatusChange>
{
    public CaseStatusChangeFilter() : base("CaseStatusChange", DataCategory.Casus, s => s.Id,
        "The order the hub recorded the status changes in.")
    {
        Choice("fromStatus", "The status before (absent when the case was opened).", s => s.FromStatus);
        Choice("toStatus", "The status after.", s => s.ToStatus);
        Time("changedAt", "When it changed.", s => s.ChangedAt, sortable: true);
        Reference("by", "The organisation that changed it (an Organisation id).", "Organisation", s => s.ByOrganisationId);
    }
}

/// <summary>What a case's contributions can be filtered and sorted on (<c>Case.contributions</c>); oldest first unless asked otherwise.</summary>
[Category(DataCategory.Casus)]
public sealed class CaseContributionFilter : FilterDefinition<CaseContribution>
{
    public CaseContributionFilter() : base("CaseContribution", DataCategory.Casus, c => c.Id,
        "The order the hub recorded the contributions in.")
    {
        Reference("organisation", "The organisation that wrote it (an Organisation id).", "Organisation", c => c.OrganisationId);
        Text("text", "The note.", c => c.Text);
        Time("createdAt", "When it was written.", c => c.CreatedAt, sortable: true);
    }
}
