using LaMo.Data;
using Xunit;

namespace LaMo.Tests.Workflows;

/// <summary>Non-square frames (CogVideoX samples 480 × 720): --height/--width reach the cache and the videos.</summary>
[Collection("Torch")]
public sealed class FrameSizeTests : IDisposable
{
    private readonly string _dir = Directory.CreateTempSubdirectory("lamo-size-").FullName;
    public void Dispose() => Directory.Delete(_dir, true);

    private string P(string name) => Path.Combine(_dir, name);

    [Fact]
    public void HeightAndWidth_GiveNonSquareLatentsAndVideos()
    {
        string pipeline = RelyKit.Repo("models/demo/base");
        RelyKit.Ok("world", "generate", "--scenarios", "s1", "--count", "2", "--size", "32", "--frames", "9", "--out", P("world"));
        RelyKit.Ok("encode", "--data", P("world"), "--pipeline", pipeline, "--out", P("cache"), "--frames", "9", "--height", "32", "--width", "48");
        using (var cache = LatentCache.Open(P("cache")))
        {
            Assert.Equal((32, 48), (cache.Manifest.Height, cache.Manifest.Width));
            Assert.Equal(new long[] { 3, 8, 12 }, new[] { cache.LatentShape[0], cache.LatentShape[2], cache.LatentShape[3] });   // [F', C, h, w]: 4× down
        }
        RelyKit.Ok("sample", "--pipeline", pipeline, "--prompt", "a red ball", "--steps", "2", "--frames", "9", "--height", "32", "--width", "48",
            "--format", "gif", "--out", P("videos"));
        var video = LaMo.Video.VideoDecoder.Decode(P("videos/p000_s0.gif"));
        Assert.Equal((32, 48), (video.Height, video.Width));
    }
}
