using LaMo.Core;
using TorchSharp;
using TorchSharp.Modules;
using static TorchSharp.torch;

namespace LaMo.Models.WanVae;

/// <summary>What a <see cref="WanResample"/> does (diffusers' <c>mode</c> strings).</summary>
public enum WanResampleMode
{
    /// <summary><c>upsample2d</c>: nearest ×2 in H and W, then a 3×3 conv.</summary>
    Upsample2d,
    /// <summary><c>upsample3d</c>: a causal temporal conv that doubles the frames (not on the first chunk), then as 2-D.</summary>
    Upsample3d,
    /// <summary><c>downsample2d</c>: zero-pad right and bottom by 1, then a 3×3 stride-2 conv.</summary>
    Downsample2d,
    /// <summary><c>downsample3d</c>: as 2-D, then a stride-2 temporal conv over the previous chunk's last frame and
    /// this chunk (the first chunk passes through).</summary>
    Downsample3d,
}

/// <summary>Spatial (and optionally temporal) ×2 resampling, frame by frame in space, causal and cached in time.</summary>
/// <remarks>Port of diffusers <c>WanResample</c> (autoencoder_kl_wan.py @ v0.40.0). Keys: <c>resample.1.*</c> (the 3×3
/// conv; index 0 is diffusers' parameter-free upsample or zero-pad layer) and, for the 3-D modes, <c>time_conv.*</c>
/// (3×1×1 causal conv: C → 2C for upsampling, stride 2 for downsampling).</remarks>
public sealed class WanResample : nn.Module<Tensor, WanFeatureCache, Tensor>
{
    private readonly ModuleList<nn.Module> resample;
    private readonly WanCausalConv3d? time_conv;
    private readonly WanResampleMode _mode;

    /// <summary>Creates the resampler for <paramref name="dim"/> channels.</summary>
    /// <param name="upsampleOutDim">Output channels of the upsampling conv (diffusers' default dim / 2; the Wan 2.2
    /// residual up blocks pass dim).</param>
    public WanResample(int dim, WanResampleMode mode, int? upsampleOutDim = null, Device? device = null, ScalarType? dtype = null)
        : base(nameof(WanResample))
    {
        _mode = mode;
        bool up = mode is WanResampleMode.Upsample2d or WanResampleMode.Upsample3d;
        var conv = up
            ? nn.Conv2d(dim, upsampleOutDim ?? dim / 2, 3, padding: 1, device: device, dtype: dtype)
            : nn.Conv2d(dim, dim, 3, stride: 2, device: device, dtype: dtype);
        resample = new ModuleList<nn.Module>(nn.Identity(), conv);
        if (mode == WanResampleMode.Upsample3d)
            time_conv = new WanCausalConv3d(dim, dim * 2, (3, 1, 1), padding: (1, 0, 0), device: device, dtype: dtype);
        else if (mode == WanResampleMode.Downsample3d)
            time_conv = new WanCausalConv3d(dim, dim, (3, 1, 1), stride: (2, 1, 1), device: device, dtype: dtype);
        RegisterComponents();
    }

    /// <summary>x [B, C, F, H, W] → [B, C', F', H', W'] for one chunk; <paramref name="cache"/> carries the temporal state.</summary>
    public override Tensor forward(Tensor x, WanFeatureCache cache)
    {
        using var scope = NewDisposeScope();
        if (_mode == WanResampleMode.Upsample3d) x = TimeUpsample(x, cache);
        long b = x.shape[0], c = x.shape[1], t = x.shape[2];
        var frames = x.permute(0, 2, 1, 3, 4).reshape(b * t, c, x.shape[3], x.shape[4]);     // [B·F, C, H, W]
        var conv = (Conv2d)resample[1];
        var y = _mode is WanResampleMode.Upsample2d or WanResampleMode.Upsample3d
            // nearest-exact ×2 (for an exact ×2, nearest-exact and nearest pick the same source pixels)
            ? SafeConv.Forward(conv, nn.functional.interpolate(frames, scale_factor: [2.0, 2.0], mode: InterpolationMode.NearestExact))
            : SafeConv.Forward(conv, nn.functional.pad(frames, [0, 1, 0, 1]));                // right and bottom only
        y = y.view(b, t, y.shape[1], y.shape[2], y.shape[3]).permute(0, 2, 1, 3, 4);          // [B, C', F, H', W']
        if (_mode == WanResampleMode.Downsample3d) y = TimeDownsample(y, cache);
        return y.MoveToOuterDisposeScope();
    }

    /// <summary>First chunk: leave the "Rep" mark and keep the frames. Later chunks: the causal 3×1×1 conv gives 2C
    /// channels, interleaved into two frames per input frame. After a "Rep" the previous frames are zeros.</summary>
    private Tensor TimeUpsample(Tensor x, WanFeatureCache cache)
    {
        if (cache.IsFirst(this))
        {
            cache.MarkRep(this);
            return x;
        }
        bool rep = cache.IsRep(this);
        var previous = cache.Get(this);
        long b = x.shape[0], c = x.shape[1], t = x.shape[2], h = x.shape[3], w = x.shape[4];
        long n = Math.Min(WanCausalConv3d.CacheFrames, t);
        var keep = x.narrow(2, t - n, n).clone();                                             // [B, C, ≤2, H, W]
        if (n < WanCausalConv3d.CacheFrames)
            keep = cat([rep ? zeros_like(keep) : previous!.narrow(2, previous.shape[2] - 1, 1), keep], 2);
        var doubled = time_conv!.forward(x, rep ? null : previous);                           // [B, 2C, F, H, W]
        cache.Set(this, keep);                                                                 // the cache takes it out of the scope
        var pairs = doubled.reshape(b, 2, c, t, h, w);                                        // [B, 2, C, F, H, W]
        return stack([pairs.select(1, 0), pairs.select(1, 1)], 3).reshape(b, c, t * 2, h, w);   // frame 2i, 2i+1
    }

    /// <summary>First chunk: passes through and keeps its last frame. Later chunks: a stride-2 3×1×1 conv over
    /// [previous last frame, this chunk] (2k frames → k).</summary>
    private Tensor TimeDownsample(Tensor x, WanFeatureCache cache)
    {
        var previous = cache.Get(this);
        long t = x.shape[2];
        var keep = x.narrow(2, t - 1, 1).clone();                                              // [B, C, 1, H', W']
        Tensor y = previous is null ? x : time_conv!.forward(cat([previous.narrow(2, previous.shape[2] - 1, 1), x], 2), null);
        cache.Set(this, keep);                                                                 // the cache takes it out of the scope
        return y;
    }
}
