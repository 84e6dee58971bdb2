using LaMo.Models.CogVideoXVae;
using Xunit;
using static LaMo.Tests.Models.CogVideoXVae.VaeTestSupport;
using static TorchSharp.torch;

namespace LaMo.Tests.Models.CogVideoXVae;

/// <summary>Spatial tiling (diffusers' tiled_encode/tiled_decode). There is no reference vector for it, so the tests
/// check the grid and blend rules exactly against separately decoded tiles.</summary>
public sealed class CogVideoXVaeTilingTests
{
    // Small model: spatial ×4. Tiles of 16×16 px = 4×4 latents, overlap 1/4: latent stride 3, blend 4 px, keep 12 px.
    private static readonly VaeTilingOptions Options = new(16, 16, 0.25, 0.25);

    [Fact]
    public void DecodeTiled_GridAndBlend_MatchSeparatelyDecodedTiles()
    {
        using var scope = NewDisposeScope();
        using var vae = NewSmall(seed: 8);
        using var noGrad = no_grad();
        var z = Randn(1, 4, 3, 8, 8);
        var untiled = vae.Decode(z);
        vae.EnableTiling(Options);
        var tiled = vae.Decode(z);
        Assert.Equal(untiled.shape, tiled.shape);                          // [1, 3, 9, 32, 32]
        Assert.True(MaxAbs(untiled, tiled) > 1e-4);                        // tiles see less context: a different result

        vae.DisableTiling();
        var t00 = vae.Decode(z[.., .., .., 0..4, 0..4]);                   // [1, 3, 9, 16, 16]
        var t10 = vae.Decode(z[.., .., .., 3..7, 0..4]);
        // Tile (0,0) is kept unblended in its 12×12 corner.
        Assert.Equal(0.0, MaxAbs(tiled[.., .., .., ..12, ..12], t00[.., .., .., ..12, ..12]));
        // Row 12 starts tile (1,0): weight 1 on tile (0,0)'s row 12, 0 on its own row 0.
        Assert.Equal(0.0, MaxAbs(tiled[.., .., .., 12, ..12], t00[.., .., .., 12, ..12]));
        // Row 14: halfway through the 4-row blend.
        var expected = t00[.., .., .., 14, ..12] * 0.5f + t10[.., .., .., 2, ..12] * 0.5f;
        Assert.True(MaxAbs(tiled[.., .., .., 14, ..12], expected) <= 1e-6);
        // Past the blend, tile (1,0) alone.
        Assert.Equal(0.0, MaxAbs(tiled[.., .., .., 16..24, ..12], t10[.., .., .., 4..12, ..12]));
    }

    [Fact]
    public void EncodeTiled_ShapeAndUnblendedCorner_MatchSeparateTile()
    {
        using var scope = NewDisposeScope();
        using var vae = NewSmall(seed: 9);
        using var noGrad = no_grad();
        var video = Rand(1, 3, 5, 40, 40) * 2 - 1;
        vae.EnableTiling(new VaeTilingOptions(16, 16, 0.25, 0.25));     // stride 12 px, latent blend 1, keep 3
        using var tiled = vae.Encode(video);
        Assert.Equal(new long[] { 1, 4, 2, 10, 10 }, tiled.Mean.shape);
        vae.DisableTiling();
        using var t00 = vae.Encode(video[.., .., .., 0..16, 0..16]);
        Assert.Equal(0.0, MaxAbs(tiled.Moments[.., .., .., ..3, ..3], t00.Moments[.., .., .., ..3, ..3]));
    }

    [Fact]
    public void Tiling_InputNotLargerThanTile_IdenticalToUntiled()
    {
        using var scope = NewDisposeScope();
        using var vae = NewSmall(seed: 10);
        using var noGrad = no_grad();
        var z = Randn(1, 4, 3, 4, 4);
        var plain = vae.Decode(z);
        vae.EnableTiling(Options);
        Assert.Equal(0.0, MaxAbs(plain, vae.Decode(z)));
    }

    [Fact]
    public void EnableTiling_BadTileSize_Throws()
    {
        using var vae = NewSmall();
        Assert.Throws<ArgumentOutOfRangeException>(() => vae.EnableTiling(new VaeTilingOptions(10, 16)));
        vae.EnableTiling();
        Assert.Equal(32, vae.Tiling!.TileSampleMinHeight);              // Small preset: sample 64 → tile 32
    }
}
