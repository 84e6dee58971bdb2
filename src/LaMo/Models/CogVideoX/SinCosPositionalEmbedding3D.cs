using static LaMo.Core.KeptScalars;
using static TorchSharp.torch;

namespace LaMo.Models.CogVideoX;

/// <summary>3-D sine-cosine absolute position tables (CogVideoX-2B).</summary>
/// <remarks>Port of diffusers <c>get_3d_sincos_pos_embed</c> (output_type "pt"), <c>get_2d_sincos_pos_embed_from_grid</c>
/// and <c>get_1d_sincos_pos_embed_from_grid</c> (embeddings.py, v0.33): grids in float32, frequencies and the
/// result in float64.</remarks>
public static class SinCosPositionalEmbedding3D
{
    /// <summary>The [T, H·W, D] table: temporal part (D/4) first, then spatial (3D/4).</summary>
    /// <param name="embedDim">D, divisible by 4.</param>
    /// <param name="spatialWidth">Grid width (diffusers passes <c>spatial_size=(W, H)</c>, width first).</param>
    /// <param name="spatialHeight">Grid height.</param>
    /// <param name="temporalSize">Number of (latent) frames.</param>
    /// <param name="spatialInterpolationScale">Spatial grid divisor.</param>
    /// <param name="temporalInterpolationScale">Temporal grid divisor.</param>
    public static Tensor Table(int embedDim, int spatialWidth, int spatialHeight, int temporalSize,
        double spatialInterpolationScale, double temporalInterpolationScale)
    {
        if (embedDim % 4 != 0) throw new ArgumentException($"embedDim ({embedDim}) must be divisible by 4", nameof(embedDim));
        using var scope = NewDisposeScope();
        int dimSpatial = 3 * embedDim / 4, dimTemporal = embedDim / 4;

        // 1. Spatial: meshgrid(grid_w, grid_h, indexing="xy") → two [H, W] grids; grid[0] varies along W.
        var gridH = arange(Sc(0), Sc(spatialHeight), Sc(1), dtype: ScalarType.Float32, device: CPU).div(Sc(spatialInterpolationScale));
        var gridW = arange(Sc(0), Sc(spatialWidth), Sc(1), dtype: ScalarType.Float32, device: CPU).div(Sc(spatialInterpolationScale));
        var g0 = gridW.unsqueeze(0).expand(spatialHeight, spatialWidth);       // [H, W], w coordinate
        var g1 = gridH.unsqueeze(1).expand(spatialHeight, spatialWidth);       // [H, W], h coordinate
        var spatial = cat([OneD(dimSpatial / 2, g0), OneD(dimSpatial / 2, g1)], dim: 1);   // [H·W, 3D/4]

        // 2. Temporal
        var gridT = arange(Sc(0), Sc(temporalSize), Sc(1), dtype: ScalarType.Float32, device: CPU).div(Sc(temporalInterpolationScale));
        var temporal = OneD(dimTemporal, gridT);                               // [T, D/4]

        // 3. Concat: [T, H·W, D/4] ; [T, H·W, 3D/4]
        long hw = (long)spatialHeight * spatialWidth;
        var s = spatial.unsqueeze(0).expand(temporalSize, hw, dimSpatial);
        var t = temporal.unsqueeze(1).expand(temporalSize, hw, dimTemporal);
        return cat([t, s], dim: -1).contiguous().MoveToOuterDisposeScope();
    }

    /// <summary><c>get_1d_sincos_pos_embed_from_grid</c>: ω_i = 1/10000^(i/(D/2)) in float64; [sin(p·ω), cos(p·ω)].</summary>
    /// <param name="embedDim">D (even).</param>
    /// <param name="pos">Positions (any shape, flattened; float32).</param>
    /// <returns>[M, D] float64.</returns>
    public static Tensor OneD(int embedDim, Tensor pos)
    {
        if (embedDim % 2 != 0) throw new ArgumentException($"embedDim ({embedDim}) must be even", nameof(embedDim));
        using var scope = NewDisposeScope();
        var omega = arange(Sc(0), Sc(embedDim / 2), Sc(1), dtype: ScalarType.Float64, device: CPU).div(Sc(embedDim / 2.0));
        omega = full_like(omega, Sc(10000.0)).pow(omega).reciprocal();                        // [D/2]
        var outer = pos.reshape(-1).to(ScalarType.Float64).outer(omega);       // [M, D/2]
        return cat([outer.sin(), outer.cos()], dim: 1).MoveToOuterDisposeScope();
    }
}
