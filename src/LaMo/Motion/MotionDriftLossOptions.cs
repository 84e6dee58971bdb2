namespace LaMo.Motion;

/// <summary>Settings of the Motion Drift Loss, docs/method.md §2.</summary>
/// <param name="Lambda">λ_drift, the weight in L = L_denoise + λ·w·L_drift (0 disables the loss).</param>
/// <param name="Tau">τ, the frame lag of the bulk motion vectors (1 is the paper's ablation).</param>
/// <param name="Eps">Floor of the stop-gradient denominator ‖μ*‖².</param>
/// <param name="NumTrainTimesteps">Training timesteps; σ = t / this when the loss is given timesteps.</param>
/// <param name="Denominator">The published denominator (default), or our noise-floor-aware one (docs/method.md).</param>
/// <param name="NoiseFloorKappa">κ, the multiple of the bulk-motion noise floor σ̂²_μ added to ‖μ*‖² when
/// <paramref name="Denominator"/> is <see cref="DriftDenominator.NoiseFloor"/> (ignored otherwise; 0 gives the published loss).</param>
public sealed record MotionDriftLossOptions(double Lambda = 0.4, int Tau = 2, double Eps = 1e-8, int NumTrainTimesteps = 1000,
    DriftDenominator Denominator = DriftDenominator.Published, double NoiseFloorKappa = MotionDriftLossOptions.DefaultNoiseFloorKappa)
{
    /// <summary>The published settings.</summary>
    public static MotionDriftLossOptions Default { get; } = new();

    /// <summary>The default κ of the noise-floor denominator: κ·σ̂²_μ is then about 10 (32 px) to 25 (64 px) times the VAE
    /// posterior's own noise on μ measured on world v2 (docs/results/world-v2-drift-signal.md; docs/method.md derives it).</summary>
    public const double DefaultNoiseFloorKappa = 0.03;

    /// <summary>Checks every field; returns this for chaining.</summary>
    /// <exception cref="ArgumentException">A field is out of range.</exception>
    public MotionDriftLossOptions Validate()
    {
        if (!(Lambda >= 0)) throw new ArgumentException($"Lambda ({Lambda}) must be >= 0", nameof(Lambda));
        if (Tau < 1) throw new ArgumentException($"Tau ({Tau}) must be >= 1", nameof(Tau));
        if (!(Eps > 0)) throw new ArgumentException($"Eps ({Eps}) must be > 0", nameof(Eps));
        if (!Enum.IsDefined(Denominator)) throw new ArgumentException($"Denominator ({Denominator}) is not a known denominator", nameof(Denominator));
        if (!(NoiseFloorKappa >= 0) || double.IsInfinity(NoiseFloorKappa))
            throw new ArgumentException($"NoiseFloorKappa ({NoiseFloorKappa}) must be finite and >= 0", nameof(NoiseFloorKappa));
        if (NumTrainTimesteps <= 0) throw new ArgumentException($"NumTrainTimesteps ({NumTrainTimesteps}) must be > 0", nameof(NumTrainTimesteps));
        return this;
    }
}
