using Veiligheid.Cases;
using Veiligheid.Interventions;
using Veiligheid.Persons;

namespace Veiligheid.Access;

/// <summary>
/// Which rows a write may touch, for every role that holds the write (<see cref="RoleAccess.Writes"/>). Each rule is
/// applied on top of the caller's read rules (<see cref="CallerAccess"/>): nobody writes to a row it cannot see, and a row
/// it cannot touch answers exactly like a row that does not exist, or as forbidden when the caller can see it.
/// </summary>
public static class WriteRules
{
    public static RowRule<Case> AddToCase { get; } = new(
        "participant",
        "only the case's coordinating or participating organisations add subjects, locations, partners, notes or interventions to it",
        scope => c => c.CoordinatingOrganisationId == scope.Caller.OrganisationId
                       || c.Participants.Any(p => p.OrganisationId == scope.Caller.OrganisationId));

    // Every role that opens cases holds this write too: the organisation that opens a case coordinates it, and nobody
    // else may move it on, so without it a case the police or a corporation opened stayed reported for good.
    public static RowRule<Case> ChangeCaseStatus { get; } = new(
        "coordinator",
        "only the coordinating organisation takes up, escalates or closes a case",
        scope => c => c.CoordinatingOrganisationId == scope.Caller.OrganisationId);

    public static RowRule<Intervention> EditIntervention { get; } = new(
        "own",
        "a partner updates and completes only the interventions it executes itself",
        scope => i => i.ExecutingOrganisationId == scope.Caller.OrganisationId);

    public static RowRule<Consent> ManageConsent { get; } = new(
        "own-care-provider",
        "a care provider registers and withdraws consent only for sharing its own information about its own clients",
        scope => c => c.CareProviderOrganisationId == scope.Caller.OrganisationId);
}
