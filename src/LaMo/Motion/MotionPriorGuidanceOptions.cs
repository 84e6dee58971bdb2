namespace LaMo.Motion;

/// <summary>Settings of Motion Prior Guidance, docs/method.md §3.</summary>
/// <param name="Lambda">λ_guide, the step size (0 disables guidance).</param>
/// <param name="Rho">Guidance step ratio ρ: steps s ≥ (int)((1 − ρ)·S) are guided.</param>
/// <param name="Mode">Velocity-gradient step (published) or the direct-latent-edit ablation.</param>
public sealed record MotionPriorGuidanceOptions(double Lambda = 15.0, double Rho = 0.8,
    MotionPriorGuidanceMode Mode = MotionPriorGuidanceMode.VelocityGradient)
{
    /// <summary>The published settings.</summary>
    public static MotionPriorGuidanceOptions Default { get; } = new();

    /// <summary>First guided step index for <paramref name="stepCount"/> steps, computed in IEEE double exactly as the
    /// original (<c>int((1.0 − ratio)·total)</c>): 9, not 10, for ρ = 0.8 and S = 50.</summary>
    public int WindowStart(int stepCount) => (int)((1.0 - Rho) * stepCount);

    /// <summary>True when step <paramref name="stepIndex"/> of <paramref name="stepCount"/> is guided.</summary>
    public bool IsActive(int stepIndex, int stepCount) => Lambda > 0 && stepIndex >= WindowStart(stepCount);

    /// <summary>Checks every field; returns this for chaining.</summary>
    /// <exception cref="ArgumentException">A field is out of range.</exception>
    public MotionPriorGuidanceOptions Validate()
    {
        if (!(Lambda >= 0) || double.IsInfinity(Lambda)) throw new ArgumentException($"Lambda ({Lambda}) must be finite and >= 0", nameof(Lambda));
        if (!(Rho >= 0 && Rho <= 1)) throw new ArgumentException($"Rho ({Rho}) must be in [0, 1]", nameof(Rho));
        if (!Enum.IsDefined(Mode)) throw new ArgumentException($"Mode ({Mode}) is not a known mode", nameof(Mode));
        return this;
    }
}
