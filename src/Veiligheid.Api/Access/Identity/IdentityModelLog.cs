using System.Collections.Frozen;
using System.Globalization;
using System.Text.RegularExpressions;
using Microsoft.IdentityModel.Abstractions;
using Microsoft.IdentityModel.Logging;

namespace Veiligheid.Access.Identity;

/// <summary>
/// Microsoft.IdentityModel's own log (both schemes' token validation; Entra ID's metadata and signing keys) in the hub's
/// log, category <see cref="Category"/>, each entry with its IDX code as event id, and written at the level of whose
/// doing it is.
/// <list type="bullet">
/// <item>A client's token that fails validation (garbage, truncated, expired, another key or audience) is the client's
/// doing: IdentityModel writes it at Error, often several entries a request, and some quote the token's own header
/// or claims (IDX10503 its kid, IDX40001 its iss) whatever the PII switch. Here those are Debug: the operations team
/// reads <c>fail:</c> as "the server has a problem", and a client could fill the log with them. The hub writes its own
/// single entry per refused request instead, without the token (<see cref="CallerResolver.TokenRefused"/>).</item>
/// <item>The hub's own failures keep IdentityModel's level: the validation parameters lack what they need
/// (<see cref="OwnSetupCodes"/>), an entry without a code, or a refresh of Entra ID's signing keys that fails while the hub
/// validates with the ones it has (IDX20804, IDX20806: the Protocols library's codes).</item>
/// <item>Before the hub has Entra ID's signing keys, a failure to fetch them is reported by <see cref="EntraSigningKeys"/>,
/// once per interval, and IdentityModel's entries about it, several for every request, are Debug (<see cref="ReportedByTheHub"/>).</item>
/// <item>IdentityModel's informational entries narrate every validation step of every request (IDX10243 "reading
/// signing keys", IDX10236 "issuer validated" with the token's iss, …): Debug and Trace here, and not even formatted
/// unless those are enabled.</item>
/// </list>
/// Its entries carry no event id of their own (the adapter Microsoft.Identity.Web would install writes every one as
/// event 0, category Microsoft.IdentityModel.LoggingExtensions.IdentityLoggerAdapter), so a filter on category or
/// event id could only silence all of IdentityModel, the hub's own failures with it: the IDX code is what says which
/// it is.
/// </summary>
internal sealed partial class IdentityModelLog(ILogger logger, EntraSigningKeys? entraKeys) : IIdentityLogger
{
    public const string Category = "Microsoft.IdentityModel";

    /// <summary>
    /// Codes of the token-validation libraries (Tokens IDX10xxx, System.IdentityModel.Tokens.Jwt IDX12xxx,
    /// JsonWebTokens IDX14xxx, Validators IDX40xxx) that report the hub's own set-up rather than the token sent.
    /// </summary>
    public static readonly FrozenSet<int> OwnSetupCodes = new[]
    {
        10000, // a parameter is null: a programming error
        10204, // no valid issuer configured
        10208, // no valid audience configured
        10261, // the configuration (signing keys) could not be retrieved; validation goes on without it
        10262, // an empty valid issuer configured
        10500, // no signing keys at all to check a signature with
    }.ToFrozenSet();

    /// <summary>
    /// The Protocols library's codes for fetching a configuration (metadata, signing keys): IDX20803 none could be
    /// obtained, IDX20804 a document could not be retrieved, IDX20806 an updated one could not be obtained (written also
    /// when there is none yet), IDX20807 the server answered with an error status.
    /// </summary>
    public static readonly FrozenSet<int> ReportedByTheHub = new[] { 20803, 20804, 20806, 20807 }.ToFrozenSet();

    // IdentityModel has one logger per process (LogHelper.Logger), and a process may run several hosts (the tests do):
    // an entry goes to the log of the host whose request it comes from, else (outside any request) to the host that
    // started last. A single-host process, the hub in production, has only its own.
    private static readonly AsyncLocal<IdentityModelLog?> OfThisRequest = new();
    private static volatile IdentityModelLog? _ofTheLastHost;

    /// <summary>
    /// Points IdentityModel's process-wide logger at this host's log (<see cref="ServeThisRequest"/> per request) and turns
    /// its PII switches off, in every environment: with <see cref="IdentityModelEventSource.ShowPII"/> its messages would
    /// quote tokens' claims, with <see cref="IdentityModelEventSource.LogCompleteSecurityArtifact"/> whole tokens. Called
    /// when the hub starts, so it wins over Microsoft.Identity.Web, which sets its own logger only while none is set, and
    /// the PII switch from its configuration section when it is registered.
    /// </summary>
    /// <param name="loggers">This host's log.</param>
    /// <param name="entraKeys">This host's <see cref="EntraSigningKeys"/>, which reports failures to fetch Entra ID's keys
    /// before it has them (<see cref="ReportedByTheHub"/>); null: none, IdentityModel's entries about them keep their level.</param>
    public static IdentityModelLog Install(ILoggerFactory loggers, EntraSigningKeys? entraKeys = null)
    {
        ArgumentNullException.ThrowIfNull(loggers);
        IdentityModelEventSource.ShowPII = false;
        IdentityModelEventSource.LogCompleteSecurityArtifact = false;
        var log = new IdentityModelLog(loggers.CreateLogger(Category), entraKeys);
        _ofTheLastHost = log;
        LogHelper.Logger = Router.Instance;
        return log;
    }

    /// <summary>IdentityModel's entries of the rest of this request (its async flow) go to this log.</summary>
    public void ServeThisRequest() => OfThisRequest.Value = this;

    public bool IsEnabled(EventLogLevel eventLogLevel) => logger.IsEnabled(Highest(eventLogLevel));

    public void Log(LogEntry entry)
    {
        ArgumentNullException.ThrowIfNull(entry);
        var code = CodeOf(entry.Message);
        var level = Highest(entry.EventLogLevel);
        if (level >= LogLevel.Warning && code is { } c && (IsAboutTheToken(c) || IsReportedByTheHub(c))) level = LogLevel.Debug;
        var eventId = code is { } id ? new EventId(id, "IDX" + id.ToString(CultureInfo.InvariantCulture)) : default;
        // The message as state, never as a template: IdentityModel's text may hold braces.
        logger.Log(level, eventId, entry.Message ?? "", null, static (message, _) => message);
    }

    /// <summary>The level an entry is written at, unless it is about the token sent (then Debug).</summary>
    private static LogLevel Highest(EventLogLevel level) => level switch
    {
        EventLogLevel.Critical => LogLevel.Critical,
        EventLogLevel.Error => LogLevel.Error,
        EventLogLevel.Warning => LogLevel.Warning,
        EventLogLevel.Verbose => LogLevel.Trace,
        _ => LogLevel.Debug, // Informational (and LogAlways): the steps of every validation
    };

    private static bool IsAboutTheToken(int code)
        => code / 1000 is 10 or 12 or 14 or 40 && !OwnSetupCodes.Contains(code);

    /// <summary>
    /// A failure to fetch Entra ID's metadata and keys before the hub has them: IdentityModel writes some three errors for
    /// every request that tries (each tries again), and <see cref="EntraSigningKeys"/> reports them itself, once per
    /// interval. Once the hub has the keys, a failed refresh (IdentityModel goes on with the keys it has) keeps its level.
    /// </summary>
    private bool IsReportedByTheHub(int code) => ReportedByTheHub.Contains(code) && entraKeys is { Held: false };

    /// <summary>The entry's own code: its first IDX number (a message may quote an inner exception's code after it).</summary>
    private static int? CodeOf(string? message)
        => message is not null && IdxCode().Match(message) is { Success: true } match ? int.Parse(match.Groups[1].ValueSpan, CultureInfo.InvariantCulture) : null;

    [GeneratedRegex(@"IDX(\d{5})")]
    private static partial Regex IdxCode();

    private sealed class Router : IIdentityLogger
    {
        public static readonly Router Instance = new();

        private static IdentityModelLog? Target => OfThisRequest.Value ?? _ofTheLastHost;

        public bool IsEnabled(EventLogLevel eventLogLevel) => Target?.IsEnabled(eventLogLevel) ?? false;

        public void Log(LogEntry entry) => Target?.Log(entry);
    }
}
