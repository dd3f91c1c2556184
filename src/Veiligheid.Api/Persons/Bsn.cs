namespace Veiligheid.Persons;

/// <summary>The burgerservicenummer rules: nine digits that pass the 11-proef.</summary>
public static class Bsn
{
    /// <summary>True when <paramref name="value"/> is nine digits whose weighted sum (9…2, then −1) is a multiple of 11.</summary>
    public static bool IsValid(string? value)
    {
        if (value is null || value.Length != 9) return false;
        var sum = 0;
        for (var i = 0; i < 9; i++)
        {
            var c = value[i];
            if (c is < '0' or > '9') return false;
            var weight = i == 8 ? -1 : 9 - i;
            sum += weight * (c - '0');
        }
        return sum % 11 == 0 && value != "000000000";
    }

    /// <summary>
    /// Completes eight leading digits with the check digit that makes a valid BSN, or returns null when no digit 0-9 does
    /// (the generator then tries the next prefix).
    /// </summary>
    public static string? Complete(string firstEight)
    {
        ArgumentNullException.ThrowIfNull(firstEight);
        if (firstEight.Length != 8) throw new ArgumentException("Eight digits expected.", nameof(firstEight));
        var sum = 0;
        for (var i = 0; i < 8; i++) sum += (9 - i) * (firstEight[i] - '0');
        var check = sum % 11;
        if (check > 9) return null;
        var candidate = firstEight + (char)('0' + check);
        return IsValid(candidate) ? candidate : null;
    }
}
