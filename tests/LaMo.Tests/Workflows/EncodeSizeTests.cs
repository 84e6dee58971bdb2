using System.Text.Json.Nodes;
using Xunit;

namespace LaMo.Tests.Workflows;

/// <summary><c>lamo encode</c> keeps the data's own frame size unless told otherwise, says when it resizes, and a
/// dataset with no usable clip is an error that counts the reasons.</summary>
[Collection("Torch")]
public sealed class EncodeSizeTests : IDisposable
{
    private readonly string _dir = Directory.CreateTempSubdirectory("lamo-encsize-").FullName;
    public void Dispose() => Directory.Delete(_dir, true);

    private string P(string name) => Path.Combine(_dir, name);

    [Fact]
    public void WithoutASize_TheDatasOwnIsKept_AGivenOtherSizeIsAnnounced()
    {
        RelyKit.Ok("world", "generate", "--scenarios", "s1", "--count", "2", "--size", "32", "--frames", "9", "--out", P("w"));
        string pipe = RelyKit.TinyPipeline(_dir);
        string output = RelyKit.Ok("encode", "--data", P("w"), "--pipeline", pipe, "--out", P("own"), "--frames", "9");
        Assert.DoesNotContain("resizing", output);
        var manifest = JsonNode.Parse(File.ReadAllText(Path.Combine(P("own"), "cache.json")))!;
        Assert.Equal(32, (int)manifest["height"]!);
        Assert.Equal(32, (int)manifest["width"]!);

        output = RelyKit.Ok("encode", "--data", P("w"), "--pipeline", pipe, "--out", P("up"), "--frames", "9", "--size", "64");
        Assert.Contains("resizing the data's 32x32 frames to 64x64 (as given)", output);
    }

    [Fact]
    public void ADatasetWithNoUsableClip_ExitsOne_CountingTheReasons()
    {
        Directory.CreateDirectory(P("bad"));
        File.WriteAllText(Path.Combine(P("bad"), "a.mp4"), "not a video");
        File.WriteAllText(Path.Combine(P("bad"), "b.mp4"), "not a video");
        string pipe = RelyKit.TinyPipeline(_dir);
        var (rc, _, err) = RelyKit.Cli("encode", "--data", P("bad"), "--pipeline", pipe, "--out", P("cache"));
        Assert.Equal(1, rc);
        Assert.Contains("no usable clips (2 skipped: 1 × no caption file a.txt, 1 × no caption file b.txt)", err);
    }
}
