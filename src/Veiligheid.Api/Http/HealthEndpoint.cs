using System.Globalization;
using System.Text;
using Microsoft.AspNetCore.Diagnostics.HealthChecks;
using Microsoft.Extensions.Diagnostics.HealthChecks;
using Microsoft.Extensions.Options;
using Veiligheid.Access;
using Veiligheid.Access.Identity;
using Veiligheid.Accountability;
using Veiligheid.Data;

namespace Veiligheid.Http;

/// <summary>
/// /health for the operations team's probes: healthy when the database answers, the processing log is being written and
/// (with Entra ID configured) token validation can obtain Entra ID's signing keys.
/// 200 with <c>Healthy</c> or <c>Degraded</c>, 503 with <c>Unhealthy</c> (ASP.NET Core's mapping); a status other than
/// healthy is followed by a line per check that is not, with its reason (about the hub's own state, never any data).
/// </summary>
public static class HealthEndpoint
{
    public static IServiceCollection AddVeiligheidHealth(this IServiceCollection services)
    {
        services.AddHealthChecks()
            .AddCheck<DatabaseHealthCheck>("database")
            .AddCheck<ProcessingLogWritesHealthCheck>("processing-log")
            .AddCheck<EntraSigningKeysHealthCheck>("entra-signing-keys")
            // Degraded at worst, also when its files cannot be read: the look-ups stay complete without the index.
            .AddCheck<ProcessingLogIndexHealthCheck>("processing-log-index", failureStatus: HealthStatus.Degraded);
        return services;
    }

    public static IEndpointRouteBuilder MapHealthEndpoint(this IEndpointRouteBuilder endpoints)
    {
        endpoints.MapHealthChecks("/health", new HealthCheckOptions { ResponseWriter = WriteAsync });
        return endpoints;
    }

    /// <summary>
    /// The status, as the default writer gives it (a healthy hub still answers exactly <c>Healthy</c>), then a line per
    /// check that is not healthy: its name, status and description. The endpoint needs no token, so a check's exception
    /// is not written (its message may name a file); the check's own description is.
    /// </summary>
    private static Task WriteAsync(HttpContext http, HealthReport report)
    {
        var text = new StringBuilder(report.Status.ToString());
        foreach (var (name, entry) in report.Entries.Where(e => e.Value.Status != HealthStatus.Healthy).OrderBy(e => e.Key, StringComparer.Ordinal))
        {
            var reason = entry.Exception is null ? entry.Description : "the check failed; see the hub's log";
            text.Append(CultureInfo.InvariantCulture, $"\n{name}: {entry.Status}: {reason}");
        }
        http.Response.ContentType = "text/plain; charset=utf-8";
        return http.Response.WriteAsync(text.ToString(), http.RequestAborted);
    }

    private sealed class DatabaseHealthCheck(VeiligheidDbContext db) : IHealthCheck
    {
        public async Task<HealthCheckResult> CheckHealthAsync(HealthCheckContext context, CancellationToken cancellationToken = default)
        {
            // On SQLite the processing log is a file of its own, and a hub without it serves no person data: say which
            // is missing, where a failed connect said only that "the database" did not answer.
            if (SqliteOwnConnection.PathOf(db) is { } hubFile && !File.Exists(SqliteLogFile.PathFor(hubFile)))
                return HealthCheckResult.Unhealthy("The processing log's file is missing; the hub serves no person data without it.");
            return await db.Database.CanConnectAsync(cancellationToken)
                ? HealthCheckResult.Healthy("The database answers.")
                : HealthCheckResult.Unhealthy("The database does not answer.");
        }
    }

    /// <summary>
    /// Whether the processing log is being written, from the outcomes of this host's real writes
    /// (<see cref="ProcessingLog.Writes"/>): no probe of its own, which would write to the log or take its write lock
    /// beside the requests'.
    /// </summary>
    private sealed class ProcessingLogWritesHealthCheck(ProcessingLog log, TimeProvider clock) : IHealthCheck
    {
        public Task<HealthCheckResult> CheckHealthAsync(HealthCheckContext context, CancellationToken cancellationToken = default)
            => Task.FromResult(ProcessingLogHealth.Assess(log.Writes, clock.GetUtcNow().UtcDateTime));
    }

    /// <summary>
    /// How far the index by data subject is behind the log (<see cref="ProcessingLogOptions.IndexBehindDegradedAfter"/>):
    /// the two ends, each read from the end of a key. Whoever indexes (this host, or another on the same database), a
    /// growing gap means the look-ups by person and BSN read ever more of the log one by one.
    /// </summary>
    private sealed class ProcessingLogIndexHealthCheck(VeiligheidDbContext db, IOptions<ProcessingLogOptions> options) : IHealthCheck
    {
        public async Task<HealthCheckResult> CheckHealthAsync(HealthCheckContext context, CancellationToken cancellationToken = default)
        {
            var indexed = await ProcessingLogIndex.EndAsync(db, cancellationToken);
            var behind = await ProcessingLog.EndAsync(db, cancellationToken) - indexed;
            return behind > options.Value.IndexBehindDegradedAfter
                ? HealthCheckResult.Degraded(string.Create(CultureInfo.InvariantCulture,
                    $"The processing log's index by data subject is {behind} records behind the log: look-ups by person and BSN (access reports) stay complete, but read the records past it one by one. It catches up when the load falls; the hub's log has the indexer's warnings when it cannot."))
                : HealthCheckResult.Healthy("The processing log's index by data subject is current enough.");
        }
    }

    /// <summary>
    /// Whether token validation can obtain Entra ID's signing keys, from the outcomes of the requests' own validations
    /// (<see cref="EntraSigningKeys.Outcomes"/>): no fetch of its own, which an unauthenticated probe could set off at will.
    /// </summary>
    private sealed class EntraSigningKeysHealthCheck(EntraSigningKeys keys, TimeProvider clock) : IHealthCheck
    {
        public Task<HealthCheckResult> CheckHealthAsync(HealthCheckContext context, CancellationToken cancellationToken = default)
            => Task.FromResult(EntraSigningKeysHealth.Assess(keys.Outcomes, clock.GetUtcNow().UtcDateTime));
    }
}

/// <summary>What /health says of the processing log's writes (<see cref="ProcessingLog.Writes"/>) at a moment.</summary>
/// <remarks>
/// <para>Unhealthy from a failed write until a write succeeds: every request that reads person data is refused meanwhile;
/// on 503 a load balancer sends traffic to a host that can log, if there is one (<see cref="OutcomeHealth"/>). (Not for a
/// liveness probe: restarting the hub does not release a lock another process holds on the log's file.)</para>
/// <para>A failure with no write since for <see cref="UnprovenAfter"/> turns Degraded, so that a host out of rotation gets
/// the request whose write proves it either way; the hub takes no lock to find out itself.</para>
/// </remarks>
public static class ProcessingLogHealth
{
    /// <summary>
    /// How long a failure with no write since keeps the check unhealthy. Longer than a write can take to fail (it waits
    /// for another process's lock: <see cref="SqliteLogWriter.LockWaitSeconds"/>), so a hub whose
    /// requests keep failing stays unhealthy between two failures; short enough that a host taken out of rotation is
    /// tried again within minutes.
    /// </summary>
    public static readonly TimeSpan UnprovenAfter = TimeSpan.FromMinutes(2);

    private static readonly OutcomeHealth.Texts Texts = new(
        Healthy: "The processing log is written.",
        Failure: "the processing log could not be written",
        WhileFailing: "The hub withholds person data",
        UntilHealthy: "Healthy again once a write succeeds.",
        WhenUnproven: "Unknown whether person data can be served",
        NothingSince: "no write was tried since");

    public static HealthCheckResult Assess(OperationOutcomes writes, DateTime now) => OutcomeHealth.Assess(writes, now, UnprovenAfter, Texts);
}

/// <summary>What /health says of obtaining Entra ID's signing keys (<see cref="EntraSigningKeys.Outcomes"/>) at a moment.</summary>
/// <remarks>
/// <para>Unhealthy from a failure until a validation obtains them: every request with an Entra ID token is answered 503
/// meanwhile, so monitoring alerts, and a load balancer sends traffic to a host that can validate, which helps where the
/// cause is this host's (its network, its proxy). Where it is Entra ID's, or the configuration all hosts share, every host
/// is unhealthy alike and the load balancer answers with an error of its own (without the hub's body or Retry-After)
/// until the Degraded turn below lets the hosts' own 503s through again.</para>
/// <para>A failure with no Entra ID token since for <see cref="UnprovenAfter"/> turns Degraded, as the processing log's
/// does: a host out of rotation gets no token whose validation would show the keys can be had again, and the hub does not
/// fetch them on its own (an unauthenticated probe would set off a fetch from Entra ID at will).</para>
/// </remarks>
public static class EntraSigningKeysHealth
{
    /// <summary>
    /// How long a failure with no validation since keeps the check unhealthy. Longer than a fetch can take to fail
    /// (<see cref="IdentitySetup.EntraMetadataTimeout"/>, for the metadata and then the keys), so a hub whose requests keep
    /// failing stays unhealthy between two failures; short enough that a host taken out of rotation is tried again within
    /// minutes.
    /// </summary>
    public static readonly TimeSpan UnprovenAfter = TimeSpan.FromMinutes(2);

    private static readonly OutcomeHealth.Texts Texts = new(
        Healthy: "Entra ID tokens can be validated (or none has needed Entra ID's signing keys yet).",
        Failure: "Entra ID's metadata and signing keys could not be obtained",
        WhileFailing: $"The hub refuses every Entra ID token with 503 {CallerErrorCodes.IdentityUnavailable}",
        UntilHealthy: "Healthy again once a token's validation obtains them.",
        WhenUnproven: "Unknown whether Entra ID tokens can be validated",
        NothingSince: "no token needed them since");

    public static HealthCheckResult Assess(OperationOutcomes fetches, DateTime now) => OutcomeHealth.Assess(fetches, now, UnprovenAfter, Texts);
}
