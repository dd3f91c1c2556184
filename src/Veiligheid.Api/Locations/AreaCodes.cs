using System.Text.RegularExpressions;

namespace Veiligheid.Locations;

/// <summary>Formats of the national register codes a location carries.</summary>
/// <remarks>
/// The patterns end in <c>\z</c>: <c>$</c> also matches before a final newline, so a code sent with one passed the check
/// and was looked up, answered <c>NOT_FOUND</c> where the input is invalid.
/// </remarks>
public static partial class AreaCodes
{
    /// <summary>BAG verblijfsobject id: 4-digit municipality code, object type 01, 10-digit serial.</summary>
    public static bool IsBagVerblijfsobjectId(string? value) => value is not null && BagIdPattern().IsMatch(value);

    /// <summary>CBS wijk code: WK + 4-digit municipality + 2-digit district.</summary>
    public static bool IsDistrictCode(string? value) => value is not null && DistrictPattern().IsMatch(value);

    /// <summary>CBS buurt code: BU + 4-digit municipality + 2-digit district + 2-digit neighbourhood.</summary>
    public static bool IsNeighbourhoodCode(string? value) => value is not null && NeighbourhoodPattern().IsMatch(value);

    /// <summary>Dutch postcode without a space: 4 digits (not starting with 0) and 2 capitals.</summary>
    public static bool IsPostcode(string? value) => value is not null && PostcodePattern().IsMatch(value);

    [GeneratedRegex(@"^[0-9]{4}01[0-9]{10}\z")]
    private static partial Regex BagIdPattern();

    [GeneratedRegex(@"^WK[0-9]{6}\z")]
    private static partial Regex DistrictPattern();

    [GeneratedRegex(@"^BU[0-9]{8}\z")]
    private static partial Regex NeighbourhoodPattern();

    [GeneratedRegex(@"^[1-9][0-9]{3}[A-Z]{2}\z")]
    private static partial Regex PostcodePattern();
}
