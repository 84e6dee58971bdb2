using LaMo.Core;
using LaMo.Models.WanVae;
using Xunit;
using static LaMo.Tests.Models.WanVae.WanVaeTestSupport;
using static TorchSharp.torch;

namespace LaMo.Tests.Models.WanVae;

[Collection("Torch")]   // draws from TorchSharp's global generator
public sealed class WanVaePretrainedTests : IDisposable
{
    private readonly string _folder = Path.Combine(Path.GetTempPath(), "lamo-wanvae-test-" + Guid.NewGuid().ToString("N"));

    public void Dispose()
    {
        if (Directory.Exists(_folder)) Directory.Delete(_folder, recursive: true);
    }

    [Fact]
    public void SavePretrained_ThenFromPretrained_BitIdenticalConfigWeightsAndVideo()
    {
        using var scope = NewDisposeScope();
        using var vae = New(Tiny22, seed: 6);
        vae.SavePretrained(_folder);
        using var loaded = AutoencoderKLWan.FromPretrained(_folder);
        Assert.Equal(vae.Config.ToJson(), loaded.Config.ToJson());
        var expected = vae.state_dict();
        var actual = loaded.state_dict();
        Assert.Equal(expected.Keys.Order(), actual.Keys.Order());
        foreach (var (key, t) in expected) Assert.True(MaxAbs(t, actual[key]) == 0.0, $"{key} differs after the round trip");
        using var noGrad = no_grad();
        var z = randn([1, 4, 2, 2, 2]);
        Assert.Equal(0.0, MaxAbs(vae.Decode(z), loaded.Decode(z)));
    }

    [Fact]
    public void FromPretrained_MissingWeight_ThrowsNamingKey()
    {
        using var scope = NewDisposeScope();
        using var vae = New(Tiny21, seed: 7);
        vae.SavePretrained(_folder);
        var weights = vae.state_dict().Where(kv => kv.Key != "decoder.up_blocks.0.upsamplers.0.time_conv.bias");
        SafetensorsWriter.Save(Path.Combine(_folder, "diffusion_pytorch_model.safetensors"), weights);
        var e = Assert.Throws<InvalidDataException>(() => AutoencoderKLWan.FromPretrained(_folder));
        Assert.Contains("decoder.up_blocks.0.upsamplers.0.time_conv.bias", e.Message);
    }

    [Fact]
    public void FromPretrained_UnexpectedWeight_ThrowsNamingKey()
    {
        using var scope = NewDisposeScope();
        using var vae = New(Tiny21, seed: 8);
        vae.SavePretrained(_folder);
        var weights = vae.state_dict().Append(new("encoder.conv_in.conv.weight", zeros([1])));
        SafetensorsWriter.Save(Path.Combine(_folder, "diffusion_pytorch_model.safetensors"), weights);
        var e = Assert.Throws<InvalidDataException>(() => AutoencoderKLWan.FromPretrained(_folder));
        Assert.Contains("encoder.conv_in.conv.weight", e.Message);
    }

    [Fact]
    public void FromPretrained_Bf16_ConvertsWeightsAndDecodes()
    {
        using var scope = NewDisposeScope();
        using var vae = New(Tiny21, seed: 9);
        vae.SavePretrained(_folder);
        using var loaded = AutoencoderKLWan.FromPretrained(_folder, ScalarType.BFloat16);
        Assert.All(loaded.parameters(), p => Assert.Equal(ScalarType.BFloat16, p.dtype));
        using var noGrad = no_grad();
        var video = loaded.Decode(randn([1, 4, 2, 2, 2], dtype: ScalarType.BFloat16));
        Assert.Equal(ScalarType.BFloat16, video.dtype);
        Assert.True(video.isfinite().all().item<bool>());
    }
}
