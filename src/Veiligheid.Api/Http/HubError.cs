namespace Veiligheid.Http;

/// <summary>The one body shape of every refusal: <c>{ "error": { "code": "...", "message": "..." } }</c>.</summary>
public sealed record HubErrorBody(HubErrorDetail Error);

/// <summary>A stable, machine-readable code and a message for the partner's developer.</summary>
public sealed record HubErrorDetail(string Code, string Message);

/// <summary>Writes refusals in the hub's error shape.</summary>
public static class HubError
{
    /// <summary>A JSON error response with the given status.</summary>
    public static IResult Result(int statusCode, string code, string message)
        => Results.Json(new HubErrorBody(new HubErrorDetail(code, message)), statusCode: statusCode);

    /// <summary>Writes a JSON error response directly (for middleware and endpoints that don't return an IResult).</summary>
    public static Task WriteAsync(HttpContext context, int statusCode, string code, string message)
    {
        ArgumentNullException.ThrowIfNull(context);
        context.Response.StatusCode = statusCode;
        return context.Response.WriteAsJsonAsync(new HubErrorBody(new HubErrorDetail(code, message)), context.RequestAborted);
    }
}
