using Veiligheid.Access;

namespace Veiligheid.Http;

/// <summary><c>GET /me</c>: who the hub takes the caller to be. Partner developers use it to check their token.</summary>
public static class CallerEndpoint
{
    public const string Path = "/me";

    public static IEndpointConventionBuilder MapCallerEndpoint(this IEndpointRouteBuilder endpoints)
        => endpoints.MapGet(Path, GetAsync).WithName("Me");

    private static async Task<IResult> GetAsync(HttpContext context, CallerResolver resolver, CancellationToken cancellationToken)
    {
        var resolution = await resolver.ResolveAsync(context, cancellationToken);
        if (!resolution.Succeeded) return resolution.Refusal.ToResult();
        var caller = resolution.Caller;
        return Results.Ok(new CallerView(
            caller.Role.TokenValue(),
            caller.OrganisationKey,
            caller.OrganisationKind.ToString(),
            caller.ClientAppId,
            caller.IsUser,
            caller.UserObjectId));
    }
}

/// <summary>The body of <c>GET /me</c>.</summary>
public sealed record CallerView(
    string Role,
    string OrganisationKey,
    string OrganisationKind,
    string ClientAppId,
    bool IsUserToken,
    string? UserObjectId);
