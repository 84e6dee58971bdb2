using LaMo.Core;
using Xunit;
using static TorchSharp.torch;

namespace LaMo.Tests.Core;

public sealed class StateDictLoaderTests
{
    private sealed class Net : nn.Module
    {
        private readonly nn.Module<Tensor, Tensor> proj = nn.Linear(3, 2);
        private readonly nn.Module<Tensor, Tensor> norm = nn.LayerNorm(2);
        public Net() : base(nameof(Net)) => RegisterComponents();
    }

    private static Dictionary<string, Tensor> Weights() => new()
    {
        ["proj.weight"] = full(new long[] { 2, 3 }, 0.5f), ["proj.bias"] = zeros(2),
        ["norm.weight"] = ones(2), ["norm.bias"] = zeros(2),
    };

    [Fact]
    public void Load_Exact_CopiesEveryValue()
    {
        var net = new Net();
        var report = StateDictLoader.Load(net, Weights());
        Assert.Equal(4, report.Loaded.Count);
        Assert.Equal(0.5f, net.state_dict()["proj.weight"][1, 2].item<float>());
    }

    [Fact]
    public void Load_MissingAndUnexpected_StrictThrowsNamingKeys_NonStrictReports()
    {
        var w = Weights();
        w.Remove("norm.bias");
        w["extra.weight"] = ones(1);
        var e = Assert.Throws<InvalidDataException>(() => StateDictLoader.Load(new Net(), w));
        Assert.Contains("1 missing key: norm.bias", e.Message);
        Assert.Contains("1 unexpected key: extra.weight", e.Message);
        var report = StateDictLoader.Load(new Net(), w, new LoadOptions(Strict: false));
        Assert.Equal(["norm.bias"], report.Missing);
        Assert.Equal(["extra.weight"], report.Unexpected);
    }

    [Fact]
    public void Load_ShapeMismatch_NamesKeyAndBothShapes_AndChangesNothing()
    {
        var net = new Net();
        var before = net.state_dict()["proj.bias"].clone();
        var w = Weights();
        w["proj.weight"] = ones(3, 2);
        w["proj.bias"] = full(2, 9f);
        var e = Assert.Throws<InvalidDataException>(() => StateDictLoader.Load(net, w));
        Assert.Contains("'proj.weight' has shape [3, 2] but the model expects [2, 3]", e.Message);
        Assert.True(before.allclose(net.state_dict()["proj.bias"]));
    }

    [Fact]
    public void Load_Bf16IntoFp32_ConvertsByDefault_RejectsWhenDisabled()
    {
        var w = Weights().ToDictionary(kv => kv.Key, kv => kv.Value.to_type(ScalarType.BFloat16));
        var net = new Net();
        StateDictLoader.Load(net, w);
        Assert.Equal(ScalarType.Float32, net.state_dict()["proj.weight"].dtype);
        Assert.Equal(0.5f, net.state_dict()["proj.weight"][0, 0].item<float>());
        Assert.Throws<InvalidDataException>(() => StateDictLoader.Load(new Net(), w, new LoadOptions(ConvertDTypes: false)));
    }

    [Fact]
    public void Load_FromFileWithPrefix_StripsPrefix()
    {
        string dir = Directory.CreateTempSubdirectory("lamo-sd-").FullName;
        try
        {
            string path = Path.Combine(dir, "m.safetensors");
            SafetensorsWriter.Save(path, Weights().ToDictionary(kv => "transformer." + kv.Key, kv => kv.Value));
            using var ckpt = Checkpoint.Open(path);
            var report = StateDictLoader.Load(new Net(), ckpt, new LoadOptions(Prefix: "transformer."));
            Assert.Equal(4, report.Loaded.Count);
        }
        finally { Directory.Delete(dir, true); }
    }
}
