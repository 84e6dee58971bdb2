namespace LaMo.Training;

/// <summary>Spots a run whose total loss is dominated by an auxiliary term, so the user is told why the loss is large
/// instead of guessing (e.g. a drift loss dividing by a near-zero true bulk motion).</summary>
public static class LossBalance
{
    /// <summary>The total is called dominated when it exceeds the denoising loss this many times.</summary>
    public const double DominanceRatio = 10;

    /// <summary>A one-line note when <c>loss</c> is at least <see cref="DominanceRatio"/> × <c>denoise</c>, naming the
    /// largest other logged term; null otherwise or when the step logs no such terms.</summary>
    public static string? Dominance(IReadOnlyDictionary<string, double> losses)
    {
        if (!losses.TryGetValue("loss", out double total) || !losses.TryGetValue("denoise", out double denoise) || !(denoise > 0)
            || total < DominanceRatio * denoise) return null;
        string others = string.Join(", ", losses.Where(kv => kv.Key is "drift" or "prior").Select(kv => $"{kv.Key} {kv.Value:G4}"));
        return $"the total loss {total:G4} is {total / denoise:F0}× the denoising loss {denoise:G4}; the other terms ({others}) dominate "
            + "(metrics.csv logs each term; a large drift term comes from pairs with near-zero true bulk motion, see drift_denominator in docs/training-options.md)";
    }
}
