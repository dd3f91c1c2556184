using System.Globalization;
using Microsoft.Extensions.Diagnostics.HealthChecks;

namespace Veiligheid.Http;

/// <summary>
/// What an operation the hub's requests depend on came to lately (a write of the processing log, obtaining Entra ID's
/// signing keys): whether the last attempt failed and, if so, since when and why. Kept from the requests'
/// own attempts, never from a probe, and read by /health (<see cref="OutcomeHealth"/>). Times and the kind of failure
/// only: never a record's content, a token, a name or a BSN.
/// </summary>
/// <param name="FailingSince">When the first of the failures since the last success happened; null while the last attempt succeeded.</param>
/// <param name="LastFailureAt">When an attempt last failed; null before the first failure.</param>
/// <param name="LastFailure">The kind of that failure, fit for an unauthenticated probe; null before the first failure.</param>
public sealed record OperationOutcomes(DateTime? FailingSince, DateTime? LastFailureAt, string? LastFailure)
{
    /// <summary>No attempt yet.</summary>
    public static OperationOutcomes None { get; } = new(null, null, null);

    /// <summary>Whether the last attempt failed (and none has succeeded since).</summary>
    public bool Failing => FailingSince is not null;

    /// <summary>
    /// After a success: not failing. The same instance while not failing, so a keeper recording every success (a commit of
    /// the log) allocates and reads no clock for it.
    /// </summary>
    internal OperationOutcomes Succeeded() => Failing ? this with { FailingSince = null } : this;

    internal OperationOutcomes Failed(DateTime at, string kind)
        => this with { FailingSince = FailingSince ?? at, LastFailureAt = at, LastFailure = kind };
}

/// <summary>What /health says of an operation's <see cref="OperationOutcomes"/>, in its own words (<see cref="Texts"/>).</summary>
/// <remarks>
/// <para>Unhealthy (503) from a failure until an attempt succeeds: the requests that depend on it are refused meanwhile, and
/// a load balancer or an orchestrator's readiness probe acts only on the status code: on 503 it takes the host out of
/// rotation and monitoring alerts; Degraded answers 200, which every load balancer takes for healthy.</para>
/// <para>Without traffic no attempt tells whether it works again, and a host out of rotation gets none. So a failure with
/// no attempt since for the operation's "unproven after" turns Degraded: 200, back into rotation, where the next request's
/// attempt proves it either way, with the body still saying when the last attempt failed. The hub does not probe.</para>
/// </remarks>
public static class OutcomeHealth
{
    /// <summary>The sentences of one operation's check.</summary>
    /// <param name="Healthy">The description while the last attempt succeeded.</param>
    /// <param name="Failure">What failed, as a clause: "the processing log could not be written".</param>
    /// <param name="WhileFailing">What that means while unhealthy, before the failure: "The hub withholds person data".</param>
    /// <param name="UntilHealthy">The sentence after it: "Healthy again once a write succeeds."</param>
    /// <param name="WhenUnproven">What is unknown once degraded, before the failure: "Unknown whether person data can be served".</param>
    /// <param name="NothingSince">What has not happened since, after it: "no write was tried since".</param>
    public sealed record Texts(string Healthy, string Failure, string WhileFailing, string UntilHealthy, string WhenUnproven, string NothingSince);

    public static HealthCheckResult Assess(OperationOutcomes outcomes, DateTime now, TimeSpan unprovenAfter, Texts texts)
    {
        ArgumentNullException.ThrowIfNull(outcomes);
        ArgumentNullException.ThrowIfNull(texts);
        if (!outcomes.Failing) return HealthCheckResult.Healthy(texts.Healthy);
        var failure = string.Create(CultureInfo.InvariantCulture,
            $"{texts.Failure} since {outcomes.FailingSince:yyyy-MM-dd'T'HH:mm:ss'Z'} (last failure {outcomes.LastFailureAt:yyyy-MM-dd'T'HH:mm:ss'Z'}: {outcomes.LastFailure})");
        return now - outcomes.LastFailureAt < unprovenAfter
            ? HealthCheckResult.Unhealthy($"{texts.WhileFailing}: {failure}. {texts.UntilHealthy}")
            : HealthCheckResult.Degraded($"{texts.WhenUnproven}: {failure}, and {texts.NothingSince}.");
    }
}
