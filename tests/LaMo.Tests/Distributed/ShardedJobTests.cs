using LaMo.Data;
using LaMo.Distributed;
using LaMo.Workflows;
using Xunit;
using static TorchSharp.torch;

namespace LaMo.Tests.Distributed;

/// <summary>A small world (10 clips, one of them corrupt) and the shipped demo pipeline, shared by the sharded-job tests.</summary>
public sealed class ShardedJobFixture : IDisposable
{
    public string Dir { get; } = Directory.CreateTempSubdirectory("lamo-shard-").FullName;
    public string World => P("world");
    public string Pipeline { get; } = Path.Combine(MpiDriverRunner.RepoRoot, "models", "demo", "base");
    public string CorruptClip => Path.Combine(World, "videos", "collision_00001.mp4");

    public ShardedJobFixture()
    {
        RelyKit.Ok("world", "generate", "--scenarios", "core", "--count", "2", "--size", "32", "--frames", "9", "--seed", "5", "--out", World);
        File.WriteAllBytes(CorruptClip, new byte[100]);   // skipped at load time by every run: skipped.txt must merge too
    }

    public string P(string name) => Path.Combine(Dir, name);

    public void Dispose() => Directory.Delete(Dir, true);
}

/// <summary><c>--shard i/N</c> + <c>lamo merge</c> (and the MPI variant) give what the unsharded job gives.</summary>
[Collection("Torch")]
public sealed class ShardedJobTests(ShardedJobFixture fx) : IClassFixture<ShardedJobFixture>
{

    private string[] Encode(string output) =>
        ["encode", "--data", fx.World, "--pipeline", fx.Pipeline, "--out", output, "--frames", "9", "--size", "32", "--shard-size", "3"];

    private string[] Sample(string output) =>
        ["sample", "--pipeline", fx.Pipeline, "--prompt", "a red ball moves right", "--prompt", "a blue ball falls", "--seed", "1", "--seed", "7",
         "--steps", "3", "--frames", "9", "--size", "32", "--out", output];

    private string[] Physics(string videos, string output) =>
        ["eval", "physics", "--videos", videos, "--truth", Path.Combine(fx.World, "videos"), "--given-frames", "3", "--out", output];

    [Fact]
    public void Encode_ThreeParts_MergeToTheUnshardedCache()
    {
        string whole = fx.P("enc-whole"), merged = fx.P("enc-merged");
        RelyKit.Ok(Encode(whole));
        for (int i = 0; i < 3; i++) RelyKit.Ok([.. Encode(merged), "--shard", $"{i}/3"]);
        var r = MergeWorkflow.Run(merged);
        Assert.Equal(("encode", 3, 9), (r.Kind, r.Parts, r.Items));
        AssertSameCache(whole, merged, tolerance: 1e-6);   // observed: byte-identical files
        // Part markers, the merge record and skipped.txt store paths relative to their folder; readers resolve them.
        Assert.Equal(3 + 1, PortablePaths.AssertPortableParts(merged, fx.Dir));
        PortablePaths.AssertNoAbsolutePathInText(Path.Combine(merged, SkippedList.FileName), fx.Dir);
        for (int i = 0; i < 3; i++)
            PortablePaths.AssertNoAbsolutePathInText(Path.Combine(ShardParts.PartFolder(merged, new DataShard(i, 3)), SkippedList.FileName), fx.Dir);
        Assert.Equal([Path.GetFullPath(fx.CorruptClip)], SkippedList.Read(merged).Select(s => s.Path));
        Assert.Equal(SkippedList.Read(whole), SkippedList.Read(merged));
    }

    [Fact]
    public void Sample_TwoParts_MergeToTheSameFiles()
    {
        string whole = fx.P("smp-whole"), merged = fx.P("smp-merged");
        RelyKit.Ok(Sample(whole));
        RelyKit.Ok([.. Sample(merged), "--shard", "1/2"]);
        Assert.Throws<InvalidDataException>(() => MergeWorkflow.Run(merged));   // part 0 not run yet
        RelyKit.Ok([.. Sample(merged), "--shard", "0/2"]);
        Assert.Equal(2, PortablePaths.AssertPortableParts(merged, fx.Dir));
        Assert.Contains("4 items", RelyKit.Ok("merge", merged, "--remove-parts"));
        Assert.Empty(Directory.GetDirectories(ShardParts.PartsFolder(merged)));
        AssertSameFiles(whole, merged);
        Assert.Equal(4, File.ReadAllLines(Path.Combine(merged, "prompts.tsv")).Length);
    }

    [Fact]
    public void EvalPhysicsAndMotion_Parts_MergeToTheSameJson()
    {
        string videos = Path.Combine(fx.World, "videos");
        var clips = Directory.GetFiles(videos, "*.mp4").Where(f => f != fx.CorruptClip).Order(StringComparer.Ordinal).ToArray();
        string good = fx.P("good-videos");
        Directory.CreateDirectory(good);
        foreach (var c in clips) File.Copy(c, Path.Combine(good, Path.GetFileName(c)), true);

        RelyKit.Ok(Physics(good, fx.P("phys-whole.json")));
        for (int i = 0; i < 4; i++) RelyKit.Ok([.. Physics(good, fx.P("phys-merged.json")), "--shard", $"{i}/4"]);
        RelyKit.Ok("merge", fx.P("phys-merged.json"));
        Assert.Equal(4 + 1, PortablePaths.AssertPortableParts(fx.P("phys-merged.json"), fx.Dir));
        Assert.Equal(File.ReadAllText(fx.P("phys-whole.json")), File.ReadAllText(fx.P("phys-merged.json")));

        // More parts than videos: a part may be empty.
        var three = clips.Take(3).ToArray();
        RelyKit.Ok(["eval", "motion", .. three, "--out", fx.P("motion-whole.json")]);
        for (int i = 0; i < 4; i++) RelyKit.Ok(["eval", "motion", .. three, "--out", fx.P("motion-merged.json"), "--shard", $"{i}/4"]);
        RelyKit.Ok("merge", fx.P("motion-merged.json"));
        Assert.Equal(4 + 1, PortablePaths.AssertPortableParts(fx.P("motion-merged.json"), fx.Dir));
        Assert.Equal(File.ReadAllText(fx.P("motion-whole.json")), File.ReadAllText(fx.P("motion-merged.json")));
    }

    [Fact]
    public void Merge_RefusesIncompleteMixedOrForeignInput_NamingThePart()
    {
        string videos = Path.Combine(fx.World, "videos"), good = fx.P("refuse-videos"), output = fx.P("refuse.json");
        Directory.CreateDirectory(good);
        foreach (var c in Directory.GetFiles(videos, "uniform_*.mp4")) File.Copy(c, Path.Combine(good, Path.GetFileName(c)), true);
        RelyKit.Ok([.. Physics(good, output), "--shard", "0/2"]);
        RelyKit.Ok([.. Physics(good, output), "--shard", "1/2", "--name", "other"]);   // another job's settings
        var e = Assert.Throws<InvalidDataException>(() => MergeWorkflow.Run(output));
        Assert.Contains("1-of-2", e.Message);
        Assert.Contains("other settings", e.Message);

        RelyKit.Ok([.. Physics(good, output), "--shard", "1/2"]);
        File.Delete(Path.Combine(ShardParts.PartFolder(output, new DataShard(0, 2)), ShardParts.MarkerFile));   // as if killed
        e = Assert.Throws<InvalidDataException>(() => MergeWorkflow.Run(output));
        Assert.Contains("0-of-2", e.Message);
        Assert.Contains("incomplete", e.Message);

        var (rc, listing, _) = RelyKit.Cli("merge", output, "--status");
        Assert.Equal(1, rc);                                        // not every part is complete yet
        Assert.Contains("0-of-2: incomplete", listing);
        Assert.Contains("1-of-2: complete, eval-physics", listing);
        Assert.Contains("1 of 2 parts complete", listing);
        Assert.Contains("to run: 0-of-2", listing);
        // A part that never started is named too, not left out of the count.
        Directory.Delete(ShardParts.PartFolder(output, new DataShard(0, 2)), true);
        (rc, listing, _) = RelyKit.Cli("merge", output, "--status");
        Assert.Equal(1, rc);
        Assert.Contains("0-of-2: missing (never started)", listing);
        Assert.Contains("1 of 2 parts complete", listing);
        var (rcNone, _, errNone) = RelyKit.Cli("merge", fx.P("never-sharded"), "--status");
        Assert.Equal(1, rcNone);
        Assert.Contains("no part folders", errNone);
        RelyKit.Ok([.. Physics(good, output), "--shard", "0/2"]);

        RelyKit.Ok([.. Physics(good, output), "--shard", "0/3"]);   // stale parts of a 3-way run beside the 2-way ones
        e = Assert.Throws<InvalidDataException>(() => MergeWorkflow.Run(output));
        Assert.Contains("different shard counts", e.Message);

        // A merge never overwrites a cache it did not write.
        string cache = fx.P("foreign-cache");
        Directory.CreateDirectory(cache);
        File.WriteAllText(Path.Combine(cache, "cache.json"), "{}");
        Directory.CreateDirectory(ShardParts.PartsFolder(cache));
        RelyKit.Ok([.. Encode(cache), "--shard", "0/1"]);
        var refused = Assert.Throws<LaMo.Core.OutputExistsException>(() => MergeWorkflow.Run(cache));
        Assert.Contains("not written by a merge", refused.Message);
        Assert.Equal("{}", File.ReadAllText(Path.Combine(cache, "cache.json")));
    }

    [Theory]
    [InlineData("0/0")]
    [InlineData("2/2")]
    [InlineData("-1/2")]
    [InlineData("1")]
    [InlineData("a/b")]
    public void ShardOption_RejectsMalformedValues(string text) =>
        Assert.Contains("i/N", Assert.Throws<ArgumentException>(() => DataShard.Parse(text)).Message);

    [Fact]
    public void ShardOption_DealsItemsRoundRobin()
    {
        var parts = Enumerable.Range(0, 3).Select(i => DataShard.Parse($"{i}/3")).ToArray();
        for (int item = 0; item < 10; item++) Assert.Single(parts, p => p.Owns(item));
        Assert.Equal([1, 4, 7], Enumerable.Range(0, 10).Where(parts[1].Owns));
    }

    [MpiFact]
    public void UnderMpirun_RanksRunTheirPartsAndRankZeroMerges()
    {
        string whole = fx.P("mpi-enc-whole"), merged = fx.P("mpi-enc");
        RelyKit.Ok(Encode(whole));
        string log = MpiDriverRunner.MpirunCli(2, Encode(merged));
        Assert.Contains("merge: 2 encode parts", log);
        // Ranks may run LibTorch with another thread count than this process: equal up to float rounding.
        AssertSameCache(whole, merged, tolerance: 1e-5);

        string videos = fx.P("mpi-videos");
        Directory.CreateDirectory(videos);
        foreach (var c in Directory.GetFiles(Path.Combine(fx.World, "videos"), "*.mp4").Where(f => f != fx.CorruptClip))
            File.Copy(c, Path.Combine(videos, Path.GetFileName(c)), true);
        RelyKit.Ok(Physics(videos, fx.P("mpi-phys-whole.json")));
        MpiDriverRunner.MpirunCli(2, Physics(videos, fx.P("mpi-phys.json")));
        Assert.Equal(File.ReadAllText(fx.P("mpi-phys-whole.json")), File.ReadAllText(fx.P("mpi-phys.json")));
    }

    private static void AssertSameCache(string expected, string actual, double tolerance)
    {
        Assert.Equal(LatentCache.ReadManifest(expected), LatentCache.ReadManifest(actual));
        Assert.Equal(File.ReadAllLines(Path.Combine(expected, "skipped.txt")), File.ReadAllLines(Path.Combine(actual, "skipped.txt")));
        var a = LatentCache.Shards(expected);
        var b = LatentCache.Shards(actual);
        Assert.Equal(a.Select(Path.GetFileName), b.Select(Path.GetFileName));   // same shard layout
        for (int s = 0; s < a.Length; s++)
        {
            var (ids1, cap1, l1, e1, m1) = LatentCache.ReadShard(a[s]);
            var (ids2, cap2, l2, e2, m2) = LatentCache.ReadShard(b[s]);
            Assert.Equal(ids1, ids2);
            Assert.Equal(cap1, cap2);
            foreach (var (x, y, name) in new[] { (l1, l2, "latents"), (e1, e2, "prompt_embeds"), (m1, m2, "prompt_mask") })
            {
                double diff = (x - y).abs().max().item<float>();
                Assert.True(diff <= tolerance, $"{Path.GetFileName(a[s])} {name}: max |Δ| = {diff}");
            }
            foreach (var t in new[] { l1, e1, m1, l2, e2, m2 }) t.Dispose();
        }
    }

    private static void AssertSameFiles(string expected, string actual)
    {
        var names = Directory.GetFiles(expected).Select(Path.GetFileName).Order(StringComparer.Ordinal).ToArray();
        Assert.Equal(names, Directory.GetFiles(actual).Select(Path.GetFileName).Order(StringComparer.Ordinal).ToArray());
        foreach (var n in names)
            Assert.True(File.ReadAllBytes(Path.Combine(expected, n!)).AsSpan().SequenceEqual(File.ReadAllBytes(Path.Combine(actual, n!))), $"{n} differs");
    }
}
