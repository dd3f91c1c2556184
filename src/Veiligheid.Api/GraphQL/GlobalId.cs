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

    private const int MaxTypeNameLength = 64;

    /// <summary>The longest <see cref="EncodeUtf8"/> writes: base64url of "&lt;Type&gt;:" and an int's at most 11 characters.</summary>
    public static int MaxEncodedLength { get; } = Base64Url.GetEncodedLength(MaxTypeNameLength + 12);

    /// <summary>
    /// Writes <see cref="Encode"/>'s id as UTF-8 into <paramref name="destination"/> (at least
    /// <see cref="MaxEncodedLength"/> bytes), made on the stack (the compiled read path writes hundreds per page);
    /// <paramref name="typeName"/> is the type's name in ASCII. Returns the bytes written.
    /// </summary>
    public static int EncodeUtf8(ReadOnlySpan<byte> typeName, int id, Span<byte> destination)
    {
        if (typeName.Length > MaxTypeNameLength) throw new ArgumentOutOfRangeException(nameof(typeName), "A type name longer than any of the schema's.");
        Span<byte> plain = stackalloc byte[MaxTypeNameLength + 12];
        typeName.CopyTo(plain);
        plain[typeName.Length] = (byte)':';
        Utf8Formatter.TryFormat(id, plain[(typeName.Length + 1)..], out var digits);
        return Base64Url.EncodeToUtf8(plain[..(typeName.Length + 1 + digits)], destination);
    }

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
