using TorchSharp;
using static LaMo.Core.KeptScalars;
using static TorchSharp.torch;

namespace LaMo.Models.CogVideoX;

/// <summary>One CogVideoX block: expert AdaLN-Zero, joint text+video attention, shared feed-forward, gated residuals.</summary>
/// <remarks>Port of diffusers <c>CogVideoXBlock</c> (cogvideox_transformer_3d.py, v0.33).
/// Keys: <c>norm1.*</c>, <c>attn1.*</c>, <c>norm2.*</c>, <c>ff.net.*</c>.</remarks>
public sealed class CogVideoXBlock : nn.Module<Tensor, Tensor, Tensor, RotaryTables?, (Tensor Video, Tensor Text)>
{
    private readonly CogVideoXLayerNormZero norm1;
    private readonly CogVideoXAttention attn1;
    private readonly CogVideoXLayerNormZero norm2;
    private readonly CogVideoXFeedForward ff;

    /// <summary>Creates a block from the model config.</summary>
    public CogVideoXBlock(CogVideoXTransformerConfig config, ParameterOptions options = default) : base(nameof(CogVideoXBlock))
    {
        int dim = config.InnerDim;
        // 1. Self attention
        norm1 = new CogVideoXLayerNormZero(config.TimeEmbedDim, dim, config.NormElementwiseAffine, config.NormEps, options);
        attn1 = new CogVideoXAttention(config.NumAttentionHeads, config.AttentionHeadDim, config.AttentionBias, config.Dropout, options);
        // 2. Feed forward
        norm2 = new CogVideoXLayerNormZero(config.TimeEmbedDim, dim, config.NormElementwiseAffine, config.NormEps, options);
        ff = new CogVideoXFeedForward(dim, 4 * dim, config.Dropout, options);
        RegisterComponents();
    }

    /// <summary>Video [B, N, D], text [B, L, D], temb [B, T], optional RoPE → new (video, text).</summary>
    public override (Tensor Video, Tensor Text) forward(Tensor hiddenStates, Tensor encoderHiddenStates, Tensor temb, RotaryTables? rope)
    {
        using var scope = NewDisposeScope();
        long textLen = encoderHiddenStates.size(1);

        var (nh, ne, gateMsa, encGateMsa) = norm1.forward(hiddenStates, encoderHiddenStates, temb);
        var (ah, ae) = attn1.forward(nh, ne, rope);
        var h = hiddenStates.add(gateMsa.mul(ah), Sc(1));
        var e = encoderHiddenStates.add(encGateMsa.mul(ae), Sc(1));

        var (nh2, ne2, gateFf, encGateFf) = norm2.forward(h, e, temb);
        var ffOut = ff.forward(cat([ne2, nh2], dim: 1));                         // [B, L+N, D]
        h = h.add(gateFf.mul(ffOut.narrow(1, textLen, ffOut.size(1) - textLen)), Sc(1));
        e = e.add(encGateFf.mul(ffOut.narrow(1, 0, textLen)), Sc(1));
        return (h.MoveToOuterDisposeScope(), e.MoveToOuterDisposeScope());
    }
}
