namespace Veiligheid.Access;

/// <summary>
/// The writes a role can be granted (<see cref="RoleAccess.Writes"/>). A mutation field carries its action as metadata,
/// so a role's schema shows only the mutations the role may perform; <see cref="WriteRules"/> says which rows each may touch.
/// </summary>
public enum WriteAction
{
    /// <summary>Report incidents, one or in bulk, from the organisation's own systems.</summary>
    ReportIncident,
    /// <summary>Open a case; the caller's organisation coordinates it.</summary>
    OpenCase,
    /// <summary>Add a subject, a location or a participating organisation to a case the organisation takes part in.</summary>
    AddToCase,
    /// <summary>Move a case along its status flow, including escalation to the ZVH and closing with an outcome.</summary>
    ChangeCaseStatus,
    /// <summary>Record, update and complete the organisation's own interventions.</summary>
    RecordIntervention,
    /// <summary>Register and withdraw a client's consent to share the care provider's information.</summary>
    RegisterConsent,
    /// <summary>Add a note to a case the organisation takes part in.</summary>
    AddContribution,
}

/// <summary>Metadata key under which a mutation field's write action is stored on its GraphQL field definition.</summary>
public static class WriteActionMetadata
{
    public const string Key = "veiligheid:write";
}
