using TorchSharp;
using TorchSharp.Modules;
using static TorchSharp.torch;

namespace LaMo.Models.Text;

/// <summary>One T5 encoder block: <c>layer.0</c> self-attention, <c>layer.1</c> gated feed-forward.</summary>
/// <remarks>Port of HF transformers <c>T5Block</c> (encoder, no cross-attention). The fp16 clamping HF applies
/// for float16 inputs is not ported (we run fp32 or bf16).</remarks>
public sealed class T5Block : nn.Module<Tensor, Tensor, Tensor>
{
    private readonly ModuleList<nn.Module> layer;

    /// <summary>Creates the block; <paramref name="hasRelativeAttentionBias"/> is true for block 0 only.</summary>
    public T5Block(T5Config config, bool hasRelativeAttentionBias, Device? device = null, ScalarType dtype = ScalarType.Float32)
        : base(nameof(T5Block))
    {
        layer = new ModuleList<nn.Module>(
            new T5LayerSelfAttention(config, hasRelativeAttentionBias, device, dtype),
            new T5LayerFF(config, device, dtype));
        RegisterComponents();
    }

    /// <summary>The self-attention sub-layer.</summary>
    public T5LayerSelfAttention SelfAttentionLayer => (T5LayerSelfAttention)layer[0];

    /// <summary>[B, L, D] → [B, L, D]; <paramref name="positionBias"/> is [1 or B, H, L, L].</summary>
    public override Tensor forward(Tensor hiddenStates, Tensor positionBias)
    {
        using var h = SelfAttentionLayer.forward(hiddenStates, positionBias);
        return ((T5LayerFF)layer[1]).forward(h);
    }
}
