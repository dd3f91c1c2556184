using Microsoft.Extensions.Diagnostics.HealthChecks;
using Veiligheid.Data;

namespace Veiligheid.Http;

/// <summary>/health for the operations team's probes: healthy when the database answers.</summary>
public static class HealthEndpoint
{
    public static IServiceCollection AddVeiligheidHealth(this IServiceCollection services)
    {
        services.AddHealthChecks().AddCheck<DatabaseHealthCheck>("database");
        return services;
    }

    public static IEndpointRouteBuilder MapHealthEndpoint(this IEndpointRouteBuilder endpoints)
    {
        endpoints.MapHealthChecks("/health");
        return endpoints;
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
}
