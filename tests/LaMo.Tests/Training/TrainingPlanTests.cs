using System.Text.Json.Nodes;
using LaMo.Diffusion.Schedulers;
using LaMo.Motion;
using LaMo.Training;
using LaMo.Workflows;
using Xunit;

namespace LaMo.Tests.Training;

/// <summary>Training options are resolved once into a typed plan: a feature's settings exist only while it is on, every
/// default is filled in one place, and the plan is what the run prints and saves.</summary>
[Collection("Torch")]
public sealed class TrainingPlanTests : IDisposable
{
    private readonly string _dir = Directory.CreateTempSubdirectory("lamo-plan-").FullName;
    public void Dispose() => Directory.Delete(_dir, true);

    private BackboneTrainingOptions Scratch(string cache) => new()
    {
        Cache = cache, Out = Path.Combine(_dir, "run"), TransformerConfig = RelyKit.Repo("configs/tiny/transformer/config.json"),
        Steps = 2, BatchSize = 2, WarmupSteps = 1, LogEvery = 1,
    };

    public static TheoryData<string, string> OffFeatureSettings => new()
    {
        { "drift_lambda=0.3", "drift_loss" },
        { "drift_tau=3", "drift_loss" },
        { "predictor_config=tiny", "predictor" },
        { "predictor_learning_rate=0.001", "predictor" },
        { "predictor_noise_aug_prob=0", "predictor" },
        { "drift_denominator=noise_floor", "drift_loss" },
        { "lora_rank=4", "mode 'lora'" },
        { "lora_alpha=8", "mode 'lora'" },
        { "weight_dtype=bf16", "mode 'lora'" },
    };

    [Theory]
    [MemberData(nameof(OffFeatureSettings))]
    public void AFeaturesSetting_WhileItIsOff_IsRefusedByTheCliInOneLine_AndNothingIsWritten(string set, string feature)
    {
        string cache = RelyKit.SyntheticCache(_dir, clips: 2);
        var (rc, _, err) = RelyKit.Cli("train", "--cache", cache, "--out", Path.Combine(_dir, "run"),
            "--set", $"transformer_config={RelyKit.Repo("configs/tiny/transformer/config.json")}", "--set", set);
        Assert.NotEqual(0, rc);
        Assert.Contains(set.Split('=')[0], err);
        Assert.Contains($"of {feature}, which is off", err);
        Assert.DoesNotContain("(Parameter '", err);
        Assert.Single(err.Trim().Split('\n'));
        Assert.False(Directory.Exists(Path.Combine(_dir, "run")));
    }

    [Fact]
    public void TransformerConfig_WithInit_IsRefused_NotIgnored()
    {
        var o = new BackboneTrainingOptions { Cache = "c", Out = "o", Init = "some/pipeline", TransformerConfig = "some/config.json" };
        var e = Assert.Throws<ArgumentException>(() => o.Validate());
        Assert.Equal("transformer_config", e.ParamName);
    }

    [Fact]
    public void OffFeatures_AreAbsentFromThePlan_AndOnFeatures_GetTheirDefaults()
    {
        string cache = RelyKit.SyntheticCache(_dir, clips: 2);
        var plain = BackboneTrainingPlan.Resolve(Scratch(cache));
        Assert.Null(plain.Drift);
        Assert.Null(plain.Predictor);
        Assert.Null(plain.Lora);
        Assert.Equal(TrainingMode.Full, plain.Mode);
        Assert.Equal(TrainingLoopOptions.DefaultCheckpointEvery, plain.Loop.CheckpointEvery);
        Assert.Equal(NanPolicy.Skip, plain.Loop.Nan);

        var lamo = BackboneTrainingPlan.Resolve(Scratch(cache) with { DriftLoss = true, Predictor = true, NanPolicy = "stop" });
        Assert.Equal(MotionDriftLossOptions.Default, lamo.Drift!.Loss);
        Assert.Equal(MotionPriorLossOptions.Default, lamo.Predictor!.Loss);
        Assert.Equal(JointPredictorPlan.DefaultConfig, lamo.Predictor.ConfigSource);
        Assert.Equal(MotionPriorConfig.Small with { InChannels = 16, PromptTextDim = 32 }, lamo.Predictor.Config);
        Assert.Equal(new OptimizerPlan(JointPredictorPlan.DefaultLearningRate, JointPredictorPlan.DefaultWarmupSteps, 0.0, 1.0, LrScheduleKind.Cosine),
            lamo.Predictor.Optimizer);
        Assert.Equal(NanPolicy.Stop, lamo.Loop.Nan);

        var tuned = BackboneTrainingPlan.Resolve(Scratch(cache) with
        {
            DriftLoss = true, DriftLambda = 0.1, DriftTau = 3, Predictor = true, PredictorConfig = "tiny", PredictorCosineWeight = 0.5,
            PredictorNoiseAugProb = 0.25,
        });
        Assert.Equal(new MotionDriftLossOptions(0.1, 3), tuned.Drift!.Loss);
        Assert.Equal(MotionPriorLossOptions.Default with { CosineWeight = 0.5, NoiseAugProb = 0.25 }, tuned.Predictor!.Loss);
        Assert.Equal(MotionPriorConfig.Tiny with { InChannels = 16, PromptTextDim = 32 }, tuned.Predictor.Config);

        // The noise-floor denominator is opt-in; its κ exists only with it.
        var floor = BackboneTrainingPlan.Resolve(Scratch(cache) with { DriftLoss = true, DriftDenominator = "noise_floor", DriftNoiseFloorKappa = 0.1 });
        Assert.Equal(MotionDriftLossOptions.Default with { Denominator = DriftDenominator.NoiseFloor, NoiseFloorKappa = 0.1 }, floor.Drift!.Loss);
        var e = Assert.Throws<ArgumentException>(() => BackboneTrainingPlan.Resolve(Scratch(cache) with { DriftLoss = true, DriftNoiseFloorKappa = 0.1 }));
        Assert.Equal("drift_noise_floor_kappa", e.ParamName);
        Assert.Equal("drift_denominator", Assert.Throws<ArgumentException>(() =>
            BackboneTrainingPlan.Resolve(Scratch(cache) with { DriftLoss = true, DriftDenominator = "floor" })).ParamName);
    }

    [Fact]
    public void TheDriftLoss_TakesItsTimestepRange_FromTheRunsScheduler()
    {
        // A pipeline whose scheduler trains on 500 timesteps: σ = t / 500, not t / 1000.
        string pipe = RelyKit.TinyPipeline(_dir);
        string schedulerFile = Path.Combine(pipe, "scheduler", "scheduler_config.json");
        var scheduler = JsonNode.Parse(File.ReadAllText(schedulerFile))!;
        scheduler["num_train_timesteps"] = 500;
        File.WriteAllText(schedulerFile, scheduler.ToJsonString());
        string cache = RelyKit.SyntheticCache(_dir, clips: 2);
        var plan = BackboneTrainingPlan.Resolve(new BackboneTrainingOptions { Cache = cache, Out = Path.Combine(_dir, "run"), Init = pipe, DriftLoss = true });
        Assert.Equal(500, plan.Scheduler!.NumTrainTimesteps);
        Assert.Equal(500, plan.Drift!.Loss.NumTrainTimesteps);
    }

    [Fact]
    public void ThePlan_IsSavedInRunJson_AndInEveryCheckpoint()
    {
        string cache = RelyKit.SyntheticCache(_dir, clips: 2);
        var plan = BackboneTrainingPlan.Resolve(Scratch(cache) with { DriftLoss = true, DriftLambda = 0.25, CheckpointEvery = 1 });
        BackboneWorkflow.Run(plan);
        // Saved with its paths relative to the run folder (a copied run folder names no machine path).
        string expected = RunRecord.Portable(new JsonObject { ["plan"] = plan.ToJson() }, plan.Out)["plan"]!.ToJsonString();
        Assert.Contains("\"cache\":\"../cache\"", expected);
        var run = JsonNode.Parse(File.ReadAllText(Path.Combine(_dir, "run", "run.json")))!;
        Assert.Equal(expected, run["plan"]!.ToJsonString());
        Assert.Equal(0.25, (double)run["plan"]!["drift"]!["loss"]!["lambda"]!);
        var checkpoints = Directory.GetDirectories(Path.Combine(_dir, "run", "checkpoints"));
        Assert.NotEmpty(checkpoints);
        foreach (var c in checkpoints)
            Assert.Equal(expected, CheckpointStore.ReadState(c)["config"]!["plan"]!.ToJsonString());
    }

    [Fact]
    public void ThePredictorPlan_UsesTheEncodingPipelinesSchedule_OrTheOneGiven()
    {
        string pipe = RelyKit.TinyPipeline(_dir);
        string schedulerFile = Path.Combine(pipe, "scheduler", "scheduler_config.json");
        string cache = RelyKit.SyntheticCache(_dir, clips: 2);
        PredictorTrainingOptions O(string? scheduler) => new() { Cache = cache, Out = Path.Combine(_dir, "prior"), Scheduler = scheduler };

        // The synthetic cache names no real VAE folder: the published 2B table, and the plan says so.
        var fallback = PredictorTrainingPlan.Resolve(O(null));
        Assert.Equal("CogVideoX-2B", fallback.SchedulerSource);
        Assert.Equal(SchedulerConfig.CogVideoX2B, fallback.Scheduler);

        var shifted = JsonNode.Parse(File.ReadAllText(schedulerFile))!;
        shifted["snr_shift_scale"] = 1.0;
        File.WriteAllText(schedulerFile, shifted.ToJsonString());
        var given = PredictorTrainingPlan.Resolve(O(pipe));
        Assert.Equal(schedulerFile, given.SchedulerSource);
        Assert.Equal(1.0, given.Scheduler!.SnrShiftScale);
        Assert.Equal(schedulerFile, PredictorTrainingPlan.Resolve(O(schedulerFile)).SchedulerSource);

        var e = Assert.Throws<ArgumentException>(() => PredictorTrainingPlan.Resolve(O(Path.Combine(_dir, "nowhere"))));
        Assert.Equal("scheduler", e.ParamName);
    }

    [Fact]
    public void TheVaeAndTheOtherLoops_ShareOneDefaultCheckpointInterval()
    {
        Assert.Equal(TrainingLoopOptions.DefaultCheckpointEvery, new VaeTrainingOptions().CheckpointEvery);
        Assert.Equal(TrainingLoopOptions.DefaultCheckpointEvery, new PredictorTrainingOptions { Cache = "c", Out = "o" }.CheckpointEvery);
        Assert.Equal(TrainingLoopOptions.DefaultCheckpointEvery, new BackboneTrainingOptions { Cache = "c", Out = "o" }.CheckpointEvery);
        Assert.Equal(TrainingLoopOptions.DefaultCheckpointEvery, new TrainingLoopOptions("r", 1).CheckpointEvery);
    }
}
