using LaMo.Data;
using LaMo.Video;
using LaMo.World;
using Xunit;

namespace LaMo.Tests.Video;

public class DatasetTests(VideoFixture fx) : IClassFixture<VideoFixture>
{
    private string NewDir(string name)
    {
        var d = fx.Path(name + "-" + Guid.NewGuid().ToString("N")[..6]);
        Directory.CreateDirectory(d);
        return d;
    }

    private string GoodMp4(string dir, string name)
    {
        var p = Path.Combine(dir, name);
        VideoEncoder.WriteMp4(p, fx.Frames);
        return p;
    }

    [Fact]
    public void BadFiles_AreSkippedWithReasons_GoodOnesLoad()
    {
        var dir = NewDir("bad");
        var good = GoodMp4(dir, "good.mp4");
        var bytes = File.ReadAllBytes(good);
        File.WriteAllBytes(Path.Combine(dir, "empty.mp4"), []);
        File.WriteAllBytes(Path.Combine(dir, "truncated.mp4"), bytes[..(bytes.Length * 2 / 5)]);
        File.WriteAllText(Path.Combine(dir, "text.mp4"), "this is not a video at all\n");
        File.WriteAllBytes(Path.Combine(dir, "noise.avi"), Enumerable.Range(0, 5000).Select(i => (byte)(i * 7919 % 251)).ToArray());
        File.Copy(fx.TestSrc("short.mkv", seconds: 0.2, codecArgs: ["-c:v", "libx264"]), Path.Combine(dir, "short.mkv"));
        foreach (var f in Directory.GetFiles(dir)) File.WriteAllText(Path.ChangeExtension(f, ".txt"), "caption of " + Path.GetFileName(f));
        File.Copy(good, Path.Combine(dir, "nocaption.webm"));
        var skipped = new List<SkippedFile>();
        var entries = DatasetIndex.FromCaptionFolder(dir, skipped);
        var ds = new VideoClipDataset(entries, new ClipReadOptions(Frames: 9, Width: 32, Height: 32), skipped);

        Assert.Single(ds.Clips);
        Assert.Equal("caption of good.mp4", ds.Clips[0].Entry.Caption);
        string Reason(string name) => ds.Skipped.Single(s => Path.GetFileName(s.Path) == name).Reason;
        Assert.Contains("empty", Reason("empty.mp4"));
        Assert.Contains("too short", Reason("short.mkv"));
        Assert.Contains("no caption", Reason("nocaption.webm"));
        foreach (var n in new[] { "truncated.mp4", "text.mp4", "noise.avi" }) Assert.False(string.IsNullOrWhiteSpace(Reason(n)));
        Assert.Equal(6, ds.Skipped.Count);
        Assert.Equal(6, ds.Report().Split('\n').Length);
        using var t = ds.GetTensor(0);
        Assert.Equal(new long[] { 9, 3, 32, 32 }, t.shape);

        var strict = Assert.Throws<InvalidDataException>(() => new VideoClipDataset(
            entries.Where(e => !e.VideoPath.EndsWith("good.mp4")), new ClipReadOptions(Frames: 9, Strict: true)));
        Assert.Contains(dir, strict.Message);
    }

    [Fact]
    public void Csv_CustomColumns_QuotedCaptions_AndVideosSubfolder()
    {
        var dir = NewDir("csv");
        Directory.CreateDirectory(Path.Combine(dir, "videos"));
        GoodMp4(Path.Combine(dir, "videos"), "a.mp4");
        File.WriteAllText(Path.Combine(dir, "list.csv"),
            "clip_id,video_file,text\n1,a.mp4,\"a red ball, then a blue one, \"\"quoted\"\"\"\n");
        var entries = DatasetIndex.FromCsv(Path.Combine(dir, "list.csv"), "video_file", "text");
        var e = Assert.Single(entries);
        Assert.Equal("a red ball, then a blue one, \"quoted\"", e.Caption);
        Assert.True(File.Exists(e.VideoPath));
        Assert.Throws<InvalidDataException>(() => DatasetIndex.FromCsv(Path.Combine(dir, "list.csv")));
        File.WriteAllText(Path.Combine(dir, "bad.csv"), "video,caption\n\"unterminated,x\n");
        Assert.Throws<InvalidDataException>(() => DatasetIndex.FromCsv(Path.Combine(dir, "bad.csv")));
    }

    [Fact]
    public void Finetrainers_PromptsAndVideosTxt_AreLineAligned()
    {
        var dir = NewDir("ft");
        GoodMp4(dir, "x.mp4");
        GoodMp4(dir, "y.mp4");
        File.WriteAllText(Path.Combine(dir, "prompts.txt"), "first prompt\nsecond prompt\n");
        File.WriteAllText(Path.Combine(dir, "videos.txt"), "x.mp4\r\ny.mp4\n");
        var entries = DatasetIndex.Detect(dir);
        Assert.Equal(["first prompt", "second prompt"], entries.Select(e => e.Caption));
        Assert.EndsWith("y.mp4", entries[1].VideoPath);
        File.WriteAllText(Path.Combine(dir, "videos.txt"), "x.mp4\n");
        Assert.Throws<InvalidDataException>(() => DatasetIndex.Detect(dir));
    }

    [Fact]
    public void WorldDataset_MetadataCsv_LoadsBackWithCaptions_AndIsDeterministic()
    {
        var a = NewDir("worldA");
        var b = NewDir("worldB");
        var opts = new WorldDatasetOptions(a, [Scenario.Uniform, Scenario.Pendulum], 2, SplitRanges.Standard("test-ood-r"),
            Seed: 5, Size: 32, Frames: 9, RawFrames: true);
        var rows = WorldDatasetWriter.Write(opts);
        WorldDatasetWriter.Write(opts with { OutDir = b, Parallelism = 1 });
        Assert.Equal(File.ReadAllText(Path.Combine(a, "metadata.csv")), File.ReadAllText(Path.Combine(b, "metadata.csv")));
        Assert.Equal(File.ReadAllBytes(Path.Combine(a, "videos/pendulum_00001.json")), File.ReadAllBytes(Path.Combine(b, "videos/pendulum_00001.json")));
        Assert.Equal(File.ReadAllBytes(Path.Combine(a, "videos/uniform_00000.rgb")), File.ReadAllBytes(Path.Combine(b, "videos/uniform_00000.rgb")));
        Assert.Equal(4, rows.Count);

        var entries = DatasetIndex.Detect(a);
        Assert.Equal(rows.Select(r => r[1]), entries.Select(e => e.Caption));
        var ds = new VideoClipDataset(entries, new ClipReadOptions(Frames: 9, Width: 32, Height: 32));
        Assert.Equal(4, ds.Clips.Count);
        // The lossless reference re-renders from GT and equals the raw dump byte for byte.
        var gt = WorldClip.Load(Path.Combine(a, "videos/pendulum_00000.json"));
        Assert.Equal(RawVideoFile.Read(Path.Combine(a, "videos/pendulum_00000.rgb")).Rgb, Renderer.Render(gt));
        Assert.Equal("test-ood-r", gt.Split);
    }
}
