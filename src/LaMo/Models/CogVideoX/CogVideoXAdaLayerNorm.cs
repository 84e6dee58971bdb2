using TorchSharp;
using TorchSharp.Modules;
using LaMo.Models.Lora;
using static LaMo.Core.KeptScalars;
using static TorchSharp.torch;

namespace LaMo.Models.CogVideoX;

/// <summary>The output AdaLayerNorm: SiLU(temb) → Linear → (shift, scale), then LayerNorm(x)·(1+scale)+shift.</summary>
/// <remarks>Port of diffusers <c>AdaLayerNorm</c> with <c>chunk_dim=1</c> as CogVideoX builds it (normalization.py, v0.33).
/// Keys: <c>linear.*</c> [2D, T], <c>norm.*</c> [D].</remarks>
public sealed class CogVideoXAdaLayerNorm : nn.Module<Tensor, Tensor, Tensor>
{
    private readonly AdaptableLinear linear;
    private readonly LayerNorm norm;

    /// <summary>Creates the norm for width <paramref name="dim"/> conditioned on <paramref name="embeddingDim"/>.</summary>
    public CogVideoXAdaLayerNorm(int embeddingDim, int dim, bool elementwiseAffine, double eps, ParameterOptions options = default)
        : base(nameof(CogVideoXAdaLayerNorm))
    {
        linear = new AdaptableLinear(embeddingDim, 2L * dim, hasBias: true, options.Device, options.DType, !options.SkipInit);
        norm = nn.LayerNorm(dim, eps, elementwiseAffine, elementwiseAffine, device: options.Device, dtype: options.DType);
        RegisterComponents();
    }

    /// <summary>x [B, N, D], temb [B, T] → [B, N, D].</summary>
    public override Tensor forward(Tensor x, Tensor temb)
    {
        using var scope = NewDisposeScope();
        var c = linear.forward(nn.functional.silu(temb)).chunk(2, dim: 1);   // shift, scale — in that order
        return norm.forward(x).mul(c[1].add(Sc(1), Sc(1)).unsqueeze(1)).add(c[0].unsqueeze(1), Sc(1)).MoveToOuterDisposeScope();
    }
}
