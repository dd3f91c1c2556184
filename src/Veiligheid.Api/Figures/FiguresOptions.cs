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

    /// <summary>The longest period one figure may cover, in days (guards the database against a ten-year GROUP BY).</summary>
    public int MaxPeriodDays { get; set; } = 3 * 366;
}
