using LaMo.Core;
using TorchSharp;
using TorchSharp.Modules;
using static LaMo.Core.KeptScalars;
using static TorchSharp.torch;

namespace LaMo.Models.WanVae;

/// <summary>Single-head self-attention over the H·W positions of each frame separately (so it needs no cache), with
/// a residual connection.</summary>
/// <remarks>Port of diffusers <c>WanAttentionBlock</c> (autoencoder_kl_wan.py @ v0.40.0). Keys: <c>norm.gamma</c>
/// [C, 1, 1], <c>to_qkv.*</c> (1×1 conv to 3C, chunked q, k, v in that order), <c>proj.*</c> (1×1 conv).</remarks>
public sealed class WanAttentionBlock : nn.Module<Tensor, Tensor>
{
    private readonly WanRMS_norm norm;
    private readonly Conv2d to_qkv;
    private readonly Conv2d proj;

    /// <summary>Creates the block for <paramref name="dim"/> channels.</summary>
    public WanAttentionBlock(int dim, Device? device = null, ScalarType? dtype = null) : base(nameof(WanAttentionBlock))
    {
        norm = new WanRMS_norm(dim, images: true, device, dtype);
        to_qkv = nn.Conv2d(dim, dim * 3, 1, device: device, dtype: dtype);
        proj = nn.Conv2d(dim, dim, 1, device: device, dtype: dtype);
        RegisterComponents();
    }

    /// <summary>x [B, C, F, H, W] → [B, C, F, H, W].</summary>
    public override Tensor forward(Tensor x)
    {
        using var scope = NewDisposeScope();
        long b = x.shape[0], c = x.shape[1], t = x.shape[2], h = x.shape[3], w = x.shape[4];
        var frames = x.permute(0, 2, 1, 3, 4).reshape(b * t, c, h, w);                  // [B·F, C, H, W]
        var qkv = SafeConv.Forward(to_qkv, norm.forward(frames));                        // [B·F, 3C, H, W]
        qkv = qkv.reshape(b * t, 1, c * 3, h * w).permute(0, 1, 3, 2).contiguous();     // [B·F, 1, HW, 3C]
        var parts = qkv.chunk(3, -1);                                                   // q, k, v [B·F, 1, HW, C]
        var attended = nn.functional.scaled_dot_product_attention(parts[0], parts[1], parts[2]);   // softmax(qkᵀ/√C)·v
        var y = attended.squeeze(1).permute(0, 2, 1).reshape(b * t, c, h, w);           // [B·F, C, H, W]
        y = SafeConv.Forward(proj, y);
        y = y.view(b, t, c, h, w).permute(0, 2, 1, 3, 4);                               // [B, C, F, H, W]
        return y.add(x, Sc(1)).MoveToOuterDisposeScope();
    }
}
