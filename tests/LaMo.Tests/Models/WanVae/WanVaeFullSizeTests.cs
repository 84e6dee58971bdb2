using LaMo.Models.WanVae;
using Xunit;
using Xunit.Abstractions;
using static TorchSharp.torch;

namespace LaMo.Tests.Models.WanVae;

/// <summary>The published Wan 2.1 and Wan 2.2 VAE configurations built on the <c>meta</c> device (shapes, no memory),
/// against the published checkpoints' totals.</summary>
/// <remarks>Sources of the expected totals (the diffusers conversion renames keys one to one, so the native and the
/// diffusers checkpoints hold the same tensors):
/// <list type="bullet">
/// <item>Wan 2.1 VAE: 126,892,531 parameters in 194 fp32 tensors (484.057 MiB), as recorded by independent loaders of
/// the released <c>Wan2.1_VAE.pth</c> / <c>vae/diffusion_pytorch_model.safetensors</c> found on GitHub; the Wan report
/// (Wan et al., arXiv:2503.20314, 2025) rounds it to "127M".</item>
/// <item>Wan 2.2 VAE (TI2V-5B): 704,688,668 parameters in 196 fp32 tensors, as recorded by independent loaders of the
/// released <c>Wan2.2_VAE.pth</c> (2,818,839,170 bytes = 4 bytes × 704,688,668 + 84,498 bytes of pickle framing).</item>
/// </list>
/// We could not read the Hugging Face file listings from this machine, so these are third-party records of the
/// published files, consistent with each other and with the file sizes, not a listing we checked ourselves.</remarks>
[Collection("Torch")]   // draws from TorchSharp's global generator
public sealed class WanVaeFullSizeTests(ITestOutputHelper output)
{
    [Theory]
    [InlineData("configs/wan2.1-t2v-1.3b/vae/config.json", 126_892_531L, 194)]
    [InlineData("configs/wan2.2-ti2v-5b/vae/config.json", 704_688_668L, 196)]
    public void Meta_PublishedConfig_ParameterTotalEqualsPublishedCheckpoint(string path, long expectedParameters, int expectedTensors)
    {
        var config = WanVaeLimits.Load(WanVaeTestSupport.RepoPath(path));
        using var vae = new AutoencoderKLWan(config, META);
        int tensors = vae.state_dict().Count;
        output.WriteLine($"{path}: {vae.ParameterCount:N0} parameters, {tensors} tensors, limit estimate {WanVaeLimits.Parameters(config):N0}");
        Assert.Equal(expectedParameters, vae.ParameterCount);
        Assert.Equal(expectedTensors, tensors);
        Assert.All(vae.parameters(), p => Assert.Equal(TorchSharp.DeviceType.META, p.device_type));
        // The resource bound's estimate is close enough to refuse only absurd configs.
        Assert.InRange(WanVaeLimits.Parameters(config), expectedParameters * 0.9, expectedParameters * 1.1);
    }

    [Fact]
    public void Meta_Wan21_KeysAndShapesFollowDiffusers()
    {
        using var vae = new AutoencoderKLWan(AutoencoderKLWanConfig.Wan21, META);
        var lines = Listing(vae);
        foreach (var key in new[]
        {
            "encoder.conv_in.weight [96, 3, 3, 3, 3]",
            "encoder.down_blocks.0.norm1.gamma [96, 1, 1, 1]",
            "encoder.down_blocks.2.resample.1.weight [96, 96, 3, 3]",
            "encoder.down_blocks.5.time_conv.weight [192, 192, 3, 1, 1]",
            "encoder.down_blocks.6.conv_shortcut.weight [384, 192, 1, 1, 1]",
            "encoder.mid_block.attentions.0.norm.gamma [384, 1, 1]",
            "encoder.mid_block.attentions.0.to_qkv.weight [1152, 384, 1, 1]",
            "encoder.conv_out.weight [32, 384, 3, 3, 3]",
            "quant_conv.weight [32, 32, 1, 1, 1]",
            "post_quant_conv.weight [16, 16, 1, 1, 1]",
            "decoder.conv_in.weight [384, 16, 3, 3, 3]",
            "decoder.up_blocks.0.upsamplers.0.time_conv.weight [768, 384, 3, 1, 1]",
            "decoder.up_blocks.0.upsamplers.0.resample.1.weight [192, 384, 3, 3]",
            "decoder.up_blocks.1.resnets.0.conv1.weight [384, 192, 3, 3, 3]",
            "decoder.up_blocks.2.upsamplers.0.resample.1.weight [96, 192, 3, 3]",
            "decoder.norm_out.gamma [96, 1, 1, 1]",
            "decoder.conv_out.weight [3, 96, 3, 3, 3]",
        })
            Assert.Contains(key, lines);
        Assert.DoesNotContain(lines, l => l.StartsWith("decoder.up_blocks.3.upsamplers", StringComparison.Ordinal));
        Assert.DoesNotContain(lines, l => l.StartsWith("decoder.up_blocks.2.upsamplers.0.time_conv", StringComparison.Ordinal));
    }

    [Fact]
    public void Meta_Wan22_KeysAndShapesFollowDiffusers()
    {
        using var vae = new AutoencoderKLWan(AutoencoderKLWanConfig.Wan22, META);
        var lines = Listing(vae);
        foreach (var key in new[]
        {
            "encoder.conv_in.weight [160, 12, 3, 3, 3]",
            "encoder.down_blocks.0.resnets.1.conv2.weight [160, 160, 3, 3, 3]",
            "encoder.down_blocks.0.downsampler.resample.1.weight [160, 160, 3, 3]",
            "encoder.down_blocks.1.downsampler.time_conv.weight [320, 320, 3, 1, 1]",
            "encoder.down_blocks.3.resnets.0.conv1.weight [640, 640, 3, 3, 3]",
            "encoder.conv_out.weight [96, 640, 3, 3, 3]",
            "decoder.conv_in.weight [1024, 48, 3, 3, 3]",
            "decoder.up_blocks.0.upsampler.time_conv.weight [2048, 1024, 3, 1, 1]",
            "decoder.up_blocks.0.upsampler.resample.1.weight [1024, 1024, 3, 3]",
            "decoder.up_blocks.2.resnets.0.conv_shortcut.weight [512, 1024, 1, 1, 1]",
            "decoder.up_blocks.2.upsampler.resample.1.weight [512, 512, 3, 3]",
            "decoder.up_blocks.3.resnets.2.conv2.weight [256, 256, 3, 3, 3]",
            "decoder.conv_out.weight [12, 256, 3, 3, 3]",
        })
            Assert.Contains(key, lines);
        Assert.DoesNotContain(lines, l => l.StartsWith("encoder.down_blocks.3.downsampler", StringComparison.Ordinal)
                                          || l.StartsWith("decoder.up_blocks.3.upsampler", StringComparison.Ordinal)
                                          || l.StartsWith("decoder.up_blocks.2.upsampler.time_conv", StringComparison.Ordinal));
    }

    private static List<string> Listing(AutoencoderKLWan vae) =>
        vae.state_dict().OrderBy(kv => kv.Key, StringComparer.Ordinal).Select(kv => $"{kv.Key} [{string.Join(", ", kv.Value.shape)}]").ToList();
}
