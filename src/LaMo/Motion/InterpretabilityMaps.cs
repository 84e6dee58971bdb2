using static LaMo.Core.KeptScalars;
using static TorchSharp.torch;

namespace LaMo.Motion;

/// <summary>Where the motion prior sees motion, docs/method.md §4: a drift map from the macro readout μ and a field map
/// from the micro readout f_φ, both at the frame of largest bulk motion.</summary>
public static class InterpretabilityMaps
{
    /// <summary>Both maps for one latent video <paramref name="latents"/> [F, C, H, W] (or [1, F, C, H, W]) with pooled
    /// prompt <paramref name="promptPooled"/> ([D] or [1, D]; null = the prior's null prompt). <paramref name="tau"/>
    /// is the lag of D and μ (1 by default: the prior itself predicts lag-1 changes). Runs without gradients.</summary>
    /// <exception cref="ArgumentException">The latents have the wrong rank or fewer than τ + 1 frames.</exception>
    public static InterpretabilityResult Compute(MotionPrior prior, Tensor latents, Tensor? promptPooled = null, int tau = 1)
    {
        using var _ = no_grad();
        var z = Video(latents);
        var norms = MotionDriftLoss.BulkMotion(z.unsqueeze(0), tau)[0].pow(Sc(2)).sum([1L]).sqrt();      // ‖μ(f)‖: [F−τ]
        int peak = (int)norms.argmax().item<long>();                                          // f*
        return new InterpretabilityResult(peak, tau, norms, DriftMap(z, peak, tau), FieldMap(prior, z, peak, promptPooled));
    }

    /// <summary>R_drift(h, w) = |⟨D(f)[:, h, w], μ(f)⟩| / ‖μ(f)‖ for frame <paramref name="frame"/> of
    /// <paramref name="latents"/> [F, C, H, W]; [H, W] (zeros when μ(f) = 0).</summary>
    public static Tensor DriftMap(Tensor latents, int frame, int tau)
    {
        var z = Video(latents);
        var d = z[frame + tau] - z[frame];                                                     // D_τ z(f): [C, H, W]
        var mu = d.mean([-2L, -1L]);                                                           // μ(f): [C]
        var dot = (d * mu.view(-1, 1, 1)).sum(0L).abs();                                        // |⟨D[:, h, w], μ⟩|: [H, W]
        return dot / mu.norm().clamp_min(Sc(1e-12));
    }

    /// <summary>R_field(h, w) = ‖f_φ(z(f), p) − f_φ(z_static, p)‖₂ over channels, z_static = mean_f z(f) (the no-motion
    /// baseline), for frame <paramref name="frame"/> of <paramref name="latents"/> [F, C, H, W]; [H, W].</summary>
    public static Tensor FieldMap(MotionPrior prior, Tensor latents, int frame, Tensor? promptPooled)
    {
        using var _ = no_grad();
        var z = Video(latents);
        var zStatic = z.mean([0L], keepdim: true);                                             // z_static: [1, C, H, W]
        var p = promptPooled is null ? null : promptPooled.dim() == 1 ? promptPooled.unsqueeze(0) : promptPooled;   // [1, D]
        var moving = prior.forward(z[frame].unsqueeze(0), p);                                  // f_φ(z(f*), p): [1, C, H, W]
        var still = prior.forward(zStatic, p);
        return (moving - still)[0].pow(Sc(2)).sum([0L]).sqrt();                                                // ‖·‖₂ over C: [H, W]
    }

    private static Tensor Video(Tensor latents)
    {
        var z = latents.dim() == 5 && latents.shape[0] == 1 ? latents[0] : latents;
        if (z.dim() != 4) throw new ArgumentException($"latents must be [F, C, H, W] or [1, F, C, H, W]; got [{string.Join(", ", latents.shape)}]", nameof(latents));
        return z;
    }
}
