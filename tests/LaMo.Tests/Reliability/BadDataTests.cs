using System.Diagnostics;
using LaMo.Data;
using LaMo.Reliability;
using Xunit;

namespace LaMo.Tests.Reliability;

/// <summary>Issue 9, item 2: a dataset mixing good clips with zero-byte, truncated, wrong-extension, corrupted-middle,
/// zero-frame, one-frame, 8000×8000-header and non-UTF-8-caption entries. <c>lamo encode</c> and <c>lamo vae train</c>
/// skip each bad one with its reason in the run folder and finish; <c>--strict</c> fails on the first, naming it.</summary>
[Collection("Torch")]
public sealed class BadDataTests : IDisposable
{
    private readonly string _dir = Directory.CreateTempSubdirectory("lamo-bad-").FullName;
    public void Dispose() => Directory.Delete(_dir, true);
    private string P(string n) => Path.Combine(_dir, n);

    private static readonly string[] BadNames =
        ["zero-bytes", "truncated", "wrong-extension", "corrupted-middle", "zero-frames", "one-frame", "huge-header", "bad-caption"];

    private string MakeDataset()
    {
        RelyKit.Ok("world", "generate", "--scenarios", "s1", "--count", "4", "--size", "32", "--frames", "9", "--seed", "11", "--out", P("world"));
        string data = P("data");
        Directory.CreateDirectory(data);
        var good = DatasetIndex.Detect(P("world")).ToList();
        for (int i = 0; i < good.Count; i++) Add(data, $"good{i}", File.ReadAllBytes(good[i].VideoPath), good[i].Caption);
        byte[] clip = File.ReadAllBytes(good[0].VideoPath);

        Add(data, "zero-bytes", [], "empty file");
        Add(data, "truncated", clip[..(clip.Length * 2 / 5)], "cut short");
        Add(data, "wrong-extension", "this is a caption file, not a video\n"u8.ToArray(), "text named .mp4");
        var corrupt = (byte[])clip.Clone();
        Array.Clear(corrupt, corrupt.Length / 4, corrupt.Length / 2);        // zero the middle half (moov and frame data)
        Add(data, "corrupted-middle", corrupt, "zeroed middle");
        Add(data, "zero-frames", Ffmpeg("-frames:v", "0"), "no frames");
        Add(data, "one-frame", Ffmpeg("-frames:v", "1"), "a single frame");
        Add(data, "huge-header", WithDeclaredSize(clip, 8000, 8000), "8000x8000 declared");
        File.WriteAllBytes(Path.Combine(data, "bad-caption.mp4"), clip);
        File.WriteAllBytes(Path.Combine(data, "bad-caption.txt"), [0x61, 0x20, 0xFF, 0xFE, 0xC3, 0x28, 0x62]);
        return data;
    }

    private static void Add(string dir, string name, byte[] video, string caption)
    {
        File.WriteAllBytes(Path.Combine(dir, name + ".mp4"), video);
        File.WriteAllText(Path.Combine(dir, name + ".txt"), caption);
    }

    private byte[] Ffmpeg(params string[] extra)
    {
        string path = P($"ff-{Guid.NewGuid():N}.mp4");
        var psi = new ProcessStartInfo("ffmpeg") { RedirectStandardError = true, RedirectStandardOutput = true };
        foreach (var a in new[] { "-v", "error", "-y", "-f", "lavfi", "-i", "testsrc=size=32x32:rate=10" }.Concat(extra).Concat(["-c:v", "libx264", "-pix_fmt", "yuv420p", path]))
            psi.ArgumentList.Add(a);
        using var p = Process.Start(psi)!;
        p.WaitForExit(60_000);
        return File.Exists(path) ? File.ReadAllBytes(path) : [];                 // ffmpeg may refuse to write 0 frames: an empty container
    }

    /// <summary>The clip with its MP4 sample entry and track header rewritten to declare <paramref name="w"/>×<paramref name="h"/>.</summary>
    private static byte[] WithDeclaredSize(byte[] mp4, int w, int h)
    {
        var b = (byte[])mp4.Clone();
        int stsd = b.AsSpan().IndexOf("stsd"u8);
        int entry = stsd + 12;
        System.Buffers.Binary.BinaryPrimitives.WriteUInt16BigEndian(b.AsSpan(entry + 32), (ushort)w);
        System.Buffers.Binary.BinaryPrimitives.WriteUInt16BigEndian(b.AsSpan(entry + 34), (ushort)h);
        Assert.Equal((w, h), VideoHeaderProbe.FrameSize(WriteTemp(b))!.Value);
        return b;
    }

    private static string WriteTemp(byte[] b)
    {
        string f = Path.GetTempFileName();
        File.WriteAllBytes(f, b);
        return f;
    }

    private static Dictionary<string, string> ReadSkipped(string file) =>
        File.ReadAllLines(file).Where(l => l.Length > 0).Select(l => l.Split('\t'))
            .ToDictionary(p => Path.GetFileNameWithoutExtension(p[0]), p => p[1]);

    [Fact]
    public void EncodeAndVaeTrain_SkipEveryBadEntryWithItsReason_StrictFailsNamingIt()
    {
        string data = MakeDataset();
        string pipe = RelyKit.TinyPipeline(_dir);

        string output = RelyKit.Ok("encode", "--data", data, "--pipeline", pipe, "--out", P("cache"), "--frames", "9", "--size", "32");
        var skipped = ReadSkipped(P("cache/skipped.txt"));
        Assert.True(BadNames.All(skipped.ContainsKey), "skipped.txt lacks " + string.Join(", ", BadNames.Except(skipped.Keys)) + "\n" + output);
        Assert.DoesNotContain(skipped.Keys, k => k.StartsWith("good", StringComparison.Ordinal));
        Assert.Contains("0 bytes", skipped["zero-bytes"]);
        Assert.Contains("UTF-8", skipped["bad-caption"]);
        Assert.Contains("8000x8000", skipped["huge-header"]);
        Assert.All(skipped.Values, reason => Assert.False(string.IsNullOrWhiteSpace(reason)));
        using (var cache = LatentCache.Open(P("cache"))) Assert.Equal(4, cache.Count);

        var (rc, _, err) = RelyKit.Cli("encode", "--data", data, "--pipeline", pipe, "--out", P("cache-strict"), "--frames", "9", "--size", "32", "--strict");
        Assert.Equal(1, rc);
        Assert.Contains(data, err);
        Assert.True(BadNames.Any(n => err.Contains(n + ".mp4", StringComparison.Ordinal)), err);

        RelyKit.Ok("vae", "train", "--data", data, "--out", P("vae"), "--steps", "1", "--batch-size", "2", "--frames", "9", "--size", "32");
        var vaeSkipped = ReadSkipped(P("vae/skipped.txt"));
        Assert.Equal(skipped.Keys.Order(), vaeSkipped.Keys.Order());
        // Paths relative to the folder of the list (no path of this machine), resolved by the reader to the inputs.
        foreach (var folder in new[] { P("cache"), P("vae") })
        {
            PortablePaths.AssertNoAbsolutePathInText(Path.Combine(folder, SkippedList.FileName), _dir);
            Assert.All(SkippedList.Read(folder), s => Assert.Equal(Path.GetFullPath(data), Path.GetDirectoryName(s.Path)));
        }
        Assert.True(File.Exists(P("vae/vae/config.json")));

        var (rc2, _, err2) = RelyKit.Cli("vae", "train", "--data", data, "--out", P("vae-strict"), "--steps", "1", "--frames", "9", "--size", "32", "--strict");
        Assert.Equal(1, rc2);
        Assert.True(BadNames.Any(n => err2.Contains(n + ".mp4", StringComparison.Ordinal)), err2);
    }
}
