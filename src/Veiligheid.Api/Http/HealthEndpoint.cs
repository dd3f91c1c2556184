using System.Globalization;
using System.Text;
using Microsoft.AspNetCore.Diagnostics.HealthChecks;
using Microsoft.Extensions.Diagnostics.HealthChecks;
using Veiligheid.Accountability;
using Veiligheid.Data;

namespace Veiligheid.Http;

/// <summary>
/// /health for the operations team's probes: healthy when the database answers and the processing log is being written.
/// 200 with <c>Healthy</c> or <c>Degraded</c>, 503 with <c>Unhealthy</c> (ASP.NET Core's mapping); a status other than
/// healthy is followed by a line per check that is not, with its reason (about the hub's own state, never any data).
/// </summary>
public static class HealthEndpoint
{
    public static IServiceCollection AddVeiligheidHealth(this IServiceCollection services)
    {
        services.AddHealthChecks()
            .AddCheck<DatabaseHealthCheck>("database")
            .AddCheck<ProcessingLogWritesHealthCheck>("processing-log");
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
}

/// <summary>What /health says of the processing log's writes (<see cref="ProcessingLogWrites"/>) at a moment.</summary>
/// <remarks>
/// <para>Unhealthy (503) from a failed write until a write succeeds: every request that reads person data is refused
/// meanwhile, and a load balancer or an orchestrator's readiness probe acts only on the status code: on 503 it takes the
/// host out of rotation (traffic goes to a host that can log, if there is one) and monitoring alerts; Degraded answers 200,
/// which every load balancer takes for healthy, so it would keep sending requests that are all refused. (Not for a
/// liveness probe: restarting the hub does not release a lock another process holds on the log's file.)</para>
/// <para>Without traffic no write tells whether the log can be written again, and a host out of rotation gets none. So a
/// failure with no write since for <see cref="UnprovenAfter"/> turns Degraded: 200, back into rotation, where the next
/// request's write proves it either way (a success: Healthy; another failure: Unhealthy again), with the body still
/// saying when the last write failed. The hub takes no lock to find out itself.</para>
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

    public static HealthCheckResult Assess(ProcessingLogWrites writes, DateTime now)
    {
        ArgumentNullException.ThrowIfNull(writes);
        if (!writes.Failing) return HealthCheckResult.Healthy("The processing log is written.");
        var failure = string.Create(CultureInfo.InvariantCulture,
            $"the processing log could not be written since {writes.FailingSince:yyyy-MM-dd'T'HH:mm:ss'Z'} (last failure {writes.LastFailureAt:yyyy-MM-dd'T'HH:mm:ss'Z'}: {writes.LastFailure})");
        return now - writes.LastFailureAt < UnprovenAfter
            ? HealthCheckResult.Unhealthy($"The hub withholds person data: {failure}. Healthy again once a write succeeds.")
            : HealthCheckResult.Degraded($"Unknown whether person data can be served: {failure}, and no write was tried since.");
    }
}
