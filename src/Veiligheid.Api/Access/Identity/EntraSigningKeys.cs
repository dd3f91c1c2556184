using System.Net;
using System.Net.Sockets;
using Microsoft.AspNetCore.Authentication.JwtBearer;
using Microsoft.IdentityModel.Protocols;
using Veiligheid.Http;

namespace Veiligheid.Access.Identity;

/// <summary>
/// Whether token validation can obtain Entra ID's metadata and signing keys, told apart from a bad token, for the answer
/// (503 <see cref="CallerErrorCodes.IdentityUnavailable"/> instead of 401), the log (once per <see cref="ReportInterval"/>)
/// and /health (<see cref="Outcomes"/>).
/// </summary>
/// <remarks>
/// <para>IdentityModel's configuration manager fetches the metadata and keys for the first Entra ID token and keeps them:
/// when a later refresh fails it goes on with the ones it has. It fails only while it has never had them (Entra ID, or the
/// network or proxy to it, down since the hub started; AzureAd:Instance or TenantId wrong), and then, as its contract says,
/// throws to whoever asks (InvalidOperationException IDX20803, whatever the cause: refused connection, unknown host,
/// timeout, an HTTP error, a document it cannot read). The token handler asks during validation, swallows that (IDX10261)
/// and validates without keys or issuer: the token came out "issuer not trusted" or "signature not valid", a 401 that sent
/// partners after new tokens, with IdentityModel writing some six errors per request.</para>
/// <para>So <see cref="CheckBeforeValidationAsync"/> asks first: the same call on the same manager that validation makes
/// next, so the configuration it obtains is the one validation then uses (kept, not fetched again) and no request fetches
/// twice. When it throws, the request is failed with <see cref="EntraSigningKeysUnavailableException"/>, which the
/// <see cref="CallerResolver"/> answers with 503, and is not validated at all.</para>
/// <para>Successes are recorded only where they change something (the first, or the first after failures): every Entra ID
/// token's check succeeds once the keys are held, and recording each would take a lock on every request.</para>
/// </remarks>
public sealed class EntraSigningKeys(ILogger<EntraSigningKeys> logger, TimeProvider clock)
{
    /// <summary>The first request that finds the keys cannot be obtained (Error, with IdentityModel's exception).</summary>
    public static readonly EventId Unavailable = new(1, "EntraSigningKeysUnavailable");

    /// <summary>At most one per <see cref="ReportInterval"/> while it lasts (Error): how many requests were refused since the last entry.</summary>
    public static readonly EventId StillUnavailable = new(2, "EntraSigningKeysStillUnavailable");

    /// <summary>Once, when a validation obtains the keys after failures (Information): since when they failed and how many requests were refused.</summary>
    public static readonly EventId ObtainedAgain = new(3, "EntraSigningKeysObtainedAgain");

    /// <summary>
    /// How often the log says again that the keys still cannot be obtained. Every refused request fetches again (IdentityModel
    /// has no back-off before it has the keys), and IdentityModel's own entries about it, several a request, are Debug
    /// (<see cref="IdentityModelLog"/>): this is what the operations team reads instead.
    /// </summary>
    public static readonly TimeSpan ReportInterval = TimeSpan.FromMinutes(1);

    /// <summary>What the <c>Retry-After</c> of a 503 says: time for the network or Entra ID to come back, not a stampede of retries.</summary>
    public static readonly TimeSpan RetryAfter = TimeSpan.FromSeconds(30);

    /// <summary>
    /// How long after a failed attempt, while the keys were never had, requests are answered 503 without another. Before it
    /// has the keys IdentityModel fetches for every request, one at a time and without a pause; where packets are dropped
    /// rather than refused each fetch waits out its timeout (<see cref="IdentitySetup.EntraMetadataTimeout"/>), and the
    /// requests behind it waited that long each before their 503. Now one request tries per pause; the others are answered
    /// at once.
    /// </summary>
    public static readonly TimeSpan RetryPause = TimeSpan.FromSeconds(5);

    private readonly Lock _gate = new();
    private Exception? _lastFailure; // the last attempt's failure while failing, answered again within RetryPause
    private OperationOutcomes _outcomes = OperationOutcomes.None; // replaced under _gate, read by /health
    private volatile bool _held;
    private DateTime _reportedAt; // the last Unavailable or StillUnavailable entry
    private int _refusedSinceReport; // requests refused after that entry
    private int _refusedWhileFailing;

    /// <summary>What obtaining the keys came to lately, for /health (<see cref="EntraSigningKeysHealth"/>).</summary>
    public OperationOutcomes Outcomes => Volatile.Read(ref _outcomes);

    /// <summary>
    /// Whether a validation has obtained the keys; IdentityModel keeps them from then on (until the hub restarts). Until
    /// then its entries about failing to fetch them are this class's to report (<see cref="IdentityModelLog"/>).
    /// </summary>
    public bool Held => _held;

    /// <summary>
    /// The Entra ID scheme's <see cref="JwtBearerEvents.OnMessageReceived"/>: before a bearer token is validated, Entra ID's
    /// configuration from the scheme's own configuration manager; when it cannot be obtained, the authentication fails with
    /// <see cref="EntraSigningKeysUnavailableException"/> and the token is not validated.
    /// </summary>
    internal static async Task CheckBeforeValidationAsync(MessageReceivedContext context)
    {
        // No token: 401 asks for one, keys or not. A token that is not a JWT: the handler refuses it as malformed before it
        // asks for any keys, so it stays a 401 here too.
        if (IdentitySetup.JwtBearerToken(context.Request) is null || context.Options.ConfigurationManager is not { } manager) return;
        var keys = context.HttpContext.RequestServices.GetRequiredService<EntraSigningKeys>();
        if (keys.RecentFailure() is { } recent)
        {
            context.Fail(new EntraSigningKeysUnavailableException(recent));
            return;
        }
        try
        {
            // Not the request's cancellation token: as in IdentityModel's own call, a fetch is shared with the requests
            // waiting for it, and an abandoned request is not the hub's failure to report.
            await manager.GetConfigurationAsync(CancellationToken.None);
        }
        catch (InvalidOperationException e)
        {
            keys.NotObtained(context.Options.MetadataAddress, e);
            context.Fail(new EntraSigningKeysUnavailableException(e));
            return;
        }
        keys.Obtained();
    }

    /// <summary>A validation obtained the keys: the first time, or the first after failures (then logged once).</summary>
    internal void Obtained()
    {
        if (_held && !Volatile.Read(ref _outcomes).Failing) return; // every request once held: no lock
        DateTime? failingSince;
        int refused;
        lock (_gate)
        {
            if (_held && !_outcomes.Failing) return; // another request's validation came first
            (failingSince, refused) = (_outcomes.FailingSince, _refusedWhileFailing);
            _outcomes = _outcomes.Succeeded();
            _lastFailure = null;
            _refusedWhileFailing = 0;
            _refusedSinceReport = 0;
            _held = true;
        }
        if (failingSince is { } since)
        {
            logger.LogInformation(ObtainedAgain,
                "Entra ID tokens are validated again: the metadata and signing keys were obtained, after failing since {FailingSince:o}; {Refused} requests were answered 503 meanwhile.",
                since, refused);
        }
    }

    /// <summary>
    /// The last attempt's failure, to answer with without another attempt, while the keys were never had and it is less
    /// than <see cref="RetryPause"/> old (the request is counted as refused, for the log's summary); null otherwise: attempt.
    /// Once the keys are held IdentityModel keeps them, so no lock then.
    /// </summary>
    internal Exception? RecentFailure()
    {
        if (_held) return null;
        lock (_gate)
        {
            if (_lastFailure is null || clock.GetUtcNow().UtcDateTime - _outcomes.LastFailureAt >= RetryPause) return null;
            _refusedWhileFailing++;
            _refusedSinceReport++;
            return _lastFailure;
        }
    }

    /// <summary>A validation could not obtain the keys: logged the first time, then at most once per <see cref="ReportInterval"/>.</summary>
    internal void NotObtained(string? metadataAddress, Exception failure)
    {
        var now = clock.GetUtcNow().UtcDateTime;
        var kind = KindOf(failure);
        bool first;
        int refused;
        DateTime failingSince, reportedBefore;
        lock (_gate)
        {
            // Once a validation has the keys IdentityModel keeps them and no longer throws: a failure recorded after that is
            // a fetch that began before, finishing late. It would show /health Unhealthy (and answer requests 503 within
            // the pause) while every token is validated.
            if (_held) return;
            first = !_outcomes.Failing;
            _outcomes = _outcomes.Failed(now, kind);
            _lastFailure = failure;
            _refusedWhileFailing = first ? 1 : _refusedWhileFailing + 1;
            if (!first && now - _reportedAt < ReportInterval)
            {
                _refusedSinceReport++;
                return;
            }
            (refused, failingSince, reportedBefore) = (_refusedSinceReport + 1, _outcomes.FailingSince!.Value, _reportedAt);
            _refusedSinceReport = 0;
            _reportedAt = now;
        }
        if (first)
        {
            logger.LogError(Unavailable, failure,
                "Entra ID tokens cannot be validated: the metadata and signing keys cannot be obtained from {MetadataAddress} ({Failure}). Requests with an Entra ID token are answered 503 {Code} until they can; check the network or proxy to Entra ID, and AzureAd:Instance and AzureAd:TenantId. Repeated at most once every {Interval} while it lasts.",
                metadataAddress, kind, CallerErrorCodes.IdentityUnavailable, ReportInterval);
        }
        else
        {
            logger.LogError(StillUnavailable,
                "Entra ID tokens still cannot be validated (since {FailingSince:o}): the metadata and signing keys cannot be obtained from {MetadataAddress} ({Failure}); {Refused} requests were answered 503 since {ReportedAt:o}.",
                failingSince, metadataAddress, kind, refused, reportedBefore);
        }
    }

    /// <summary>
    /// The kind of failure, fit for an unauthenticated /health: the HTTP status Entra ID answered with, a timeout, or the
    /// innermost cause's type with its socket or HTTP error. Not a message: those name addresses and may quote a response.
    /// </summary>
    internal static string KindOf(Exception failure)
    {
        for (var e = failure; e is not null; e = e.InnerException)
        {
            // HttpDocumentRetriever's failed status (IDX20807) keeps the status in its exception's data.
            if (e.Data[HttpDocumentRetriever.StatusCode] is HttpStatusCode status) return $"HTTP status {(int)status} ({status})";
            // HttpClient's timeout (IdentitySetup.EntraMetadataTimeout): a cancellation with a TimeoutException inside it.
            if (e is TimeoutException) return nameof(TimeoutException);
        }
        return failure.GetBaseException() switch
        {
            SocketException socket => $"{nameof(SocketException)} {socket.SocketErrorCode}",
            HttpRequestException http => $"{nameof(HttpRequestException)} {http.HttpRequestError}",
            var cause => cause.GetType().Name,
        };
    }
}

/// <summary>
/// The authentication failure of a request whose Entra ID token could not be validated because the hub could not obtain
/// Entra ID's metadata and signing keys (<see cref="EntraSigningKeys"/>): the hub's problem, not the token's. Its inner
/// exception is IdentityModel's (IDX20803), with the cause under it.
/// </summary>
public sealed class EntraSigningKeysUnavailableException(Exception innerException)
    : Exception("Entra ID's metadata and signing keys cannot be obtained.", innerException);
