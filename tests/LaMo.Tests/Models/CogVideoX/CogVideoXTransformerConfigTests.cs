using LaMo.Models.CogVideoX;
using Xunit;

namespace LaMo.Tests.Models.CogVideoX;

public sealed class CogVideoXTransformerConfigTests
{
    [Fact]
    public void FromJson_Empty_TakesDiffusersDefaults()
    {
        var c = CogVideoXTransformerConfig.FromJson("{}");
        Assert.Equal((30, 64, 30, 16, 4096, 226, 60, 90, 49), (c.NumAttentionHeads, c.AttentionHeadDim, c.NumLayers, c.InChannels, c.TextEmbedDim, c.MaxTextSeqLength, c.SampleHeight, c.SampleWidth, c.SampleFrames));
        Assert.False(c.UseRotaryPositionalEmbeddings);
        Assert.Equal(1.875, c.SpatialInterpolationScale);
    }

    [Fact]
    public void FromJson_UnknownKey_Throws()
    {
        var e = Assert.Throws<InvalidDataException>(() => CogVideoXTransformerConfig.FromJson("{\"num_heads\": 4}"));
        Assert.Contains("num_heads", e.Message);
    }

    [Theory]
    [InlineData("{\"num_attention_heads\": 0}", "num_attention_heads")]
    [InlineData("{\"attention_head_dim\": 15}", "attention_head_dim")]
    [InlineData("{\"num_layers\": 100000}", "num_layers")]
    [InlineData("{\"patch_size\": 0}", "patch_size")]
    [InlineData("{\"dropout\": 1.5}", "dropout")]
    [InlineData("{\"norm_eps\": 0}", "norm_eps")]
    [InlineData("{\"num_attention_heads\": 1000, \"attention_head_dim\": 1000}", "num_attention_heads")]
    [InlineData("{\"_class_name\": \"UNet2DModel\"}", "_class_name")]
    public void FromJson_BadValue_NamesTheField(string json, string field)
    {
        var e = Assert.Throws<InvalidDataException>(() => CogVideoXTransformerConfig.FromJson(json));
        Assert.Contains(field, e.Message);
    }

    [Theory]
    [InlineData("{\"patch_size_t\": 2}")]
    [InlineData("{\"ofs_embed_dim\": 512}")]
    [InlineData("{\"use_learned_positional_embeddings\": true}")]
    [InlineData("{\"activation_fn\": \"geglu\"}")]
    public void FromJson_CogVideoX15Feature_NotSupported(string json) =>
        Assert.Throws<NotSupportedException>(() => CogVideoXTransformerConfig.FromJson(json));

    [Fact]
    public void ToJson_RoundTrip_Equal()
    {
        var c = CogVideoXTransformerPresets.CogVideoX5B with { NameOrPath = "x" };
        var json = c.ToJson();
        Assert.Contains("\"use_rotary_positional_embeddings\": true", json);
        Assert.Contains("\"patch_size_t\": null", json);
        Assert.Equal(c, CogVideoXTransformerConfig.FromJson(json));
    }
}
