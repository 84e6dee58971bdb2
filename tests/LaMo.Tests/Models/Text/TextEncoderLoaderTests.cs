using LaMo.Models.Text;
using Xunit;
using static TorchSharp.torch;

namespace LaMo.Tests.Models.Text;

[Collection("Torch")]
public class TextEncoderLoaderTests
{
    [Fact]
    public void FromPretrained_WordEncoder_ReturnsWordEncoder()
    {
        using var dir = new TempDir();
        manual_seed(0);
        using (var enc = new WordTextEncoder(WordTextEncoderConfig.Default with { NumLayers = 1 })) enc.Save(dir.Sub("text_encoder"));
        using var loaded = TextEncoderLoader.FromPretrained(dir.Path);
        Assert.IsType<WordTextEncoder>(loaded);
        Assert.Equal(64, loaded.EmbeddingDim);
    }

    [Fact]
    public void FromPretrained_MissingConfig_NamesFile()
    {
        using var dir = new TempDir();
        var e = Assert.Throws<FileNotFoundException>(() => TextEncoderLoader.FromPretrained(dir.Path));
        Assert.Contains(Path.Combine("text_encoder", "config.json"), e.Message);
    }

    [Theory]
    [InlineData("{\"_class_name\": \"CLIPTextModel\"}", "CLIPTextModel")]
    [InlineData("{\"d_model\": 4}", "_class_name")]
    [InlineData("not json", "config.json")]
    public void FromPretrained_UnknownOrMissingClass_Throws(string json, string expectedInMessage)
    {
        using var dir = new TempDir();
        Directory.CreateDirectory(dir.Sub("text_encoder"));
        File.WriteAllText(dir.Sub("text_encoder", "config.json"), json);
        var e = Assert.Throws<InvalidDataException>(() => TextEncoderLoader.FromPretrained(dir.Path));
        Assert.Contains(expectedInMessage, e.Message);
    }

    [Fact]
    public void WordConfig_UnknownKey_Throws()
    {
        using var dir = new TempDir();
        Directory.CreateDirectory(dir.Sub("text_encoder"));
        File.WriteAllText(dir.Sub("text_encoder", "config.json"), "{\"_class_name\": \"WordTextEncoder\", \"hidden\": 3}");
        var e = Assert.Throws<InvalidDataException>(() => TextEncoderLoader.FromPretrained(dir.Path));
        Assert.Contains("hidden", e.Message);
    }
}
