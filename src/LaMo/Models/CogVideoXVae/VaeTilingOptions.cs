namespace LaMo.Models.CogVideoXVae;

/// <summary>Spatial tiling of <see cref="AutoencoderKLCogVideoX"/> (diffusers' <c>enable_tiling</c>): the video is cut
/// into overlapping tiles of <see cref="TileSampleMinHeight"/> × <see cref="TileSampleMinWidth"/> pixels, each tile
/// is encoded/decoded on its own (with its own temporal chunking and conv cache) and neighbouring tiles are blended
/// linearly over the overlap. Lowers peak memory for large frames; the result differs from the untiled one, because
/// convolutions and GroupNorm statistics see only one tile.</summary>
/// <param name="TileSampleMinHeight">Tile height in pixels (diffusers default: sample_height / 2 = 240).</param>
/// <param name="TileSampleMinWidth">Tile width in pixels (diffusers default: sample_width / 2 = 360).</param>
/// <param name="OverlapFactorHeight">Fraction of a tile shared with the next one vertically (default 1/6).</param>
/// <param name="OverlapFactorWidth">Fraction shared horizontally (default 1/5).</param>
public sealed record VaeTilingOptions(int TileSampleMinHeight, int TileSampleMinWidth,
    double OverlapFactorHeight = 1.0 / 6, double OverlapFactorWidth = 1.0 / 5)
{
    /// <summary>diffusers' defaults for a config: half the reference sample size, overlaps 1/6 and 1/5.</summary>
    public static VaeTilingOptions For(AutoencoderKLCogVideoXConfig config) =>
        new(config.SampleHeight / 2, config.SampleWidth / 2);

    /// <summary>Checks the sizes against the spatial compression <paramref name="spatial"/>.</summary>
    /// <exception cref="ArgumentOutOfRangeException">A size or factor is out of range (named).</exception>
    public void Validate(int spatial)
    {
        if (TileSampleMinHeight < spatial || TileSampleMinHeight % spatial != 0)
            throw new ArgumentOutOfRangeException(nameof(TileSampleMinHeight), TileSampleMinHeight, $"must be a positive multiple of {spatial}");
        if (TileSampleMinWidth < spatial || TileSampleMinWidth % spatial != 0)
            throw new ArgumentOutOfRangeException(nameof(TileSampleMinWidth), TileSampleMinWidth, $"must be a positive multiple of {spatial}");
        if (!(OverlapFactorHeight >= 0 && OverlapFactorHeight < 1))
            throw new ArgumentOutOfRangeException(nameof(OverlapFactorHeight), OverlapFactorHeight, "must be in [0, 1)");
        if (!(OverlapFactorWidth >= 0 && OverlapFactorWidth < 1))
            throw new ArgumentOutOfRangeException(nameof(OverlapFactorWidth), OverlapFactorWidth, "must be in [0, 1)");
    }
}
