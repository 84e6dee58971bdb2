using System.CommandLine;
using System.Text.Json.Nodes;
using LaMo.Cli.Commands;
using Xunit;

namespace LaMo.Tests.Experiment;

/// <summary><c>lamo experiment</c> end to end at miniature size: three fresh 1-step fine-tune pairs from the miniature
/// base, two sampling seeds, two splits, all five variants, 2 denoising steps.</summary>
[Collection("Torch")]
public sealed class StudyEndToEndTests : IDisposable
{
    private readonly string _dir = Directory.CreateTempSubdirectory("lamo-study-").FullName;
    public void Dispose() => Directory.Delete(_dir, true);

    private static (int Rc, string Out, string Err) Experiment(params string[] args)
    {
        var root = new Command("lamo") { ExperimentCommand.Create() };
        var parse = root.Parse(["experiment", .. args]);
        Assert.Empty(parse.Errors);
        var (o, e) = (new StringWriter(), new StringWriter());
        int rc = parse.Invoke(new InvocationConfiguration { EnableDefaultExceptionHandler = false, Output = o, Error = e });
        return (rc, o.ToString(), e.ToString());
    }

    [Fact]
    public void Experiment_FreshFineTunes_WritesReportResultsAndPage()
    {
        string run = Path.Combine(_dir, "run");
        var (rc, output, error) = Experiment("--models", MiniatureModels.Folder, "--train-seeds", "0,1,2", "--steps", "1", "--cache", MiniatureModels.Cache,
            "--sampling-seeds", "0,1", "--splits", "test-id,test-ood-v", "--scenarios", "s1", "--clips", "1", "--extended-clips", "0",
            "--size", "32", "--frames", "9", "--sample-steps", "2", "--bootstrap", "200", "--drift-lambda", "0.004", "--out", run);
        Assert.True(rc == 0, error + output);
        // The plan saved with the run: the drift loss is a sub-record, present (with the study's λ) only in the LaMo run.
        var lamoPlan = JsonNode.Parse(File.ReadAllText(Path.Combine(run, "finetunes", "runs", "ft-lamo-s1", "run.json")))!["plan"]!;
        Assert.Equal(0.004, (double)lamoPlan["drift"]!["loss"]!["lambda"]!);
        Assert.NotNull(lamoPlan["predictor"]);
        var baselinePlan = JsonNode.Parse(File.ReadAllText(Path.Combine(run, "finetunes", "runs", "ft-baseline-s1", "run.json")))!["plan"]!;
        Assert.Null(baselinePlan["drift"]);
        Assert.Null(baselinePlan["predictor"]);
        Assert.Contains("| flowmo |", output);
        Assert.Contains("lamo − baseline:", output);

        var r = JsonNode.Parse(File.ReadAllText(Path.Combine(run, "results.json")))!;
        Assert.Equal(3, r["fine_tunes"]!.AsArray().Count);
        Assert.Equal(1 * 2 * 3 * 2, r["units"]!.AsArray().Count);                       // clips × splits × train seeds × sampling seeds
        var timing = r["timing"]!.AsArray();
        Assert.Equal(["baseline", "+drift", "+guidance", "lamo", "flowmo"], timing.Select(t => (string)t!["variant"]!).ToArray());
        Assert.All(timing, t => Assert.True((double)t!["mean_seconds_per_video"]! > 0));
        var versus = r["versus_baseline"]!.AsArray();
        foreach (var v in new[] { "+drift", "+guidance", "lamo", "flowmo" })
            foreach (var split in new[] { "all", "test-id", "test-ood-v" })
                Assert.Contains(versus, g => (string)g!["split"]! == split && (string)g["scenario"]! == "all"
                    && (string)g["comparison"]!["method_a"]! == v && (string)g["comparison"]!["metric"]! == "m1c" && (int)g["comparison"]!["pairs"]! >= 0);
        Assert.Equal(4 * 3 * 9, r["per_seed"]!.AsArray().Count);                        // variants × seeds × compared metrics
        Assert.Contains(r["motion"]!.AsArray(), m => (string)m!["row"]! == "gt_floor");
        Assert.True(File.Exists(Path.Combine(run, "plots", "m1c_by_scenario_split.png")));
        Assert.True(File.Exists(Path.Combine(run, "plots", "diff_m1c.png")));
        Assert.Equal(2, Directory.GetFiles(Path.Combine(run, "videos"), "*.gif").Length); // one per (scenario, split)
        foreach (var seed in new[] { 0, 1, 2 })
            Assert.True(File.Exists(Path.Combine(run, "finetunes", $"ft-lamo-s{seed}", "predictor", "model.safetensors")));

        BrowserCheck.AssertPage(Path.Combine(run, "index.html"), "title", "gallery", "heatmaps");
    }

    [Fact]
    public void Experiment_StepsWithoutTrainSeeds_IsRejected()
    {
        var e = Assert.Throws<ArgumentException>(() => Experiment("--models", MiniatureModels.Folder, "--steps", "1", "--size", "32", "--frames", "9", "--out", Path.Combine(_dir, "x")));
        Assert.Contains("--train-seeds", e.Message);
    }
}

/// <summary>The +drift-nf arm end to end: fresh fine-tunes train ft-drift-nf with the noise-floor denominator and its κ, and
/// the arm is compared with the baseline and with +drift.</summary>
[Collection("Torch")]
public sealed class StudyDriftNoiseFloorTests : IDisposable
{
    private readonly string _dir = Directory.CreateTempSubdirectory("lamo-study-nf-").FullName;
    public void Dispose() => Directory.Delete(_dir, true);

    [Fact]
    public void Experiment_DriftNoiseFloorArm_TrainsItsFineTuneAndComparesWithDrift()
    {
        string run = Path.Combine(_dir, "run");
        var root = new Command("lamo") { ExperimentCommand.Create() };
        var parse = root.Parse(["experiment", "--models", MiniatureModels.Folder, "--train-seeds", "0", "--steps", "1", "--cache", MiniatureModels.Cache,
            "--variants", "baseline,+drift,+drift-nf", "--drift-lambda", "0.004", "--drift-nf-lambda", "0.04", "--drift-nf-kappa", "0.03",
            "--sampling-seeds", "0", "--splits", "test-id", "--scenarios", "s1", "--clips", "1", "--extended-clips", "0",
            "--size", "32", "--frames", "9", "--sample-steps", "1", "--bootstrap", "20", "--out", run]);
        Assert.Empty(parse.Errors);
        Assert.Equal(0, parse.Invoke(new InvocationConfiguration { EnableDefaultExceptionHandler = false, Output = new StringWriter(), Error = new StringWriter() }));

        JsonNode Loss(string name) => JsonNode.Parse(File.ReadAllText(Path.Combine(run, "finetunes", "runs", name, "run.json")))!["plan"]!["drift"]!["loss"]!;
        var nf = Loss("ft-drift-nf-s0");
        Assert.Equal("noise_floor", (string)nf["denominator"]!);
        Assert.Equal(0.03, (double)nf["noise_floor_kappa"]!);
        Assert.Equal(0.04, (double)nf["lambda"]!);
        var published = Loss("ft-lamo-s0");
        Assert.Equal("published", (string)published["denominator"]!);
        Assert.Equal(0.004, (double)published["lambda"]!);
        Assert.True(File.Exists(Path.Combine(run, "finetunes", "ft-drift-nf-s0", "pytorch_lora_weights.safetensors")));

        var r = JsonNode.Parse(File.ReadAllText(Path.Combine(run, "results.json")))!;
        Assert.EndsWith("/ft-drift-nf-s0/pytorch_lora_weights.safetensors", ((string)r["fine_tunes"]![0]!["drift_noise_floor_lora"]!).Replace('\\', '/'), StringComparison.Ordinal);
        var comparisons = r["comparisons"]!.AsArray();
        Assert.Contains(comparisons, c => (string)c!["arm"]! == "+drift-nf" && (string)c["versus"]! == "baseline");
        Assert.Contains(comparisons, c => (string)c!["arm"]! == "+drift-nf" && (string)c["versus"]! == "+drift" && (bool)c["primary"]!);
    }
}
