using TorchSharp;
using TorchSharp.Modules;
using static LaMo.Core.KeptScalars;
using static TorchSharp.torch;

namespace LaMo.Models.Text;

/// <summary>The T5 encoder stack: token embedding (tied to the model's <c>shared</c>), blocks sharing block 0's
/// position bias (each its own for UMT5), final RMS norm.</summary>
/// <remarks>Port of HF transformers <c>T5Stack</c> (encoder). Keys: <c>embed_tokens.weight</c> (same tensor as
/// <c>shared.weight</c>), <c>block.{i}.*</c>, <c>final_layer_norm.weight</c>. Dropout is off.</remarks>
public sealed class T5Stack : nn.Module<Tensor, Tensor?, Tensor>
{
    private readonly nn.Module<Tensor, Tensor> embed_tokens;
    private readonly ModuleList<T5Block> block;
    private readonly T5LayerNorm final_layer_norm;
    private readonly bool _perLayerBias;

    /// <summary>Creates the stack around an existing (shared) embedding.</summary>
    public T5Stack(T5Config config, nn.Module<Tensor, Tensor> embedTokens, Device? device = null, ScalarType dtype = ScalarType.Float32)
        : base(nameof(T5Stack))
    {
        embed_tokens = embedTokens;
        block = new ModuleList<T5Block>();
        _perLayerBias = config.PerLayerPositionBias;
        for (int i = 0; i < config.NumLayers; i++) block.Add(new T5Block(config, hasRelativeAttentionBias: i == 0 || _perLayerBias, device, dtype));
        final_layer_norm = new T5LayerNorm(config.DModel, config.LayerNormEpsilon, device, dtype);
        RegisterComponents();
    }

    /// <summary>Encodes token ids.</summary>
    /// <param name="inputIds">[B, L] int64.</param>
    /// <param name="attentionMask">[B, L], 1 = attend, 0 = padding; null attends to every position (what CogVideoX does).</param>
    /// <returns>last_hidden_state [B, L, D].</returns>
    public override Tensor forward(Tensor inputIds, Tensor? attentionMask)
    {
        using var scope = NewDisposeScope();
        long l = inputIds.shape[1];
        var h = embed_tokens.forward(inputIds);                                     // [B, L, D]; T5 does not scale embeddings
        Tensor? mask = null;
        if (attentionMask is not null)
        {
            // HF: (1 − mask) · finfo(dtype).min, broadcast over heads and queries → [B, 1, 1, L].
            double min = h.dtype switch
            {
                ScalarType.BFloat16 => -3.3895313892515355e38,
                ScalarType.Float16 => -65504.0,
                ScalarType.Float64 => double.MinValue,
                _ => float.MinValue,
            };
            mask = attentionMask.to(h.dtype).neg().add(Sc(1), Sc(1)).unsqueeze(1).unsqueeze(2) * Sc(min);
        }
        Tensor Bias(T5Block b)
        {
            var bias = b.SelfAttentionLayer.Attention.ComputeBias(l, l);               // [1, H, L, L]
            return mask is null ? bias : bias.add(mask, Sc(1));                       // [B, H, L, L]
        }
        var shared = _perLayerBias ? null : Bias(block[0]);                            // T5: block 0's bias, used by all
        foreach (var b in block)
        {
            var next = b.forward(h, shared ?? Bias(b));
            h.Dispose();
            h = next;
        }
        return final_layer_norm.forward(h).MoveToOuterDisposeScope();
    }
}
