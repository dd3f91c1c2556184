namespace Veiligheid.Figures;

/// <summary>Configuration section "Figures".</summary>
public sealed class FiguresOptions
{
    public const string Section = "Figures";

    /// <summary>The connection string name of the read-only SQL Server replica that figures may use.</summary>
    public const string ReadOnlyConnectionStringName = "VeiligheidReadOnly";

    /// <summary>
    /// Counts from 1 up to (not including) this value are never published as their value. At least 3: the
    /// complementary suppression relies on a suppressed count being able to move by one either way.
    /// </summary>
    public int SuppressionThreshold { get; set; } = 5;

    /// <summary>
    /// Every published count is rounded at random, unbiased, to a multiple of this base, with a consistent per-cell seed
    /// (<see cref="CellKeyRounding"/>). Default 5; at most <see cref="SuppressionThreshold"/>, so a published count never
    /// rounds to 0. 1 switches rounding off: for tests that check counts exactly, never for a hub that publishes.
    /// </summary>
    public int RoundingBase { get; set; } = 5;

    /// <summary>
    /// The secret key (base64, at least 32 bytes) of the rounding's per-cell seed. Unset, it is derived from
    /// ProcessingLog:PseudonymKey; in Development and tests a fixed development key is used.
    /// </summary>
    public string? CellKey { get; set; }

    /// <summary>The longest period one figure may cover, in days (guards the database against a ten-year GROUP BY).</summary>
    public int MaxPeriodDays { get; set; } = 3 * 366;
}
