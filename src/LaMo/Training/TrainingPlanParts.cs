using System.Text.Json.Serialization;
using LaMo.Motion;
using static TorchSharp.torch;

namespace LaMo.Training;

/// <summary>Which transformer weights a backbone run trains.</summary>
[JsonConverter(typeof(JsonStringEnumConverter<TrainingMode>))]
public enum TrainingMode
{
    /// <summary>All transformer weights.</summary>
    [JsonStringEnumMemberName("full")] Full,
    /// <summary>LoRA adapters on attn1.to_q/k/v/to_out.0 only; the base stays frozen.</summary>
    [JsonStringEnumMemberName("lora")] Lora,
}

/// <summary>One optimiser group's settings: AdamW with decoupled weight decay, per-group gradient clipping, and a
/// learning-rate schedule with linear warm-up.</summary>
/// <param name="LearningRate">Base learning rate.</param>
/// <param name="WarmupSteps">Linear warm-up steps.</param>
/// <param name="WeightDecay">AdamW weight decay.</param>
/// <param name="MaxGradNorm">Gradient clip of the group.</param>
/// <param name="Schedule">Shape after warm-up.</param>
public sealed record OptimizerPlan(double LearningRate, int WarmupSteps, double WeightDecay, double MaxGradNorm,
    [property: JsonConverter(typeof(JsonStringEnumConverter<LrScheduleKind>))] LrScheduleKind Schedule);

/// <summary>How each step's batch is drawn.</summary>
/// <param name="BatchSize">Clips per optimiser step (the global batch under MPI).</param>
/// <param name="MicroBatchSize">Clips per forward/backward pass; 0 = the whole per-rank batch.</param>
/// <param name="Seed">Batches and noise of step s are a function of (seed, s).</param>
public sealed record BatchPlan(int BatchSize, int MicroBatchSize, int Seed);

/// <summary>LoRA's settings (present only in LoRA mode).</summary>
/// <param name="Rank">Adapter rank.</param>
/// <param name="Alpha">Adapter alpha (scale α / rank).</param>
/// <param name="BaseWeightDtype">Type of the frozen base weights (fp32, or bf16/fp16 for mixed precision).</param>
public sealed record LoraPlan(int Rank, double Alpha,
    [property: JsonConverter(typeof(JsonStringEnumConverter<ScalarType>))] ScalarType BaseWeightDtype)
{
    /// <summary>Default rank.</summary>
    public const int DefaultRank = 16;

    /// <summary>Default alpha.</summary>
    public const double DefaultAlpha = 16;
}

/// <summary>The Motion Drift Loss's settings (present only with <c>drift_loss</c>). σ = t / num_train_timesteps uses the
/// run's scheduler range.</summary>
/// <param name="Loss">λ, τ, ε and the scheduler's number of training timesteps.</param>
public sealed record DriftPlan(MotionDriftLossOptions Loss);

/// <summary>The jointly trained predictor's settings (present only with <c>predictor</c>).</summary>
/// <param name="ConfigSource">The preset name or config path it came from.</param>
/// <param name="Config">The resolved architecture, sized to the cache's channels and text width.</param>
/// <param name="Loss">L_φ's settings.</param>
/// <param name="Optimizer">The predictor group's optimiser (cosine schedule).</param>
public sealed record JointPredictorPlan(string ConfigSource, MotionPriorConfig Config, MotionPriorLossOptions Loss, OptimizerPlan Optimizer)
{
    /// <summary>Default preset.</summary>
    public const string DefaultConfig = "small";

    /// <summary>Default learning rate.</summary>
    public const double DefaultLearningRate = 5e-4;

    /// <summary>Default warm-up steps.</summary>
    public const int DefaultWarmupSteps = 200;
}
