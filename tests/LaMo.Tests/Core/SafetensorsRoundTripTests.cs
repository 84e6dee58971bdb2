using LaMo.Core;
using Xunit;
using static TorchSharp.torch;

namespace LaMo.Tests.Core;

public sealed class SafetensorsRoundTripTests : IDisposable
{
    private readonly string _dir = Directory.CreateTempSubdirectory("lamo-st-").FullName;
    public void Dispose() => Directory.Delete(_dir, true);

    public static TheoryData<ScalarType> AllTypes() => new()
    {
        ScalarType.Float32, ScalarType.Float16, ScalarType.BFloat16, ScalarType.Float64, ScalarType.Int64,
        ScalarType.Int32, ScalarType.Int16, ScalarType.Int8, ScalarType.Byte, ScalarType.Bool,
    };

    [Theory]
    [MemberData(nameof(AllTypes))]
    public void SaveThenLoad_EveryDType_IsBitIdentical(ScalarType type)
    {
        var source = (randn(3, 5, 2) * 50).to_type(type);
        var scalar = tensor(7.0).to_type(type);
        var empty = zeros(0, 4).to_type(type);
        string path = Path.Combine(_dir, "t.safetensors");
        SafetensorsWriter.Save(path, new Dictionary<string, Tensor> { ["a.weight"] = source, ["s"] = scalar, ["e"] = empty },
            new Dictionary<string, string> { ["format"] = "pt" });

        using var f = SafetensorsFile.Open(path);
        Assert.Equal("pt", f.Metadata["format"]);
        Assert.Equal(SafetensorsDType.FromScalarType(type), f.Entries["a.weight"].DType);
        using var back = f.Read("a.weight");
        Assert.Equal(type, back.dtype);
        Assert.Equal(source.shape, back.shape);
        Assert.Equal(source.bytes.ToArray(), back.bytes.ToArray());
        Assert.Empty(f.Read("s").shape);
        Assert.Equal(new long[] { 0, 4 }, f.Read("e").shape);
    }

    [Fact]
    public void Save_HeaderIsEightByteAligned_AndReadableByFormatRules()
    {
        string path = Path.Combine(_dir, "a.safetensors");
        SafetensorsWriter.Save(path, new Dictionary<string, Tensor> { ["x"] = ones(3) });
        var bytes = File.ReadAllBytes(path);
        ulong n = BitConverter.ToUInt64(bytes, 0);
        Assert.Equal(0UL, n % 8);
        Assert.Equal(8 + (long)n + 12, bytes.Length);
        Assert.Equal(1.0f, BitConverter.ToSingle(bytes, 8 + (int)n));
    }

    [Fact]
    public void SaveSharded_ThenOpenIndex_GivesEveryTensorFromItsShard()
    {
        var tensors = Enumerable.Range(0, 7).ToDictionary(i => $"layer.{i}.weight", i => full(new long[] { 100 }, (float)i));
        var files = SafetensorsWriter.SaveSharded(_dir, "diffusion_pytorch_model", tensors, maxShardBytes: 900);
        Assert.Equal(5, files.Count);                      // 4 shards of at most 2 tensors (400 B each) + index
        Assert.Contains(files, f => f.EndsWith("diffusion_pytorch_model-00001-of-00004.safetensors"));
        using var ckpt = Checkpoint.Open(_dir);            // folder → finds the index
        Assert.Equal(7, ckpt.Entries.Count);
        Assert.Equal(4, ckpt.Files.Count);
        for (int i = 0; i < 7; i++) Assert.Equal(i, ckpt.Read($"layer.{i}.weight")[42].item<float>());
    }

    [Fact]
    public void OpenIndex_KeyInWrongShard_NamesKeyAndShard()
    {
        var tensors = new Dictionary<string, Tensor> { ["a"] = ones(100), ["b"] = ones(100) };
        SafetensorsWriter.SaveSharded(_dir, "model", tensors, maxShardBytes: 400);
        string index = Path.Combine(_dir, "model.safetensors.index.json");
        File.WriteAllText(index, File.ReadAllText(index).Replace("\"a\": \"model-00001-of-00002.safetensors\"", "\"a\": \"model-00002-of-00002.safetensors\""));
        var e = Assert.Throws<InvalidDataException>(() => Checkpoint.Open(index));
        Assert.Contains("'a'", e.Message);
    }

    [Fact]
    public void OpenIndex_PathTraversalInWeightMap_IsRejected()
    {
        string index = Path.Combine(_dir, "model.safetensors.index.json");
        File.WriteAllText(index, """{"weight_map": {"a": "../../etc/passwd.safetensors"}}""");
        var e = Assert.Throws<InvalidDataException>(() => Checkpoint.Open(index));
        Assert.Contains("same folder", e.Message);
    }

    [Fact]
    public void Save_IsAtomic_NoTempFilesLeft()
    {
        string path = Path.Combine(_dir, "x.safetensors");
        SafetensorsWriter.Save(path, new Dictionary<string, Tensor> { ["x"] = ones(3) });
        SafetensorsWriter.Save(path, new Dictionary<string, Tensor> { ["x"] = zeros(3) });
        Assert.Single(Directory.GetFiles(_dir));
        Assert.Equal(0f, SafetensorsFile.LoadAll(path)["x"].sum().item<float>());
    }
}
