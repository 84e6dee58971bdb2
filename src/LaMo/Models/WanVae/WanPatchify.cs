using static TorchSharp.torch;

namespace LaMo.Models.WanVae;

/// <summary>The Wan 2.2 VAE's space-to-channel folding: video [B, C, F, H, W] ⇄ [B, C·p², F, H/p, W/p].</summary>
/// <remarks>Port of diffusers <c>patchify</c> / <c>unpatchify</c> (autoencoder_kl_wan.py @ v0.40.0). The channel
/// index is c·p² + pw·p + ph: the <b>width</b> offset comes before the height offset (diffusers permutes to
/// (b, c, pw, ph, f, h, w)); the weights were trained with this order.</remarks>
public static class WanPatchify
{
    /// <summary>[B, C, F, H, W] → [B, C·p², F, H/p, W/p]; identity (an alias) for p = 1.</summary>
    /// <exception cref="ArgumentException">Not 5-D, or H or W not divisible by p.</exception>
    public static Tensor Patchify(Tensor x, int patchSize)
    {
        if (x.dim() != 5) throw new ArgumentException($"patchify needs [B, C, F, H, W], got [{string.Join(", ", x.shape)}]", nameof(x));
        if (patchSize == 1) return x.alias();
        long b = x.shape[0], c = x.shape[1], f = x.shape[2], h = x.shape[3], w = x.shape[4], p = patchSize;
        if (h % p != 0 || w % p != 0)
            throw new ArgumentException($"height ({h}) and width ({w}) must be divisible by patch_size ({p})", nameof(x));
        using var scope = NewDisposeScope();
        return x.view(b, c, f, h / p, p, w / p, p)                  // [B, C, F, H/p, ph, W/p, pw]
            .permute(0, 1, 6, 4, 2, 3, 5).contiguous()               // [B, C, pw, ph, F, H/p, W/p]
            .view(b, c * p * p, f, h / p, w / p)                     // channel = c·p² + pw·p + ph
            .MoveToOuterDisposeScope();
    }

    /// <summary>[B, C·p², F, h, w] → [B, C, F, h·p, w·p], the exact inverse of <see cref="Patchify"/>.</summary>
    /// <exception cref="ArgumentException">Not 5-D, or channels not divisible by p².</exception>
    public static Tensor Unpatchify(Tensor x, int patchSize)
    {
        if (x.dim() != 5) throw new ArgumentException($"unpatchify needs [B, C·p², F, h, w], got [{string.Join(", ", x.shape)}]", nameof(x));
        if (patchSize == 1) return x.alias();
        long b = x.shape[0], cp = x.shape[1], f = x.shape[2], h = x.shape[3], w = x.shape[4], p = patchSize;
        if (cp % (p * p) != 0) throw new ArgumentException($"channels ({cp}) must be divisible by patch_size² ({p * p})", nameof(x));
        using var scope = NewDisposeScope();
        return x.view(b, cp / (p * p), p, p, f, h, w)               // [B, C, pw, ph, F, h, w]
            .permute(0, 1, 4, 5, 3, 6, 2).contiguous()               // [B, C, F, h, ph, w, pw]
            .view(b, cp / (p * p), f, h * p, w * p)
            .MoveToOuterDisposeScope();
    }
}
