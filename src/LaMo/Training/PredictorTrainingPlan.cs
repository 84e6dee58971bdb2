using System.Text.Json;
using System.Text.Json.Nodes;
using System.Text.Json.Serialization;
using LaMo.Data;
using LaMo.Diffusion.Pipeline;
using LaMo.Diffusion.Schedulers;
using LaMo.Motion;
using static TorchSharp.torch;

namespace LaMo.Training;

/// <summary>A <c>lamo prior train</c> run resolved once from its <see cref="PredictorTrainingOptions"/>: the predictor's
/// architecture sized to the cache, L_φ's settings, the noise schedule its augmentation uses and where that came from.
/// Printed at start-up and saved in run.json and every checkpoint.</summary>
/// <param name="Cache">Latent cache folder.</param>
/// <param name="Out">Run folder.</param>
/// <param name="ConfigSource">The preset name or config path of the architecture.</param>
/// <param name="Config">The resolved architecture.</param>
/// <param name="Loss">L_φ's settings.</param>
/// <param name="Optimizer">AdamW with a cosine schedule.</param>
/// <param name="Batch">Batch size, micro batch and seed.</param>
/// <param name="SchedulerSource">The file the noise schedule was read from, or <c>CogVideoX-2B</c>.</param>
/// <param name="Scheduler">The noise schedule whose ᾱ table the augmentation uses (null for a flow scheduler).</param>
/// <param name="Loop">The loop's settings.</param>
/// <param name="Flow">A flow-matching schedule (a Wan pipeline's): the augmentation imitates its σ instead.</param>
public sealed record PredictorTrainingPlan(string Cache, string Out, string ConfigSource, MotionPriorConfig Config,
    MotionPriorLossOptions Loss, OptimizerPlan Optimizer, BatchPlan Batch, string SchedulerSource,
    [property: JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)] SchedulerConfig? Scheduler,
    TrainingLoopOptions Loop, [property: JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)] FlowSchedule? Flow = null)
{
    /// <summary>Where the predictor lives and the steps compute (default the CPU). Not part of the plan's JSON: the device
    /// does not change the math, so a run may resume on another device and run.json stays as it was.</summary>
    [JsonIgnore] public Device Device { get; init; } = CPU;

    /// <summary>Validates <paramref name="o"/>, reads the cache's shapes and resolves the architecture and the schedule.</summary>
    /// <exception cref="ArgumentException">A bad option (names it).</exception>
    public static PredictorTrainingPlan Resolve(PredictorTrainingOptions o)
    {
        TrainingLimits.Check(o.Validate());
        using var cache = LatentCache.Open(o.Cache, inMemoryLimitBytes: 0);   // shapes and manifest only
        var (source, scheduler, flow) = SchedulerOf(o.Scheduler, cache.Manifest);
        if (scheduler is not null) PipelineFolderLimits.Check(scheduler, source);
        return new PredictorTrainingPlan(o.Cache, o.Out, o.PredictorConfig,
            MotionPriorPresets.Resolve(o.PredictorConfig, (int)cache.LatentShape[1], (int)cache.EmbedShape[1]),
            new MotionPriorLossOptions(o.CosineWeight, o.NoiseAugProb, o.NoiseAugScale, o.PromptDropout).Validate(),
            new OptimizerPlan(o.LearningRate, o.WarmupSteps, 0.0, o.MaxGradNorm, LrScheduleKind.Cosine),
            new BatchPlan(o.BatchSize, o.MicroBatchSize, o.Seed), source, scheduler,
            new TrainingLoopOptions(o.Out, o.Steps, o.LogEvery, o.CheckpointEvery, o.Resume, Overwrite: o.Overwrite, ResumeFrom: o.ResumeFrom), flow);
    }

    // The given file or pipeline folder; else the encoding pipeline's scheduler (the folder holding the cache's VAE); else 2B's.
    // A flow scheduler (a Wan pipeline's) gives flow levels instead of an ᾱ table.
    private static (string Source, SchedulerConfig? Config, FlowSchedule? Flow) SchedulerOf(string? given, LatentCacheManifest manifest)
    {
        static (string, SchedulerConfig?, FlowSchedule?) Read(string file) =>
            FlowSchedule.IsFlow(file) ? (file, null, FlowSchedule.Load(file)) : (file, SchedulerConfig.Load(file), null);
        if (given is not null)
        {
            string file = Directory.Exists(given) ? Path.Combine(given, "scheduler", "scheduler_config.json") : given;
            if (!File.Exists(file)) throw new ArgumentException($"scheduler {given}: neither a scheduler_config.json nor a pipeline folder with scheduler/scheduler_config.json", "scheduler");
            return Read(file);
        }
        string? pipeline = Path.GetDirectoryName(Path.TrimEndingDirectorySeparator(manifest.Vae));
        string? encoding = string.IsNullOrEmpty(pipeline) ? null : Path.Combine(pipeline, "scheduler", "scheduler_config.json");
        return encoding is not null && File.Exists(encoding) ? Read(encoding) : ("CogVideoX-2B", SchedulerConfig.CogVideoX2B, null);
    }

    /// <summary>The plan as JSON (snake_case; configs under their config.json names).</summary>
    public JsonNode ToJson() => JsonSerializer.SerializeToNode(this, TrainingPlanJson.Options)!;
}
