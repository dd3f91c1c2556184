namespace Veiligheid.Accountability;

/// <summary>Stable error codes of the processing log.</summary>
public static class ProcessingLogErrorCodes
{
    /// <summary>The processing log could not be written, so the response carries no data.</summary>
    public const string Unavailable = "PROCESSING_LOG_UNAVAILABLE";
}
