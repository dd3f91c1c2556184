using System.Globalization;
using System.Security.Cryptography;
using System.Text;
using Microsoft.Extensions.Options;
using Veiligheid.Accountability;
using Veiligheid.Data;

namespace Veiligheid.Figures;

/// <summary>
/// Unbiased random rounding of every published count to a multiple of <see cref="FiguresOptions.RoundingBase"/> (5 by
/// default), with a consistent per-cell seed (the cell key method of CBS / Statistics Netherlands and the ABS).
/// <para>
/// A count n = 5q + r (0 ≤ r &lt; 5) is published as 5q + 5 with probability r/5 and as 5q otherwise, so on average it is n
/// (no bias in sums and trends) and a multiple of 5 stays exactly itself. The draw is not random per request: it is
/// HMAC-SHA256 under a secret key of the cell's canonical description and its true count. The same cell with the same
/// count is therefore rounded the same way whichever figure, field, CSV or query shape shows it, so asking again does
/// not give a fresh draw to average; and a cell whose count changes (a new incident) gets a new draw, so watching a cell
/// over time does not show the exact change. Without the key the draw cannot be predicted, so a reader cannot test which
/// true count would have given the published value.
/// </para>
/// <para>
/// Why: two published counts that differ by one record (an area set with and without one neighbourhood, a category set
/// with and without one category, a period one day longer, a district against its neighbourhoods, a year against its
/// months) used to differ by exactly that record. Rounded, each lies anywhere in a range of 9 counts around its value,
/// so their difference says nothing exact about a suppressed cell. Rounding alone is not enough against a caller who may
/// ask any union (averaging many differences, each with its own draw, would converge on the true count), which is why
/// figures are also answered only from a fixed set of tables (<see cref="FixedTables"/>).
/// </para>
/// </summary>
public sealed class CellKeyRounding
{
    // Only for Development and tests, so a fresh clone runs without secrets. Outside them the key comes from
    // Figures:CellKey, else is derived from the processing log's pseudonym key (which the hub cannot start without).
    private static readonly byte[] DevelopmentKey = SHA256.HashData("veiligheid-development-figures-cell-key"u8);

    private readonly byte[] _key;

    public CellKeyRounding(byte[] key, int roundingBase)
    {
        ArgumentNullException.ThrowIfNull(key);
        if (key.Length < 32) throw new ArgumentException("The cell key must be at least 32 bytes.", nameof(key));
        ArgumentOutOfRangeException.ThrowIfLessThan(roundingBase, 1);
        _key = key;
        Base = roundingBase;
    }

    /// <summary>The rounding of Development and tests (a fixed, public key): never outside them.</summary>
    public static CellKeyRounding Development(int roundingBase) => new(DevelopmentKey, roundingBase);

    /// <summary>The hub's rounding: the configured cell key, else one derived from the pseudonym key, else (Development
    /// and Testing only) the development key.</summary>
    public static CellKeyRounding Create(FiguresOptions figures, ProcessingLogOptions log, IHostEnvironment environment)
    {
        ArgumentNullException.ThrowIfNull(figures);
        ArgumentNullException.ThrowIfNull(log);
        ArgumentNullException.ThrowIfNull(environment);
        if (!string.IsNullOrWhiteSpace(figures.CellKey))
        {
            return new CellKeyRounding(HubConfigurationException.Base64Key($"{FiguresOptions.Section}:CellKey", figures.CellKey), figures.RoundingBase);
        }
        if (!string.IsNullOrWhiteSpace(log.PseudonymKey))
        {
            // A separate key for a separate purpose, derived so that one secret in the key vault serves both.
            var derived = HKDF.DeriveKey(HashAlgorithmName.SHA256, HubConfigurationException.Base64Key($"{ProcessingLogOptions.Section}:PseudonymKey", log.PseudonymKey), 32,
                info: "veiligheid-figures-cell-key"u8.ToArray());
            return new CellKeyRounding(derived, figures.RoundingBase);
        }
        if (environment.IsDevelopment() || environment.IsEnvironment("Testing")) return Development(figures.RoundingBase);
        throw new HubConfigurationException($"{FiguresOptions.Section}:CellKey is not set (nor {ProcessingLogOptions.Section}:PseudonymKey to derive it from): figures need a secret key for their rounding.");
    }

    /// <summary>The base counts are rounded to (1: no rounding).</summary>
    public int Base { get; }

    /// <summary>The published value of a count of <paramref name="count"/> in the cell <paramref name="cell"/>.</summary>
    public int Round(string cell, int count)
    {
        ArgumentNullException.ThrowIfNull(cell);
        var remainder = count % Base;
        if (remainder == 0) return count;
        var lower = count - remainder;
        return Draw(cell, count) < remainder ? lower + Base : lower;
    }

    /// <summary>A uniform draw from 0 … Base − 1, fixed by the key, the cell and its count.</summary>
    private int Draw(string cell, int count)
    {
        var hash = HMACSHA256.HashData(_key, Encoding.UTF8.GetBytes(cell + "#" + count.ToString(CultureInfo.InvariantCulture)));
        return (int)(BitConverter.ToUInt64(hash, 0) % (ulong)Base);
    }
}

/// <summary>
/// The fixed set of tables figures are answered from. A caller may not choose a union or an offset, so no two answers
/// differ by a few records of the caller's choosing:
/// <list type="bullet">
/// <item>Periods: a figure whose cells count the whole period (hotspots, hotcrimes, hottimes, interventions, fines) covers
/// exactly one calendar month, one quarter or one calendar year; trends (a row per month) cover whole months, cases (a
/// row per quarter) whole quarters — a longer run of those only shows more of the same fixed cells.</item>
/// <item>Areas: the municipality, one district or one neighbourhood (the register's hierarchy). Where areas are the rows
/// (hotspots, trends) narrowing only selects rows: any districts and neighbourhoods at neighbourhood level, districts
/// only at district level (a neighbourhood would make a partial district).</item>
/// <item>Categories: all or one. Where categories are the rows (hotcrimes, trends) narrowing only selects rows, so any set.</item>
/// </list>
/// The tables still overlap along the hierarchy (a district and its neighbourhoods, a year and its months); that is what
/// the rounding (<see cref="CellKeyRounding"/>) covers.
/// </summary>
public static class FixedTables
{
    public enum Periods { One, Months, Quarters }

    public static void Check(FigureParameters p, Periods periods, bool areaRows, bool categoryRows)
    {
        ArgumentNullException.ThrowIfNull(p);
        var wholeMonths = p.From.Day == 1 && p.To.AddDays(1).Day == 1;
        var ok = periods switch
        {
            Periods.Months => wholeMonths,
            Periods.Quarters => wholeMonths && (p.From.Month - 1) % 3 == 0 && p.To.Month % 3 == 0,
            _ => wholeMonths && (
                (p.From.Year == p.To.Year && p.From.Month == p.To.Month)
                || (p.From.Year == p.To.Year && (p.From.Month - 1) % 3 == 0 && p.To.Month == p.From.Month + 2)
                || (p.From.Month == 1 && p.To.Month == 12 && p.From.Year == p.To.Year)),
        };
        if (!ok)
        {
            throw new FigureArgumentException("NOT_A_FIXED_PERIOD", periods switch
            {
                Periods.Months => "This figure covers whole calendar months: 'from' the first day of a month, 'to' the last day of a month.",
                Periods.Quarters => "This figure covers whole quarters: 'from' the first day of a quarter (1 January, 1 April, 1 July, 1 October), 'to' the last day of a quarter.",
                _ => "This figure covers one calendar month, one quarter or one calendar year (e.g. from 2025-04-01 to 2025-04-30, 2025-04-01 to 2025-06-30, 2025-01-01 to 2025-12-31); figures are answered only for these fixed periods, so that no two answers differ by a few days.",
            });
        }
        var areas = p.Districts.Distinct(StringComparer.OrdinalIgnoreCase).Count() + p.Neighbourhoods.Distinct(StringComparer.OrdinalIgnoreCase).Count();
        if (areaRows)
        {
            if (p.Level == AreaLevel.District && p.Neighbourhoods.Count > 0)
                throw new FigureArgumentException("NOT_A_FIXED_AREA", "At district level a figure is narrowed by districts only: a neighbourhood would make a partial district.");
        }
        else if (areas > 1)
        {
            throw new FigureArgumentException("NOT_A_FIXED_AREA", "This figure is for the whole municipality, one district or one neighbourhood, not a combination of areas: figures are answered only for the register's areas, so that no two answers differ by one area.");
        }
        if (!categoryRows && p.Categories.Distinct().Count() > 1)
            throw new FigureArgumentException("NOT_A_FIXED_CATEGORY", "This figure is for all categories or one category, not a combination: figures are answered only for these, so that no two answers differ by one category.");
    }
}
