namespace LaMo.Motion;

/// <summary>Settings of the Motion Drift Loss, method.md §2.</summary>
/// <param name="Lambda">λ_drift, the weight in L = L_denoise + λ·w·L_drift (0 disables the loss).</param>
/// <param name="Tau">τ, the frame lag of the bulk motion vectors (1 is the paper's ablation).</param>
/// <param name="Eps">Floor of the stop-gradient denominator ‖μ*‖².</param>
/// <param name="NumTrainTimesteps">Training timesteps; σ = t / this when the loss is given timesteps.</param>
public sealed record MotionDriftLossOptions(double Lambda = 0.4, int Tau = 2, double Eps = 1e-8, int NumTrainTimesteps = 1000)
{
    /// <summary>The published settings.</summary>
    public static MotionDriftLossOptions Default { get; } = new();

    /// <summary>Checks every field; returns this for chaining.</summary>
    /// <exception cref="ArgumentException">A field is out of range.</exception>
    public MotionDriftLossOptions Validate()
    {
        if (!(Lambda >= 0)) throw new ArgumentException($"Lambda ({Lambda}) must be >= 0", nameof(Lambda));
        if (Tau < 1) throw new ArgumentException($"Tau ({Tau}) must be >= 1", nameof(Tau));
        if (!(Eps > 0)) throw new ArgumentException($"Eps ({Eps}) must be > 0", nameof(Eps));
        if (NumTrainTimesteps <= 0) throw new ArgumentException($"NumTrainTimesteps ({NumTrainTimesteps}) must be > 0", nameof(NumTrainTimesteps));
        return this;
    }
}
