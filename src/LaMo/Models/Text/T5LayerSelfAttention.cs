using static LaMo.Core.KeptScalars;
using TorchSharp;
using static TorchSharp.torch;

namespace LaMo.Models.Text;

/// <summary>Pre-norm residual self-attention sub-layer: x + SelfAttention(layer_norm(x)).</summary>
/// <remarks>Port of HF transformers <c>T5LayerSelfAttention</c>. Keys: <c>SelfAttention.*</c>, <c>layer_norm.weight</c>.</remarks>
public sealed class T5LayerSelfAttention : nn.Module<Tensor, Tensor, Tensor>
{
    private readonly T5Attention SelfAttention;
    private readonly T5LayerNorm layer_norm;

    /// <summary>Creates the sub-layer.</summary>
    public T5LayerSelfAttention(T5Config config, bool hasRelativeAttentionBias, Device? device = null, ScalarType dtype = ScalarType.Float32)
        : base(nameof(T5LayerSelfAttention))
    {
        SelfAttention = new T5Attention(config, hasRelativeAttentionBias, device, dtype);
        layer_norm = new T5LayerNorm(config.DModel, config.LayerNormEpsilon, device, dtype);
        RegisterComponents();
    }

    /// <summary>The attention module (block 0's owns the shared position-bias table).</summary>
    public T5Attention Attention => SelfAttention;

    /// <summary>[B, L, D] → [B, L, D].</summary>
    public override Tensor forward(Tensor hiddenStates, Tensor positionBias)
    {
        using var normed = layer_norm.forward(hiddenStates);
        using var attn = SelfAttention.forward(normed, positionBias);
        return hiddenStates.add(attn, Sc(1));
    }
}
