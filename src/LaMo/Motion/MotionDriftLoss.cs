using LaMo.Diffusion.Backbones;
using static LaMo.Core.KeptScalars;
using static TorchSharp.torch;

namespace LaMo.Motion;

/// <summary>The macro motion readout and the Motion Drift Loss, docs/method.md §2. Backbone-agnostic: it takes x̂₀
/// (however the backbone produced it) and the clean latents z₀, both [B, T, C, H, W].</summary>
/// <remarks>Port of LaMo <c>compute_denoiser_motion_loss</c> + <c>_compute_motion_bmv_rel_l2</c> (physical_motion_lamo.py
/// @55a3daa). With r = ‖μ̂‖/‖μ*‖ and θ = ∠(μ̂, μ*) the per-pair term is (r − 1)² + 2r(1 − cos θ): a magnitude plus a
/// direction error, invariant to a common scale of x̂₀ and z₀.</remarks>
public sealed class MotionDriftLoss
{
    /// <summary>The settings in use.</summary>
    public MotionDriftLossOptions Options { get; }

    /// <summary>Creates the loss with <paramref name="options"/> (published defaults when null).</summary>
    /// <exception cref="ArgumentException">The options are invalid.</exception>
    public MotionDriftLoss(MotionDriftLossOptions? options = null) => Options = (options ?? MotionDriftLossOptions.Default).Validate();

    /// <summary>Bulk motion vectors μ(f) = mean_{H,W} D_τ x(f) with D_τ x(f) = x(f + τ) − x(f):
    /// [B, T, C, H, W] → [B, T−τ, C].</summary>
    /// <exception cref="ArgumentException">The input is not 5-D or has T ≤ τ.</exception>
    public static Tensor BulkMotion(Tensor x, int tau)
    {
        if (x.dim() != 5) throw new ArgumentException($"x must be [B, T, C, H, W]; got [{string.Join(", ", x.shape)}]", nameof(x));
        if (tau < 1 || x.shape[1] <= tau) throw new ArgumentException($"need 1 <= tau ({tau}) < T ({x.shape[1]})", nameof(tau));
        var d = x[.., tau..] - x[.., ..^tau];                  // D_τ x: [B, T−τ, C, H, W]
        return d.mean([-2L, -1L]);                             // μ = mean_{H,W} D_τ x: [B, T−τ, C]
    }

    /// <summary>L_drift = mean_{b,f} ‖μ̂(f) − μ*(f)‖² / sg(max(‖μ*(f)‖², ε)) with lag <paramref name="tau"/>
    /// (0 when T ≤ τ). The denominator is detached: docs/method.md §2.</summary>
    public static Tensor RelativeL2(Tensor x0Hat, Tensor z0, int tau, double eps = 1e-8)
    {
        if (!x0Hat.shape.SequenceEqual(z0.shape))
            throw new ArgumentException($"x0_hat [{string.Join(", ", x0Hat.shape)}] and z0 [{string.Join(", ", z0.shape)}] differ", nameof(z0));
        long c = x0Hat.shape[2];
        if (x0Hat.shape[1] <= tau) return zeros([], x0Hat.dtype, x0Hat.device);
        // The original does this part in float32 (`.float()`); float64 inputs stay float64 for gradient checks.
        var dtype = x0Hat.dtype == ScalarType.Float64 ? ScalarType.Float64 : ScalarType.Float32;
        var muHat = BulkMotion(x0Hat, tau).reshape(-1, c).to_type(dtype);                  // μ̂: [B·(T−τ), C]
        var muStar = BulkMotion(z0, tau).reshape(-1, c).to_type(dtype);                    // μ*: [B·(T−τ), C]
        var num = (muHat - muStar).pow(Sc(2)).sum(-1);                                     // ‖μ̂ − μ*‖²: [N]
        var den = muStar.pow(Sc(2)).sum(-1).detach().clamp_min(Sc(eps));                   // sg(max(‖μ*‖², ε))
        return (num / den).mean().to_type(x0Hat.dtype);
    }

    /// <summary>λ·w·L_drift for a batch whose noise levels are <paramref name="sigmas"/> (σ_b ∈ [0, 1], first B used).</summary>
    /// <exception cref="ArgumentException">Shapes do not fit.</exception>
    public MotionDriftLossResult Compute(Tensor x0Hat, Tensor z0, Tensor sigmas)
    {
        CheckRank(x0Hat);
        return ComputeWeighted(x0Hat, z0, Weight(sigmas.flatten()[..(int)x0Hat.shape[0]]));
    }

    /// <summary>As <see cref="Compute(Tensor, Tensor, Tensor)"/> with σ_b = t_b / NumTrainTimesteps for integer
    /// timesteps <paramref name="timesteps"/> [B] (the original's σ; w = max(0, 1 − (t/1000)²)).</summary>
    public MotionDriftLossResult ComputeFromTimesteps(Tensor x0Hat, Tensor z0, Tensor timesteps) =>
        Compute(x0Hat, z0, Sigmas(timesteps));

    /// <summary>λ·<paramref name="weight"/>·L_drift with a weight computed elsewhere, e.g. by
    /// <see cref="WeightFromTimesteps"/> over a whole global batch while this rank holds a shard of it: w is a batch mean
    /// multiplying another batch mean, so the ranks' mean of λ·w_rank·L_rank would not be the global λ·w·L, but the
    /// ranks' mean of λ·w_global·L_rank is.</summary>
    /// <param name="weight">Scalar w.</param>
    /// <exception cref="ArgumentException">Shapes do not fit.</exception>
    public MotionDriftLossResult ComputeWeighted(Tensor x0Hat, Tensor z0, Tensor weight)
    {
        CheckRank(x0Hat);
        if (Options.Lambda <= 0 || x0Hat.shape[1] <= Options.Tau)
        {
            var zero = zeros([], x0Hat.dtype, x0Hat.device);
            return new MotionDriftLossResult(zero, weight, zero.alias());
        }
        var rel = Options.Denominator == DriftDenominator.NoiseFloor
            ? NoiseFloorDrift.RelativeL2(x0Hat, z0, Options.Tau, Options.NoiseFloorKappa, Options.Eps)
            : RelativeL2(x0Hat, z0, Options.Tau, Options.Eps);
        var total = Sc(Options.Lambda) * weight * rel;                                      // (λ·w)·L_drift, the original's order
        return new MotionDriftLossResult(total, weight, rel);
    }

    /// <summary>w = mean_b max(0, 1 − σ_b²) over all of <paramref name="sigmas"/> (float32 scalar).</summary>
    public static Tensor Weight(Tensor sigmas) => sigmas.flatten().to_type(ScalarType.Float32).pow(Sc(2)).neg().add(Sc(1.0), Sc(1)).clamp_min(Sc(0)).mean();

    /// <summary>w for integer <paramref name="timesteps"/> (σ = t / NumTrainTimesteps).</summary>
    public Tensor WeightFromTimesteps(Tensor timesteps) => Weight(Sigmas(timesteps));

    /// <summary>w for <paramref name="timesteps"/> at the σ of the backbone's noise schedule <paramref name="levels"/>
    /// (CogVideoX: σ = t / N, the same numbers as <see cref="WeightFromTimesteps(Tensor)"/>; flow matching: the flow σ).</summary>
    public Tensor WeightAt(Tensor timesteps, INoiseLevels levels) => Weight(levels.Sigma(timesteps));

    private Tensor Sigmas(Tensor timesteps) => timesteps.to_type(ScalarType.Float32) / Sc((float)Options.NumTrainTimesteps);

    private static void CheckRank(Tensor x0Hat)
    {
        if (x0Hat.dim() != 5) throw new ArgumentException($"x0_hat must be [B, T, C, H, W]; got [{string.Join(", ", x0Hat.shape)}]", nameof(x0Hat));
    }
}
