using TorchSharp;
using TorchSharp.Modules;
using static LaMo.Core.KeptScalars;
using static TorchSharp.torch;

namespace LaMo.Models.Wan;

/// <summary>One Wan block: modulated self-attention with RoPE, cross-attention to the text, modulated feed-forward, with
/// gated residuals for the first and last.</summary>
/// <remarks>Port of diffusers <c>WanTransformerBlock</c> (transformer_wan.py, v0.40). Keys: <c>scale_shift_table</c>
/// [1, 6, D], <c>attn1.*</c>, <c>attn2.*</c>, <c>norm2.*</c> (with <c>cross_attn_norm</c>), <c>ffn.net.*</c>;
/// <c>norm1</c> and <c>norm3</c> have no parameters. The table plus the timestep projection gives, in order, shift,
/// scale and gate of the self-attention, then shift, scale and gate of the feed-forward. The modulation, the norms and
/// the gated residual sums run in float32 and are cast back to the hidden dtype, as in diffusers.</remarks>
public sealed class WanTransformerBlock : nn.Module<Tensor, Tensor, Tensor, WanRotaryTables, Tensor>
{
    private readonly WanFp32LayerNorm norm1;
    private readonly WanAttention attn1;
    private readonly WanAttention attn2;
    private readonly WanFp32LayerNorm? norm2;
    private readonly WanFeedForward ffn;
    private readonly WanFp32LayerNorm norm3;
    private readonly Parameter scale_shift_table;

    /// <summary>Creates a block from the model config.</summary>
    public WanTransformerBlock(WanTransformerConfig config, WanParameterOptions options = default) : base(nameof(WanTransformerBlock))
    {
        int dim = config.InnerDim;
        var fp32 = options.KeptInFloat32;
        // 1. Self-attention
        norm1 = new WanFp32LayerNorm(dim, config.Eps, elementwiseAffine: false, fp32);
        attn1 = new WanAttention(dim, config.NumAttentionHeads, config.Eps, options);
        // 2. Cross-attention
        attn2 = new WanAttention(dim, config.NumAttentionHeads, config.Eps, options);
        norm2 = config.CrossAttnNorm ? new WanFp32LayerNorm(dim, config.Eps, elementwiseAffine: true, fp32) : null;
        // 3. Feed-forward
        ffn = new WanFeedForward(dim, config.FfnDim, options);
        norm3 = new WanFp32LayerNorm(dim, config.Eps, elementwiseAffine: false, fp32);
        scale_shift_table = new Parameter(WanTransformer3DModel.InitialTable(6, dim, fp32));
        RegisterComponents();
    }

    /// <summary>Video tokens [B, S, D], projected text [B, L, D], modulation [B, 6, D] (one timestep per sample) or
    /// [B, S, 6, D] (per-token timesteps), RoPE tables [S, d] → new video tokens [B, S, D].</summary>
    public override Tensor forward(Tensor hiddenStates, Tensor encoderHiddenStates, Tensor temb, WanRotaryTables rope)
    {
        using var scope = NewDisposeScope();
        var dtype = hiddenStates.dtype;
        var (shift, scale, gate, cShift, cScale, cGate) = Modulation(temb);

        // 1. Self-attention
        var h32 = hiddenStates.to(ScalarType.Float32);
        var normed = Modulate(norm1.forward(h32), shift, scale).to(dtype);
        var attn = attn1.forward(normed, null, rope);
        var h = h32.add(attn.mul(gate), Sc(1)).to(dtype);

        // 2. Cross-attention (ungated)
        normed = norm2 is null ? h : norm2.forward(h).to(dtype);
        h = h.add(attn2.forward(normed, encoderHiddenStates, null), Sc(1));

        // 3. Feed-forward
        h32 = h.to(ScalarType.Float32);
        normed = Modulate(norm3.forward(h32), cShift, cScale).to(dtype);
        var ff = ffn.forward(normed);
        h = h32.add(ff.to(ScalarType.Float32).mul(cGate), Sc(1)).to(dtype);
        return h.MoveToOuterDisposeScope();
    }

    private static Tensor Modulate(Tensor normed, Tensor shift, Tensor scale) =>
        normed.mul(scale.add(Sc(1.0), Sc(1))).add(shift, Sc(1));

    // table [1, 6, D] + temb: [B, 6, D] → six [B, 1, D] (broadcast over tokens); [B, S, 6, D] → six [B, S, D].
    private (Tensor, Tensor, Tensor, Tensor, Tensor, Tensor) Modulation(Tensor temb)
    {
        bool perToken = temb.dim() == 4;
        var table = perToken ? scale_shift_table.unsqueeze(0) : scale_shift_table;
        var mod = table.add(temb.to(ScalarType.Float32), Sc(1));
        var parts = Enumerable.Range(0, 6).Select(i => perToken ? mod.select(2, i) : mod.narrow(1, i, 1)).ToArray();
        return (parts[0], parts[1], parts[2], parts[3], parts[4], parts[5]);
    }
}
