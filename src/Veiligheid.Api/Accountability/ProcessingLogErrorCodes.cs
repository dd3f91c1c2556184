namespace Veiligheid.Accountability;

/// <summary>Stable error codes of the processing log.</summary>
public static class ProcessingLogErrorCodes
{
    /// <summary>The processing log could not be written, so the response carries no data.</summary>
    public const string Unavailable = "PROCESSING_LOG_UNAVAILABLE";

    /// <summary>
    /// A read of the log reaches an action whose row was edited outside the hub so that it cannot be read (verify-log
    /// reports it), so the response carries none of that read's data (<see cref="ProcessingLogDamage"/>).
    /// </summary>
    public const string Damaged = "PROCESSING_LOG_DAMAGED";

    /// <summary>The filter conditions on persons through a relation of one request matched more persons than may be logged for it.</summary>
    public const string TooManyPersonsMatched = "FILTER_MATCHES_TOO_MANY_PERSONS";
}

/// <summary>
/// The filter conditions through a relation to persons of one request matched more persons than it may log
/// (<see cref="ProcessingLogOptions.MostPersonsMatched"/>): the client's doing, answered as an error without data.
/// </summary>
public sealed class TooManyPersonsMatchedException(int most) : Exception(
    $"The request's filters on persons by name, date of birth or address match more than {most} persons you may see, and each would be logged as processed. " +
    "Narrow it (a BSN, a global id, or more conditions) and send it again.");
