namespace LaMo.Evaluation.Physics;

/// <summary>The clips per split and condition a paired comparison needs for a target CI half-width
/// (docs/results/study-v2.md, "Sample size").</summary>
public static class StudySampleSize
{
    /// <summary>n = max(<paramref name="floor"/>, ⌈(z·sd_diff / (relative·|mean_base|))²⌉): the unadjusted paired CI of
    /// coverage z then has half-width <paramref name="relative"/> × the baseline's mean.</summary>
    /// <param name="differences">Per-clip paired differences (arm − baseline) on validation.</param>
    /// <param name="baselineMean">The tuned baseline's mean of the metric.</param>
    /// <exception cref="ArgumentException">Fewer than 2 differences, or a zero/non-finite baseline mean.</exception>
    public static int Required(IReadOnlyList<double> differences, double baselineMean, double relative = 0.1, double z = 1.96, int floor = 128)
    {
        if (differences.Count < 2) throw new ArgumentException("need at least 2 paired differences for a standard deviation", nameof(differences));
        if (!double.IsFinite(baselineMean) || baselineMean == 0) throw new ArgumentException($"baseline mean ({baselineMean}) must be finite and non-zero", nameof(baselineMean));
        double sd = StandardDeviation(differences);
        double n = Math.Pow(z * sd / (relative * Math.Abs(baselineMean)), 2);
        return Math.Max(floor, (int)Math.Ceiling(n));
    }

    /// <summary>Expected half-width z·sd/√n of the paired CI with <paramref name="n"/> clips.</summary>
    public static double HalfWidth(IReadOnlyList<double> differences, int n, double z = 1.96) => z * StandardDeviation(differences) / Math.Sqrt(n);

    /// <summary>Sample standard deviation (n − 1).</summary>
    public static double StandardDeviation(IReadOnlyList<double> x)
    {
        double mean = x.Average();
        return Math.Sqrt(x.Sum(v => (v - mean) * (v - mean)) / (x.Count - 1));
    }
}
