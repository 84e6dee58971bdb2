using System.Text;
using LaMo.Core;
using Xunit;
using static TorchSharp.torch;

namespace LaMo.Tests.Core;

/// <summary>Hand-made hostile files: each must give an InvalidDataException whose message names the problem.</summary>
public sealed class SafetensorsHostileInputTests : IDisposable
{
    private readonly string _dir = Directory.CreateTempSubdirectory("lamo-hostile-").FullName;
    public void Dispose() => Directory.Delete(_dir, true);

    private string Write(byte[] bytes)
    {
        string p = Path.Combine(_dir, Guid.NewGuid().ToString("N") + ".safetensors");
        File.WriteAllBytes(p, bytes);
        return p;
    }

    private static byte[] Build(string header, int dataBytes, ulong? declaredLength = null)
    {
        var h = Encoding.UTF8.GetBytes(header);
        var b = new byte[8 + h.Length + dataBytes];
        BitConverter.GetBytes(declaredLength ?? (ulong)h.Length).CopyTo(b, 0);
        h.CopyTo(b, 8);
        return b;
    }

    private void AssertRejected(byte[] bytes, string expectedFragment)
    {
        string path = Write(bytes);
        var e = Assert.Throws<InvalidDataException>(() =>
        {
            using var f = SafetensorsFile.Open(path);
            foreach (var k in f.Entries.Keys) f.Read(k).Dispose();
        });
        Assert.Contains(path, e.Message);
        Assert.Contains(expectedFragment, e.Message);
    }

    private const string Good = """{"a":{"dtype":"F32","shape":[2],"data_offsets":[0,8]}}""";

    [Fact] public void ZeroBytes() => AssertRejected([], "too short");
    [Fact] public void Truncated_InsideData() => AssertRejected(Build(Good, 8)[..^3], "beyond the data section");
    [Fact] public void HeaderLengthBeyondFile() => AssertRejected(Build(Good, 8, 5000), "beyond the end of the file");
    [Fact] public void HeaderLengthAbove100MB() => AssertRejected(Build(Good, 8, 200_000_000), "limit");
    [Fact] public void HeaderLengthHuge() => AssertRejected(Build(Good, 8, ulong.MaxValue), "limit");
    [Fact] public void InvalidUtf8()
    {
        var b = Build(Good, 8);
        b[10] = 0xC3; b[11] = 0x28;
        AssertRejected(b, "UTF-8");
    }
    [Fact] public void InvalidJson() => AssertRejected(Build("""{"a":{"dtype":"F32",""", 0), "JSON");
    [Fact] public void NotAnObject() => AssertRejected(Build("[1,2]", 0), "not a JSON object");
    [Fact] public void DuplicateNames() => AssertRejected(Build("""{"a":{"dtype":"F32","shape":[1],"data_offsets":[0,4]},"a":{"dtype":"F32","shape":[1],"data_offsets":[4,8]}}""", 8), "duplicate tensor name 'a'");
    [Fact] public void UnknownDType() => AssertRejected(Build("""{"a":{"dtype":"F8_E9","shape":[2],"data_offsets":[0,8]}}""", 8), "unknown dtype 'F8_E9'");
    [Fact] public void OffsetsOutOfRange() => AssertRejected(Build("""{"a":{"dtype":"F32","shape":[2],"data_offsets":[0,8000]}}""", 8), "beyond the data section");
    [Fact] public void OffsetsReversed() => AssertRejected(Build("""{"a":{"dtype":"F32","shape":[0],"data_offsets":[8,0]}}""", 8), "invalid data_offsets");
    [Fact] public void Overlapping() => AssertRejected(Build("""{"a":{"dtype":"F32","shape":[2],"data_offsets":[0,8]},"b":{"dtype":"F32","shape":[1],"data_offsets":[4,8]}}""", 8), "overlaps");
    [Fact] public void Gap() => AssertRejected(Build("""{"a":{"dtype":"F32","shape":[1],"data_offsets":[4,8]}}""", 8), "gap of 4 bytes");
    [Fact] public void TrailingData() => AssertRejected(Build("""{"a":{"dtype":"F32","shape":[1],"data_offsets":[0,4]}}""", 8), "after the last tensor");
    [Fact] public void ShapeDisagreesWithSpan() => AssertRejected(Build("""{"a":{"dtype":"F32","shape":[3],"data_offsets":[0,8]}}""", 8), "needs 12 bytes but its span has 8");
    [Fact] public void ShapeOverflows() => AssertRejected(Build("""{"a":{"dtype":"F32","shape":[4294967296,4294967296,4],"data_offsets":[0,8]}}""", 8), "overflows");
    [Fact] public void NegativeDimension() => AssertRejected(Build("""{"a":{"dtype":"F32","shape":[-2],"data_offsets":[0,8]}}""", 8), "invalid dimension");
    [Fact] public void DeeplyNestedJson() => AssertRejected(Build(new string('[', 5000) + new string(']', 5000), 0), "JSON");
    [Fact] public void MetadataNotStrings() => AssertRejected(Build("""{"__metadata__":{"k":1}}""", 0), "__metadata__ value 'k'");

    [Fact]
    public void Inspect_HostileFile_OneLineErrorExit1()
    {
        string path = Write(Build(Good, 8, 5000));
        var err = new StringWriter();
        int rc = LaMo.Cli.CliApp.Run(["inspect", path], new StringWriter(), err);
        Assert.Equal(1, rc);
        var lines = err.ToString().TrimEnd().Split('\n');
        Assert.Single(lines);
        Assert.StartsWith("error: " + path, lines[0]);
    }

    [Fact]
    public void Inspect_ValidFile_ListsNameDtypeShapeBytes()
    {
        string path = Path.Combine(_dir, "ok.safetensors");
        SafetensorsWriter.Save(path, new Dictionary<string, Tensor> { ["blocks.0.w"] = zeros(2, 3).to_type(ScalarType.BFloat16) });
        var output = new StringWriter();
        Assert.Equal(0, LaMo.Cli.CliApp.Run(["inspect", path], output, new StringWriter()));
        Assert.Contains("blocks.0.w", output.ToString());
        Assert.Contains("BF16  [2, 3]  12 B", output.ToString());
    }
}
