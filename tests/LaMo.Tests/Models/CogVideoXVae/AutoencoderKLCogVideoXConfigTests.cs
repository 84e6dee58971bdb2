using LaMo.Models.CogVideoXVae;
using Xunit;

namespace LaMo.Tests.Models.CogVideoXVae;

public sealed class AutoencoderKLCogVideoXConfigTests
{
    [Fact]
    public void FromJson_RoundTrip_PreservesEveryField()
    {
        var custom = AutoencoderKLCogVideoXConfig.Tiny with
        {
            DiffusersVersion = "0.33.0", ScalingFactor = 0.5, UseQuantConv = true, ShiftFactor = 0.25,
            LatentsMean = [0.1, 0.2], NormEps = 1e-5, TemporalCompressionRatio = 2,
        };
        string json = custom.ToJson();
        var back = AutoencoderKLCogVideoXConfig.FromJson(json);
        Assert.Equal(json, back.ToJson());
        Assert.Equal(0.5, back.ScalingFactor);
        Assert.True(back.UseQuantConv);
        Assert.Equal([32, 64, 64], back.BlockOutChannels);
        Assert.Equal(1, back.TemporalCompressLevel);
    }

    [Fact]
    public void FromJson_UnknownKey_ThrowsNamingIt()
    {
        var e = Assert.Throws<InvalidDataException>(() =>
            AutoencoderKLCogVideoXConfig.FromJson("""{"latent_channels": 16, "mystery_knob": 3}"""));
        Assert.Contains("mystery_knob", e.Message);
    }

    [Theory]
    [InlineData("""{"block_out_channels": [32, 30], "down_block_types": ["CogVideoXDownBlock3D","CogVideoXDownBlock3D"], "up_block_types": ["CogVideoXUpBlock3D","CogVideoXUpBlock3D"], "temporal_compression_ratio": 2}""", "block_out_channels[1]")]
    [InlineData("""{"latent_channels": 1000000}""", "latent_channels")]
    [InlineData("""{"norm_num_groups": 0}""", "norm_num_groups")]
    [InlineData("""{"temporal_compression_ratio": 3}""", "temporal_compression_ratio")]
    [InlineData("""{"temporal_compression_ratio": 16}""", "temporal_compression_ratio")]
    [InlineData("""{"down_block_types": ["DownEncoderBlock2D"]}""", "down_block_types")]
    [InlineData("""{"_class_name": "AutoencoderKL"}""", "_class_name")]
    [InlineData("""{"scaling_factor": -1}""", "scaling_factor")]
    [InlineData("""{"block_out_channels": [128, 256, 256, 100000]}""", "block_out_channels[3]")]
    public void FromJson_BadField_MessageNamesField(string json, string field)
    {
        var e = Assert.Throws<InvalidDataException>(() => AutoencoderKLCogVideoXConfig.FromJson(json));
        Assert.Contains(field, e.Message);
    }

    [Fact]
    public void FromJson_EmptyObject_TakesDiffusersDefaults_Equal2BFile()
    {
        var defaults = AutoencoderKLCogVideoXConfig.FromJson("{}") with { DiffusersVersion = "x" };
        var file = AutoencoderKLCogVideoXConfig.Load(VaeTestSupport.RepoPath("configs/cogvideox-2b/vae/config.json")) with { DiffusersVersion = "x" };
        Assert.Equal(file.ToJson(), defaults.ToJson());
        Assert.Equal((AutoencoderKLCogVideoXConfig.CogVideoX2B with { DiffusersVersion = "x" }).ToJson(), file.ToJson());
        Assert.Equal(8, file.SpatialCompression);
        Assert.Equal(1.15258426, file.ScalingFactor);
    }

    [Fact]
    public void Load_5BFile_DiffersFrom2BOnlyInScalingFactor()
    {
        var b5 = AutoencoderKLCogVideoXConfig.Load(VaeTestSupport.RepoPath("configs/cogvideox-5b/vae/config.json"));
        Assert.Equal(0.7, b5.ScalingFactor);
        Assert.Equal((AutoencoderKLCogVideoXConfig.CogVideoX5B with { DiffusersVersion = "x" }).ToJson(), (b5 with { DiffusersVersion = "x" }).ToJson());
    }

    [Fact]
    public void Load_TinyFile_EqualsTinyPreset()
    {
        var tiny = AutoencoderKLCogVideoXConfig.Load(VaeTestSupport.RepoPath("configs/tiny/vae/config.json"));
        Assert.Equal((AutoencoderKLCogVideoXConfig.Tiny with { DiffusersVersion = "x" }).ToJson(), (tiny with { DiffusersVersion = "x" }).ToJson());
        Assert.Equal(4, tiny.SpatialCompression);
        Assert.Equal(2, tiny.TemporalCompressLevel);
    }
}
