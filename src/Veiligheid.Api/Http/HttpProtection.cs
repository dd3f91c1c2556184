using System.ComponentModel.DataAnnotations;
using System.Globalization;
using System.Threading.RateLimiting;
using GraphQL;
using Microsoft.AspNetCore.Cors.Infrastructure;
using Microsoft.AspNetCore.Diagnostics;
using Microsoft.AspNetCore.RateLimiting;
using Microsoft.Extensions.Options;
using Microsoft.Net.Http.Headers;
using Veiligheid.Access;
using Veiligheid.GraphQL;

namespace Veiligheid.Http;

/// <summary>Requests per organisation (and per address for callers without one), section <c>RateLimits</c>.</summary>
public sealed class RateLimitOptions
{
    public const string Section = "RateLimits";

    /// <summary>Requests an organisation may make per window, all its systems and users together.</summary>
    [Range(1, int.MaxValue)]
    public int PerOrganisation { get; set; } = 600;

    /// <summary>Requests per window from one IP address whose caller the hub could not establish.</summary>
    [Range(1, int.MaxValue)]
    public int PerAddress { get; set; } = 120;

    /// <summary>The window the permits are counted in (a fixed window).</summary>
    public TimeSpan Window { get; set; } = TimeSpan.FromMinutes(1);
}

/// <summary>
/// What protects the hub from clients at the HTTP level: internal errors without internals, CORS closed unless origins
/// are configured (<c>Cors:AllowedOrigins</c>), and rate limits per organisation (ASP.NET Core's rate limiter).
/// </summary>
public static class HttpProtection
{
    public const string CorsSection = "Cors:AllowedOrigins";
    public const string RateLimitedCode = "RATE_LIMITED";
    public const string InternalErrorCode = HubErrorInfoProvider.InternalErrorCode;

    private static readonly object PartitionKey = new();

    public static IServiceCollection AddVeiligheidHttpProtection(this IServiceCollection services)
    {
        services.AddOptions<RateLimitOptions>().BindConfiguration(RateLimitOptions.Section).ValidateDataAnnotations()
            .Validate(o => o.Window > TimeSpan.Zero, "RateLimits:Window must be positive.").ValidateOnStart();
        services.AddCors();
        services.AddOptions<CorsOptions>().Configure<IConfiguration>((cors, configuration) =>
        {
            var origins = configuration.GetSection(CorsSection).Get<string[]>()?.Where(o => !string.IsNullOrWhiteSpace(o)).ToArray() ?? [];
            if (origins.Length == 0) return; // No policy: no CORS headers, so browsers on other origins cannot read a thing.
            cors.AddDefaultPolicy(policy => policy
                .WithOrigins(origins)
                .WithMethods(HttpMethods.Get, HttpMethods.Post)
                .WithHeaders(HeaderNames.Authorization, HeaderNames.ContentType, HeaderNames.Accept, CallerResolver.RoleHeader, Purposes.Header)
                .WithExposedHeaders(HeaderNames.RetryAfter)
                .SetPreflightMaxAge(TimeSpan.FromMinutes(10)));
        });
        services.AddRateLimiter(limiter =>
        {
            limiter.RejectionStatusCode = StatusCodes.Status429TooManyRequests;
            limiter.GlobalLimiter = PartitionedRateLimiter.Create<HttpContext, string>(http =>
            {
                if (http.Items[PartitionKey] is not string key) return RateLimitPartition.GetNoLimiter("");
                var options = http.RequestServices.GetRequiredService<IOptions<RateLimitOptions>>().Value;
                return RateLimitPartition.GetFixedWindowLimiter(key, k => new FixedWindowRateLimiterOptions
                {
                    PermitLimit = k.StartsWith("org:", StringComparison.Ordinal) ? options.PerOrganisation : options.PerAddress,
                    Window = options.Window,
                    QueueLimit = 0,
                    AutoReplenishment = true,
                });
            });
            limiter.OnRejected = async (context, ct) =>
            {
                var http = context.HttpContext;
                var window = http.RequestServices.GetRequiredService<IOptions<RateLimitOptions>>().Value.Window;
                var retryAfter = context.Lease.TryGetMetadata(MetadataName.RetryAfter, out var after) ? after : window;
                var seconds = Math.Max(1, (int)Math.Ceiling(retryAfter.TotalSeconds));
                http.Response.Headers.RetryAfter = seconds.ToString(CultureInfo.InvariantCulture);
                // Established callers are counted per organisation, the rest per network address (the partition's key).
                var whose = http.Items[PartitionKey] is string key && key.StartsWith("org:", StringComparison.Ordinal)
                    ? "your organisation" : "your network address (no established caller)";
                await WriteRefusalAsync(http, StatusCodes.Status429TooManyRequests, RateLimitedCode,
                    $"Too many requests for {whose}; try again in {seconds} seconds.");
            };
        });
        return services;
    }

    /// <summary>Before authentication and the endpoints: exception shielding, CORS, caller-based rate limiting.</summary>
    public static IApplicationBuilder UseVeiligheidHttpProtection(this IApplicationBuilder app)
    {
        app.UseExceptionHandler(new ExceptionHandlerOptions
        {
            ExceptionHandler = WriteInternalErrorAsync,
            // A request the client abandoned (connection closed mid-request) fails with a cancellation or an I/O error
            // of the connection: nobody is left to answer, and it is no failure of the hub to record as one.
            SuppressDiagnosticsCallback = context => ClientWentAway(context.HttpContext, context.Exception),
        });
        app.UseCors();
        app.Use(async (http, next) =>
        {
            // Every answer may hold person-level data or a caller's identity: no browser, proxy or gateway keeps a copy
            // (GET queries included, which caches would otherwise be free to store).
            http.Response.Headers.CacheControl = "no-store";
            // The rate limiter's partition is the caller's organisation, so the caller is established first (the
            // resolution is kept for the endpoint); a request without an established caller counts against its address.
            if (!http.Request.Path.StartsWithSegments("/health", StringComparison.OrdinalIgnoreCase))
            {
                var resolution = await http.RequestServices.GetRequiredService<CallerResolver>().ResolveAsync(http, http.RequestAborted);
                http.Items[PartitionKey] = resolution.Succeeded
                    ? "org:" + resolution.Caller.OrganisationKey
                    : "ip:" + (http.Connection.RemoteIpAddress?.ToString() ?? "unknown");
            }
            await next(http);
        });
        app.UseRateLimiter();
        return app;
    }

    private static bool ClientWentAway(HttpContext http, Exception? exception)
        => http.RequestAborted.IsCancellationRequested
            && exception is OperationCanceledException or IOException or BadHttpRequestException;

    private static async Task WriteInternalErrorAsync(HttpContext http)
    {
        var traceId = System.Diagnostics.Activity.Current?.TraceId.ToString() ?? http.TraceIdentifier;
        var exception = http.Features.Get<IExceptionHandlerFeature>()?.Error;
        var logger = http.RequestServices.GetRequiredService<ILoggerFactory>().CreateLogger(typeof(HttpProtection));
        if (ClientWentAway(http, exception))
        {
            logger.LogDebug("Request to {Path} abandoned by the client, trace id {TraceId}", http.Request.Path.Value, traceId);
            return;
        }
        logger.LogError(exception, "Unhandled error in {Path}, trace id {TraceId}", http.Request.Path.Value, traceId);
        await WriteRefusalAsync(http, StatusCodes.Status500InternalServerError, InternalErrorCode,
            $"An internal error occurred. Quote trace id {traceId} when reporting it.", traceId);
    }

    /// <summary>A refusal outside the endpoint: a GraphQL response on /graphql, the hub's error body elsewhere.</summary>
    private static Task WriteRefusalAsync(HttpContext http, int status, string code, string message, string? traceId = null)
    {
        if (!http.Request.Path.StartsWithSegments(GraphQLEndpoint.Path, StringComparison.OrdinalIgnoreCase))
            return HubError.WriteAsync(http, status, code, message);
        var error = new ExecutionError(message) { Code = code };
        if (traceId is not null) error.Data[HubErrorInfoProvider.TraceIdKey] = traceId;
        http.Response.StatusCode = status;
        http.Response.ContentType = (GraphQLEndpoint.NegotiateResponseType(http.Request) ?? GraphQLEndpoint.JsonMediaType) + "; charset=utf-8";
        return http.RequestServices.GetRequiredService<IGraphQLTextSerializer>()
            .WriteAsync(http.Response.Body, new ExecutionResult { Errors = [error], Executed = false }, http.RequestAborted);
    }
}
