using static TorchSharp.torch;

namespace LaMo.Diffusion.Guidance;

public sealed partial class FlowMoGuidance
{
    /// <summary>FlowMo's motion-coherence loss of a clean-latent estimate, one value per video.</summary>
    /// <param name="x0Hat">x̂₀, [B, F, C, H, W] with F ≥ 3 latent frames; H and W divisible by <paramref name="patchSize"/>.</param>
    /// <param name="patchSize">Side of the square spatial patches (1 = per latent location).</param>
    /// <param name="reduction">Max (FlowMo) or mean over patches.</param>
    /// <returns>[B], differentiable in <paramref name="x0Hat"/>; the caller owns it.</returns>
    /// <remarks>
    /// Δ(f) = |x̂₀(f+1) − x̂₀(f)| (the "appearance-debiased" frame-to-frame distance, element-wise ℓ1);
    /// patch average of Δ over p×p latent pixels; σ²(c, patch) = Var_f Δ (population variance, as
    /// <c>torch.var(unbiased=False)</c> in the released code); mean over channels; then max (or mean) over patches.
    /// </remarks>
    /// <exception cref="ArgumentException">Wrong rank, fewer than 3 frames, or sides not divisible by the patch size.</exception>
    public static Tensor VarianceLoss(Tensor x0Hat, int patchSize = 1, FlowMoReduction reduction = FlowMoReduction.Max)
    {
        ArgumentNullException.ThrowIfNull(x0Hat);
        if (x0Hat.dim() != 5)
            throw new ArgumentException($"x0Hat must be [B, F, C, H, W], got [{string.Join(", ", x0Hat.shape)}]", nameof(x0Hat));
        ArgumentOutOfRangeException.ThrowIfLessThan(patchSize, 1);
        long b = x0Hat.size(0), f = x0Hat.size(1), c = x0Hat.size(2), h = x0Hat.size(3), w = x0Hat.size(4);
        if (f < 3)
            throw new ArgumentException($"FlowMo needs at least 3 latent frames (2 differences) for a temporal variance, got F = {f}", nameof(x0Hat));
        if (h % patchSize != 0 || w % patchSize != 0)
            throw new ArgumentException($"latent height × width ({h} × {w}) must be divisible by the FlowMo patch size ({patchSize})", nameof(patchSize));

        using var scope = NewDisposeScope();
        var delta = (x0Hat.narrow(1, 1, f - 1) - x0Hat.narrow(1, 0, f - 1)).abs();           // |Δx̂₀| [B, F−1, C, H, W]
        if (patchSize > 1)
            delta = nn.functional.avg_pool2d(delta.reshape(b * (f - 1), c, h, w), patchSize, patchSize)  // [B·(F−1), C, H/p, W/p]
                .reshape(b, f - 1, c, h / patchSize, w / patchSize);                         // [B, F−1, C, H/p, W/p]
        var variance = delta.var(1, unbiased: false);                                          // σ² over frames [B, C, H', W']
        var perPatch = variance.mean([1]).flatten(1);                                          // channel mean [B, H'·W']
        var perVideo = reduction == FlowMoReduction.Max ? perPatch.amax([1]) : perPatch.mean([1]);   // [B]
        return perVideo.MoveToOuterDisposeScope();
    }
}
