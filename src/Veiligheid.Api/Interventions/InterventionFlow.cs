using Veiligheid.GraphQL;

namespace Veiligheid.Interventions;

/// <summary>
/// An intervention's status flow and what a status demands of the rest of the row: the one place every mutation that
/// sets a status (recordIntervention, also as a replay through externalId; updateIntervention; completeIntervention)
/// asks, so no mutation can reach a status another refuses.
/// </summary>
/// <remarks>
/// Afgerond and Geannuleerd are final: the figures count an intervention by its outcome, and a partner reading one as
/// completed or cancelled acts on it. Only the status is frozen: the executing organisation may still correct the
/// other fields of a final intervention (a typing error in the result or the end date, or through a replay the
/// rest of the record as its own system holds it), as long as the row keeps what its status demands. Staying in the
/// same status is no transition. A new intervention may start in any status, since a partner's system may send it
/// first when it is already under way, done or cancelled. A planned one may be completed directly: a one-off action (a
/// warning letter, a single home visit) is done before anyone marks it under way, and partners' systems completed such
/// interventions so before the flow existed.
/// </remarks>
public static class InterventionFlow
{
    /// <summary>The flow in words, for the schema's descriptions; <see cref="Describe"/> renders <see cref="AllowedTransitions"/> so, and a test holds the two equal.</summary>
    public const string Summary = "Gepland → Lopend, Afgerond or Geannuleerd; Lopend → Afgerond or Geannuleerd; Afgerond and Geannuleerd are final";

    /// <summary>From each status, the statuses a stored intervention may move to.</summary>
    public static IReadOnlyDictionary<InterventionStatus, IReadOnlySet<InterventionStatus>> AllowedTransitions { get; } = new Dictionary<InterventionStatus, IReadOnlySet<InterventionStatus>>
    {
        [InterventionStatus.Gepland] = new HashSet<InterventionStatus> { InterventionStatus.Lopend, InterventionStatus.Afgerond, InterventionStatus.Geannuleerd },
        [InterventionStatus.Lopend] = new HashSet<InterventionStatus> { InterventionStatus.Afgerond, InterventionStatus.Geannuleerd },
        [InterventionStatus.Afgerond] = new HashSet<InterventionStatus>(),
        [InterventionStatus.Geannuleerd] = new HashSet<InterventionStatus>(),
    };

    /// <summary>Whether a stored intervention in <paramref name="from"/> may be written with status <paramref name="to"/>.</summary>
    public static bool Allows(InterventionStatus from, InterventionStatus to) => from == to || AllowedTransitions[from].Contains(to);

    /// <summary>
    /// Why a write may not leave an intervention in <paramref name="to"/> with this end date and result; empty when it may.
    /// </summary>
    /// <param name="from">The stored status; null for a new intervention.</param>
    /// <param name="statusField">The input field that set the status, named by a refused transition; null when the
    /// mutation sets it without one (completeIntervention), so the error is about its whole input.</param>
    /// <param name="stored">The stored row's end date and result, when there is one: an intervention stored as Afgerond
    /// without them (the hub accepted that before the flow existed) is not refused for lacking what it always lacked, so
    /// a partner's unchanged replay of it still answers; it only may not lose one it has.</param>
    public static InputErrors Check(InterventionStatus? from, InterventionStatus to, DateOnly? endDate, string? result, string? statusField,
        (DateOnly? EndDate, string? Result)? stored = null)
    {
        var errors = new InputErrors();
        if (from is { } current && !Allows(current, to))
        {
            var allowed = AllowedTransitions[current];
            errors.Add(new MutationError(MutationErrorCode.InvalidTransition, statusField, allowed.Count == 0
                ? $"An intervention cannot go from {current} to {to}: {current} is final (the flow: {Summary})."
                : $"An intervention cannot go from {current} to {to}; allowed from {current}: {string.Join(", ", allowed.Order())} (the flow: {Summary})."));
            return errors;
        }
        // What completeIntervention demands, whichever mutation completes it: without them a completed intervention
        // shows no when and no outcome, and the figures' throughput could not place it.
        if (to == InterventionStatus.Afgerond)
        {
            var completedBefore = from == InterventionStatus.Afgerond && stored is not null;
            if (endDate is null && !(completedBefore && stored!.Value.EndDate is null))
                errors.Invalid("endDate", "A completed (Afgerond) intervention has an end date.");
            if (string.IsNullOrWhiteSpace(result) && !(completedBefore && string.IsNullOrWhiteSpace(stored!.Value.Result)))
                errors.Invalid("result", "A completed (Afgerond) intervention has a result.");
        }
        return errors;
    }

    /// <summary><see cref="AllowedTransitions"/> in the words of <see cref="Summary"/>.</summary>
    public static string Describe()
    {
        var moves = AllowedTransitions.Where(t => t.Value.Count > 0).OrderBy(t => t.Key)
            .Select(t => $"{t.Key} → {Alternatives([.. t.Value.Order()])}");
        var final = AllowedTransitions.Where(t => t.Value.Count == 0).Select(t => t.Key).Order().ToList();
        return $"{string.Join("; ", moves)}; {string.Join(" and ", final)} {(final.Count == 1 ? "is" : "are")} final";
    }

    /// <summary>"A", "A or B", "A, B or C".</summary>
    private static string Alternatives(IReadOnlyList<InterventionStatus> statuses)
        => statuses.Count == 1 ? $"{statuses[0]}" : $"{string.Join(", ", statuses.Take(statuses.Count - 1))} or {statuses[^1]}";
}
