using static LaMo.Core.KeptScalars;
using static TorchSharp.torch;

namespace LaMo.Diffusion;

/// <summary>The v-prediction conversions shared by schedulers, losses and guidance.</summary>
/// <remarks><c>alphaCumprod</c> arguments are ᾱ_t per batch element, shape [B] (or a scalar tensor),
/// already in the dtype the caller wants the arithmetic done in; they are broadcast over the remaining dims.
/// diffusers casts ᾱ to the sample's dtype before taking square roots; callers that must match it do the same.
/// x_t = √ᾱ x₀ + √(1−ᾱ) ε;  v = √ᾱ ε − √(1−ᾱ) x₀;  x̂₀ = √ᾱ x_t − √(1−ᾱ) v;  v = (√ᾱ x_t − x̂₀)/√(1−ᾱ);  ε̂ = √ᾱ v + √(1−ᾱ) x_t.</remarks>
public static class DiffusionMath
{
    /// <summary>Reshapes ᾱ [B] to [B, 1, 1, ...] matching <paramref name="like"/>'s rank.</summary>
    public static Tensor Broadcast(Tensor alphaCumprod, Tensor like)
    {
        if (alphaCumprod.dim() == 0) return alphaCumprod;
        var shape = new long[like.dim()];
        Array.Fill(shape, 1L);
        shape[0] = alphaCumprod.shape[0];
        return alphaCumprod.reshape(shape);
    }

    /// <summary>x_t = √ᾱ·x₀ + √(1−ᾱ)·ε (diffusers <c>add_noise</c>).</summary>
    public static Tensor AddNoise(Tensor x0, Tensor noise, Tensor alphaCumprod)
    {
        var a = Broadcast(alphaCumprod, x0);
        return (a.sqrt() * x0).add(OneMinus(a).sqrt() * noise, Sc(1));
    }

    /// <summary>v = √ᾱ·ε − √(1−ᾱ)·x₀ (diffusers <c>get_velocity(sample=x₀, noise=ε)</c>).</summary>
    public static Tensor VelocityTarget(Tensor x0, Tensor noise, Tensor alphaCumprod)
    {
        var a = Broadcast(alphaCumprod, x0);
        return a.sqrt() * noise - OneMinus(a).sqrt() * x0;
    }

    /// <summary>x̂₀ = √ᾱ·x_t − √(1−ᾱ)·v (what trainers compute as <c>get_velocity(v, x_t, t)</c>).</summary>
    public static Tensor PredictX0FromV(Tensor v, Tensor xt, Tensor alphaCumprod)
    {
        var a = Broadcast(alphaCumprod, xt);
        return a.sqrt() * xt - OneMinus(a).sqrt() * v;
    }

    /// <summary>v = (√ᾱ·x_t − x̂₀) / √(1−ᾱ), the inverse of <see cref="PredictX0FromV"/> (undefined where ᾱ = 1).</summary>
    public static Tensor PredictVFromX0(Tensor x0, Tensor xt, Tensor alphaCumprod)
    {
        var a = Broadcast(alphaCumprod, xt);
        return (a.sqrt() * xt - x0) / OneMinus(a).sqrt();
    }

    /// <summary>ε̂ = √ᾱ·v + √(1−ᾱ)·x_t.</summary>
    public static Tensor PredictEpsFromV(Tensor v, Tensor xt, Tensor alphaCumprod)
    {
        var a = Broadcast(alphaCumprod, xt);
        return (a.sqrt() * v).add(OneMinus(a).sqrt() * xt, Sc(1));
    }
}
