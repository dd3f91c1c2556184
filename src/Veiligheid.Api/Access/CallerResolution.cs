using System.Diagnostics.CodeAnalysis;
using System.Globalization;
using Microsoft.Net.Http.Headers;
using Veiligheid.Http;

namespace Veiligheid.Access;

/// <summary>The stable error codes of a refused caller; partners may program against them.</summary>
public static class CallerErrorCodes
{
    /// <summary>401: no bearer token.</summary>
    public const string Unauthenticated = "UNAUTHENTICATED";

    /// <summary>401: a token that is expired, for another audience, not signed by a trusted issuer or otherwise invalid.</summary>
    public const string InvalidToken = "INVALID_TOKEN";

    /// <summary>403: the token holds none of the hub's roles.</summary>
    public const string NoRole = "NO_ROLE";

    /// <summary>403: the role asked for with <see cref="CallerResolver.RoleHeader"/> is not among the token's roles.</summary>
    public const string RoleNotHeld = "ROLE_NOT_HELD";

    /// <summary>400: the token holds several hub roles and the request did not pick one with <see cref="CallerResolver.RoleHeader"/>.</summary>
    public const string RoleAmbiguous = "ROLE_AMBIGUOUS";

    /// <summary>403: the token's client application is not a partner organisation registered with the hub.</summary>
    public const string UnknownOrganisation = "UNKNOWN_ORGANISATION";

    /// <summary>403: the role belongs to another kind of organisation than the caller's.</summary>
    public const string RoleNotForOrganisation = "ROLE_NOT_FOR_ORGANISATION";

    /// <summary>400: the purpose named in <see cref="Purposes.Header"/> is not registered, or several were named.</summary>
    public const string PurposeUnknown = "PURPOSE_UNKNOWN";

    /// <summary>403: the purpose named in <see cref="Purposes.Header"/> may not be invoked by the caller's role.</summary>
    public const string PurposeNotAllowed = "PURPOSE_NOT_ALLOWED";

    /// <summary>400: the request reads person-level data and names no purpose in <see cref="Purposes.Header"/>.</summary>
    public const string PurposeRequired = "PURPOSE_REQUIRED";

    /// <summary>400: the request reads data that its purpose does not cover.</summary>
    public const string PurposeDoesNotCover = "PURPOSE_DOES_NOT_COVER";

    /// <summary>
    /// 503 with <c>Retry-After</c>: the hub cannot validate bearer tokens right now (it cannot obtain Entra ID's metadata and
    /// signing keys). The hub's problem, not the token's: keep the token and retry later.
    /// </summary>
    public const string IdentityUnavailable = "IDENTITY_UNAVAILABLE";
}

/// <summary>Why a request gets no caller: an HTTP status, a stable code (<see cref="CallerErrorCodes"/>) and a message.</summary>
public sealed record CallerRefusal(int StatusCode, string Code, string Message)
{
    /// <summary>For a 401: the <c>WWW-Authenticate</c> value (RFC 6750).</summary>
    public string? Challenge { get; init; }

    /// <summary>For a 503: when to try again, sent as <c>Retry-After</c> in whole seconds.</summary>
    public TimeSpan? RetryAfter { get; init; }

    /// <summary>The refusal as a response: the hub's JSON error body, with its headers (<see cref="SetHeaders"/>).</summary>
    public IResult ToResult() => new RefusalResult(this);

    /// <summary>Writes the refusal to the response (for code that does not return an <see cref="IResult"/>).</summary>
    public Task WriteAsync(HttpContext context)
    {
        ArgumentNullException.ThrowIfNull(context);
        SetHeaders(context.Response);
        return HubError.WriteAsync(context, StatusCode, Code, Message);
    }

    /// <summary>The refusal's headers, whatever body answers it: <c>WWW-Authenticate</c> on a 401, <c>Retry-After</c> on a 503.</summary>
    public void SetHeaders(HttpResponse response)
    {
        ArgumentNullException.ThrowIfNull(response);
        if (Challenge is not null) response.Headers[HeaderNames.WWWAuthenticate] = Challenge;
        if (RetryAfter is { } after)
            response.Headers.RetryAfter = Math.Max(1, (int)Math.Ceiling(after.TotalSeconds)).ToString(CultureInfo.InvariantCulture);
    }

    private sealed class RefusalResult(CallerRefusal refusal) : IResult
    {
        public Task ExecuteAsync(HttpContext httpContext) => refusal.WriteAsync(httpContext);
    }
}

/// <summary>Either the <see cref="Caller"/> of a request or the <see cref="CallerRefusal"/> to answer it with.</summary>
public sealed record CallerResolution
{
    private CallerResolution(Caller? caller, CallerRefusal? refusal)
    {
        Caller = caller;
        Refusal = refusal;
    }

    public Caller? Caller { get; }

    public CallerRefusal? Refusal { get; }

    [MemberNotNullWhen(true, nameof(Caller))]
    [MemberNotNullWhen(false, nameof(Refusal))]
    public bool Succeeded => Caller is not null;

    public static CallerResolution Success(Caller caller) => new(caller ?? throw new ArgumentNullException(nameof(caller)), null);

    public static CallerResolution Refused(CallerRefusal refusal) => new(null, refusal ?? throw new ArgumentNullException(nameof(refusal)));
}
