using TorchSharp;
using TorchSharp.Modules;
using LaMo.Models.Lora;
using static LaMo.Core.KeptScalars;
using static TorchSharp.torch;

namespace LaMo.Models.CogVideoX;

/// <summary>Joint full attention over [text ; video] with per-head LayerNorm on q and k and RoPE on the video
/// tokens only.</summary>
/// <remarks>Port of diffusers <c>Attention</c> with <c>qk_norm="layer_norm"</c>, <c>eps=1e-6</c> and
/// <c>CogVideoXAttnProcessor2_0</c> (attention_processor.py, v0.33). Keys: <c>to_q/to_k/to_v.*</c> [D, D],
/// <c>norm_q/norm_k.*</c> [head_dim], <c>to_out.0.*</c> [D, D] (<c>to_out.1</c> is a dropout).</remarks>
public sealed class CogVideoXAttention : nn.Module<Tensor, Tensor, RotaryTables?, (Tensor Video, Tensor Text)>
{
    private readonly AdaptableLinear to_q;
    private readonly AdaptableLinear to_k;
    private readonly AdaptableLinear to_v;
    private readonly LayerNorm norm_q;
    private readonly LayerNorm norm_k;
    private readonly ModuleList<nn.Module<Tensor, Tensor>> to_out;
    private readonly int _heads;
    private readonly int _headDim;

    /// <summary>Creates attention with <paramref name="heads"/> × <paramref name="headDim"/> channels.</summary>
    public CogVideoXAttention(int heads, int headDim, bool bias, double dropout, ParameterOptions options = default) : base(nameof(CogVideoXAttention))
    {
        _heads = heads; _headDim = headDim;
        int dim = heads * headDim;
        to_q = new AdaptableLinear(dim, dim, bias, options.Device, options.DType, !options.SkipInit);
        to_k = new AdaptableLinear(dim, dim, bias, options.Device, options.DType, !options.SkipInit);
        to_v = new AdaptableLinear(dim, dim, bias, options.Device, options.DType, !options.SkipInit);
        norm_q = nn.LayerNorm(headDim, 1e-6, true, true, device: options.Device, dtype: options.DType);
        norm_k = nn.LayerNorm(headDim, 1e-6, true, true, device: options.Device, dtype: options.DType);
        to_out = nn.ModuleList<nn.Module<Tensor, Tensor>>(new AdaptableLinear(dim, dim, true, options.Device, options.DType, !options.SkipInit), nn.Dropout(dropout));
        RegisterComponents();
    }

    /// <summary>Video [B, N, D], text [B, L, D], optional RoPE tables [N, head_dim] → (video, text) outputs.</summary>
    public override (Tensor Video, Tensor Text) forward(Tensor hiddenStates, Tensor encoderHiddenStates, RotaryTables? rope)
    {
        using var scope = NewDisposeScope();
        long textLen = encoderHiddenStates.size(1);
        var x = cat([encoderHiddenStates, hiddenStates], dim: 1);             // [B, L+N, D]
        long b = x.size(0), s = x.size(1);
        var q = Heads(to_q.forward(x), b);                                     // [B, h, L+N, d]
        var k = Heads(to_k.forward(x), b);
        var v = Heads(to_v.forward(x), b);
        q = norm_q.forward(q);
        k = norm_k.forward(k);
        if (rope is not null)
        {
            q = cat([q.narrow(2, 0, textLen), ApplyRotary(q.narrow(2, textLen, s - textLen), rope)], dim: 2);
            k = cat([k.narrow(2, 0, textLen), ApplyRotary(k.narrow(2, textLen, s - textLen), rope)], dim: 2);
        }
        var o = nn.functional.scaled_dot_product_attention(q, k, v);           // softmax(qkᵀ/√d)·v, no mask
        o = o.transpose(1, 2).reshape(b, s, _heads * _headDim);                // [B, h, S, d] → [B, S, D]
        foreach (var m in to_out) o = m.forward(o);
        var video = o.narrow(1, textLen, s - textLen);
        var text = o.narrow(1, 0, textLen);
        return (video.MoveToOuterDisposeScope(), text.MoveToOuterDisposeScope());
    }

    private Tensor Heads(Tensor t, long b) => t.view(b, -1, _heads, _headDim).transpose(1, 2);   // [B, S, D] → [B, h, S, d]

    /// <summary>Interleaved-pair RoPE: x·cos + rot(x)·sin with rot(x)[2i] = −x[2i+1], rot(x)[2i+1] = x[2i]
    /// (diffusers <c>apply_rotary_emb</c>, <c>use_real_unbind_dim=-1</c>), computed in float32.</summary>
    /// <param name="x">[B, h, N, d].</param>
    /// <param name="rope">cos/sin [N, d].</param>
    public static Tensor ApplyRotary(Tensor x, RotaryTables rope)
    {
        using var scope = NewDisposeScope();
        var shape = x.shape;
        var pairs = x.reshape([.. shape[..^1], shape[^1] / 2, 2]);            // [B, h, N, d/2, 2]
        var real = pairs.select(-1, 0);
        var imag = pairs.select(-1, 1);
        var rotated = stack([imag.neg(), real], dim: -1).flatten(3);           // [B, h, N, d]
        var cos = rope.Cos.to(x.device)[TensorIndex.None, TensorIndex.None];   // [1, 1, N, d]
        var sin = rope.Sin.to(x.device)[TensorIndex.None, TensorIndex.None];
        var y = x.to(ScalarType.Float32).mul(cos).add(rotated.to(ScalarType.Float32).mul(sin), Sc(1));
        return y.to(x.dtype).MoveToOuterDisposeScope();
    }
}
