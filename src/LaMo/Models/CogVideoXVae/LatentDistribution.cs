using TorchSharp;
using static LaMo.Core.KeptScalars;
using static TorchSharp.torch;

namespace LaMo.Models.CogVideoXVae;

/// <summary>Diagonal Gaussian over latents, from the encoder's moments [B, 2C, F, H, W]: the first C channels are
/// the mean, the last C the log-variance clamped to [−30, 20].</summary>
/// <remarks>Port of diffusers <c>DiagonalGaussianDistribution</c>. Owns its tensors; dispose it (or move the
/// tensors you keep out of it with <c>clone()</c>).</remarks>
public sealed class LatentDistribution : IDisposable
{
    /// <summary>Raw encoder output [B, 2C, F, H, W] (diffusers' <c>latent_dist.parameters</c>).</summary>
    public Tensor Moments { get; }
    /// <summary>Mean [B, C, F, H, W].</summary>
    public Tensor Mean { get; }
    /// <summary>Log-variance [B, C, F, H, W], clamped to [−30, 20].</summary>
    public Tensor LogVar { get; }

    /// <summary>Wraps <paramref name="moments"/> (ownership is taken).</summary>
    public LatentDistribution(Tensor moments)
    {
        if (moments.dim() < 2 || moments.shape[1] % 2 != 0)
            throw new ArgumentException($"moments must have an even channel count, got [{string.Join(", ", moments.shape)}]", nameof(moments));
        Moments = moments;
        var halves = moments.chunk(2, 1);
        Mean = halves[0];
        using (halves[1]) LogVar = halves[1].clamp(Sc(-30.0), Sc(20.0));
    }

    /// <summary>The mode (= mean), a new tensor the caller owns.</summary>
    public Tensor Mode() => Mean.clone();

    /// <summary>Standard deviation exp(½·logvar), a new tensor.</summary>
    public Tensor Std() => (Sc(0.5) * LogVar).exp_();

    /// <summary>mean + std·ε with ε ~ N(0, I) drawn from <paramref name="generator"/> (global generator when null).</summary>
    public Tensor Sample(Generator? generator = null)
    {
        using var eps = Core.HostRandom.Randn(Mean.shape, generator, Mean.device, Mean.dtype);   // drawn on the CPU, then moved
        using var std = Std();
        using var scaled = std * eps;
        return Mean.add(scaled, Sc(1));
    }

    /// <summary>KL(q ‖ N(0, I)) per sample: ½·Σ(mean² + var − 1 − logvar) over all non-batch dimensions [B].
    /// (diffusers sums over dims 1–3 only, which for 5-D latents leaves a per-width vector; this sums them all.)</summary>
    public Tensor Kl()
    {
        using var var = LogVar.exp();
        using var sq = Mean.pow(Sc(2));
        using var terms = sq.add(var, Sc(1)) - Sc(1.0) - LogVar;
        long[] dims = Enumerable.Range(1, (int)terms.dim() - 1).Select(i => (long)i).ToArray();
        using var sum = terms.sum(dims);
        return Sc(0.5) * sum;
    }

    /// <inheritdoc />
    public void Dispose()
    {
        Mean.Dispose(); LogVar.Dispose(); Moments.Dispose();
    }
}
