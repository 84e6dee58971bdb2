using static LaMo.Core.KeptScalars;
using static TorchSharp.torch;

namespace LaMo.Motion;

/// <summary>The noise-floor-aware drift denominator, our extension of docs/method.md §2 (docs/method.md, "Our extension").
/// The bulk motion μ(f) is a mean over N = H·W locations of the τ-lag differences d(f, h, w); if those were N
/// independent draws, μ would fluctuate with variance σ²_μ = Σ_c Var_{h,w}(d_c) / N. A pair whose ‖μ*‖² is not well
/// above σ²_μ has no bulk motion that stands out from its per-location motion, and dividing by ‖μ*‖² there mostly
/// scales noise. Adding κ·σ̂²_μ to the denominator damps such pairs smoothly and leaves the others as published.</summary>
/// <remarks>Per pair the variant equals the published term times g = ‖μ*‖² / (‖μ*‖² + κσ̂²_μ) ∈ [0, 1] (when ‖μ*‖² ≥ ε),
/// so it is never larger, differs from it by a relative κσ̂²_μ/(‖μ*‖² + κσ̂²_μ) ≤ κ/SNR, and is at most
/// ‖μ̂ − μ*‖² / (κσ̂²_μ). σ̂²_μ scales like ‖μ*‖² under a common scale of x̂₀ and z₀, so scale invariance is kept.
/// The denominator comes from z₀ only and is detached, as the published one.</remarks>
public static class NoiseFloorDrift
{
    /// <summary>σ̂²_μ(f) = (1/N)·mean_{h,w} ‖d(f, h, w) − μ(f)‖² with d = D_τ x and N = H·W (population variance; the
    /// factor (N − 1)/N is absorbed in κ): [B, T, C, H, W] → [B, T − τ].</summary>
    /// <exception cref="ArgumentException">The input is not 5-D or has T ≤ τ.</exception>
    public static Tensor BulkMotionVariance(Tensor x, int tau)
    {
        var mu = MotionDriftLoss.BulkMotion(x, tau);                                       // [B, P, C]; checks the shape
        long n = x.shape[3] * x.shape[4];
        var d = x[.., tau..] - x[.., ..^tau];                                              // [B, P, C, H, W]
        var spread = (d - mu.unsqueeze(-1).unsqueeze(-1)).pow(Sc(2)).mean([-2L, -1L]).sum(-1);  // mean_{h,w} ‖d − μ‖²: [B, P]
        return spread / Sc((double)n);
    }

    /// <summary>L_drift with the noise-floor denominator: mean_{b,f} ‖μ̂ − μ*‖² / sg(max(‖μ*‖² + κ·σ̂²_μ, ε)), σ̂²_μ from
    /// <paramref name="z0"/> (0 when T ≤ τ). κ = 0 gives the published <see cref="MotionDriftLoss.RelativeL2"/>.</summary>
    /// <exception cref="ArgumentException">The shapes differ, or κ is negative or not finite.</exception>
    public static Tensor RelativeL2(Tensor x0Hat, Tensor z0, int tau, double kappa, double eps = 1e-8)
    {
        if (!x0Hat.shape.SequenceEqual(z0.shape))
            throw new ArgumentException($"x0_hat [{string.Join(", ", x0Hat.shape)}] and z0 [{string.Join(", ", z0.shape)}] differ", nameof(z0));
        if (!(kappa >= 0) || double.IsInfinity(kappa)) throw new ArgumentException($"kappa ({kappa}) must be finite and >= 0", nameof(kappa));
        long c = x0Hat.shape[2];
        if (x0Hat.shape[1] <= tau) return zeros([], x0Hat.dtype, x0Hat.device);
        var dtype = x0Hat.dtype == ScalarType.Float64 ? ScalarType.Float64 : ScalarType.Float32;   // as the published path
        var muHat = MotionDriftLoss.BulkMotion(x0Hat, tau).reshape(-1, c).to_type(dtype);       // μ̂: [B·(T−τ), C]
        var muStar = MotionDriftLoss.BulkMotion(z0, tau).reshape(-1, c).to_type(dtype);         // μ*: [B·(T−τ), C]
        var floor = BulkMotionVariance(z0.detach(), tau).reshape(-1).to_type(dtype);            // σ̂²_μ: [B·(T−τ)]
        var num = (muHat - muStar).pow(Sc(2)).sum(-1);                                          // ‖μ̂ − μ*‖²
        var den = muStar.pow(Sc(2)).sum(-1).add(Sc(kappa) * floor, Sc(1)).detach().clamp_min(Sc(eps)); // sg(max(‖μ*‖² + κσ̂², ε))
        return (num / den).mean().to_type(x0Hat.dtype);
    }
}
