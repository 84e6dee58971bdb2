using LaMo.Core;
using LaMo.Data;
using LaMo.Models.WanVae;
using LaMo.Training;
using LaMo.Video;
using LaMo.Workflows;
using Xunit;
using static LaMo.Core.KeptScalars;
using static TorchSharp.torch;

namespace LaMo.Tests.Workflows;

/// <summary><c>lamo vae train --family wan</c>: the tiny AutoencoderKLWan (configs/tiny-wan/vae) trained on a 4-clip world
/// through the same task and loop as the CogVideoX VAE, saved with per-channel latents_mean / latents_std fitted on the
/// training clips, loaded by <c>lamo pipeline init --family wan</c> and normalised by <c>lamo encode</c>.</summary>
[Collection("Torch")]
public sealed class WanVaeTrainTests(Xunit.Abstractions.ITestOutputHelper log) : IDisposable
{
    private readonly string _dir = Directory.CreateTempSubdirectory("lamo-wanvae-").FullName;
    public void Dispose() => Directory.Delete(_dir, true);

    private string P(string name) => Path.Combine(_dir, name);

    private static readonly ClipReadOptions Read = new(Frames: 9, Width: 32, Height: 32);

    private string World()
    {
        RelyKit.Ok("world", "generate", "--scenarios", "s1", "--count", "4", "--size", "32", "--frames", "9", "--seed", "5", "--out", P("world"));
        return P("world");
    }

    private static AutoencoderKLWanConfig TinyConfig() => AutoencoderKLWanConfig.Load(RelyKit.Repo(PipelineInitWorkflow.WanVaeConfigPath));

    // The clips as the workflow reads them: [N, 3, F, H, W] in [−1, 1].
    private static Tensor Clips(string world)
    {
        var skipped = new List<SkippedFile>();
        var dataset = new VideoClipDataset(DatasetIndex.Detect(world, skipped), Read, skipped);
        return stack(dataset.Clips.Select(c => VideoTensor.FromFrames(c.Video))).permute(0, 2, 1, 3, 4).contiguous();
    }

    // Per-element MSE of the posterior-mode reconstruction (unclamped, as trained).
    private static double ReconstructionMse(AutoencoderKLWan vae, Tensor clips)
    {
        using var scope = NewDisposeScope();
        using var noGrad = no_grad();
        vae.eval();
        using var post = vae.Encode(clips);
        return vae.Decode(post.Mean, clamp: false).add(clips, Sc(-1)).pow(Sc(2)).mean().item<float>();
    }

    [Fact]
    public void TrainWan_LowersReconstructionError_AndSavesTheTrainedWeightsWithTheirStatistics()
    {
        using var scope = NewDisposeScope();
        string world = World();
        var clips = Clips(world);
        var config = TinyConfig();
        var options = new VaeTrainingOptions(Steps: 6, BatchSize: 2, LearningRate: 2e-3, WarmupSteps: 1, LogEvery: 1);
        var (result, saved) = VaeWorkflow.TrainWan(world, P("run"), config, options, Read);
        Assert.Equal(6, result.FinalStep);
        Assert.NotNull(saved);

        manual_seed(options.Seed);   // the workflow's initial weights
        double untrained;
        using (var fresh = new AutoencoderKLWan(config)) untrained = ReconstructionMse(fresh, clips);
        using var loaded = AutoencoderKLWan.FromPretrained(P("run/vae"));
        double trained = ReconstructionMse(loaded, clips);
        log.WriteLine($"reconstruction MSE: untrained {untrained:G4}, after 6 steps {trained:G4}");
        Assert.True(trained < 0.5 * untrained, $"reconstruction MSE {trained:G4} after 6 steps vs {untrained:G4} untrained");
        var rows = MetricsLog.Read(P("run/metrics.csv"));
        Assert.True(rows[^1].Values["mse"] < rows[0].Values["mse"], $"training mse {rows[^1].Values["mse"]:G4} at step 6 vs {rows[0].Values["mse"]:G4} at step 1");

        // The folder holds the final checkpoint's weights, bit for bit, and the architecture it was trained with.
        var checkpoint = CheckpointStore.ReadGroup(new CheckpointStore(P("run")).Latest()!, "vae");
        var weights = StateDictLoader.StateDict(loaded);
        Assert.Equal(checkpoint.Keys.Order(), weights.Keys.Order());
        foreach (var (key, value) in checkpoint)
            Assert.True(value.equal(weights[key]).all().item<bool>(), $"{key} differs from the final checkpoint");
        Assert.Equal((config with { LatentsMean = saved.LatentsMean, LatentsStd = saved.LatentsStd }).ToJson(), loaded.Config.ToJson());

        // Its statistics are those of these weights on the training clips, and differ from the unfitted 0 / 1.
        var (mean, std) = VaeWorkflow.FitLatentStatistics(loaded, clips);
        for (int c = 0; c < config.ZDim; c++)
        {
            Assert.Equal(mean[c], loaded.Config.LatentsMean[c], 5);
            Assert.Equal(std[c], loaded.Config.LatentsStd[c], 5);
        }
        Assert.Contains(Enumerable.Range(0, config.ZDim), c => Math.Abs(mean[c]) > 0.1 || Math.Abs(std[c] - 1) > 0.1);
    }

    [Fact]
    public void PipelineInitAndEncode_GiveLatentsNormalisedPerChannel_OnTheTrainingClips()
    {
        string world = World();
        string output = RelyKit.Ok("vae", "train", "--family", "wan", "--data", world, "--out", P("vae"), "--steps", "3", "--batch-size", "2",
            "--frames", "9", "--size", "32", "--warmup-steps", "1");
        Assert.Contains("latents_mean / latents_std fitted per channel (z_dim 8", output);
        RelyKit.Ok("pipeline", "init", "--family", "wan", "--vae", P("vae/vae"), "--out", P("pipe"));
        RelyKit.Ok("encode", "--data", world, "--pipeline", P("pipe"), "--out", P("cache"), "--frames", "9", "--size", "32");

        using var scope = NewDisposeScope();
        var saved = AutoencoderKLWanConfig.Load(P("pipe/vae/config.json"));
        var latents = LatentCache.ReadShard(LatentCache.Shards(P("cache")).Single()).Latents;   // [N, F', C, h, w]
        Assert.Equal(new long[] { 4, 3, 8, 4, 4 }, latents.shape);
        var perChannel = latents.transpose(0, 2).reshape(8, -1);                               // [C, N·F'·h·w]
        double[] mean = perChannel.mean([1]).to_type(ScalarType.Float64).data<double>().ToArray();
        double[] std = perChannel.std(1).to_type(ScalarType.Float64).data<double>().ToArray();
        log.WriteLine($"encoded latents: |mean| ≤ {mean.Max(Math.Abs):G3}, |std − 1| ≤ {std.Max(s => Math.Abs(s - 1)):G3}; "
                      + $"fitted latents_mean {string.Join(" ", saved.LatentsMean.Select(m => m.ToString("F3")))}, latents_std {string.Join(" ", saved.LatentsStd.Select(m => m.ToString("F3")))}");
        for (int c = 0; c < 8; c++)
        {
            // Fitted on exactly these clips: only float rounding separates them from 0 and 1.
            Assert.True(Math.Abs(mean[c]) < 1e-3, $"channel {c}: mean {mean[c]:G4} (latents_mean {saved.LatentsMean[c]:G4})");
            Assert.True(Math.Abs(std[c] - 1) < 1e-3, $"channel {c}: std {std[c]:G4} (latents_std {saved.LatentsStd[c]:G4})");
        }
        // Without the fitted statistics the latents would be far from normalised.
        Assert.Contains(Enumerable.Range(0, 8), c => Math.Abs(saved.LatentsMean[c]) > 0.1 || Math.Abs(saved.LatentsStd[c] - 1) > 0.1);
    }

    [Fact]
    public void ResumedRun_EqualsTheUninterruptedOne_ThroughTheSharedLoop()
    {
        string world = World();
        var config = TinyConfig();
        VaeTrainingOptions O(int steps) => new(Steps: steps, BatchSize: 2, WarmupSteps: 1, CropFrames: 5, CheckpointEvery: 2);
        VaeWorkflow.TrainWan(world, P("whole"), config, O(4), Read);
        VaeWorkflow.TrainWan(world, P("parts"), config, O(2), Read);
        Assert.Throws<OutputExistsException>(() => VaeWorkflow.TrainWan(world, P("parts"), config, O(4), Read));   // neither resume nor overwrite
        var (resumed, _) = VaeWorkflow.TrainWan(world, P("parts"), config, O(4), Read, resume: true);
        Assert.Equal(4, resumed.FinalStep);
        Assert.Equal(File.ReadAllBytes(P("whole/vae/diffusion_pytorch_model.safetensors")), File.ReadAllBytes(P("parts/vae/diffusion_pytorch_model.safetensors")));
        Assert.Equal(File.ReadAllText(P("whole/vae/config.json")), File.ReadAllText(P("parts/vae/config.json")));
    }

    [Fact]
    public void BadOptions_AreRefusedByName_BeforeTraining()
    {
        string world = World();
        string[] Args(params string[] extra) => ["vae", "train", "--data", world, "--out", P("run"), "--steps", "1", "--batch-size", "2", "--size", "32", .. extra];

        var (rc, _, err) = RelyKit.Cli(Args("--family", "sd"));
        Assert.NotEqual(0, rc);
        Assert.Contains("--family ('sd') must be cogvideox or wan", err);
        (rc, _, err) = RelyKit.Cli(Args("--family", "wan", "--frames", "9", "--crop-frames", "7"));
        Assert.NotEqual(0, rc);
        Assert.Contains("crop_frames (7) must be 0 or 1 + 4k", err);
        (rc, _, err) = RelyKit.Cli(Args("--family", "cogvideox", "--frames", "9", "--crop-frames", "5"));   // 1 + 4k is Wan's rule only
        Assert.NotEqual(0, rc);
        Assert.Contains("crop_frames (5) must be 0 or 1 + 8k", err);
        (rc, _, err) = RelyKit.Cli(Args("--family", "wan", "--vae-config", "configs/tiny/vae/config.json", "--frames", "9"));
        Assert.NotEqual(0, rc);
        Assert.Contains("'act_fn'", err);   // a CogVideoX config is not an AutoencoderKLWan config: its keys are unknown
        Assert.False(Directory.Exists(P("run")), "a refused option must not create the run folder");

        (rc, _, err) = RelyKit.Cli(Args("--family", "wan", "--frames", "8"));   // whole clips of 8 frames cannot round-trip
        Assert.NotEqual(0, rc);
        Assert.Contains("frames (8) must be 1 + 4k", err);
    }
}
