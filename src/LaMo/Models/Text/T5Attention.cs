using TorchSharp;
using static LaMo.Core.KeptScalars;
using static TorchSharp.torch;

namespace LaMo.Models.Text;

/// <summary>T5 encoder self-attention with a learned relative-position bias and <b>no</b> 1/√d scaling
/// (Mesh-TensorFlow folds it into the initialization of <c>q</c>).</summary>
/// <remarks>Port of HF transformers <c>T5Attention</c> (encoder path, no cache). Keys: <c>q/k/v.weight</c> [H·d_kv, D],
/// <c>o.weight</c> [D, H·d_kv], and in block 0 only <c>relative_attention_bias.weight</c> [num_buckets, H].</remarks>
public sealed class T5Attention : nn.Module<Tensor, Tensor, Tensor>
{
    private readonly nn.Module<Tensor, Tensor> q;
    private readonly nn.Module<Tensor, Tensor> k;
    private readonly nn.Module<Tensor, Tensor> v;
    private readonly nn.Module<Tensor, Tensor> o;
    private readonly nn.Module<Tensor, Tensor>? relative_attention_bias;
    private readonly int _numHeads, _dKv, _numBuckets, _maxDistance;

    /// <summary>Creates the projections; <paramref name="hasRelativeAttentionBias"/> is true for block 0 only.</summary>
    public T5Attention(T5Config config, bool hasRelativeAttentionBias, Device? device = null, ScalarType dtype = ScalarType.Float32)
        : base(nameof(T5Attention))
    {
        _numHeads = config.NumHeads; _dKv = config.DKv;
        _numBuckets = config.RelativeAttentionNumBuckets; _maxDistance = config.RelativeAttentionMaxDistance;
        q = nn.Linear(config.DModel, config.InnerDim, hasBias: false, device: device, dtype: dtype);
        k = nn.Linear(config.DModel, config.InnerDim, hasBias: false, device: device, dtype: dtype);
        v = nn.Linear(config.DModel, config.InnerDim, hasBias: false, device: device, dtype: dtype);
        o = nn.Linear(config.InnerDim, config.DModel, hasBias: false, device: device, dtype: dtype);
        if (hasRelativeAttentionBias)
            relative_attention_bias = nn.Embedding(config.RelativeAttentionNumBuckets, config.NumHeads, device: device, dtype: dtype);
        RegisterComponents();
    }

    /// <summary>Maps relative positions (key − query) to bucket ids, exactly as HF <c>_relative_position_bucket</c>:
    /// with b = num_buckets/2 per direction (bidirectional) and e = b/2, distances n &lt; e get bucket n; larger ones get
    /// e + ⌊ln(n/e) / ln(max_distance/e) · (b − e)⌋ (float32, truncated), capped at b − 1; keys after the query add b.</summary>
    /// <param name="relativePosition">int64 tensor of key − query offsets.</param>
    /// <param name="bidirectional">True for the encoder.</param>
    /// <param name="numBuckets">Total buckets (both directions).</param>
    /// <param name="maxDistance">Distances ≥ this share the last bucket.</param>
    public static Tensor RelativePositionBucket(Tensor relativePosition, bool bidirectional = true, int numBuckets = 32, int maxDistance = 128)
    {
        using var scope = NewDisposeScope();
        var buckets = zeros_like(relativePosition);
        Tensor n;
        if (bidirectional)
        {
            numBuckets /= 2;
            buckets = buckets.add((relativePosition > Sc(0)).to(ScalarType.Int64) * Sc(numBuckets), Sc(1));
            n = relativePosition.abs();
        }
        else
        {
            n = -minimum(relativePosition, zeros_like(relativePosition));
        }
        int maxExact = numBuckets / 2;
        var isSmall = n < Sc(maxExact);
        // ln(n / e) / ln(max_distance / e) · (b − e), in float32 like HF; ln(0) = −inf only where isSmall picks n anyway.
        var large = (log(n.to(ScalarType.Float32) / Sc(maxExact)) / Sc(Math.Log((double)maxDistance / maxExact)) * Sc(numBuckets - maxExact))
            .to(ScalarType.Int64).add(Sc(maxExact), Sc(1));
        large = minimum(large, full_like(large, Sc(numBuckets - 1)));
        return buckets.add(where(isSmall, n, large), Sc(1)).MoveToOuterDisposeScope();
    }

    /// <summary>The position bias [1, H, Lq, Lk] from this layer's <c>relative_attention_bias</c> table.</summary>
    /// <exception cref="InvalidOperationException">This layer has no bias table (only block 0 has one).</exception>
    public Tensor ComputeBias(long queryLength, long keyLength)
    {
        if (relative_attention_bias is null) throw new InvalidOperationException("only the first T5 block owns relative_attention_bias");
        using var scope = NewDisposeScope();
        var device = ((nn.Module)q).parameters().First().device;
        var context = arange(Sc(0), Sc(queryLength), Sc(1), dtype: ScalarType.Int64, device: device).unsqueeze(1);   // [Lq, 1]
        var memory = arange(Sc(0), Sc(keyLength), Sc(1), dtype: ScalarType.Int64, device: device).unsqueeze(0);      // [1, Lk]
        var buckets = RelativePositionBucket(memory - context, true, _numBuckets, _maxDistance);   // [Lq, Lk]
        var values = relative_attention_bias.forward(buckets);                                     // [Lq, Lk, H]
        return values.permute(2, 0, 1).unsqueeze(0).MoveToOuterDisposeScope();                     // [1, H, Lq, Lk]
    }

    /// <summary>Self-attention. <paramref name="hiddenStates"/>: [B, L, D]; <paramref name="positionBias"/>:
    /// [1 or B, H, L, L], already including any additive mask. Returns [B, L, D].</summary>
    public override Tensor forward(Tensor hiddenStates, Tensor positionBias)
    {
        using var scope = NewDisposeScope();
        long b = hiddenStates.shape[0], l = hiddenStates.shape[1];
        Tensor Heads(Tensor x) => x.view(b, l, _numHeads, _dKv).transpose(1, 2);                  // [B, L, H·d] → [B, H, L, d]
        var query = Heads(q.forward(hiddenStates));
        var key = Heads(k.forward(hiddenStates));
        var value = Heads(v.forward(hiddenStates));
        var scores = matmul(query, key.transpose(3, 2));                                          // [B, H, L, L], no 1/√d
        scores = scores.add(positionBias, Sc(1));
        var weights = nn.functional.softmax(scores.to(ScalarType.Float32), -1).to(scores.dtype);  // softmax in fp32 as HF
        var attn = matmul(weights, value).transpose(1, 2).reshape(b, l, _numHeads * _dKv);        // [B, H, L, d] → [B, L, H·d]
        return o.forward(attn).MoveToOuterDisposeScope();
    }
}
