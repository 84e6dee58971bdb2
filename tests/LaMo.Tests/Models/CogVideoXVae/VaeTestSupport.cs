using LaMo.Models.CogVideoXVae;
using static TorchSharp.torch;

namespace LaMo.Tests.Models.CogVideoXVae;

/// <summary>Small helpers shared by the VAE tests.</summary>
internal static class VaeTestSupport
{
    /// <summary>A 3-block (4× spatial, 4× temporal) VAE small enough for property tests.</summary>
    public static AutoencoderKLCogVideoXConfig Small { get; } = AutoencoderKLCogVideoXConfig.Tiny with
    {
        BlockOutChannels = [8, 8, 8], NormNumGroups = 4, LatentChannels = 4,
    };

    public static AutoencoderKLCogVideoX NewSmall(int seed = 0)
    {
        manual_seed(seed);
        var vae = new AutoencoderKLCogVideoX(Small);
        vae.eval();
        return vae;
    }

    public static Tensor Randn(params long[] shape) => randn(shape);
    public static Tensor Rand(params long[] shape) => rand(shape);

    /// <summary>Largest |a − b| (shapes must match).</summary>
    public static double MaxAbs(Tensor a, Tensor b)
    {
        if (!a.shape.SequenceEqual(b.shape))
            throw new InvalidOperationException($"shapes differ: [{string.Join(", ", a.shape)}] vs [{string.Join(", ", b.shape)}]");
        using var d = (a - b).abs();
        return d.numel() == 0 ? 0 : d.max().item<float>();
    }

    /// <summary>Finds a repo file by walking up from the test assembly folder.</summary>
    public static string RepoPath(string relative)
    {
        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
        {
            if (File.Exists(Path.Combine(dir.FullName, "LaMo.slnx"))) return Path.Combine(dir.FullName, relative);
        }
        throw new DirectoryNotFoundException("repository root (LaMo.slnx) not found above " + AppContext.BaseDirectory);
    }
}
