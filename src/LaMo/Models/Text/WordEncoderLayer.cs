using static LaMo.Core.KeptScalars;
using TorchSharp;
using static TorchSharp.torch;

namespace LaMo.Models.Text;

/// <summary>A pre-norm transformer encoder layer for <see cref="WordTextEncoder"/>:
/// x += to_out(attn(norm1 x)); x += ff_out(gelu(ff_in(norm2 x))).</summary>
/// <remarks>Our own module. Keys: <c>norm1.*</c>, <c>to_q/to_k/to_v/to_out.*</c>, <c>norm2.*</c>, <c>ff_in.*</c>, <c>ff_out.*</c>.</remarks>
public sealed class WordEncoderLayer : nn.Module<Tensor, Tensor, Tensor>
{
    private readonly nn.Module<Tensor, Tensor> norm1, to_q, to_k, to_v, to_out, norm2, ff_in, ff_out;
    private readonly int _numHeads;

    /// <summary>Creates the layer (PyTorch default initialization).</summary>
    public WordEncoderLayer(int dim, int numHeads, int ffDim, Device? device = null) : base(nameof(WordEncoderLayer))
    {
        _numHeads = numHeads;
        norm1 = nn.LayerNorm(dim, device: device);
        to_q = nn.Linear(dim, dim, device: device);
        to_k = nn.Linear(dim, dim, device: device);
        to_v = nn.Linear(dim, dim, device: device);
        to_out = nn.Linear(dim, dim, device: device);
        norm2 = nn.LayerNorm(dim, device: device);
        ff_in = nn.Linear(dim, ffDim, device: device);
        ff_out = nn.Linear(ffDim, dim, device: device);
        RegisterComponents();
    }

    /// <summary><paramref name="x"/>: [B, L, D]; <paramref name="keyBias"/>: additive [B, 1, 1, L] (0 or a large
    /// negative on padded keys). Returns [B, L, D].</summary>
    public override Tensor forward(Tensor x, Tensor keyBias)
    {
        using var scope = NewDisposeScope();
        long b = x.shape[0], l = x.shape[1], d = x.shape[2];
        Tensor Heads(Tensor t) => t.view(b, l, _numHeads, d / _numHeads).transpose(1, 2);   // [B, L, D] → [B, H, L, D/H]
        var h = norm1.forward(x);
        var attn = nn.functional.scaled_dot_product_attention(Heads(to_q.forward(h)), Heads(to_k.forward(h)), Heads(to_v.forward(h)), keyBias);
        x = x.add(to_out.forward(attn.transpose(1, 2).reshape(b, l, d)), Sc(1));                        // [B, H, L, D/H] → [B, L, D]
        x = x.add(ff_out.forward(nn.functional.gelu(ff_in.forward(norm2.forward(x)))), Sc(1));
        return x.MoveToOuterDisposeScope();
    }
}
