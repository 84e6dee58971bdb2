using LaMo.Models.Wan;
using Xunit;

namespace LaMo.Tests.Models.Wan;

public sealed class WanTransformerConfigTests
{
    /// <summary>The transformer/config.json of Wan-AI/Wan2.1-T2V-1.3B-Diffusers as diffusers 0.33.0.dev0 wrote it (text
    /// taken from a public mirror of that file): it has no <c>pos_embed_seq_len</c> key, which later versions add.</summary>
    private const string Published13B = """
        {
          "_class_name": "WanTransformer3DModel",
          "_diffusers_version": "0.33.0.dev0",
          "added_kv_proj_dim": null,
          "attention_head_dim": 128,
          "cross_attn_norm": true,
          "eps": 1e-06,
          "ffn_dim": 8960,
          "freq_dim": 256,
          "image_dim": null,
          "in_channels": 16,
          "num_attention_heads": 12,
          "num_layers": 30,
          "out_channels": 16,
          "patch_size": [1, 2, 2],
          "qk_norm": "rms_norm_across_heads",
          "rope_max_seq_len": 1024,
          "text_dim": 4096
        }
        """;

    [Fact]
    public void FromJson_Empty_TakesDiffusersDefaults()
    {
        var c = WanTransformerConfig.FromJson("{}");
        Assert.Equal((40, 128, 16, 16, 4096, 256, 13824, 40, 1024), (c.NumAttentionHeads, c.AttentionHeadDim, c.InChannels, c.ResolvedOutChannels, c.TextDim, c.FreqDim, c.FfnDim, c.NumLayers, c.RopeMaxSeqLen));
        Assert.Equal(new WanPatchSize(1, 2, 2), c.PatchSize);
        Assert.True(c.CrossAttnNorm);
        Assert.Equal(1e-6, c.Eps);
    }

    [Fact]
    public void FromJson_PublishedWan21_1_3B_EqualsPresetButVersion() =>
        Assert.Equal(WanTransformerPresets.Wan21T2V1_3B with { DiffusersVersion = "0.33.0.dev0" }, WanTransformerConfig.FromJson(Published13B));

    [Fact]
    public void FromJson_UnknownKey_Throws()
    {
        var e = Assert.Throws<InvalidDataException>(() => WanTransformerConfig.FromJson("{\"window_size\": [-1, -1]}"));
        Assert.Contains("window_size", e.Message);
    }

    [Theory]
    [InlineData("{\"num_attention_heads\": 0}", "num_attention_heads")]
    [InlineData("{\"attention_head_dim\": 15}", "attention_head_dim")]
    [InlineData("{\"num_layers\": 100000}", "num_layers")]
    [InlineData("{\"patch_size\": [1, 2]}", "patch_size")]
    [InlineData("{\"patch_size\": [1, 2, 2, 2]}", "patch_size")]
    [InlineData("{\"patch_size\": 2}", "patch_size")]
    [InlineData("{\"patch_size\": [1, 0, 2]}", "patch_size[1]")]
    [InlineData("{\"eps\": 0}", "eps")]
    [InlineData("{\"rope_max_seq_len\": 0}", "rope_max_seq_len")]
    [InlineData("{\"ffn_dim\": -1}", "ffn_dim")]
    [InlineData("{\"num_attention_heads\": 1000, \"attention_head_dim\": 1000}", "num_attention_heads")]
    [InlineData("{\"_class_name\": \"CogVideoXTransformer3DModel\"}", "_class_name")]
    [InlineData("{\"in_channels\": \"16\"}", "in_channels")]
    public void FromJson_BadValue_NamesTheField(string json, string field)
    {
        var e = Assert.Throws<InvalidDataException>(() => WanTransformerConfig.FromJson(json));
        Assert.Contains(field, e.Message);
    }

    [Theory]
    [InlineData("{\"image_dim\": 1280}", "image_dim")]
    [InlineData("{\"added_kv_proj_dim\": 5120}", "added_kv_proj_dim")]
    [InlineData("{\"pos_embed_seq_len\": 514}", "pos_embed_seq_len")]
    [InlineData("{\"qk_norm\": \"rms_norm\"}", "qk_norm")]
    [InlineData("{\"qk_norm\": null}", "qk_norm")]
    public void FromJson_ImageToVideoOrOtherNorm_NotSupportedNamingTheKey(string json, string key)
    {
        var e = Assert.Throws<NotSupportedException>(() => WanTransformerConfig.FromJson(json, "transformer/config.json"));
        Assert.Contains(key, e.Message);
        Assert.Contains("transformer/config.json", e.Message);
    }

    [Fact]
    public void OutChannels_NullOrZero_MeansInChannels()
    {
        Assert.Equal(48, WanTransformerConfig.FromJson("{\"in_channels\": 48, \"out_channels\": null}").ResolvedOutChannels);
        Assert.Equal(48, WanTransformerConfig.FromJson("{\"in_channels\": 48, \"out_channels\": 0}").ResolvedOutChannels);
    }

    [Fact]
    public void ToJson_RoundTrip_Equal()
    {
        var c = WanTransformerPresets.Wan22TI2V5B with { NameOrPath = "x", PatchSize = new WanPatchSize(2, 2, 2) };
        var json = c.ToJson();
        Assert.Contains("\"image_dim\": null", json);
        Assert.Contains("\"qk_norm\": \"rms_norm_across_heads\"", json);
        Assert.Equal(c, WanTransformerConfig.FromJson(json));
    }

    [Fact]
    public void RopeSplit_FollowsDiffusers()
    {
        Assert.Equal((44, 42, 42), WanRotaryPosEmbed.Split(128));
        Assert.Equal((8, 4, 4), WanRotaryPosEmbed.Split(16));
        Assert.Equal((8, 8, 8), WanRotaryPosEmbed.Split(24));
    }
}
