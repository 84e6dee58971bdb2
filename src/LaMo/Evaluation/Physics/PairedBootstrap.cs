namespace LaMo.Evaluation.Physics;

/// <summary>Difference of one metric between two methods over identical inputs (A − B; negative = A has lower error).</summary>
/// <param name="Metric">Metric name.</param>
/// <param name="MethodA">Method A.</param>
/// <param name="MethodB">Method B.</param>
/// <param name="Pairs">Clips where both have a value.</param>
/// <param name="MeanDifference">Mean of A − B.</param>
/// <param name="MedianDifference">Median of A − B.</param>
/// <param name="CiLow">2.5 % percentile of the bootstrap means.</param>
/// <param name="CiHigh">97.5 % percentile of the bootstrap means.</param>
/// <param name="Resamples">Bootstrap resamples.</param>
/// <param name="Seed">Bootstrap seed.</param>
public sealed record BootstrapComparison(string Metric, string MethodA, string MethodB, int Pairs, double MeanDifference,
    double MedianDifference, double CiLow, double CiHigh, int Resamples, int Seed);

/// <summary>Paired bootstrap over clips (resample clip ids with replacement, keep each clip's A and B together).</summary>
public static class PairedBootstrap
{
    /// <summary>Compares <paramref name="metric"/> between two result sets, pairing clips by <see cref="ClipPhysicsResult.ClipId"/>.</summary>
    /// <exception cref="ArgumentException">Unknown metric or fewer than 10 resamples.</exception>
    public static BootstrapComparison Compare(string metric, string nameA, IReadOnlyList<ClipPhysicsResult> a, string nameB,
        IReadOnlyList<ClipPhysicsResult> b, int resamples = 1000, int seed = 1234)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(resamples, 10);
        var select = ClipPhysicsResult.Selector(metric);
        var byId = b.ToDictionary(r => r.ClipId);
        var diffs = a.Where(r => byId.ContainsKey(r.ClipId))
            .Select(r => (A: select(r), B: select(byId[r.ClipId])))
            .Where(p => p.A is not null && p.B is not null)
            .Select(p => p.A!.Value - p.B!.Value).ToArray();
        if (diffs.Length == 0) return new(metric, nameA, nameB, 0, double.NaN, double.NaN, double.NaN, double.NaN, resamples, seed);
        var rng = new Random(seed);
        var means = new double[resamples];
        for (var k = 0; k < resamples; k++)
        {
            double s = 0;
            for (var i = 0; i < diffs.Length; i++) s += diffs[rng.Next(diffs.Length)];
            means[k] = s / diffs.Length;
        }
        Array.Sort(means);
        return new(metric, nameA, nameB, diffs.Length, diffs.Average(), MetricSummary.Of(diffs.Select(d => (double?)d)).Median,
            Percentile(means, 0.025), Percentile(means, 0.975), resamples, seed);
    }

    // Linear interpolation between order statistics (numpy's default).
    private static double Percentile(double[] sorted, double q)
    {
        var pos = q * (sorted.Length - 1);
        int lo = (int)Math.Floor(pos), hi = Math.Min(lo + 1, sorted.Length - 1);
        return sorted[lo] + (pos - lo) * (sorted[hi] - sorted[lo]);
    }
}
