using System.Buffers.Text;
using System.Text;

namespace Veiligheid.GraphQL;

/// <summary>
/// Opaque global ids ("Case:42" in base64url). Clients must treat them as opaque; the hub only ever reveals an id of a
/// row the caller may see, and an id of a hidden row resolves exactly like an id that does not exist.
/// </summary>
public static class GlobalId
{
    public static string Encode(string typeName, int id) => Base64Url.EncodeToString(Encoding.UTF8.GetBytes($"{typeName}:{id}"));

    /// <summary>The database id when <paramref name="globalId"/> is a well-formed id of <paramref name="typeName"/>.</summary>
    public static bool TryDecode(string? globalId, string typeName, out int id)
    {
        id = 0;
        if (string.IsNullOrEmpty(globalId) || globalId.Length > 64) return false;
        byte[] bytes;
        try
        {
            bytes = Base64Url.DecodeFromChars(globalId);
        }
        catch (FormatException)
        {
            return false;
        }
        var text = Encoding.UTF8.GetString(bytes);
        var separator = text.IndexOf(':', StringComparison.Ordinal);
        return separator > 0
            && text.AsSpan(0, separator).SequenceEqual(typeName)
            && int.TryParse(text.AsSpan(separator + 1), System.Globalization.NumberStyles.None, System.Globalization.CultureInfo.InvariantCulture, out id)
            && id > 0;
    }

    /// <summary>The type name inside a well-formed global id, for the node field.</summary>
    public static string? TypeOf(string? globalId)
    {
        if (string.IsNullOrEmpty(globalId) || globalId.Length > 64) return null;
        try
        {
            var text = Encoding.UTF8.GetString(Base64Url.DecodeFromChars(globalId));
            var separator = text.IndexOf(':', StringComparison.Ordinal);
            return separator > 0 ? text[..separator] : null;
        }
        catch (FormatException)
        {
            return null;
        }
    }
}
