using TorchSharp;
using static LaMo.Core.KeptScalars;
using static TorchSharp.torch;

namespace LaMo.Models.CogVideoX;

/// <summary>3-D rotary tables for CogVideoX 1.0 (5B) and the pipeline helper that sizes them.</summary>
/// <remarks>Port of diffusers <c>get_3d_rotary_pos_embed</c> (grid_type "linspace", use_real), <c>get_1d_rotary_pos_embed</c>
/// (embeddings.py), and <c>get_resize_crop_region_for_grid</c> / <c>CogVideoXPipeline._prepare_rotary_positional_embeddings</c>
/// (pipeline_cogvideox.py), v0.33.</remarks>
public static class CogVideoXRotaryEmbedding
{
    /// <summary>The tables for a latent grid of <paramref name="latentHeight"/> × <paramref name="latentWidth"/> ×
    /// <paramref name="latentFrames"/>: what <see cref="PrepareRotaryPositionalEmbeddings"/> gives for the pixel size that
    /// encodes to it (the pixel size only enters divided by the VAE factor).</summary>
    public static RotaryTables ForLatentGrid(CogVideoXTransformerConfig config, int latentHeight, int latentWidth, int latentFrames, Device? device = null) =>
        PrepareRotaryPositionalEmbeddings(config, latentHeight, latentWidth, latentFrames, vaeScaleFactorSpatial: 1, device);

    /// <summary>Pipeline helper: RoPE tables for a video of <paramref name="height"/>×<paramref name="width"/> pixels and
    /// <paramref name="numFrames"/> latent frames. The token grid (H/(vae·p), W/(vae·p)) is resize-cropped into the base
    /// grid (sample_height/p, sample_width/p).</summary>
    /// <param name="config">The transformer config (patch size, sample size, head dim).</param>
    /// <param name="height">Pixel height.</param>
    /// <param name="width">Pixel width.</param>
    /// <param name="numFrames">Latent frames.</param>
    /// <param name="vaeScaleFactorSpatial">VAE spatial factor (8).</param>
    /// <param name="device">Where to put the tables (CPU when null).</param>
    /// <returns>Caller-owned cos/sin [numFrames·gh·gw, head_dim] float32.</returns>
    /// <exception cref="NotSupportedException">CogVideoX 1.5 (<c>patch_size_t</c>) configs.</exception>
    public static RotaryTables PrepareRotaryPositionalEmbeddings(CogVideoXTransformerConfig config, int height, int width,
        int numFrames, int vaeScaleFactorSpatial = 8, Device? device = null)
    {
        ArgumentNullException.ThrowIfNull(config);
        if (config.PatchSizeT is not null) throw new NotSupportedException("RoPE for patch_size_t (CogVideoX 1.5) is not ported");
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(vaeScaleFactorSpatial);
        int p = config.PatchSize;
        int gridHeight = height / (vaeScaleFactorSpatial * p);
        int gridWidth = width / (vaeScaleFactorSpatial * p);
        if (gridHeight <= 0 || gridWidth <= 0)
            throw new ArgumentException($"height × width ({height} × {width}) must be at least {vaeScaleFactorSpatial * p} pixels each (VAE factor {vaeScaleFactorSpatial} × patch {p})");
        int baseWidth = config.SampleWidth / p, baseHeight = config.SampleHeight / p;
        var (start, stop) = ResizeCropRegionForGrid(gridHeight, gridWidth, baseWidth, baseHeight);
        var tables = Rotary3D(config.AttentionHeadDim, start, stop, gridHeight, gridWidth, numFrames);
        if (device is null || device.type == DeviceType.CPU) return tables;
        var moved = new RotaryTables(tables.Cos.to(device), tables.Sin.to(device));
        tables.Cos.Dispose(); tables.Sin.Dispose();
        return moved;
    }

    /// <summary><c>get_resize_crop_region_for_grid</c>: fit the (h, w) grid into the target grid keeping its aspect,
    /// centred; Python's <c>round</c> (half to even).</summary>
    /// <returns>((top, left), (bottom, right)).</returns>
    public static ((int Top, int Left) Start, (int Bottom, int Right) Stop) ResizeCropRegionForGrid(int h, int w, int targetWidth, int targetHeight)
    {
        int tw = targetWidth, th = targetHeight;
        double r = (double)h / w;
        int resizeHeight, resizeWidth;
        if (r > (double)th / tw)
        {
            resizeHeight = th;
            resizeWidth = (int)Math.Round((double)th / h * w, MidpointRounding.ToEven);
        }
        else
        {
            resizeWidth = tw;
            resizeHeight = (int)Math.Round((double)tw / w * h, MidpointRounding.ToEven);
        }
        int cropTop = (int)Math.Round((th - resizeHeight) / 2.0, MidpointRounding.ToEven);
        int cropLeft = (int)Math.Round((tw - resizeWidth) / 2.0, MidpointRounding.ToEven);
        return ((cropTop, cropLeft), (cropTop + resizeHeight, cropLeft + resizeWidth));
    }

    /// <summary><c>get_3d_rotary_pos_embed(embed_dim, crops_coords, grid_size, temporal_size)</c> with the "linspace" grid:
    /// head dim split t = d/4, h = w = 3d/8, θ = 10000, frequencies repeated twice, order t, h, w.</summary>
    /// <returns>Caller-owned cos/sin [T·gh·gw, d] float32 on the CPU.</returns>
    public static RotaryTables Rotary3D(int embedDim, (int Top, int Left) start, (int Bottom, int Right) stop,
        int gridHeight, int gridWidth, int temporalSize, double theta = 10000)
    {
        using var scope = NewDisposeScope();
        var gridH = linspace(start.Top, stop.Bottom * (gridHeight - 1) / (double)gridHeight, gridHeight, dtype: ScalarType.Float32, device: CPU);
        var gridW = linspace(start.Left, stop.Right * (gridWidth - 1) / (double)gridWidth, gridWidth, dtype: ScalarType.Float32, device: CPU);
        var gridT = linspace(0, temporalSize * (temporalSize - 1) / (double)temporalSize, temporalSize, dtype: ScalarType.Float32, device: CPU);
        int dimT = embedDim / 4, dimH = embedDim / 8 * 3, dimW = embedDim / 8 * 3;
        var (tCos, tSin) = Rotary1D(dimT, gridT, theta);
        var (hCos, hSin) = Rotary1D(dimH, gridH, theta);
        var (wCos, wSin) = Rotary1D(dimW, gridW, theta);
        var cos = Combine(tCos, hCos, wCos, temporalSize, gridHeight, gridWidth);
        var sin = Combine(tSin, hSin, wSin, temporalSize, gridHeight, gridWidth);
        return new RotaryTables(cos.MoveToOuterDisposeScope(), sin.MoveToOuterDisposeScope());
    }

    /// <summary><c>get_1d_rotary_pos_embed(dim, pos, theta, use_real=True, repeat_interleave_real=True)</c> in float32.</summary>
    /// <returns>cos/sin [S, dim].</returns>
    public static (Tensor Cos, Tensor Sin) Rotary1D(int dim, Tensor pos, double theta = 10000)
    {
        if (dim % 2 != 0) throw new ArgumentException($"dim ({dim}) must be even", nameof(dim));
        using var scope = NewDisposeScope();
        var exponent = arange(Sc(0), Sc(dim), Sc(2), dtype: ScalarType.Float32, device: CPU).narrow(0, 0, dim / 2).div(Sc(dim));
        var freqs = full_like(exponent, Sc(theta)).pow(exponent).reciprocal();   // 1/θ^(2i/d)  [d/2]
        var args = pos.to(ScalarType.Float32).outer(freqs);                    // [S, d/2]
        var cos = args.cos().repeat_interleave(2, dim: 1);                    // [S, d]
        var sin = args.sin().repeat_interleave(2, dim: 1);
        return (cos.MoveToOuterDisposeScope(), sin.MoveToOuterDisposeScope());
    }

    private static Tensor Combine(Tensor t, Tensor h, Tensor w, int frames, int gh, int gw)
    {
        var te = t.unsqueeze(1).unsqueeze(1).expand(frames, gh, gw, t.size(1));      // [T, gh, gw, dt]
        var he = h.unsqueeze(0).unsqueeze(2).expand(frames, gh, gw, h.size(1));      // [T, gh, gw, dh]
        var we = w.unsqueeze(0).unsqueeze(0).expand(frames, gh, gw, w.size(1));      // [T, gh, gw, dw]
        return cat([te, he, we], dim: -1).reshape((long)frames * gh * gw, -1);       // [T·gh·gw, d]
    }
}
