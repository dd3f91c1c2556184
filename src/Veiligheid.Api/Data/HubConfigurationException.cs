namespace Veiligheid.Data;

/// <summary>
/// A setting the hub cannot run without is missing or wrong (Entra ID outside Development, the log's pseudonym key): an
/// operator's situation, which the hub reports by its reason alone and a non-zero exit, without a stack trace.
/// </summary>
public sealed class HubConfigurationException(string message) : InvalidOperationException(message)
{
    /// <summary>A secret key set as base64 (the log's pseudonym key, the figures' cell key): its bytes, or this exception
    /// naming the setting when the value is not base64 or shorter than <paramref name="minimumBytes"/>.</summary>
    public static byte[] Base64Key(string setting, string value, int minimumBytes = 32)
    {
        ArgumentNullException.ThrowIfNull(value);
        byte[] key;
        try
        {
            key = Convert.FromBase64String(value);
        }
        catch (FormatException)
        {
            throw new HubConfigurationException($"{setting} is not base64.");
        }
        return key.Length >= minimumBytes ? key : throw new HubConfigurationException($"{setting} must be at least {minimumBytes} bytes (base64).");
    }
}
