using System.CommandLine;
using System.Text.Json.Nodes;
using LaMo.Cli.Commands;
using LaMo.Core;
using LaMo.Experiment;
using Xunit;

namespace LaMo.Tests.Experiment;

/// <summary>The study on disk: two conditions, a ranges-file split beside test-id, both modes, the miniature models; interrupted
/// (one shard deleted, another left without its eval.json as a kill mid-shard leaves it) and resumed to the same results.json.</summary>
[Collection("Torch")]
public sealed class StudyResumeTests : IDisposable
{
    private readonly string _dir = Directory.CreateTempSubdirectory("lamo-study-resume-").FullName;
    public void Dispose() => Directory.Delete(_dir, true);

    private static (int Rc, string Out) Experiment(params string[] args)
    {
        var root = new Command("lamo") { ExperimentCommand.Create() };
        var parse = root.Parse(["experiment", .. args]);
        Assert.Empty(parse.Errors);
        var o = new StringWriter();
        int rc = parse.Invoke(new InvocationConfiguration { EnableDefaultExceptionHandler = false, Output = o, Error = new StringWriter() });
        return (rc, o.ToString());
    }

    private string[] Args(string run, string clips = "1")
    {
        string val = Path.Combine(_dir, "val-id.json");
        File.WriteAllText(val, """{"name": "val-id", "radius": [{"min": 0.7, "max": 1.4}], "speed": [{"min": 1, "max": 4}]}""");
        return ["--models", MiniatureModels.Folder, "--variants", "baseline,+drift,lamo", "--train-seeds", "0", "--sampling-seeds", "0",
            "--splits", $"{val},test-id", "--conditions", "C0=uniform/static/constant,C5=uniform/static/dimming", "--modes", "continuation,text-to-video",
            "--scenarios", "s1", "--clips", clips, "--extended-clips", "0", "--t2v-clips", "1", "--size", "32", "--frames", "9", "--sample-steps", "2",
            "--bootstrap", "50", "--sample-size", "--out", run];
    }

    private static JsonNode Results(string run)
    {
        var r = JsonNode.Parse(File.ReadAllText(Path.Combine(run, "results.json")))!.AsObject();
        // Wall times (of this invocation's stages, and the sampling seconds of the shards redone) are the fields a resumed run cannot share.
        r.Remove("stages");
        r.Remove("timing");
        return r;
    }

    [Fact]
    public void Resume_AfterInterruption_RedoesOnlyMissingShardsAndGivesTheSameResults()
    {
        string run = Path.Combine(_dir, "run");
        var (rc, _) = Experiment(Args(run));
        Assert.Equal(0, rc);
        var first = Results(run);

        // Conditions × splits × modes, one clip each: 8 clips, 8 units (one training and one sampling seed).
        var units = first["units"]!.AsArray();
        Assert.Equal(8, units.Count);
        Assert.Equal(["C0", "C5"], units.Select(u => (string)u!["condition"]!).Distinct().Order().ToArray());
        Assert.Equal(["continuation", "text-to-video"], units.Select(u => (string)u!["mode"]!).Distinct().Order().ToArray());
        Assert.Equal(["test-id", "val-id"], units.Select(u => (string)u!["split"]!).Distinct().Order().ToArray());
        // Per-condition and pooled two-level comparisons; the primary family at the Bonferroni level of its 2 arms × 2 metrics.
        var comparisons = first["comparisons"]!.AsArray();
        Assert.Contains(comparisons, c => (string)c!["condition"]! == "C5" && (string)c["mode"]! == "continuation" && (string)c["split"]! == "val-id" && (string)c["metric"]! == "m1c");
        var primary = comparisons.Where(c => (bool)c!["primary"]!).ToArray();
        Assert.Equal(4, primary.Length);
        Assert.All(primary, c => Assert.Equal(1 - 0.05 / 4, (double)c!["interval"]!["level"]!, 12));
        Assert.Contains(primary, c => (string)c!["metric"]! == "m3" && (string)c["mode"]! == "text-to-video");
        Assert.All(first["sample_sizes"]!.AsArray(), s => Assert.True((int)s!["clips"]! >= 128));
        Assert.Contains("per condition × split × arm", File.ReadAllText(Path.Combine(run, "report.md")));

        // Interrupt: one shard gone, one cut before its eval.json; the report never written.
        var shards = new StudyShards(run);
        var gone = new StudyShardKey("+drift", new StudyCell("continuation", "C5", "test-id"), 0);
        var cut = new StudyShardKey("lamo", new StudyCell("text-to-video", "C0", "val-id"), 0);
        Assert.True(shards.Has(gone) && shards.Has(cut));
        Directory.Delete(shards.Folder(gone), true);
        File.Delete(Path.Combine(shards.Folder(cut), "eval.json"));
        File.Delete(Path.Combine(run, "results.json"));

        Assert.Throws<OutputExistsException>(() => Experiment(Args(run)));           // neither --resume nor --overwrite
        var e = Assert.Throws<ArgumentException>(() => Experiment([.. Args(run, clips: "2"), "--resume"]));
        Assert.Contains("'clips_per_core_scenario'", e.Message);
        Assert.Contains("run: 1, now: 2", e.Message);

        var (rc2, log) = Experiment([.. Args(run), "--resume"]);
        Assert.Equal(0, rc2);
        var sampled = log.Split('\n').Where(l => l.StartsWith("study: ", StringComparison.Ordinal) && l.Contains(" videos in ", StringComparison.Ordinal)).ToArray();
        Assert.Equal(2, sampled.Length);
        Assert.Contains(sampled, l => l.Contains("+drift (train seed 0) continuation/C5/test-id", StringComparison.Ordinal));
        Assert.Contains(sampled, l => l.Contains("lamo (train seed 0) text-to-video/C0/val-id", StringComparison.Ordinal));
        Assert.Equal(first.ToJsonString(), Results(run).ToJsonString());
    }

    [Fact]
    public void Gate_NotMet_RefusesTestSplits_UnlessIgnored()
    {
        string run = Path.Combine(_dir, "gated");
        string[] args = ["--models", MiniatureModels.Folder, "--variants", "baseline", "--train-seeds", "0", "--sampling-seeds", "0", "--splits", "test-id",
            "--gate", "test-ood-r", "--gate-world-seed", "5151", "--gate-clips", "1", "--scenarios", "s1", "--clips", "1", "--extended-clips", "0", "--size", "32", "--frames", "9", "--sample-steps", "1",
            "--bootstrap", "20", "--out", run];
        // A 1-step miniature base draws no ball: the bar (failure ≤ 5 %) is far away.
        var e = Assert.Throws<StudyGateException>(() => Experiment(args));
        Assert.Contains("quality gate not met on test-ood-r", e.Message);
        Assert.False(Directory.Exists(Path.Combine(run, "shards", "baseline")));
        var gateShard = new StudyShards(run).Read(new StudyShardKey(StudyShards.Gate, new StudyCell("continuation", "C0", "test-ood-r"), null));
        Assert.Equal(["test-ood-r_C0_uniform_00"], gateShard.Rows[0].Clips.Select(c => c.ClipId).ToArray());

        var (rc, _) = Experiment([.. args, "--resume", "--ignore-gate"]);
        Assert.Equal(0, rc);
        var r = JsonNode.Parse(File.ReadAllText(Path.Combine(run, "results.json")))!;
        Assert.False((bool)r["gate"]!["passes"]! );
        Assert.Contains(r["notes"]!.AsArray(), n => ((string)n!).Contains("did NOT meet the quality gate", StringComparison.Ordinal));
    }
}
