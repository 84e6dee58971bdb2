using LaMo.Models.CogVideoXVae;
using Xunit;
using Xunit.Abstractions;
using static TorchSharp.torch;

namespace LaMo.Tests.Models.CogVideoXVae;

/// <summary>The full-size CogVideoX-2B VAE built on the <c>meta</c> device (shapes, no memory).</summary>
public sealed class CogVideoXVaeFullSizeTests(ITestOutputHelper output)
{
    private const string ApprovedFile = "tests/LaMo.Tests/Approved/CogVideoX2B.vae.approved.txt";

    [Fact]
    public void Meta2B_ParameterCount_MatchesArchitectureFormula()
    {
        var config = AutoencoderKLCogVideoXConfig.CogVideoX2B;
        using var vae = new AutoencoderKLCogVideoX(config, META);
        long actual = vae.ParameterCount;
        long expected = ExpectedParameters(config);
        output.WriteLine($"CogVideoX-2B VAE parameters: {actual:N0} (formula {expected:N0}), tensors {vae.state_dict().Count}");
        Assert.Equal(expected, actual);
        Assert.InRange(actual, 200_000_000, 230_000_000);     // ≈ 0.86 GB of fp32 weights
        Assert.All(vae.parameters(), p => Assert.Equal(TorchSharp.DeviceType.META, p.device_type));
    }

    [Fact]
    public void Meta2B_KeysAndShapes_MatchApprovedListing()
    {
        using var vae = new AutoencoderKLCogVideoX(AutoencoderKLCogVideoXConfig.CogVideoX2B, META);
        var lines = vae.state_dict().OrderBy(kv => kv.Key, StringComparer.Ordinal)
            .Select(kv => $"{kv.Key} [{string.Join(", ", kv.Value.shape)}]").ToList();
        string received = string.Join("\n", lines) + "\n";

        // The cogvideox.md §5 key patterns are all present.
        foreach (var key in new[]
        {
            "encoder.conv_in.conv.weight [128, 3, 3, 3, 3]",
            "encoder.down_blocks.0.resnets.0.norm1.weight [128]",
            "encoder.down_blocks.1.resnets.0.conv_shortcut.weight [256, 128, 1, 1, 1]",
            "encoder.down_blocks.2.downsamplers.0.conv.weight [256, 256, 3, 3]",
            "encoder.mid_block.resnets.1.conv2.conv.weight [512, 512, 3, 3, 3]",
            "encoder.norm_out.weight [512]",
            "encoder.conv_out.conv.weight [32, 512, 3, 3, 3]",
            "decoder.conv_in.conv.weight [512, 16, 3, 3, 3]",
            "decoder.mid_block.resnets.0.norm1.norm_layer.weight [512]",
            "decoder.mid_block.resnets.0.norm1.conv_y.conv.weight [512, 16, 1, 1, 1]",
            "decoder.up_blocks.0.resnets.3.norm2.conv_b.conv.bias [512]",
            "decoder.up_blocks.0.upsamplers.0.conv.weight [512, 512, 3, 3]",
            "decoder.up_blocks.1.resnets.0.conv_shortcut.weight [256, 512, 1, 1, 1]",
            "decoder.norm_out.conv_y.conv.weight [128, 16, 1, 1, 1]",
            "decoder.conv_out.conv.weight [3, 128, 3, 3, 3]",
        })
            Assert.Contains(key, lines);
        Assert.DoesNotContain(lines, l => l.Contains("temb_proj") || l.Contains("quant_conv") || l.Contains("downsamplers.0.conv.conv"));
        Assert.DoesNotContain(lines, l => l.StartsWith("encoder.down_blocks.3.downsamplers", StringComparison.Ordinal)
                                          || l.StartsWith("decoder.up_blocks.3.upsamplers", StringComparison.Ordinal));

        string approvedPath = VaeTestSupport.RepoPath(ApprovedFile);
        string approved = File.Exists(approvedPath) ? File.ReadAllText(approvedPath).ReplaceLineEndings("\n") : "";
        if (approved != received)
        {
            File.WriteAllText(Path.ChangeExtension(approvedPath, null).Replace(".approved", ".received") + ".txt", received);
            Assert.Fail($"{ApprovedFile} differs from the model's listing ({lines.Count} keys); see the .received.txt beside it");
        }
    }

    /// <summary>Parameter count derived from the diffusers architecture, independently of the C# modules.</summary>
    internal static long ExpectedParameters(AutoencoderKLCogVideoXConfig c)
    {
        int[] ch = [.. c.BlockOutChannels];
        int n = ch.Length, z = c.LatentChannels, level = c.TemporalCompressLevel;
        static long Conv3(long i, long o) => i * o * 27 + o;
        static long Conv2(long i, long o) => i * o * 9 + o;
        static long Gn(long ch) => 2 * ch;
        long SpatialNorm(long f) => Gn(f) + 2 * (z * f + f);
        long EncRes(long i, long o) => Gn(i) + Conv3(i, o) + Gn(o) + Conv3(o, o) + (i != o ? i * o + o : 0);
        long DecRes(long i, long o) => SpatialNorm(i) + Conv3(i, o) + SpatialNorm(o) + Conv3(o, o) + (i != o ? i * o + o : 0);

        long enc = Conv3(c.InChannels, ch[0]);
        for (int i = 0; i < n; i++)
        {
            int input = i == 0 ? ch[0] : ch[i - 1];
            for (int j = 0; j < c.LayersPerBlock; j++) enc += EncRes(j == 0 ? input : ch[i], ch[i]);
            if (i < n - 1) enc += Conv2(ch[i], ch[i]);
        }
        enc += 2 * EncRes(ch[^1], ch[^1]) + Gn(ch[^1]) + Conv3(ch[^1], 2 * z);

        int[] rev = [.. ch.Reverse()];
        long dec = Conv3(z, rev[0]) + 2 * DecRes(rev[0], rev[0]);
        for (int i = 0; i < n; i++)
        {
            int input = i == 0 ? rev[0] : rev[i - 1];
            for (int j = 0; j < c.LayersPerBlock + 1; j++) dec += DecRes(j == 0 ? input : rev[i], rev[i]);
            if (i < n - 1) dec += Conv2(rev[i], rev[i]);
        }
        dec += SpatialNorm(rev[^1]) + Conv3(rev[^1], c.OutChannels);
        _ = level;
        return enc + dec;
    }
}
