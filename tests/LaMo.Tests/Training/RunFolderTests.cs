using LaMo.Training;
using LaMo.Workflows;
using Xunit;

namespace LaMo.Tests.Training;

/// <summary>A new training run never mixes into an earlier one in the same folder; <c>--overwrite</c> replaces it,
/// <c>--resume</c> continues it from the newest intact checkpoint, <c>--resume-from</c> from the one named.</summary>
[Collection("Torch")]
public sealed class RunFolderTests : IDisposable
{
    private readonly string _dir = Directory.CreateTempSubdirectory("lamo-runfolder-").FullName;
    public void Dispose() => Directory.Delete(_dir, true);

    private string Run => Path.Combine(_dir, "run");

    private BackboneTrainingOptions O(string cache, int steps, bool resume = false) => new()
    {
        Cache = cache, Out = Run, TransformerConfig = RelyKit.Repo("configs/tiny/transformer/config.json"),
        Steps = steps, BatchSize = 2, WarmupSteps = 1, LogEvery = 1, CheckpointEvery = 1, Resume = resume,
    };

    private sealed class Notices : IProgress<TrainingProgress>
    {
        public List<string> Lines { get; } = [];
        public void Report(TrainingProgress p) { if (p.Notice is not null) Lines.Add(p.Notice); }
    }

    private string[] Checkpoints() => Directory.GetDirectories(Path.Combine(Run, "checkpoints")).Select(Path.GetFileName).Order().ToArray()!;

    [Fact]
    public void TrainIntoAFolderHoldingARun_IsRefusedAndChangesNothing_ResumeContinues()
    {
        string cache = RelyKit.SyntheticCache(_dir, clips: 4);
        BackboneWorkflow.Run(O(cache, 2));
        string metrics = File.ReadAllText(Path.Combine(Run, "metrics.csv"));
        var checkpoints = Checkpoints();

        var e = Assert.Throws<LaMo.Core.OutputExistsException>(() => BackboneWorkflow.Run(O(cache, 3)));
        Assert.Contains(Run, e.Message);
        Assert.Contains("--resume", e.Message);
        Assert.Contains("--overwrite", e.Message);
        Assert.Equal(metrics, File.ReadAllText(Path.Combine(Run, "metrics.csv")));
        Assert.Equal(checkpoints, Checkpoints());

        var resumed = BackboneWorkflow.Run(O(cache, 3, resume: true));
        Assert.Equal(3, resumed.FinalStep);
    }

    [Fact]
    public void Overwrite_ReplacesTheEarlierRun_AndCannotBeCombinedWithResume()
    {
        string cache = RelyKit.SyntheticCache(_dir, clips: 4);
        BackboneWorkflow.Run(O(cache, 3));
        Assert.Equal(["step-000002", "step-000003"], Checkpoints());
        var r = BackboneWorkflow.Run(O(cache, 1) with { Overwrite = true });
        Assert.Equal(1, r.FinalStep);
        Assert.Equal(["step-000001"], Checkpoints());           // nothing of the earlier run is left beside it
        Assert.Equal(2, File.ReadAllLines(Path.Combine(Run, "metrics.csv")).Length);   // header + step 1
        Assert.Equal("overwrite", Assert.Throws<ArgumentException>(() => (O(cache, 1, resume: true) with { Overwrite = true }).Validate()).ParamName);
    }

    [Fact]
    public void Resume_PassesOverADamagedNewestCheckpoint_AndSaysSo()
    {
        string cache = RelyKit.SyntheticCache(_dir, clips: 4);
        BackboneWorkflow.Run(O(cache, 3));
        string newest = Path.Combine(Run, "checkpoints", "step-000003", "transformer.safetensors");
        var bytes = File.ReadAllBytes(newest);
        File.WriteAllBytes(newest, bytes[..(bytes.Length / 2)]);   // truncated, as by a full disk

        var notices = new Notices();
        var r = BackboneWorkflow.Run(O(cache, 4, resume: true), notices);
        Assert.Equal(4, r.FinalStep);
        var line = Assert.Single(notices.Lines);
        Assert.StartsWith("resuming from step-000002 (step 2); step-000003 is damaged (", line);
        Assert.Contains("transformer.safetensors", line);
    }

    [Fact]
    public void ResumeFrom_PicksTheNamedCheckpoint_AndRefusesAMissingOrDamagedOne()
    {
        string cache = RelyKit.SyntheticCache(_dir, clips: 4);
        BackboneWorkflow.Run(O(cache, 3));
        var notices = new Notices();
        var r = BackboneWorkflow.Run(O(cache, 3) with { ResumeFrom = "2" }, notices);
        Assert.Equal(3, r.FinalStep);
        Assert.Equal(2, Assert.Single(r.History).Step);   // one step (index 2, the third) was trained
        Assert.Equal("resuming from step-000002 (step 2)", Assert.Single(notices.Lines));

        var missing = Assert.Throws<InvalidDataException>(() => BackboneWorkflow.Run(O(cache, 3) with { ResumeFrom = "step-000001" }));
        Assert.Contains("no such checkpoint", missing.Message);
        Assert.Contains("step-000002, step-000003", missing.Message);

        File.WriteAllText(Path.Combine(Run, "checkpoints", "step-000002", "state.json"), "{ not json");
        var damaged = Assert.Throws<InvalidDataException>(() => BackboneWorkflow.Run(O(cache, 3) with { ResumeFrom = "step-000002" }));
        Assert.Contains("damaged", damaged.Message);
    }

    [Fact]
    public void ResumeWithEveryCheckpointDamaged_NamesThemAll()
    {
        string cache = RelyKit.SyntheticCache(_dir, clips: 4);
        BackboneWorkflow.Run(O(cache, 2));
        foreach (var c in Checkpoints()) File.WriteAllBytes(Path.Combine(Run, "checkpoints", c, "optimizer.safetensors"), [1, 2, 3]);
        var e = Assert.Throws<InvalidDataException>(() => BackboneWorkflow.Run(O(cache, 3, resume: true)));
        Assert.Contains("no intact checkpoint", e.Message);
        Assert.Contains("step-000001", e.Message);
        Assert.Contains("step-000002", e.Message);
    }

    [Fact]
    public void VaeTrain_IntoAFolderHoldingARun_IsRefusedBeforeWritingAnything()
    {
        string world = Path.Combine(_dir, "world");
        RelyKit.Ok("world", "generate", "--scenarios", "s1", "--count", "2", "--size", "32", "--frames", "9", "--out", world);
        string[] Args(params string[] extra) => ["vae", "train", "--data", world, "--out", Run, "--steps", "1", "--batch-size", "2", "--frames", "9", "--size", "32", .. extra];
        RelyKit.Ok(Args());
        File.WriteAllText(Path.Combine(Run, "skipped.txt"), "mine");
        var (rc, _, err) = RelyKit.Cli(Args());
        Assert.Equal(2, rc);                                        // a refused --out is a usage error
        Assert.Contains("--overwrite", err);
        Assert.Equal("mine", File.ReadAllText(Path.Combine(Run, "skipped.txt")));
        RelyKit.Ok(Args("--overwrite"));
        Assert.NotEqual("mine", File.ReadAllText(Path.Combine(Run, "skipped.txt")));
    }
}
