using LaMo.Core;
using LaMo.Models.Wan;
using Xunit;
using static TorchSharp.torch;

namespace LaMo.Tests.Models.Wan;

[Collection("Torch")]   // draws from TorchSharp's global generator
public sealed class WanTransformerPretrainedTests : IDisposable
{
    private readonly string _dir = Path.Combine(Path.GetTempPath(), "lamo-wan-" + Guid.NewGuid().ToString("N"));

    public void Dispose() { if (Directory.Exists(_dir)) Directory.Delete(_dir, true); }

    private static (Tensor X, Tensor T, Tensor Text) Inputs()
    {
        manual_seed(3);
        return (randn(new long[] { 1, 16, 2, 4, 6 }), tensor(new long[] { 700 }), randn(new long[] { 1, 5, 32 }));
    }

    [Theory]
    [InlineData(long.MaxValue, 1)]   // single file
    [InlineData(40_000, 4)]          // forced shards (the tiny model is ~200 kB)
    public void SaveThenLoad_Tiny_BitIdenticalWeightsAndOutput(long maxShard, int minWeightFiles)
    {
        manual_seed(1);
        using var model = new WanTransformer3DModel(WanTransformerPresets.Tiny);
        model.eval();
        var files = model.SavePretrained(_dir, maxShard);
        Assert.True(files.Count(f => f.EndsWith(".safetensors", StringComparison.Ordinal)) >= minWeightFiles);
        using var loaded = WanTransformer3DModel.FromPretrained(_dir);
        Assert.Equal(model.Config, loaded.Config);
        var sa = model.state_dict(); var sb = loaded.state_dict();
        Assert.Equal(sa.Keys.Order(), sb.Keys.Order());
        foreach (var (k, w) in sa) Assert.True(w.equal(sb[k]).all().item<bool>(), $"{k} differs after the round trip");

        var (x, t, text) = Inputs();
        using (no_grad())
        {
            using var ya = model.forward(x, t, text);
            using var yb = loaded.forward(x, t, text);
            Assert.True(ya.equal(yb).all().item<bool>());
        }
    }

    [Fact]
    public void FromPretrained_PipelineFolder_FindsTransformerSubfolder()
    {
        using var model = new WanTransformer3DModel(WanTransformerPresets.Tiny);
        model.SavePretrained(Path.Combine(_dir, "transformer"));
        using var loaded = WanTransformer3DModel.FromPretrained(_dir);
        Assert.Equal(model.Config, loaded.Config);
    }

    [Fact]
    public void FromPretrained_BFloat16_KeepsDiffusersFloat32ModulesInFloat32()
    {
        using var model = new WanTransformer3DModel(WanTransformerPresets.Tiny);
        model.SavePretrained(_dir);
        using var loaded = WanTransformer3DModel.FromPretrained(_dir, ScalarType.BFloat16);
        foreach (var (name, p) in loaded.named_parameters())
        {
            bool kept = name.Contains("time_embedder", StringComparison.Ordinal) || name.Contains("scale_shift_table", StringComparison.Ordinal)
                        || name.Contains("norm2", StringComparison.Ordinal);
            Assert.True(p.dtype == (kept ? ScalarType.Float32 : ScalarType.BFloat16), $"{name} is {p.dtype}");
        }
    }

    [Fact]
    public void Forward_InBFloat16_MatchesFloat32WithinBFloat16Precision()
    {
        manual_seed(2);
        using var model = new WanTransformer3DModel(WanTransformerPresets.Tiny);
        model.eval();
        model.SavePretrained(_dir);
        using var bf = WanTransformer3DModel.FromPretrained(_dir, ScalarType.BFloat16);
        var (x, t, text) = Inputs();
        using (no_grad())
        {
            using var y32 = model.forward(x, t, text);
            using var y16 = bf.forward(x.to_type(ScalarType.BFloat16), t, text.to_type(ScalarType.BFloat16));
            Assert.Equal(ScalarType.BFloat16, y16.dtype);
            using var diff = y16.to_type(ScalarType.Float32).sub(y32);
            double rel = diff.norm().item<float>() / y32.norm().item<float>();
            Assert.True(rel < 0.03, $"relative error {rel}");
        }
    }

    [Fact]
    public void FromPretrained_MissingWeights_NamesTheFolder()
    {
        Directory.CreateDirectory(_dir);
        File.WriteAllText(Path.Combine(_dir, "config.json"), WanTransformerPresets.Tiny.ToJson());
        var e = Assert.Throws<FileNotFoundException>(() => WanTransformer3DModel.FromPretrained(_dir));
        Assert.Contains(_dir, e.Message);
    }

    [Fact]
    public void FromPretrained_MissingKey_NamesTheKey()
    {
        using var model = new WanTransformer3DModel(WanTransformerPresets.Tiny);
        var sd = StateDictLoader.StateDict(model);
        sd.Remove("blocks.1.attn2.norm_k.weight");
        Directory.CreateDirectory(_dir);
        File.WriteAllText(Path.Combine(_dir, "config.json"), model.Config.ToJson());
        SafetensorsWriter.Save(Path.Combine(_dir, "diffusion_pytorch_model.safetensors"), sd);
        var e = Assert.Throws<InvalidDataException>(() => WanTransformer3DModel.FromPretrained(_dir));
        Assert.Contains("blocks.1.attn2.norm_k.weight", e.Message);
    }

    [Fact]
    public void FromPretrained_ImageToVideoConfig_RefusedBeforeLoadingWeights()
    {
        Directory.CreateDirectory(_dir);
        File.WriteAllText(Path.Combine(_dir, "config.json"), (WanTransformerPresets.Tiny with { ImageDim = 1280, AddedKvProjDim = 64 }).ToJson());
        var e = Assert.Throws<NotSupportedException>(() => WanTransformer3DModel.FromPretrained(_dir));
        Assert.Contains("image_dim", e.Message);
    }
}
