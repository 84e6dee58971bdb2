namespace LaMo.World;

/// <summary>How much of a clip's motion is bulk motion, measured on pixels: with the τ-lag difference
/// <c>Δ_i(p) = x_{i+τ}(p) − x_i(p)</c> (RGB in [0, 1]) and its spatial mean <c>μ_i = mean_p Δ_i(p)</c>, the ratio
/// <c>mean_i ‖μ_i‖² / mean_i mean_p ‖Δ_i(p)‖²</c>. It lies in [0, 1] (Jensen) and is the pixel-space analogue of the
/// ‖μ*‖² / per-location energy that issue 17 measured on latents; the drift loss divides by ‖μ*‖², so a tiny ratio
/// means the loss mostly amplifies noise.</summary>
/// <remarks>A starting point for the drift-signal doc (issue 17 item 8), which needs the latent version with a VAE
/// trained on world v2.</remarks>
public static class BulkMotion
{
    /// <summary>Mean ‖μ‖², mean per-location ‖Δ‖² and their ratio for one clip.</summary>
    /// <param name="rgb">Frames, [F, H, W, 3] bytes.</param>
    /// <param name="frames">F.</param>
    /// <param name="height">H.</param>
    /// <param name="width">W.</param>
    /// <param name="tau">Lag τ in frames (LaMo uses 2 latent frames).</param>
    /// <exception cref="ArgumentException">τ not in [1, F − 1] or a size mismatch.</exception>
    public static (double MuEnergy, double LocationEnergy, double Ratio) Measure(byte[] rgb, int frames, int height, int width, int tau = 2)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(tau, 1);
        ArgumentOutOfRangeException.ThrowIfGreaterThanOrEqual(tau, frames);
        var n = height * width;
        if (rgb.Length != frames * n * 3) throw new ArgumentException($"{rgb.Length} bytes is not [{frames}, {height}, {width}, 3]", nameof(rgb));
        double mu2 = 0, loc = 0;
        for (var i = 0; i + tau < frames; i++)
        {
            int a = i * n * 3, b = (i + tau) * n * 3;
            double m0 = 0, m1 = 0, m2 = 0, e = 0;
            for (var p = 0; p < n * 3; p += 3)
            {
                double d0 = (rgb[b + p] - rgb[a + p]) / 255.0, d1 = (rgb[b + p + 1] - rgb[a + p + 1]) / 255.0, d2 = (rgb[b + p + 2] - rgb[a + p + 2]) / 255.0;
                (m0, m1, m2) = (m0 + d0, m1 + d1, m2 + d2);
                e += d0 * d0 + d1 * d1 + d2 * d2;
            }
            mu2 += (m0 * m0 + m1 * m1 + m2 * m2) / ((double)n * n);
            loc += e / n;
        }
        var pairs = frames - tau;
        (mu2, loc) = (mu2 / pairs, loc / pairs);
        return (mu2, loc, loc > 0 ? mu2 / loc : 0);
    }

    /// <summary>Mean of <see cref="Measure"/> over <paramref name="count"/> clips per scenario under one condition
    /// (clip seeds as in a dataset with base seed <paramref name="seed"/>).</summary>
    public static (double MuEnergy, double LocationEnergy, double Ratio) PerCondition(WorldConditionOptions conditions,
        IReadOnlyList<Scenario> scenarios, int count, int size, int tau = 2, ulong seed = 0, string split = "train")
    {
        var ranges = SplitRanges.Standard(split);
        var results = scenarios.SelectMany(s => Enumerable.Range(0, count).Select(i =>
        {
            var clip = WorldGenerator.Generate(new ClipSpec(s, ranges, WorldGenerator.ClipSeed(seed, split, s, i), size, size, 17, conditions));
            return Measure(Renderer.Render(clip), clip.Frames.Count, size, size, tau);
        })).ToArray();
        double mu = results.Average(r => r.MuEnergy), loc = results.Average(r => r.LocationEnergy);
        return (mu, loc, loc > 0 ? mu / loc : 0);
    }
}
