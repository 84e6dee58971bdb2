using LaMo.Core;
using LaMo.Training;
using Xunit;
using Xunit.Abstractions;
using static TorchSharp.torch;

namespace LaMo.Tests.Distributed;

/// <summary>A tiny latent cache and base pipeline (4 clips, 9 frames, 32², configs/tiny), made once through the CLI,
/// plus the 2-rank <c>lamo prior train</c> run that two tests compare against.</summary>
public sealed class MpiCliFixture : IDisposable
{
    public string Dir { get; } = Directory.CreateTempSubdirectory("lamo-mpicli-").FullName;
    private readonly Lazy<string> _cache, _priorTwoRanks;

    public MpiCliFixture()
    {
        _cache = new(() =>
        {
            foreach (var args in new[]
                     {
                         new[] { "world", "generate", "--scenarios", "s1", "--count", "4", "--size", "32", "--frames", "9", "--seed", "5", "--out", P("world") },
                         ["vae", "train", "--data", P("world"), "--out", P("vae"), "--steps", "2", "--batch-size", "2", "--frames", "9", "--size", "32"],
                         ["pipeline", "init", "--out", P("base"), "--vae", P("vae/vae"), "--transformer-config", "configs/tiny/transformer/config.json"],
                         ["encode", "--data", P("world"), "--pipeline", P("base"), "--out", P("cache"), "--frames", "9", "--size", "32"],
                     })
                RelyKit.Ok(args);
            return P("cache");
        });
        _priorTwoRanks = new(() =>
        {
            string output = MpiDriverRunner.MpirunCli(2, PriorArgs("prior2"));
            // Rank 1 prints nothing: the plan, one progress line per step and one final line in the job's output. (Lines
            // may start with terminal escapes: mpirun gives each rank a pseudo-terminal.)
            var lines = output.Split('\n');
            Assert.Equal(4, lines.Count(l => l.Contains("prior step=", StringComparison.Ordinal)));
            Assert.Single(lines, l => l.Contains("prior: plan ", StringComparison.Ordinal));
            Assert.Single(lines, l => l.Contains("prior: 4 steps", StringComparison.Ordinal));
            return P("prior2");
        });
    }

    public string P(string name) => Path.Combine(Dir, name);

    /// <summary>The cache folder (built on first use); the base pipeline is <c>P("base")</c>.</summary>
    public string Cache => _cache.Value;

    /// <summary>Run folder of <c>mpirun -np 2 lamo prior train</c> with <see cref="PriorArgs"/>.</summary>
    public string PriorTwoRanks => _priorTwoRanks.Value;

    /// <summary>Global batch 4 (2 per rank on 2 ranks), 4 steps, metrics every step, checkpoints at 2 and 4.</summary>
    public string[] PriorArgs(string run, params string[] extra) =>
    [
        "prior", "train", "--cache", Cache, "--out", P(run), "--set", "predictor_config=tiny", "--set", "steps=4", "--set", "batch_size=4",
        "--set", "warmup_steps=1", "--set", "log_every=1", "--set", "checkpoint_every=2", .. extra,
    ];

    public void Dispose() => Directory.Delete(Dir, true);
}

/// <summary><c>lamo prior train</c> and <c>lamo train --predictor --drift-loss</c> under <c>mpirun -np 2</c>: 2 ranks ×
/// batch 2 follow 1 process × batch 4 (every draw is made for the global batch), on CogVideoX and on Wan, and a 2-rank run
/// resumes exactly.</summary>
[Collection("Torch")]
public sealed class MpiCliTrainingTests(MpiCliFixture fx, ITestOutputHelper log) : IClassFixture<MpiCliFixture>
{
    private const double LossRtol = 1e-5, LossAtol = 1e-7;

    /// <summary>Every logged loss, learning rate and gradient norm of two runs agree within 1e-5 relative.</summary>
    private void AssertSameMetrics(string oneProcessRun, string twoRankRun, params string[] mustHave)
    {
        var one = MetricsLog.Read(Path.Combine(oneProcessRun, "metrics.csv"));
        var two = MetricsLog.Read(Path.Combine(twoRankRun, "metrics.csv"));
        Assert.Equal([1, 2, 3, 4], one.Select(r => r.Step));
        Assert.Equal(one.Select(r => r.Step), two.Select(r => r.Step));
        double worst = 0;
        foreach (var (a, b) in one.Zip(two))
        {
            var columns = a.Values.Keys.Where(k => k is not ("s_per_step" or "live_tensors" or "skipped")).ToList();
            foreach (var c in mustHave) Assert.Contains(c, columns);
            foreach (var c in columns)
            {
                double x = a.Values[c], y = b.Values[c], d = Math.Abs(x - y);
                Assert.True(d <= LossAtol + LossRtol * Math.Abs(x), $"step {a.Step} {c}: 1 process {x:R} vs 2 ranks {y:R}");
                if (c is not ("lr_backbone" or "lr_predictor")) worst = Math.Max(worst, d / Math.Max(Math.Abs(x), 1e-30));
            }
        }
        Assert.NotEqual(one[0].Values["loss"], one[^1].Values["loss"]);   // it trained
        log.WriteLine($"{Path.GetFileName(twoRankRun)}: max relative metric difference 1 process vs 2 ranks = {worst:E2}");
    }

    /// <summary>Weights of two safetensors files: same names, allclose (rtol 1e-5, atol <paramref name="atol"/>).</summary>
    private void AssertSameWeights(string onePath, string twoPath, double atol = 1e-6)
    {
        using var scope = NewDisposeScope();
        var one = SafetensorsFile.LoadAll(onePath);
        var two = SafetensorsFile.LoadAll(twoPath);
        Assert.Equal(one.Keys.Order(), two.Keys.Order());
        double worst = 0;
        foreach (var (k, t) in one)
        {
            Assert.True(allclose(t, two[k], rtol: 1e-5, atol: atol), $"{k}: max |Δ| = {(t - two[k]).abs().max().item<float>()}");
            worst = Math.Max(worst, (t - two[k]).abs().max().item<float>());
        }
        log.WriteLine($"{Path.GetFileName(Path.GetDirectoryName(twoPath))}: max |Δweight| 1 process vs 2 ranks = {worst:E2}");
    }

    [MpiFact]
    public void PriorTrain_TwoRanksOfBatch2_MatchOneProcessOfBatch4()
    {
        RelyKit.Ok(fx.PriorArgs("prior1"));
        string two = fx.PriorTwoRanks;
        AssertSameMetrics(fx.P("prior1"), two, "loss", "mse", "cos_sim", "grad_norm_predictor");
        AssertSameWeights(fx.P("prior1/predictor/model.safetensors"), Path.Combine(two, "predictor", "model.safetensors"));
    }

    [MpiFact]
    public void JointLoraTrain_WithDriftLossAndPredictor_TwoRanksMatchOneProcess()
    {
        string[] Args(string run) =>
        [
            "train", "--cache", fx.Cache, "--init", fx.P("base"), "--out", fx.P(run), "--drift-loss", "--predictor",
            "--set", "mode=lora", "--set", "predictor_config=tiny", "--set", "steps=4", "--set", "batch_size=4", "--set", "warmup_steps=1",
            "--set", "predictor_warmup_steps=1", "--set", "log_every=1", "--set", "checkpoint_every=2",
        ];
        RelyKit.Ok(Args("joint1"));
        string output = MpiDriverRunner.MpirunCli(2, Args("joint2"));
        // Rank 0 only: the plan and the summary once each (plus, at most once, a note that the drift term dominates).
        var lines = output.Split('\n');
        Assert.Single(lines, l => l.Contains("train: plan ", StringComparison.Ordinal));
        Assert.Single(lines, l => l.Contains("train: 4 steps", StringComparison.Ordinal));
        Assert.InRange(lines.Count(l => l.Contains("the denoising loss", StringComparison.Ordinal)), 0, 1);
        AssertSameMetrics(fx.P("joint1"), fx.P("joint2"), "loss", "denoise", "drift", "drift_weight", "prior", "prior_cos",
            "grad_norm_backbone", "grad_norm_predictor");
        AssertSameWeights(fx.P("joint1/lora/pytorch_lora_weights.safetensors"), fx.P("joint2/lora/pytorch_lora_weights.safetensors"));
        AssertSameWeights(fx.P("joint1/predictor/model.safetensors"), fx.P("joint2/predictor/model.safetensors"));
    }

    [MpiFact]
    public void WanJointLoraTrain_WithDriftLossAndPredictor_TwoRanksMatchOneProcess()
    {
        _ = fx.Cache;   // builds the world
        RelyKit.Ok("pipeline", "init", "--family", "wan", "--out", fx.P("wan-base"));
        RelyKit.Ok("encode", "--data", fx.P("world"), "--pipeline", fx.P("wan-base"), "--out", fx.P("wan-cache"), "--frames", "9", "--size", "32");
        string[] Args(string run) =>
        [
            "train", "--cache", fx.P("wan-cache"), "--init", fx.P("wan-base"), "--out", fx.P(run), "--drift-loss", "--predictor",
            "--set", "mode=lora", "--set", "predictor_config=tiny", "--set", "steps=4", "--set", "batch_size=4", "--set", "warmup_steps=1",
            "--set", "predictor_warmup_steps=1", "--set", "log_every=1", "--set", "checkpoint_every=2",
        ];
        RelyKit.Ok(Args("wan1"));
        string output = MpiDriverRunner.MpirunCli(2, Args("wan2"));
        Assert.Contains("\"wan\"", output);   // the flow-matching backbone ran under MPI
        AssertSameMetrics(fx.P("wan1"), fx.P("wan2"), "loss", "denoise", "drift", "drift_weight", "prior", "grad_norm_backbone", "grad_norm_predictor");
        AssertSameWeights(fx.P("wan1/lora/pytorch_lora_weights.safetensors"), fx.P("wan2/lora/pytorch_lora_weights.safetensors"));
        AssertSameWeights(fx.P("wan1/predictor/model.safetensors"), fx.P("wan2/predictor/model.safetensors"));
    }

    [MpiFact]
    public void VaeTrain_TwoRanksOfBatch2_MatchOneProcessOfBatch4()
    {
        _ = fx.Cache;   // builds the world
        string[] Args(string run) =>
            ["vae", "train", "--data", fx.P("world"), "--out", fx.P(run), "--steps", "3", "--batch-size", "4", "--frames", "9", "--size", "32"];
        RelyKit.Ok(Args("vae1"));
        MpiDriverRunner.MpirunCli(2, Args("vae2"));
        var one = MetricsLog.Read(fx.P("vae1/metrics.csv"))[^1];
        var two = MetricsLog.Read(fx.P("vae2/metrics.csv"))[^1];
        Assert.Equal(3, one.Step);
        Assert.Equal(one.Step, two.Step);
        foreach (var c in new[] { "loss", "mse", "kl", "grad_norm_vae" })
            Assert.True(Math.Abs(one.Values[c] - two.Values[c]) <= LossAtol + LossRtol * Math.Abs(one.Values[c]),
                $"{c}: 1 process {one.Values[c]:R} vs 2 ranks {two.Values[c]:R}");
        // AdamW divides each gradient by its running RMS, so at lr 1e-3 a weight with a near-zero gradient can step by up
        // to lr on summation-order rounding (2 ranks × 1 thread vs 1 process × 2 threads): 1e-5 is 1 % of one step.
        AssertSameWeights(Directory.GetFiles(fx.P("vae1/vae"), "*.safetensors").Single(), Directory.GetFiles(fx.P("vae2/vae"), "*.safetensors").Single(),
            atol: 1e-5);
    }

    [MpiFact]
    public void PriorTrain_TwoRanks_ResumedFromStep2_ContinuesBitIdentically()
    {
        string straight = fx.PriorTwoRanks;
        // The state of a 2-rank run killed during step 4: checkpoint 2 complete, metrics rows 1–4, no predictor yet.
        string split = fx.P("prior2-split");
        CopyFolder(straight, split);
        Directory.Delete(Path.Combine(split, "checkpoints", "step-000004"), true);
        Directory.Delete(Path.Combine(split, "predictor"), true);

        MpiDriverRunner.MpirunCli(2, fx.PriorArgs("prior2-split", "--resume"));
        var expected = MetricsLog.Read(Path.Combine(straight, "metrics.csv"));
        var resumed = MetricsLog.Read(Path.Combine(split, "metrics.csv"));
        Assert.Equal([1, 2, 3, 4], resumed.Select(r => r.Step));   // rows 3–4 truncated by rank 0, then written again once
        // Same ranks, same reduction order: every loss and gradient norm is bit-identical (timings differ).
        foreach (var (a, b) in expected.Zip(resumed))
            foreach (var c in new[] { "loss", "mse", "cos_sim", "grad_norm_predictor", "lr_predictor" })
                Assert.True(a.Values[c] == b.Values[c], $"step {a.Step} {c}: straight {a.Values[c]:R} vs resumed {b.Values[c]:R}");
        using var scope = NewDisposeScope();
        var w1 = SafetensorsFile.LoadAll(Path.Combine(straight, "predictor", "model.safetensors"));
        var w2 = SafetensorsFile.LoadAll(Path.Combine(split, "predictor", "model.safetensors"));
        foreach (var (k, t) in w1) Assert.True(t.shape.SequenceEqual(w2[k].shape) && t.equal(w2[k]).all().item<bool>(), $"{k} differs after resume");
    }

    private static void CopyFolder(string from, string to)
    {
        foreach (var dir in Directory.EnumerateDirectories(from, "*", SearchOption.AllDirectories))
            Directory.CreateDirectory(Path.Combine(to, Path.GetRelativePath(from, dir)));
        Directory.CreateDirectory(to);
        foreach (var file in Directory.EnumerateFiles(from, "*", SearchOption.AllDirectories))
            File.Copy(file, Path.Combine(to, Path.GetRelativePath(from, file)));
    }
}
