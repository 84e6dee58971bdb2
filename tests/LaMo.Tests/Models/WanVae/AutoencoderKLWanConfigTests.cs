using LaMo.Models.WanVae;
using Xunit;

namespace LaMo.Tests.Models.WanVae;

[Collection("Torch")]   // draws from TorchSharp's global generator
public sealed class AutoencoderKLWanConfigTests
{
    [Fact]
    public void PublishedFiles_ParseToThePresets()
    {
        var w21 = AutoencoderKLWanConfig.Load(WanVaeTestSupport.RepoPath("configs/wan2.1-t2v-1.3b/vae/config.json"));
        var w22 = AutoencoderKLWanConfig.Load(WanVaeTestSupport.RepoPath("configs/wan2.2-ti2v-5b/vae/config.json"));
        Assert.Equal(AutoencoderKLWanConfig.Wan21.ToJson(), (w21 with { DiffusersVersion = null, NameOrPath = null }).ToJson());
        Assert.Equal(AutoencoderKLWanConfig.Wan22.ToJson(), (w22 with { DiffusersVersion = null, NameOrPath = null, ClipOutput = null }).ToJson());
        Assert.Equal((8, 4, 3), (w21.SpatialCompression, w21.TemporalCompression, w21.VideoInChannels));
        Assert.Equal((16, 4, 3, 256), (w22.SpatialCompression, w22.TemporalCompression, w22.VideoOutChannels, w22.DecoderDim));
    }

    [Fact]
    public void ToJson_FromJson_RoundTrips()
    {
        var json = AutoencoderKLWanConfig.Wan22.ToJson();
        Assert.Equal(json, AutoencoderKLWanConfig.FromJson(json).ToJson());
    }

    [Fact]
    public void FromJson_UnknownKey_ThrowsNamingIt()
    {
        var json = AutoencoderKLWanConfig.Wan21.ToJson().Replace("\"base_dim\"", "\"tile_size\": 3, \"base_dim\"");
        var e = Assert.Throws<InvalidDataException>(() => AutoencoderKLWanConfig.FromJson(json, "vae/config.json"));
        Assert.Contains("tile_size", e.Message);
        Assert.Contains("vae/config.json", e.Message);
    }

    public static TheoryData<string, string> BadFields() => new()
    {
        { """{"latents_std": [1, 2]}""", "latents_std" },
        { """{"latents_std": [1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 0]}""", "latents_std[15]" },
        { """{"temperal_downsample": [true, true]}""", "temperal_downsample" },
        { """{"scale_factor_spatial": 16}""", "scale_factor_spatial" },
        { """{"scale_factor_temporal": 8}""", "scale_factor_temporal" },
        { """{"patch_size": 2}""", "in_channels" },
        { """{"_class_name": "AutoencoderKLCogVideoX"}""", "_class_name" },
        { """{"base_dim": 0}""", "base_dim" },
        { """{"dropout": 1.0}""", "dropout" },
        { """{"dim_mult": [1]}""", "dim_mult" },
    };

    [Theory]
    [MemberData(nameof(BadFields))]
    public void FromJson_BadField_ThrowsNamingIt(string json, string field)
    {
        var e = Assert.Throws<InvalidDataException>(() => AutoencoderKLWanConfig.FromJson(json));
        Assert.Contains(field, e.Message);
    }

    [Fact]
    public void FromJson_AttentionScales_NotSupported()
    {
        var e = Assert.Throws<NotSupportedException>(() => AutoencoderKLWanConfig.FromJson("""{"attn_scales": [0.5]}"""));
        Assert.Contains("attn_scales", e.Message);
    }

    [Fact]
    public void Limits_AbsurdConfig_RefusedBeforeAllocation()
    {
        string dir = Path.Combine(Path.GetTempPath(), "lamo-wanvae-cfg-" + Guid.NewGuid().ToString("N"));
        Directory.CreateDirectory(dir);
        try
        {
            File.WriteAllText(Path.Combine(dir, "config.json"), """{"base_dim": 8192, "dim_mult": [1, 1, 1, 1, 1, 1, 1, 1], "num_res_blocks": 64, "temperal_downsample": [false, false, false, false, false, false, false], "scale_factor_spatial": 128, "scale_factor_temporal": 1}""");
            var e = Assert.Throws<InvalidDataException>(() => WanVaeLimits.Load(dir));
            Assert.Contains("parameter", e.Message);
        }
        finally { Directory.Delete(dir, recursive: true); }
    }
}
