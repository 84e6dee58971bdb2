namespace LaMo.World;

/// <summary>Deterministic SplitMix64 generator: same seed, same stream, on every platform and .NET version.</summary>
/// <remarks>System.Random's algorithm is unspecified, so the world never uses it.</remarks>
public sealed class WorldRng
{
    private ulong _state;

    /// <summary>Starts a stream at <paramref name="seed"/>.</summary>
    public WorldRng(ulong seed) => _state = seed;

    /// <summary>Next 64 random bits.</summary>
    public ulong NextUInt64()
    {
        _state += 0x9E3779B97F4A7C15UL;
        return Mix(_state);
    }

    /// <summary>Uniform double in [0, 1) with 53 random bits.</summary>
    public double NextDouble() => (NextUInt64() >> 11) * (1.0 / (1UL << 53));

    /// <summary>Uniform double in [lo, hi] (returns lo when hi &lt;= lo).</summary>
    public double Uniform(double lo, double hi) => hi <= lo ? lo : lo + (hi - lo) * NextDouble();

    /// <summary>Uniform integer in [0, n).</summary>
    public int NextInt(int n)
    {
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(n);
        return (int)(NextUInt64() % (ulong)n);
    }

    /// <summary>True with probability p.</summary>
    public bool Chance(double p) => NextDouble() < p;

    /// <summary>One item chosen uniformly.</summary>
    public T Pick<T>(IReadOnlyList<T> items) => items[NextInt(items.Count)];

    /// <summary>A seed derived from a base seed and keys (order matters); independent streams per key tuple.</summary>
    public static ulong Derive(ulong seed, params ulong[] keys)
    {
        var h = Mix(seed ^ 0x6A09E667F3BCC909UL);
        foreach (var k in keys) h = Mix(h ^ Mix(k + 0x9E3779B97F4A7C15UL));
        return h;
    }

    /// <summary>FNV-1a 64-bit hash of a string (stable across runs, unlike string.GetHashCode).</summary>
    public static ulong Hash(string text)
    {
        var h = 14695981039346656037UL;
        foreach (var c in text)
        {
            h ^= c;
            h *= 1099511628211UL;
        }
        return h;
    }

    private static ulong Mix(ulong z)
    {
        z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9UL;
        z = (z ^ (z >> 27)) * 0x94D049BB133111EBUL;
        return z ^ (z >> 31);
    }
}
