using static LaMo.Core.KeptScalars;
using static TorchSharp.torch;

namespace LaMo.Diffusion;

/// <summary>CogVideoX's training objective for a v-prediction backbone, as its fine-tuning scripts write it: the
/// x₀-space error weighted by 1/(1 − ᾱ_t), averaged over each sample's elements and then over the batch.</summary>
/// <remarks>Because x̂₀ − x₀ = −√(1−ᾱ)·(v̂ − v) for v-prediction, this equals the plain MSE of the velocity against its
/// target v = √ᾱ·ε − √(1−ᾱ)·x₀ (the identity the tests check).</remarks>
public static class DenoisingLoss
{
    /// <summary>mean_b [ mean_elements (x̂₀ − z₀)² / (1 − ᾱ_b) ] for <paramref name="x0Hat"/> and <paramref name="z0"/>
    /// [B, ...] and <paramref name="alphaCumprod"/> ᾱ_t [B].</summary>
    /// <exception cref="ArgumentException">Shapes that do not match.</exception>
    public static Tensor VPredictionX0(Tensor x0Hat, Tensor z0, Tensor alphaCumprod)
    {
        long b = z0.shape[0];
        if (!x0Hat.shape.SequenceEqual(z0.shape)) throw new ArgumentException($"x0_hat [{string.Join(", ", x0Hat.shape)}] and z0 [{string.Join(", ", z0.shape)}] differ");
        if (alphaCumprod.dim() != 1 || alphaCumprod.shape[0] != b) throw new ArgumentException($"alphas_cumprod must be [B = {b}]; got [{string.Join(", ", alphaCumprod.shape)}]");
        var weights = (Sc(1.0) / alphaCumprod.neg().add(Sc(1.0), Sc(1))).reshape(b, 1);
        return (weights * (x0Hat - z0).pow(Sc(2)).reshape(b, -1)).mean(new long[] { 1 }).mean();
    }
}
