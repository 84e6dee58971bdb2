using LaMo.Models.WanVae;
using static TorchSharp.torch;

namespace LaMo.Tests.Models.WanVae;

/// <summary>Small helpers shared by the Wan VAE tests.</summary>
internal static class WanVaeTestSupport
{
    /// <summary>A tiny Wan 2.1-style VAE (3 levels: 4× space, 2× time).</summary>
    public static AutoencoderKLWanConfig Tiny21 { get; } = new()
    {
        BaseDim = 4, ZDim = 4, DimMult = [1, 2, 2], NumResBlocks = 1, TemperalDownsample = [false, true],
        ScaleFactorTemporal = 2, ScaleFactorSpatial = 4, LatentsMean = [0.1, -0.2, 0.3, 0.0], LatentsStd = [1.5, 0.5, 2.0, 1.0],
    };

    /// <summary>A tiny Wan 2.2-style VAE (residual, patch 2, decoder wider than encoder).</summary>
    public static AutoencoderKLWanConfig Tiny22 { get; } = Tiny21 with
    {
        IsResidual = true, PatchSize = 2, InChannels = 12, OutChannels = 12, DecoderBaseDim = 6, ScaleFactorSpatial = 8,
    };

    public static AutoencoderKLWan New(AutoencoderKLWanConfig config, int seed = 0)
    {
        manual_seed(seed);
        var vae = new AutoencoderKLWan(config);
        vae.eval();
        return vae;
    }

    /// <summary>Largest |a − b| (shapes must match).</summary>
    public static double MaxAbs(Tensor a, Tensor b)
    {
        if (!a.shape.SequenceEqual(b.shape))
            throw new InvalidOperationException($"shapes differ: [{string.Join(", ", a.shape)}] vs [{string.Join(", ", b.shape)}]");
        using var d = (a - b).abs();
        return d.numel() == 0 ? 0 : d.max().item<float>();
    }

    public static string RepoPath(string relative) => LaMo.Tests.Models.CogVideoXVae.VaeTestSupport.RepoPath(relative);
}
