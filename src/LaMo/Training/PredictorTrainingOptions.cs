using System.Text.Json.Serialization;

namespace LaMo.Training;

/// <summary>Options of <c>lamo prior train</c>: the motion-field predictor alone on a latent cache, backbone frozen
/// ("predictor only", docs/method.md §1). Defaults are the published ones.</summary>
public sealed record PredictorTrainingOptions
{
    /// <summary>Latent cache folder.</summary>
    [JsonPropertyName("cache")] public required string Cache { get; init; }

    /// <summary>Run folder.</summary>
    [JsonPropertyName("out")] public required string Out { get; init; }

    /// <summary>Predictor preset (<c>paper</c>, <c>small</c>, <c>tiny</c>) or a config JSON path; channels and text width
    /// are taken from the cache.</summary>
    [JsonPropertyName("predictor_config")] public string PredictorConfig { get; init; } = "small";

    /// <summary>Where the ᾱ table of the noise augmentation comes from: a pipeline folder or a scheduler_config.json. Null:
    /// the scheduler of the pipeline whose VAE encoded the cache (its cache.json), or CogVideoX-2B's when that folder has
    /// none.</summary>
    [JsonPropertyName("scheduler")] public string? Scheduler { get; init; }

    /// <summary>Steps.</summary>
    [JsonPropertyName("steps")] public int Steps { get; init; } = 2000;

    /// <summary>Clips per step.</summary>
    [JsonPropertyName("batch_size")] public int BatchSize { get; init; } = 8;

    /// <summary>AdamW learning rate (cosine schedule).</summary>
    [JsonPropertyName("learning_rate")] public double LearningRate { get; init; } = 5e-4;

    /// <summary>Warm-up steps.</summary>
    [JsonPropertyName("warmup_steps")] public int WarmupSteps { get; init; } = 200;

    /// <summary>Gradient clip.</summary>
    [JsonPropertyName("max_grad_norm")] public double MaxGradNorm { get; init; } = 1.0;

    /// <summary>α of L_φ = MSE + α(1 − cos).</summary>
    [JsonPropertyName("cosine_weight")] public double CosineWeight { get; init; } = 0.3;

    /// <summary>Noise-augmentation probability.</summary>
    [JsonPropertyName("noise_aug_prob")] public double NoiseAugProb { get; init; } = 0.5;

    /// <summary>Noise-augmentation scale s.</summary>
    [JsonPropertyName("noise_aug_scale")] public double NoiseAugScale { get; init; } = 0.3;

    /// <summary>Prompt-dropout probability.</summary>
    [JsonPropertyName("prompt_dropout")] public double PromptDropout { get; init; } = 0.1;

    /// <summary>Seed.</summary>
    [JsonPropertyName("seed")] public int Seed { get; init; }

    /// <summary>Metrics interval.</summary>
    [JsonPropertyName("log_every")] public int LogEvery { get; init; } = TrainingLoopOptions.DefaultLogEvery;

    /// <summary>Checkpoint interval.</summary>
    [JsonPropertyName("checkpoint_every")] public int CheckpointEvery { get; init; } = TrainingLoopOptions.DefaultCheckpointEvery;

    /// <summary>Clips per forward/backward pass (gradient accumulation); 0 = the whole per-rank batch at once.</summary>
    [JsonPropertyName("micro_batch_size")] public int MicroBatchSize { get; init; }

    /// <summary>Continue from the last checkpoint.</summary>
    [JsonPropertyName("resume")] public bool Resume { get; init; }

    /// <summary>Continue from this checkpoint of the run folder (<c>step-N</c> or <c>N</c>) instead of the newest intact
    /// one; implies resume.</summary>
    [JsonPropertyName("resume_from")] public string? ResumeFrom { get; init; }

    /// <summary>Replace an earlier run in the run folder (otherwise refused unless resuming).</summary>
    [JsonPropertyName("overwrite")] public bool Overwrite { get; init; }

    /// <summary>Checks ranges; names the bad field.</summary>
    public PredictorTrainingOptions Validate()
    {
        if (Steps <= 0) throw new ArgumentException($"steps ({Steps}) must be > 0", "steps");
        if (BatchSize <= 0) throw new ArgumentException($"batch_size ({BatchSize}) must be > 0", "batch_size");
        if (!(LearningRate > 0)) throw new ArgumentException($"learning_rate ({LearningRate}) must be > 0", "learning_rate");
        if (WarmupSteps < 0) throw new ArgumentException($"warmup_steps ({WarmupSteps}) must be >= 0", "warmup_steps");
        if (LogEvery <= 0) throw new ArgumentException($"log_every ({LogEvery}) must be > 0", "log_every");
        if (CheckpointEvery <= 0) throw new ArgumentException($"checkpoint_every ({CheckpointEvery}) must be > 0", "checkpoint_every");
        if (Overwrite && (Resume || ResumeFrom is not null))
            throw new ArgumentException("overwrite replaces the run and resume continues it: choose one", "overwrite");
        if (MicroBatchSize < 0 || (MicroBatchSize > 0 && BatchSize % MicroBatchSize != 0))
            throw new ArgumentException($"micro_batch_size ({MicroBatchSize}) must be 0 or divide batch_size ({BatchSize})", "micro_batch_size");
        return this;
    }
}
