namespace Veiligheid.Data.Seeding;

/// <summary>How much synthetic data to generate. The same options always give the same data, byte for byte.</summary>
public sealed record SeedOptions
{
    /// <summary>The default seed: a fixed number so every machine gets the same demo data.</summary>
    public const int DefaultSeed = 20261127;

    /// <summary>The first-run demo: small enough to seed in a few seconds, big enough to show every kind of thing.</summary>
    public static SeedOptions Demo { get; } = new() { Persons = 300, Incidents = 3_000, Seed = DefaultSeed };

    /// <summary>The smallest population that still fills every case kind, confidentiality level and pool.</summary>
    public const int MinimumPersons = 50;

    public int Persons { get; init; } = 300;
    public int Incidents { get; init; } = 3_000;
    public int Seed { get; init; } = DefaultSeed;

    /// <summary>Cases scale with the population (about 2 in 5 persons are in one): 120 for the demo.</summary>
    public int Cases => Math.Max(8, Persons * 2 / 5);

    /// <summary>Throws when the options cannot give a consistent data set.</summary>
    public void Validate()
    {
        if (Persons < MinimumPersons)
            throw new ArgumentOutOfRangeException(nameof(Persons), Persons, $"At least {MinimumPersons} persons are needed.");
        if (Persons > 10_000_000)
            throw new ArgumentOutOfRangeException(nameof(Persons), Persons, "At most 10,000,000 persons (the BSN range used holds that many).");
        if (Incidents < 0)
            throw new ArgumentOutOfRangeException(nameof(Incidents), Incidents, "The number of incidents cannot be negative.");
    }
}
