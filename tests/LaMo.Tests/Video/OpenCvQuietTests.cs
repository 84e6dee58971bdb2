using Xunit;

namespace LaMo.Tests.Video;

/// <summary>A bad video is reported once, by our skip line, without OpenCV's or FFmpeg's own lines beside it.</summary>
public sealed class OpenCvQuietTests
{
    [Fact]
    public void ATruncatedVideo_IsSkipped_WithoutDecoderChatter()
    {
        string dir = Directory.CreateTempSubdirectory("lamo-cvquiet-").FullName;
        try
        {
            string world = Path.Combine(dir, "w");
            RelyKit.Ok("world", "generate", "--scenarios", "s1", "--count", "2", "--size", "32", "--frames", "9", "--out", world);
            string bad = Directory.GetFiles(Path.Combine(world, "videos"), "*.mp4").Order().First();
            File.WriteAllBytes(bad, File.ReadAllBytes(bad)[..300]);
            // A child process: the decoders write to the process's own stderr, which an in-process run cannot see.
            var (rc, output) = RelyKit.RunChild(TimeSpan.FromMinutes(3), "vae", "train", "--data", world, "--out", Path.Combine(dir, "run"),
                "--steps", "1", "--batch-size", "1", "--frames", "9", "--size", "32");
            Assert.True(rc == 0, output);
            Assert.DoesNotContain("[ WARN", output);
            Assert.DoesNotContain("@ 0x", output);   // FFmpeg's "[mov,mp4,... @ 0x...]" prefix
            Assert.Contains(Path.GetFileName(bad), File.ReadAllText(Path.Combine(dir, "run", "skipped.txt")));
        }
        finally { Directory.Delete(dir, true); }
    }
}
