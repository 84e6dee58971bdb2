using static LaMo.Core.KeptScalars;
using static TorchSharp.torch;

namespace LaMo.Diffusion;

/// <summary>The flow-matching (rectified-flow) conventions of the Wan family, as diffusers' schedulers and the Wan
/// trainers use them: x_t = (1 − σ)·x₀ + σ·ε; the model predicts the velocity v = dx_t/dσ = ε − x₀; x̂₀ = x_t − σ·v;
/// v = (x_t − x̂₀)/σ; ε̂ = x_t + (1 − σ)·v; one Euler step x_σ' = x_σ + (σ' − σ)·v.</summary>
/// <remarks><c>sigma</c> arguments are σ per batch element, [B] (or a 0-d tensor), already in the dtype the arithmetic
/// should use; they are broadcast over the remaining dims with <see cref="DiffusionMath.Broadcast"/>.</remarks>
public static class FlowMath
{
    /// <summary>x_t = (1 − σ)·x₀ + σ·ε (diffusers' UniPC <c>add_noise</c> with flow sigmas, FlowMatchEuler's <c>scale_noise</c>).</summary>
    public static Tensor AddNoise(Tensor x0, Tensor noise, Tensor sigma)
    {
        ArgumentNullException.ThrowIfNull(x0);
        ArgumentNullException.ThrowIfNull(noise);
        var s = DiffusionMath.Broadcast(sigma, x0);
        return (OneMinus(s) * x0).add(s * noise, Sc(1));
    }

    /// <summary>v = ε − x₀, the flow-matching training target (finetrainers' <c>prepare_target</c>); independent of σ.</summary>
    public static Tensor VelocityTarget(Tensor x0, Tensor noise)
    {
        ArgumentNullException.ThrowIfNull(x0);
        ArgumentNullException.ThrowIfNull(noise);
        return noise - x0;
    }

    /// <summary>x̂₀ = x_t − σ·v (UniPC's <c>convert_model_output</c> for <c>flow_prediction</c>).</summary>
    public static Tensor PredictX0FromVelocity(Tensor v, Tensor xt, Tensor sigma)
    {
        ArgumentNullException.ThrowIfNull(v);
        ArgumentNullException.ThrowIfNull(xt);
        return xt - DiffusionMath.Broadcast(sigma, xt) * v;
    }

    /// <summary>v = (x_t − x̂₀)/σ, the inverse of <see cref="PredictX0FromVelocity"/> (undefined where σ = 0).</summary>
    public static Tensor PredictVelocityFromX0(Tensor x0, Tensor xt, Tensor sigma)
    {
        ArgumentNullException.ThrowIfNull(x0);
        ArgumentNullException.ThrowIfNull(xt);
        return (xt - x0) / DiffusionMath.Broadcast(sigma, xt);
    }

    /// <summary>ε̂ = x_t + (1 − σ)·v (the noise the velocity implies).</summary>
    public static Tensor PredictNoiseFromVelocity(Tensor v, Tensor xt, Tensor sigma)
    {
        ArgumentNullException.ThrowIfNull(v);
        ArgumentNullException.ThrowIfNull(xt);
        return xt.add(OneMinus(DiffusionMath.Broadcast(sigma, xt)) * v, Sc(1));
    }
}
