using LaMo.Data;
using Xunit;

namespace LaMo.Tests.Reliability;

/// <summary>Issue 9, item 3: SIGTERM writes a final checkpoint and exits 143 (128 + 15, the shell's convention); SIGKILL at random points never leaves a
/// corrupt checkpoint; --resume reproduces an uninterrupted run's losses exactly; encode resumes by shard.
/// Runs the built CLI (LaMo.Cli.dll beside the test assembly) as a child process.</summary>
[Collection("Torch")]
public sealed class InterruptTests : IDisposable, IClassFixture<InterruptTests.Reference>
{
    private readonly string _dir = Directory.CreateTempSubdirectory("lamo-int-").FullName;
    private readonly Reference _ref;
    public InterruptTests(Reference reference) => _ref = reference;
    public void Dispose() => Directory.Delete(_dir, true);
    private string P(string n) => Path.Combine(_dir, n);
    private static readonly TimeSpan Long = TimeSpan.FromMinutes(5);
    private const int Steps = 30;

    /// <summary>One synthetic cache and one uninterrupted reference run (child process), shared by the kill tests.</summary>
    public sealed class Reference : IDisposable
    {
        public string Dir { get; } = Directory.CreateTempSubdirectory("lamo-int-ref-").FullName;
        public string Cache { get; }
        public string Run => Path.Combine(Dir, "ref");
        public Reference()
        {
            Cache = RelyKit.SyntheticCache(Dir, clips: 6);
            var (rc, log) = RelyKit.RunChild(Long, TrainArgs(Cache, Run, Steps));
            Assert.True(rc == 0, log);
        }
        public void Dispose() => Directory.Delete(Dir, true);
    }

    private static string[] TrainArgs(string cache, string run, int steps) =>
    [
        "train", "--cache", cache, "--out", run, "--set", $"transformer_config={RelyKit.Repo("configs/tiny/transformer/config.json")}",
        "--set", $"steps={steps}", "--set", "batch_size=2", "--set", "checkpoint_every=2", "--set", "log_every=1", "--set", "warmup_steps=2",
        "--set", "seed=5", "--set", "learning_rate=0.001",
    ];

    private static void AssertSameRun(string reference, string resumed)
    {
        Assert.Equal(RelyKit.LossRows(reference), RelyKit.LossRows(resumed));
        string a = new LaMo.Training.CheckpointStore(reference).Latest()!, b = new LaMo.Training.CheckpointStore(resumed).Latest()!;
        Assert.Equal(Path.GetFileName(a), Path.GetFileName(b));
        foreach (var f in Directory.GetFiles(a, "*.safetensors"))
            Assert.True(File.ReadAllBytes(f).AsSpan().SequenceEqual(File.ReadAllBytes(Path.Combine(b, Path.GetFileName(f)))), $"{Path.GetFileName(f)} differs");
    }

    [Fact]
    public void Sigterm_WritesFinalCheckpoint_Exits143_ResumeMatchesUninterrupted()
    {
        string cache = _ref.Cache;
        const int steps = Steps;

        using (var p = RelyKit.Start(TrainArgs(cache, P("run"), steps)))
        {
            Assert.True(RelyKit.WaitFor(() => File.Exists(P("run/checkpoints/latest")), p, Long), "no first checkpoint\n" + RelyKit.OutputOf(p));
            Assert.False(p.HasExited, "the run finished before it could be interrupted");
            RelyKit.Signal(p, RelyKit.SIGTERM);
            Assert.True(p.WaitForExit(Long));
            p.WaitForExit();
            string output = RelyKit.OutputOf(p);
            Assert.True(p.ExitCode == 128 + RelyKit.SIGTERM, $"exit {p.ExitCode}\n{output}");   // the shell's convention for a signal
            Assert.Contains("interrupted", output);
            Assert.Contains("SIGTERM received", output);
        }
        string last = new LaMo.Training.CheckpointStore(P("run")).Latest()!;
        int stoppedAt = int.Parse(Path.GetFileName(last)["step-".Length..]);
        Assert.InRange(stoppedAt, 1, steps - 1);                              // a final checkpoint at the interrupted step
        RelyKit.AssertCheckpointsFinite(P("run"));

        var (rc2, log2) = RelyKit.RunChild(Long, [.. TrainArgs(cache, P("run"), steps), "--resume"]);
        Assert.True(rc2 == 0, log2);
        AssertSameRun(_ref.Run, P("run"));
    }

    [Fact]
    public void Sigint_WritesFinalCheckpoint_Exits130()
    {
        // Far more steps than can finish before the signal: the tiny run does 30 steps in under a second.
        using var p = RelyKit.Start(defaultSigint: true, TrainArgs(_ref.Cache, P("int"), 100_000));
        Assert.True(RelyKit.WaitFor(() => File.Exists(P("int/checkpoints/latest")), p, Long), "no first checkpoint\n" + RelyKit.OutputOf(p));
        Assert.False(p.HasExited, "the run finished before it could be interrupted");
        RelyKit.Signal(p, RelyKit.SIGINT);
        Assert.True(p.WaitForExit(Long));
        p.WaitForExit();
        string output = RelyKit.OutputOf(p);
        Assert.True(p.ExitCode == 128 + RelyKit.SIGINT, $"exit {p.ExitCode}\n{output}");   // 130, not 0: scripts can tell a stopped run
        Assert.Contains("SIGINT received", output);
        Assert.Contains("interrupted; --resume continues", output);
        RelyKit.AssertCheckpointsFinite(P("int"));
    }

    [Fact]
    public void Sigkill_FiveTimesAtRandomPoints_NoCorruptCheckpoint_ResumeMatchesUninterrupted()
    {
        string cache = _ref.Cache;
        const int steps = Steps;

        var rng = new Random(20260101);
        int killedWhileRunning = 0;
        for (int kill = 0; kill < 5; kill++)
        {
            using var p = RelyKit.Start([.. TrainArgs(cache, P("run"), steps), "--resume"]);
            // Random point: after the process is up and training (first new metrics row or checkpoint), plus 0-800 ms.
            RelyKit.WaitFor(() => File.Exists(P("run/metrics.csv")), p, Long);
            Thread.Sleep(rng.Next(0, 800));
            if (!p.HasExited) { RelyKit.Signal(p, RelyKit.SIGKILL); killedWhileRunning++; }
            p.WaitForExit();
            // Whatever the moment of the kill, every complete checkpoint opens and is finite, and latest resolves to one.
            RelyKit.AssertCheckpointsFinite(P("run"));
            if (new LaMo.Training.CheckpointStore(P("run")).Latest() is { } latest)
                Assert.True(File.Exists(Path.Combine(latest, "state.json")));
        }
        Assert.True(killedWhileRunning >= 3, $"only {killedWhileRunning} of 5 kills landed while the run was going");
        var (rc2, log2) = RelyKit.RunChild(Long, [.. TrainArgs(cache, P("run"), steps), "--resume"]);
        Assert.True(rc2 == 0, log2);
        AssertSameRun(_ref.Run, P("run"));
    }

    [Fact]
    public void EncodeKilledMidway_ResumesWithoutReencodingFinishedShards_IdsUniqueAndComplete()
    {
        RelyKit.Ok("world", "generate", "--scenarios", "s1,s3", "--count", "8", "--size", "32", "--frames", "9", "--seed", "3", "--out", P("world"));
        string pipe = RelyKit.TinyPipeline(_dir);
        string[] args = ["encode", "--data", P("world"), "--pipeline", pipe, "--out", P("cache"), "--frames", "9", "--size", "32", "--shard-size", "2"];
        Dictionary<string, DateTime> before;
        using (var p = RelyKit.Start(args))
        {
            Assert.True(RelyKit.WaitFor(() => File.Exists(P("cache/shard-00000.safetensors")), p, Long), RelyKit.OutputOf(p));
            if (!p.HasExited) RelyKit.Signal(p, RelyKit.SIGKILL);
            p.WaitForExit();
        }
        before = Directory.GetFiles(P("cache"), "shard-*.safetensors").ToDictionary(f => f, File.GetLastWriteTimeUtc);
        Assert.NotEmpty(before);
        string output = RelyKit.Ok(args);
        int already = int.Parse(System.Text.RegularExpressions.Regex.Match(output, @"(\d+) already cached").Groups[1].Value);
        Assert.Equal(2 * before.Count, already);                                // every finished shard was kept, none re-encoded
        foreach (var (f, t) in before) Assert.Equal(t, File.GetLastWriteTimeUtc(f));
        using var cache = LatentCache.Open(P("cache"));
        var ids = Enumerable.Range(0, cache.Count).Select(i => cache[i].Id).ToList();
        Assert.Equal(ids.Count, ids.Distinct().Count());
        Assert.Equal(16, ids.Count);
        Assert.Equal(DatasetIndex.Detect(P("world")).Select(e => LaMo.Workflows.EncodeWorkflow.ClipId(P("world"), e.VideoPath)).Order(), ids.Order());
    }
}
