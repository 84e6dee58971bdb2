using LaMo.Core;
using LaMo.Models.CogVideoX;
using Xunit;
using static TorchSharp.torch;

namespace LaMo.Tests.Models.CogVideoX;

[Collection("Torch")]   // draws from TorchSharp's global generator
public sealed class CogVideoXPretrainedTests : IDisposable
{
    private readonly string _dir = Path.Combine(Path.GetTempPath(), "lamo-backbone-" + Guid.NewGuid().ToString("N"));

    public void Dispose() { if (Directory.Exists(_dir)) Directory.Delete(_dir, true); }

    private static void AssertBitIdentical(CogVideoXTransformer3DModel a, CogVideoXTransformer3DModel b)
    {
        var sa = a.state_dict(); var sb = b.state_dict();
        Assert.Equal(sa.Keys.Order(), sb.Keys.Order());
        foreach (var (k, t) in sa)
            Assert.True(t.dtype == sb[k].dtype && t.equal(sb[k]).all().item<bool>(), $"{k} differs after the round trip");
    }

    [Theory]
    [InlineData(long.MaxValue, 1)]   // single file
    [InlineData(40_000, 4)]          // forced shards (the tiny model is ~190 kB)
    public void SaveThenLoad_Tiny_BitIdenticalWeightsAndOutput(long maxShard, int minWeightFiles)
    {
        manual_seed(1);
        using var model = new CogVideoXTransformer3DModel(CogVideoXTransformerPresets.Tiny);
        model.eval();
        var files = model.SavePretrained(_dir, maxShard);
        Assert.True(files.Count(f => f.EndsWith(".safetensors", StringComparison.Ordinal)) >= minWeightFiles);
        using var loaded = CogVideoXTransformer3DModel.FromPretrained(_dir, ScalarType.Float32);
        Assert.Equal(model.Config, loaded.Config);
        AssertBitIdentical(model, loaded);

        using var x = randn(new long[] { 1, 2, 16, 8, 8 }); using var text = randn(new long[] { 1, 5, 32 }); using var t = tensor(new long[] { 700 });
        var rope = CogVideoXRotaryEmbedding.PrepareRotaryPositionalEmbeddings(model.Config, 64, 64, 2);
        using (no_grad())
        {
            using var ya = model.forward(x, text, t, rope);
            using var yb = loaded.forward(x, text, t, rope);
            Assert.True(ya.equal(yb).all().item<bool>());
        }
    }

    [Fact]
    public void FromPretrained_BFloat16_ConvertsEveryParameter()
    {
        using var model = new CogVideoXTransformer3DModel(CogVideoXTransformerPresets.Tiny);
        model.SavePretrained(_dir);
        using var loaded = CogVideoXTransformer3DModel.FromPretrained(_dir, ScalarType.BFloat16);
        Assert.All(loaded.parameters(), p => Assert.Equal(ScalarType.BFloat16, p.dtype));
    }

    [Fact]
    public void Forward_InBFloat16_MatchesFloat32WithinBFloat16Precision()
    {
        manual_seed(2);
        using var model = new CogVideoXTransformer3DModel(CogVideoXTransformerPresets.Tiny);
        model.eval();
        model.SavePretrained(_dir);
        using var bf = CogVideoXTransformer3DModel.FromPretrained(_dir, ScalarType.BFloat16);
        bf.eval();
        using var x = randn(new long[] { 1, 2, 16, 8, 8 }); using var text = randn(new long[] { 1, 5, 32 }); using var t = tensor(new long[] { 700 });
        var rope = CogVideoXRotaryEmbedding.PrepareRotaryPositionalEmbeddings(model.Config, 64, 64, 2);
        using (no_grad())
        {
            using var y32 = model.forward(x, text, t, rope);
            using var y16 = bf.forward(x.to_type(ScalarType.BFloat16), text.to_type(ScalarType.BFloat16), t, rope);
            Assert.Equal(ScalarType.BFloat16, y16.dtype);
            double rel = ((y16.to_type(ScalarType.Float32) - y32).norm() / y32.norm()).item<float>();
            Assert.True(rel < 0.03, $"relative error {rel}");
        }
    }

    [Fact]
    public void FromPretrained_MissingWeights_NamesTheFolder()
    {
        Directory.CreateDirectory(_dir);
        File.WriteAllText(Path.Combine(_dir, "config.json"), CogVideoXTransformerPresets.Tiny.ToJson());
        var e = Assert.Throws<FileNotFoundException>(() => CogVideoXTransformer3DModel.FromPretrained(_dir));
        Assert.Contains(_dir, e.Message);
    }

    [Fact]
    public void FromPretrained_MissingConfig_NamesConfigJson()
    {
        Directory.CreateDirectory(_dir);
        var e = Assert.Throws<FileNotFoundException>(() => CogVideoXTransformer3DModel.FromPretrained(_dir));
        Assert.Contains("config.json", e.Message);
    }

    [Fact]
    public void FromPretrained_MissingKey_NamesTheKey()
    {
        using var model = new CogVideoXTransformer3DModel(CogVideoXTransformerPresets.Tiny);
        var sd = StateDictLoader.StateDict(model);
        sd.Remove("transformer_blocks.1.attn1.norm_k.weight");
        Directory.CreateDirectory(_dir);
        File.WriteAllText(Path.Combine(_dir, "config.json"), model.Config.ToJson());
        SafetensorsWriter.Save(Path.Combine(_dir, "diffusion_pytorch_model.safetensors"), sd);
        var e = Assert.Throws<InvalidDataException>(() => CogVideoXTransformer3DModel.FromPretrained(_dir));
        Assert.Contains("transformer_blocks.1.attn1.norm_k.weight", e.Message);
    }
}
