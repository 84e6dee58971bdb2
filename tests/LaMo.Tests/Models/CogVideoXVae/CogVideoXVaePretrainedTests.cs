using LaMo.Core;
using LaMo.Models.CogVideoXVae;
using Xunit;
using static LaMo.Tests.Models.CogVideoXVae.VaeTestSupport;
using static TorchSharp.torch;

namespace LaMo.Tests.Models.CogVideoXVae;

public sealed class CogVideoXVaePretrainedTests : IDisposable
{
    private readonly string _folder = Path.Combine(Path.GetTempPath(), "lamo-vae-test-" + Guid.NewGuid().ToString("N"));

    public void Dispose()
    {
        if (Directory.Exists(_folder)) Directory.Delete(_folder, recursive: true);
    }

    [Fact]
    public void SavePretrained_ThenFromPretrained_BitIdenticalWeightsConfigAndOutput()
    {
        using var scope = NewDisposeScope();
        using var vae = NewSmall(seed: 3);
        vae.SavePretrained(_folder);
        Assert.True(File.Exists(Path.Combine(_folder, "config.json")));
        Assert.True(File.Exists(Path.Combine(_folder, "diffusion_pytorch_model.safetensors")));

        using var loaded = AutoencoderKLCogVideoX.FromPretrained(_folder);
        Assert.Equal(vae.Config.ToJson(), loaded.Config.ToJson());
        var expected = vae.state_dict();
        var actual = loaded.state_dict();
        Assert.Equal(expected.Keys.Order(), actual.Keys.Order());
        foreach (var (key, t) in expected)
        {
            Assert.Equal(t.shape, actual[key].shape);
            Assert.True(MaxAbs(t, actual[key]) == 0.0, $"{key} differs after the round trip");
        }
        using var noGrad = no_grad();
        var video = Rand(1, 3, 5, 8, 8) * 2 - 1;
        using var a = vae.Encode(video);
        using var b = loaded.Encode(video);
        Assert.Equal(0.0, MaxAbs(a.Moments, b.Moments));
    }

    [Fact]
    public void FromPretrained_Bf16_ConvertsWeights()
    {
        using var scope = NewDisposeScope();
        using var vae = NewSmall(seed: 4);
        vae.SavePretrained(_folder);
        using var loaded = AutoencoderKLCogVideoX.FromPretrained(_folder, ScalarType.BFloat16);
        Assert.All(loaded.parameters(), p => Assert.Equal(ScalarType.BFloat16, p.dtype));
    }

    [Fact]
    public void FromPretrained_MissingWeight_ThrowsNamingKey()
    {
        using var scope = NewDisposeScope();
        using var vae = NewSmall(seed: 5);
        vae.SavePretrained(_folder);
        var weights = vae.state_dict().Where(kv => kv.Key != "decoder.norm_out.conv_y.conv.bias");
        SafetensorsWriter.Save(Path.Combine(_folder, "diffusion_pytorch_model.safetensors"), weights);
        var e = Assert.Throws<InvalidDataException>(() => AutoencoderKLCogVideoX.FromPretrained(_folder));
        Assert.Contains("decoder.norm_out.conv_y.conv.bias", e.Message);
    }

    [Fact]
    public void FromPretrained_UnknownConfigKey_ThrowsNamingKey()
    {
        using var scope = NewDisposeScope();
        using var vae = NewSmall(seed: 6);
        vae.SavePretrained(_folder);
        string path = Path.Combine(_folder, "config.json");
        File.WriteAllText(path, File.ReadAllText(path).Replace("\"in_channels\"", "\"tile_overlap\": 1, \"in_channels\""));
        var e = Assert.Throws<InvalidDataException>(() => AutoencoderKLCogVideoX.FromPretrained(_folder));
        Assert.Contains("tile_overlap", e.Message);
    }
}
