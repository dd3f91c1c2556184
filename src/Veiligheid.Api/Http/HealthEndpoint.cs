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
            => await db.Database.CanConnectAsync(cancellationToken)
                ? HealthCheckResult.Healthy("The database answers.")
                : HealthCheckResult.Unhealthy("The database does not answer.");
    }
}
