using TorchSharp;
using TorchSharp.Modules;
using LaMo.Models.Lora;
using static TorchSharp.torch;

namespace LaMo.Models.Wan;

/// <summary>Multi-head attention of a Wan block: self-attention over the video tokens with RoPE (<c>attn1</c>), or
/// cross-attention from the video tokens to the projected text (<c>attn2</c>). q and k are RMS-normalised across all heads
/// before the split into heads.</summary>
/// <remarks>Port of diffusers <c>WanAttention</c> with <c>WanAttnProcessor</c> (transformer_wan.py, v0.40) without the
/// image-to-video key/value branch. Keys: <c>to_q/to_k/to_v.*</c> [D, D], <c>to_out.0.*</c> [D, D] (<c>to_out.1</c> is a
/// dropout), <c>norm_q/norm_k.weight</c> [D]. Plain softmax(qkᵀ/√d)·v, no mask.</remarks>
public sealed class WanAttention : nn.Module<Tensor, Tensor?, WanRotaryTables?, Tensor>
{
    private readonly AdaptableLinear to_q;
    private readonly AdaptableLinear to_k;
    private readonly AdaptableLinear to_v;
    private readonly ModuleList<nn.Module<Tensor, Tensor>> to_out;
    private readonly WanRmsNorm norm_q;
    private readonly WanRmsNorm norm_k;
    private readonly int _heads;

    /// <summary>Creates attention of <paramref name="heads"/> heads over width <paramref name="dim"/>.</summary>
    public WanAttention(int dim, int heads, double eps, WanParameterOptions options = default) : base(nameof(WanAttention))
    {
        _heads = heads;
        bool init = !options.SkipInit;
        to_q = new AdaptableLinear(dim, dim, true, options.Device, options.DType, init);
        to_k = new AdaptableLinear(dim, dim, true, options.Device, options.DType, init);
        to_v = new AdaptableLinear(dim, dim, true, options.Device, options.DType, init);
        to_out = nn.ModuleList<nn.Module<Tensor, Tensor>>(new AdaptableLinear(dim, dim, true, options.Device, options.DType, init), nn.Dropout(0.0));
        norm_q = new WanRmsNorm(dim, eps, options);
        norm_k = new WanRmsNorm(dim, eps, options);
        RegisterComponents();
    }

    /// <summary>Queries from <paramref name="hiddenStates"/> [B, S, D]; keys and values from
    /// <paramref name="encoderHiddenStates"/> [B, L, D] (cross-attention) or from the queries' input when null
    /// (self-attention); RoPE on q and k when <paramref name="rope"/> is given. Returns [B, S, D].</summary>
    public override Tensor forward(Tensor hiddenStates, Tensor? encoderHiddenStates, WanRotaryTables? rope)
    {
        using var scope = NewDisposeScope();
        var context = encoderHiddenStates ?? hiddenStates;
        var q = norm_q.forward(to_q.forward(hiddenStates)).unflatten(2, [_heads, -1]);   // [B, S, h, d]
        var k = norm_k.forward(to_k.forward(context)).unflatten(2, [_heads, -1]);         // [B, L, h, d]
        var v = to_v.forward(context).unflatten(2, [_heads, -1]);
        if (rope is not null)
        {
            q = WanRotaryPosEmbed.Apply(q, rope);
            k = WanRotaryPosEmbed.Apply(k, rope);
        }
        var o = nn.functional.scaled_dot_product_attention(q.transpose(1, 2), k.transpose(1, 2), v.transpose(1, 2));   // [B, h, S, d]
        o = o.transpose(1, 2).flatten(2, 3).to(q.dtype);                                   // [B, S, D]
        foreach (var m in to_out) o = m.forward(o);
        return o.MoveToOuterDisposeScope();
    }
}
