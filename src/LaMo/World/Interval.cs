using System.Text.Json.Serialization;

namespace LaMo.World;

/// <summary>A closed interval [Min, Max]; Min == Max is a point (e.g. the v = 0 bucket).</summary>
public readonly record struct Interval(
    [property: JsonPropertyName("min")] double Min,
    [property: JsonPropertyName("max")] double Max)
{
    /// <summary>Length of the interval.</summary>
    [JsonIgnore]
    public double Length => Max - Min;

    /// <summary>True when x lies in [Min, Max].</summary>
    public bool Contains(double x) => x >= Min && x <= Max;

    /// <summary>Validates the interval.</summary>
    /// <exception cref="ArgumentException">Min &gt; Max, negative or not finite.</exception>
    public void Validate(string name)
    {
        if (!double.IsFinite(Min) || !double.IsFinite(Max) || Min < 0 || Min > Max)
            throw new ArgumentException($"{name} interval [{Min}, {Max}] must be finite, non-negative and have min <= max", name);
    }

    /// <summary>Samples uniformly from a union of intervals, weighting each by its length
    /// (points count when every part is a point).</summary>
    public static double SampleUnion(IReadOnlyList<Interval> parts, WorldRng rng)
    {
        if (parts.Count == 0) throw new ArgumentException("an interval union must have at least one part", nameof(parts));
        var total = parts.Sum(p => p.Length);
        if (total <= 0) return rng.Pick(parts).Min;
        var u = rng.NextDouble() * total;
        foreach (var p in parts)
        {
            if (u <= p.Length) return p.Min + u;
            u -= p.Length;
        }
        return parts[^1].Max;
    }

    /// <summary>True when x lies in any part.</summary>
    public static bool UnionContains(IReadOnlyList<Interval> parts, double x) => parts.Any(p => p.Contains(x));
}
