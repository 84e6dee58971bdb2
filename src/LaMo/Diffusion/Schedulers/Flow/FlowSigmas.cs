namespace LaMo.Diffusion.Schedulers.Flow;

/// <summary>The σ-table arithmetic the flow-matching schedulers share, done the way diffusers does it (numpy float64
/// for inference tables, float32 for FlowMatchEuler's training table).</summary>
public static class FlowSigmas
{
    /// <summary>The flow shift s·σ / (1 + (s − 1)·σ) in float64 (SD3 / Wan's <c>shift</c>, <c>flow_shift</c>).</summary>
    /// <param name="sigma">σ ∈ [0, 1].</param>
    /// <param name="shift">s &gt; 0; 1 leaves σ unchanged, s &gt; 1 moves σ towards 1 (noisier).</param>
    public static double Shift(double sigma, double shift) => shift * sigma / (1 + (shift - 1) * sigma);

    /// <summary>The same shift with every operation rounded to float32 (diffusers' torch float32 training table).</summary>
    public static float ShiftF32(float sigma, double shift) => (float)shift * sigma / (1f + (float)(shift - 1) * sigma);

    /// <summary>numpy's <c>linspace(start, stop, num)</c> in float64: start + i·(stop − start)/(num − 1), with the
    /// last value set to <paramref name="stop"/> exactly.</summary>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="num"/> is below 1.</exception>
    public static double[] Linspace(double start, double stop, int num)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(num, 1);
        var y = new double[num];
        if (num == 1) { y[0] = start; return y; }
        double step = (stop - start) / (num - 1);
        for (int i = 0; i < num; i++) y[i] = i * step + start;
        y[^1] = stop;
        return y;
    }

    /// <summary>e^x − 1, accurate near 0 (torch's <c>expm1</c>); −1 at −∞.</summary>
    public static double Expm1(double x)
    {
        if (Math.Abs(x) < 1e-5) return x + x * x / 2 + x * x * x / 6;
        return Math.Exp(x) - 1;
    }
}
