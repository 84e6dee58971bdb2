using TorchSharp;
using LaMo.Models.Lora;
using static LaMo.Core.KeptScalars;
using static TorchSharp.torch;

namespace LaMo.Models.CogVideoX;

/// <summary>The timestep MLP Linear → SiLU → Linear, plus the parameter-free sinusoidal projection before it.</summary>
/// <remarks>Port of diffusers <c>TimestepEmbedding</c> and <c>get_timestep_embedding</c> (embeddings.py, v0.33).
/// Keys: <c>linear_1.*</c> [T, D], <c>linear_2.*</c> [T, T].</remarks>
public sealed class CogVideoXTimestepEmbedding : nn.Module<Tensor, Tensor>
{
    private readonly AdaptableLinear linear_1;
    private readonly AdaptableLinear linear_2;

    /// <summary>Creates the MLP <paramref name="inChannels"/> → <paramref name="timeEmbedDim"/>.</summary>
    public CogVideoXTimestepEmbedding(int inChannels, int timeEmbedDim, ParameterOptions options = default) : base(nameof(CogVideoXTimestepEmbedding))
    {
        linear_1 = new AdaptableLinear(inChannels, timeEmbedDim, true, options.Device, options.DType, !options.SkipInit);
        linear_2 = new AdaptableLinear(timeEmbedDim, timeEmbedDim, true, options.Device, options.DType, !options.SkipInit);
        RegisterComponents();
    }

    /// <summary>[B, D] sinusoidal embedding → [B, T].</summary>
    public override Tensor forward(Tensor sample)
    {
        using var h = linear_1.forward(sample);
        using var a = nn.functional.silu(h);
        return linear_2.forward(a);
    }

    /// <summary>diffusers <c>get_timestep_embedding</c> in float32: exponent_i = −ln(maxPeriod)·i/(half − shift),
    /// emb = [sin(t·e^exponent), cos(t·e^exponent)], cos first when <paramref name="flipSinToCos"/>; zero-padded when
    /// <paramref name="dim"/> is odd.</summary>
    /// <param name="timesteps">[B], any numeric dtype (int64 or float).</param>
    /// <param name="dim">Embedding width.</param>
    /// <param name="flipSinToCos">Put cos before sin.</param>
    /// <param name="downscaleFreqShift">diffusers' <c>downscale_freq_shift</c> (CogVideoX: <c>freq_shift</c> = 0).</param>
    /// <param name="maxPeriod">10000.</param>
    /// <returns>[B, dim] float32.</returns>
    public static Tensor SinusoidalEmbedding(Tensor timesteps, int dim, bool flipSinToCos, double downscaleFreqShift, double maxPeriod = 10000)
    {
        if (timesteps.dim() != 1) throw new ArgumentException($"timesteps must be 1-D, got [{string.Join(", ", timesteps.shape)}]", nameof(timesteps));
        using var scope = NewDisposeScope();
        int half = dim / 2;
        var exponent = arange(Sc(0), Sc(half), Sc(1), dtype: ScalarType.Float32, device: timesteps.device).mul(Sc(-Math.Log(maxPeriod))).div(Sc(half - downscaleFreqShift));
        var args = timesteps.to(ScalarType.Float32).unsqueeze(1).mul(exponent.exp().unsqueeze(0));   // [B, half]
        var emb = flipSinToCos ? cat([args.cos(), args.sin()], dim: -1) : cat([args.sin(), args.cos()], dim: -1);
        if (dim % 2 == 1) emb = nn.functional.pad(emb, [0, 1, 0, 0]);
        return emb.MoveToOuterDisposeScope();
    }
}
