using System.Text.Json;
using System.Text.Json.Nodes;
using System.Text.Json.Serialization;
using LaMo.Data;
using LaMo.Diffusion.Pipeline;
using LaMo.Diffusion.Schedulers;
using LaMo.Models.CogVideoX;
using LaMo.Motion;
using static TorchSharp.torch;

namespace LaMo.Training;

/// <summary>A <c>lamo train</c> run resolved once from its <see cref="BackboneTrainingOptions"/>: every value that reaches
/// the numbers, typed, with the configs loaded and checked. An optional feature is a sub-record, present when it is on.
/// Printed at start-up and saved in run.json and every checkpoint (<see cref="ToJson"/>).</summary>
/// <param name="Cache">Latent cache folder.</param>
/// <param name="Out">Run folder.</param>
/// <param name="InitPipeline">Pipeline folder fine-tuned from, or null when training from scratch.</param>
/// <param name="Transformer">The CogVideoX transformer's config (the init pipeline's, or the from-scratch one); null for Wan.</param>
/// <param name="Scheduler">The CogVideoX training noise schedule (the init pipeline's, or CogVideoX-2B's from scratch); null
/// for Wan.</param>
/// <param name="Mode">Full or LoRA.</param>
/// <param name="Lora">LoRA's settings, in LoRA mode.</param>
/// <param name="Backbone">The backbone group's optimiser (constant schedule after warm-up).</param>
/// <param name="Batch">Batch size, micro batch and seed.</param>
/// <param name="TextDropout">Probability of the empty prompt per clip.</param>
/// <param name="Drift">The Motion Drift Loss, when on.</param>
/// <param name="Predictor">The jointly trained predictor, when on.</param>
/// <param name="Loop">The loop's settings.</param>
/// <param name="MaxMemoryBytes">Memory budget, or null for the memory available.</param>
/// <param name="GradientCheckpointing">Recompute block activations in backward.</param>
/// <param name="Wan">The Wan backbone (transformer config and flow-matching levels) when the init pipeline is a Wan folder.</param>
public sealed record BackboneTrainingPlan(string Cache, string Out, string? InitPipeline,
    [property: JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)] CogVideoXTransformerConfig? Transformer,
    [property: JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)] SchedulerConfig? Scheduler, TrainingMode Mode, LoraPlan? Lora, OptimizerPlan Backbone, BatchPlan Batch, double TextDropout,
    DriftPlan? Drift, JointPredictorPlan? Predictor, TrainingLoopOptions Loop, long? MaxMemoryBytes, bool GradientCheckpointing,
    [property: JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)] WanTrainingPlan? Wan = null)
{
    /// <summary>Where the models live and the steps compute (default the CPU). Not part of the plan's JSON: the device does
    /// not change the math (draws are made on the CPU, see docs/gpu.md), so a run may resume on another device and run.json
    /// stays as it was.</summary>
    [JsonIgnore] public Device Device { get; init; } = CPU;

    /// <summary>The frozen base's weight type (fp32 unless LoRA mixed precision).</summary>
    [System.Text.Json.Serialization.JsonIgnore] public ScalarType BaseWeightDtype => Lora?.BaseWeightDtype ?? ScalarType.Float32;

    /// <summary>Validates <paramref name="o"/>, loads and bounds its configs, reads the cache's shapes, and fills every
    /// default. The only place a <see cref="BackboneTrainingOptions"/> is checked.</summary>
    /// <exception cref="ArgumentException">A bad or off-feature option (names it).</exception>
    /// <exception cref="InvalidDataException">A config or the cache is unreadable (names the file).</exception>
    public static BackboneTrainingPlan Resolve(BackboneTrainingOptions o)
    {
        TrainingLimits.Check(o.Validate());
        // A Wan init folder (model_index.json naming WanPipeline): its transformer and flow scheduler, the flow objective.
        var wan = o.Init is not null && PipelineFolder.IsWan(o.Init) ? WanTrainingPlan.FromPipeline(o.Init) : null;
        var transformer = wan is not null ? null : TransformerLimits.Load(o.Init is not null ? Path.Combine(o.Init, "transformer") : o.TransformerConfig!);
        var scheduler = wan is not null ? null : o.Init is not null ? SchedulerConfig.Load(Path.Combine(o.Init, "scheduler", "scheduler_config.json")) : SchedulerConfig.CogVideoX2B;
        if (scheduler is not null) PipelineFolderLimits.Check(scheduler, "scheduler_config.json");
        int numTrainTimesteps = wan?.NumTrainTimesteps ?? scheduler!.NumTrainTimesteps;
        JointPredictorPlan? predictor = null;
        if (o.Predictor)
        {
            using var cache = LatentCache.Open(o.Cache, inMemoryLimitBytes: 0);   // shapes only
            string source = o.PredictorConfig ?? JointPredictorPlan.DefaultConfig;
            var d = MotionPriorLossOptions.Default;
            predictor = new JointPredictorPlan(source,
                MotionPriorPresets.Resolve(source, (int)cache.LatentShape[1], (int)cache.EmbedShape[1]),
                new MotionPriorLossOptions(o.PredictorCosineWeight ?? d.CosineWeight, o.PredictorNoiseAugProb ?? d.NoiseAugProb,
                    o.PredictorNoiseAugScale ?? d.NoiseAugScale, o.PredictorPromptDropout ?? d.PromptDropoutProb).Validate(),
                new OptimizerPlan(o.PredictorLearningRate ?? JointPredictorPlan.DefaultLearningRate,
                    o.PredictorWarmupSteps ?? JointPredictorPlan.DefaultWarmupSteps, 0.0, 1.0, LrScheduleKind.Cosine));
        }
        var driftDefaults = MotionDriftLossOptions.Default;
        return new BackboneTrainingPlan(o.Cache, o.Out, o.Init, transformer, scheduler,
            o.Mode == "lora" ? TrainingMode.Lora : TrainingMode.Full,
            o.Mode == "lora" ? new LoraPlan(o.LoraRank ?? LoraPlan.DefaultRank, o.LoraAlpha ?? LoraPlan.DefaultAlpha,
                Models.WeightDtype.Parse(o.WeightDtype ?? "fp32", "weight_dtype")) : null,
            new OptimizerPlan(o.LearningRate, o.WarmupSteps, o.WeightDecay, o.MaxGradNorm, LrScheduleKind.Constant),
            new BatchPlan(o.BatchSize, o.MicroBatchSize, o.Seed), o.TextDropout,
            o.DriftLoss ? new DriftPlan(new MotionDriftLossOptions(o.DriftLambda ?? driftDefaults.Lambda, o.DriftTau ?? driftDefaults.Tau,
                NumTrainTimesteps: numTrainTimesteps, Denominator: BackboneTrainingOptions.ParseDenominator(o.DriftDenominator),
                NoiseFloorKappa: o.DriftNoiseFloorKappa ?? MotionDriftLossOptions.DefaultNoiseFloorKappa).Validate()) : null,
            predictor,
            new TrainingLoopOptions(o.Out, o.Steps, o.LogEvery, o.CheckpointEvery, o.Resume, TrainingLoopOptions.ParseNanPolicy(o.NanPolicy),
                Overwrite: o.Overwrite, ResumeFrom: o.ResumeFrom),
            o.MaxMemoryGb is { } gb ? (long)(gb * (1L << 30)) : null, o.GradientCheckpointing, wan);
    }

    /// <summary>The plan as JSON (snake_case; configs under their config.json names).</summary>
    public JsonNode ToJson() => JsonSerializer.SerializeToNode(this, TrainingPlanJson.Options)!;
}

/// <summary>How plans are written: snake_case names, enums as words.</summary>
internal static class TrainingPlanJson
{
    /// <summary>The serializer options of every plan.</summary>
    public static JsonSerializerOptions Options { get; } = new()
    {
        PropertyNamingPolicy = JsonNamingPolicy.SnakeCaseLower,
        WriteIndented = true,
        NumberHandling = System.Text.Json.Serialization.JsonNumberHandling.AllowNamedFloatingPointLiterals,
    };
}
