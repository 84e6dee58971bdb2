using System.Diagnostics;
using static TorchSharp.torch;

namespace LaMo.Bench;

/// <summary>Wall-clock timing: warm-up, then repeated runs (each in its own dispose scope), medians.</summary>
internal static class Measure
{
    /// <summary>Seconds of each of <paramref name="reps"/> runs of every action, interleaved (A B C A B C …) so that a
    /// change of machine load hits all variants alike.</summary>
    public static double[][] Interleaved(int warmup, int reps, params Action[] actions)
    {
        for (int w = 0; w < warmup; w++)
            foreach (var a in actions) Once(a);
        var times = actions.Select(_ => new double[reps]).ToArray();
        for (int r = 0; r < reps; r++)
            for (int i = 0; i < actions.Length; i++) times[i][r] = Once(actions[i]);
        return times;
    }

    public static double[] Repeat(int warmup, int reps, Action action) => Interleaved(warmup, reps, action)[0];

    public static double Once(Action action)
    {
        using var scope = NewDisposeScope();
        var sw = Stopwatch.StartNew();
        action();
        return sw.Elapsed.TotalSeconds;
    }

    public static double Median(IEnumerable<double> xs)
    {
        var s = xs.OrderBy(x => x).ToArray();
        if (s.Length == 0) return double.NaN;
        return s.Length % 2 == 1 ? s[s.Length / 2] : 0.5 * (s[s.Length / 2 - 1] + s[s.Length / 2]);
    }

    /// <summary>25th and 75th percentiles of the per-repetition ratios (the spread of a paired overhead).</summary>
    public static (double Q1, double Q3) PairedQuartiles(double[] numerator, double[] denominator)
    {
        var r = numerator.Zip(denominator, (n, d) => n / d).OrderBy(x => x).ToArray();
        double Q(double q) { double pos = q * (r.Length - 1); int lo = (int)Math.Floor(pos), hi = (int)Math.Ceiling(pos); return r[lo] + (pos - lo) * (r[hi] - r[lo]); }
        return (Q(0.25), Q(0.75));
    }

    /// <summary>Median of the per-repetition ratios b[i]/a[i] (paired, so slow drifts of the load cancel).</summary>
    public static double PairedRatio(double[] numerator, double[] denominator) =>
        Median(numerator.Zip(denominator, (n, d) => n / d));
}
