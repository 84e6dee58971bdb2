using TorchSharp;
using LaMo.Models.Lora;
using static LaMo.Core.KeptScalars;
using static TorchSharp.torch;

namespace LaMo.Models.Wan;

/// <summary>The timestep MLP Linear → SiLU → Linear, plus the parameter-free sinusoidal projection before it.</summary>
/// <remarks>Port of diffusers <c>TimestepEmbedding(freq_dim, D)</c> and <c>Timesteps(freq_dim, flip_sin_to_cos=True,
/// downscale_freq_shift=0)</c> (embeddings.py). Keys: <c>linear_1.*</c> [D, freq_dim], <c>linear_2.*</c> [D, D].</remarks>
public sealed class WanTimestepEmbedding : nn.Module<Tensor, Tensor>
{
    private readonly AdaptableLinear linear_1;
    private readonly AdaptableLinear linear_2;

    /// <summary>Creates the MLP <paramref name="inChannels"/> → <paramref name="timeEmbedDim"/>.</summary>
    public WanTimestepEmbedding(int inChannels, int timeEmbedDim, WanParameterOptions options = default) : base(nameof(WanTimestepEmbedding))
    {
        linear_1 = new AdaptableLinear(inChannels, timeEmbedDim, true, options.Device, options.DType, !options.SkipInit);
        linear_2 = new AdaptableLinear(timeEmbedDim, timeEmbedDim, true, options.Device, options.DType, !options.SkipInit);
        RegisterComponents();
    }

    /// <summary>Parameter dtype (the sinusoid is cast to it first, as diffusers does).</summary>
    public ScalarType DType => linear_1.Weight.dtype;

    /// <summary>[N, freq_dim] sinusoidal embedding → [N, D].</summary>
    public override Tensor forward(Tensor sample)
    {
        using var h = linear_1.forward(sample);
        using var a = nn.functional.silu(h);
        return linear_2.forward(a);
    }

    /// <summary>diffusers <c>get_timestep_embedding</c> with cos first and shift 0, in float32:
    /// exponent_i = −ln(10000)·i/half, emb = [cos(t·e^exponent), sin(t·e^exponent)]; zero-padded when
    /// <paramref name="dim"/> is odd.</summary>
    /// <param name="timesteps">[N], int64 or float.</param>
    /// <param name="dim">Embedding width (freq_dim).</param>
    /// <returns>[N, dim] float32.</returns>
    public static Tensor Sinusoid(Tensor timesteps, int dim)
    {
        if (timesteps.dim() != 1) throw new ArgumentException($"timesteps must be 1-D, got [{string.Join(", ", timesteps.shape)}]", nameof(timesteps));
        using var scope = NewDisposeScope();
        int half = dim / 2;
        var exponent = arange(Sc(0), Sc(half), Sc(1), dtype: ScalarType.Float32, device: timesteps.device).mul(Sc(-Math.Log(10000.0))).div(Sc((double)half));
        var args = timesteps.to(ScalarType.Float32).unsqueeze(1).mul(exponent.exp().unsqueeze(0));   // [N, half]
        var emb = cat([args.cos(), args.sin()], dim: -1);
        if (dim % 2 == 1) emb = nn.functional.pad(emb, [0, 1, 0, 0]);
        return emb.MoveToOuterDisposeScope();
    }
}
