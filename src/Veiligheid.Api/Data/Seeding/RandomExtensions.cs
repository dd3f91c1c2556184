using System.Diagnostics.CodeAnalysis;

// The generator must be reproducible from a seed; cryptographic randomness would defeat that and is not needed for
// synthetic demo and benchmark data.
[assembly: SuppressMessage("Security", "CA5394:Do not use insecure randomness",
    Scope = "namespaceanddescendants", Target = "~N:Veiligheid.Data.Seeding",
    Justification = "Synthetic data must be reproducible from a seed.")]

namespace Veiligheid.Data.Seeding;

/// <summary>Small helpers on a seeded <see cref="Random"/>. Only arithmetic and square roots (exactly rounded in IEEE
/// 754), no Sin/Log/Pow, so the same seed gives the same numbers on every platform.</summary>
internal static class RandomExtensions
{
    public static bool Chance(this Random rng, double probability) => rng.NextDouble() < probability;

    public static T Pick<T>(this Random rng, IReadOnlyList<T> items) => items[rng.Next(items.Count)];

    /// <summary>A roughly normal number with mean 0 and standard deviation 1 (Irwin–Hall with 4 uniforms).</summary>
    public static double Bell(this Random rng)
        => (rng.NextDouble() + rng.NextDouble() + rng.NextDouble() + rng.NextDouble() - 2.0) * 1.7320508075688772;

    /// <summary>An index in [0, count) skewed towards the low end: a few hot spots get many of the picks.</summary>
    public static int Skewed(this Random rng, int count)
    {
        var u = rng.NextDouble();
        return Math.Min(count - 1, (int)(count * u * Math.Sqrt(u)));
    }

    public static Guid NextGuid(this Random rng)
    {
        Span<byte> bytes = stackalloc byte[16];
        rng.NextBytes(bytes);
        return new Guid(bytes);
    }

    /// <summary>Picks an index by its share in a cumulative weight table (last entry = total).</summary>
    public static int PickWeighted(this Random rng, double[] cumulative)
    {
        var x = rng.NextDouble() * cumulative[^1];
        var index = Array.BinarySearch(cumulative, x);
        if (index < 0) index = ~index;
        else index++; // Landing exactly on a boundary belongs to the next bucket.
        // Skip empty buckets an exact boundary hit could land on.
        while (index < cumulative.Length - 1 && cumulative[index] == (index == 0 ? 0 : cumulative[index - 1])) index++;
        return Math.Min(index, cumulative.Length - 1);
    }

    public static double[] Cumulative(ReadOnlySpan<double> weights)
    {
        var result = new double[weights.Length];
        var sum = 0.0;
        for (var i = 0; i < weights.Length; i++)
        {
            sum += weights[i];
            result[i] = sum;
        }
        return result;
    }

    /// <summary>A seed for one section of the generator, so sections don't shift each other when one changes.</summary>
    public static int SectionSeed(int seed, int section)
        => unchecked((int)(((uint)seed * 2654435761u) ^ ((uint)section * 2246822519u) ^ 0x5bd1e995u));
}
