using TorchSharp;
using TorchSharp.Modules;
using LaMo.Models.Lora;
using static LaMo.Core.KeptScalars;
using static TorchSharp.torch;

namespace LaMo.Models.CogVideoX;

/// <summary>Expert adaptive LayerNorm: one shared LayerNorm, separate (shift, scale, gate) for video and text
/// from SiLU(temb).</summary>
/// <remarks>Port of diffusers <c>CogVideoXLayerNormZero</c> (normalization.py, v0.33). Keys: <c>linear.*</c> [6D, T],
/// <c>norm.*</c> [D].</remarks>
public sealed class CogVideoXLayerNormZero : nn.Module<Tensor, Tensor, Tensor, (Tensor Video, Tensor Text, Tensor Gate, Tensor EncGate)>
{
    private readonly AdaptableLinear linear;
    private readonly LayerNorm norm;

    /// <summary>Creates the norm for width <paramref name="embeddingDim"/> conditioned on <paramref name="conditioningDim"/>.</summary>
    public CogVideoXLayerNormZero(int conditioningDim, int embeddingDim, bool elementwiseAffine, double eps, ParameterOptions options = default)
        : base(nameof(CogVideoXLayerNormZero))
    {
        linear = new AdaptableLinear(conditioningDim, 6L * embeddingDim, hasBias: true, options.Device, options.DType, !options.SkipInit);
        norm = nn.LayerNorm(embeddingDim, eps, elementwiseAffine, elementwiseAffine, device: options.Device, dtype: options.DType);
        RegisterComponents();
    }

    /// <summary>Video [B, N, D], text [B, L, D], temb [B, T] → modulated video and text, and their gates [B, 1, D].</summary>
    public override (Tensor Video, Tensor Text, Tensor Gate, Tensor EncGate) forward(Tensor hiddenStates, Tensor encoderHiddenStates, Tensor temb)
    {
        using var scope = NewDisposeScope();
        // chunk order: shift, scale, gate, enc_shift, enc_scale, enc_gate (as diffusers)
        var c = linear.forward(nn.functional.silu(temb)).chunk(6, dim: 1);   // 6 × [B, D]
        var video = norm.forward(hiddenStates).mul(c[1].add(Sc(1), Sc(1)).unsqueeze(1)).add(c[0].unsqueeze(1), Sc(1));
        var text = norm.forward(encoderHiddenStates).mul(c[4].add(Sc(1), Sc(1)).unsqueeze(1)).add(c[3].unsqueeze(1), Sc(1));
        return (video.MoveToOuterDisposeScope(), text.MoveToOuterDisposeScope(),
                c[2].unsqueeze(1).MoveToOuterDisposeScope(), c[5].unsqueeze(1).MoveToOuterDisposeScope());
    }
}
