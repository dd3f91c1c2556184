using Veiligheid.Organisations;

namespace Veiligheid.Access;

/// <summary>
/// Who is asking, as established from a validated token and the hub's own organisation register: never from anything
/// the request says about itself. Every access decision takes this.
/// </summary>
public sealed record Caller(
    HubRole Role,
    int OrganisationId,
    string OrganisationKey,
    OrganisationKind OrganisationKind,
    string ClientAppId,
    string? UserObjectId,
    string? Purpose = null)
{
    /// <summary>True for a person signed in through a front end; false for a partner system (application token).</summary>
    public bool IsUser => UserObjectId is not null;
}
