using System.Text.Json.Serialization;

namespace LaMo.Training;

/// <summary>Every hyper-parameter of <c>lamo train</c> (backbone training or fine-tuning, optionally with LaMo), in one
/// record that is printed at start-up and saved in run.json and every checkpoint. JSON names are the CLI's
/// <c>--set key=value</c> names. Without <see cref="DriftLoss"/> and <see cref="Predictor"/> this is the plain baseline
/// with otherwise identical settings.</summary>
/// <remarks>This is what the user gives, as given: a feature's own settings (<c>lora_*</c>, <c>weight_dtype</c>,
/// <c>drift_*</c>, <c>predictor_*</c>) are null unless set; <see cref="Validate"/> refuses them while their feature is
/// off, and <see cref="BackboneTrainingPlan.Resolve"/> fills their defaults and turns everything into typed values.</remarks>
public sealed record BackboneTrainingOptions
{
    /// <summary>Latent cache folder (from <c>lamo encode</c>).</summary>
    [JsonPropertyName("cache")] public required string Cache { get; init; }

    /// <summary>Run folder.</summary>
    [JsonPropertyName("out")] public required string Out { get; init; }

    /// <summary>Pipeline folder to start from (fine-tuning); null trains from scratch with <see cref="TransformerConfig"/>.</summary>
    [JsonPropertyName("init")] public string? Init { get; init; }

    /// <summary>Transformer config.json path for training from scratch (refused with <see cref="Init"/>, whose own config is used).</summary>
    [JsonPropertyName("transformer_config")] public string? TransformerConfig { get; init; }

    /// <summary><c>full</c> (all transformer weights) or <c>lora</c> (adapters on attn1.to_q/k/v/to_out.0 only).</summary>
    [JsonPropertyName("mode")] public string Mode { get; init; } = "full";

    /// <summary>LoRA rank, LoRA mode only (default 16; paper: 128 at 2B/5B scale).</summary>
    [JsonPropertyName("lora_rank")] public int? LoraRank { get; init; }

    /// <summary>LoRA alpha, LoRA mode only (default 16; paper: 64).</summary>
    [JsonPropertyName("lora_alpha")] public double? LoraAlpha { get; init; }

    /// <summary>Optimiser steps.</summary>
    [JsonPropertyName("steps")] public int Steps { get; init; } = 2000;

    /// <summary>Clips per step (paper: 1 per GPU).</summary>
    [JsonPropertyName("batch_size")] public int BatchSize { get; init; } = 8;

    /// <summary>Backbone learning rate (paper: 5e-5 for LoRA at scale).</summary>
    [JsonPropertyName("learning_rate")] public double LearningRate { get; init; } = 5e-5;

    /// <summary>Linear warm-up steps, then constant.</summary>
    [JsonPropertyName("warmup_steps")] public int WarmupSteps { get; init; } = 200;

    /// <summary>AdamW weight decay.</summary>
    [JsonPropertyName("weight_decay")] public double WeightDecay { get; init; } = 1e-4;

    /// <summary>Gradient clip (backbone group).</summary>
    [JsonPropertyName("max_grad_norm")] public double MaxGradNorm { get; init; } = 1.0;

    /// <summary>Probability of training a clip with the empty prompt (enables classifier-free guidance).</summary>
    [JsonPropertyName("text_dropout")] public double TextDropout { get; init; } = 0.1;

    /// <summary>Seed: batches and noise of step s are a function of (seed, s).</summary>
    [JsonPropertyName("seed")] public int Seed { get; init; }

    /// <summary>Add LaMo's Motion Drift Loss λ·w·L_drift (docs/method.md).</summary>
    [JsonPropertyName("drift_loss")] public bool DriftLoss { get; init; }

    /// <summary>λ_drift, with <see cref="DriftLoss"/> only (default 0.4).</summary>
    [JsonPropertyName("drift_lambda")] public double? DriftLambda { get; init; }

    /// <summary>τ of the drift loss, with <see cref="DriftLoss"/> only (default 2).</summary>
    [JsonPropertyName("drift_tau")] public int? DriftTau { get; init; }

    /// <summary>The drift loss's denominator, with <see cref="DriftLoss"/> only: <c>published</c> (default) or
    /// <c>noise_floor</c>, our extension that stays bounded where the true bulk motion is below its own noise
    /// (docs/method.md).</summary>
    [JsonPropertyName("drift_denominator")] public string? DriftDenominator { get; init; }

    /// <summary>κ of the <c>noise_floor</c> denominator, with it only (default 0.03).</summary>
    [JsonPropertyName("drift_noise_floor_kappa")] public double? DriftNoiseFloorKappa { get; init; }

    /// <summary>Train the motion-field predictor jointly on the same batches (own optimiser group).</summary>
    [JsonPropertyName("predictor")] public bool Predictor { get; init; }

    /// <summary>Predictor preset (<c>paper</c>, <c>small</c>, <c>tiny</c>) or a config JSON path, with <see cref="Predictor"/>
    /// only (default <c>small</c>).</summary>
    [JsonPropertyName("predictor_config")] public string? PredictorConfig { get; init; }

    /// <summary>Predictor learning rate (cosine schedule), with <see cref="Predictor"/> only (default 5e-4).</summary>
    [JsonPropertyName("predictor_learning_rate")] public double? PredictorLearningRate { get; init; }

    /// <summary>Predictor warm-up steps, with <see cref="Predictor"/> only (default 200).</summary>
    [JsonPropertyName("predictor_warmup_steps")] public int? PredictorWarmupSteps { get; init; }

    /// <summary>α of the predictor's L_φ = MSE + α(1 − cos), with <see cref="Predictor"/> only (default 0.3).</summary>
    [JsonPropertyName("predictor_cosine_weight")] public double? PredictorCosineWeight { get; init; }

    /// <summary>The predictor's noise-augmentation probability, with <see cref="Predictor"/> only (default 0.5).</summary>
    [JsonPropertyName("predictor_noise_aug_prob")] public double? PredictorNoiseAugProb { get; init; }

    /// <summary>The predictor's noise-augmentation scale, with <see cref="Predictor"/> only (default 0.3).</summary>
    [JsonPropertyName("predictor_noise_aug_scale")] public double? PredictorNoiseAugScale { get; init; }

    /// <summary>The predictor's prompt-dropout probability, with <see cref="Predictor"/> only (default 0.1).</summary>
    [JsonPropertyName("predictor_prompt_dropout")] public double? PredictorPromptDropout { get; init; }

    /// <summary>Metrics interval.</summary>
    [JsonPropertyName("log_every")] public int LogEvery { get; init; } = TrainingLoopOptions.DefaultLogEvery;

    /// <summary>Checkpoint interval.</summary>
    [JsonPropertyName("checkpoint_every")] public int CheckpointEvery { get; init; } = TrainingLoopOptions.DefaultCheckpointEvery;

    /// <summary>Continue from the run folder's last checkpoint.</summary>
    [JsonPropertyName("resume")] public bool Resume { get; init; }

    /// <summary>Continue from this checkpoint of the run folder (<c>step-N</c> or <c>N</c>) instead of the newest intact
    /// one; implies resume.</summary>
    [JsonPropertyName("resume_from")] public string? ResumeFrom { get; init; }

    /// <summary>Replace an earlier run in the run folder (otherwise refused unless resuming).</summary>
    [JsonPropertyName("overwrite")] public bool Overwrite { get; init; }

    /// <summary><c>skip</c> or <c>stop</c> on a NaN/Inf loss or gradient.</summary>
    [JsonPropertyName("nan_policy")] public string NanPolicy { get; init; } = "skip";

    /// <summary>Memory the run may use, in GB (null: MemAvailable of /proc/meminfo or LAMO_MEMORY_AVAILABLE); the run is
    /// refused up front when its estimate does not fit.</summary>
    [JsonPropertyName("max_memory_gb")] public double? MaxMemoryGb { get; init; }

    /// <summary>Clips per forward/backward pass (gradient accumulation); 0 = the whole per-rank batch at once. The
    /// update is the same (up to float rounding): <see cref="BatchSize"/> stays the global batch, and the memory
    /// for activations shrinks to this many clips.</summary>
    [JsonPropertyName("micro_batch_size")] public int MicroBatchSize { get; init; }

    /// <summary>Recompute each transformer block's activations during backward (diffusers' <c>--gradient_checkpointing</c>):
    /// activation memory of about one block instead of all, for ~1.3× step time; gradients are unchanged.</summary>
    [JsonPropertyName("gradient_checkpointing")] public bool GradientCheckpointing { get; init; }

    /// <summary>Type of the transformer's frozen base weights, LoRA mode only: <c>fp32</c> (default), or <c>bf16</c>/<c>fp16</c>
    /// for mixed precision (the published recipe trains in bf16): the base runs in half precision, the adapters, their
    /// optimiser and the losses stay fp32.</summary>
    [JsonPropertyName("weight_dtype")] public string? WeightDtype { get; init; }

    /// <summary>Checks every field's range and that no feature's settings are given while it is off; names the bad one.
    /// Files and configs are checked by <see cref="BackboneTrainingPlan.Resolve"/>.</summary>
    public BackboneTrainingOptions Validate()
    {
        if (Mode is not ("full" or "lora")) throw new ArgumentException($"mode ('{Mode}') must be 'full' or 'lora'", "mode");
        if (Init is null && TransformerConfig is null) throw new ArgumentException("give init (a pipeline folder to fine-tune) or transformer_config (to train from scratch)", "init");
        if (Init is not null && TransformerConfig is not null)
            throw new ArgumentException("transformer_config is for training from scratch; with init the pipeline's own transformer config is used: leave one out", "transformer_config");
        if (Mode == "lora" && Init is null) throw new ArgumentException("mode 'lora' needs init (a pretrained pipeline folder)", "mode");
        OnlyWith(Mode == "lora", "mode 'lora'", ("lora_rank", LoraRank), ("lora_alpha", LoraAlpha), ("weight_dtype", WeightDtype));
        OnlyWith(DriftLoss, "drift_loss", ("drift_lambda", DriftLambda), ("drift_tau", DriftTau), ("drift_denominator", DriftDenominator),
            ("drift_noise_floor_kappa", DriftNoiseFloorKappa));
        OnlyWith(DriftLoss && ParseDenominator(DriftDenominator) == Motion.DriftDenominator.NoiseFloor, "drift_denominator 'noise_floor'",
            ("drift_noise_floor_kappa", DriftNoiseFloorKappa));
        if (DriftNoiseFloorKappa is { } kappa && !(kappa >= 0 && double.IsFinite(kappa)))
            throw new ArgumentException($"drift_noise_floor_kappa ({kappa}) must be finite and >= 0", "drift_noise_floor_kappa");
        OnlyWith(Predictor, "predictor", ("predictor_config", PredictorConfig), ("predictor_learning_rate", PredictorLearningRate),
            ("predictor_warmup_steps", PredictorWarmupSteps), ("predictor_cosine_weight", PredictorCosineWeight),
            ("predictor_noise_aug_prob", PredictorNoiseAugProb), ("predictor_noise_aug_scale", PredictorNoiseAugScale),
            ("predictor_prompt_dropout", PredictorPromptDropout));
        Positive(Steps, "steps"); Positive(BatchSize, "batch_size");
        if (LoraRank is { } rank) Positive(rank, "lora_rank");
        Positive(LogEvery, "log_every"); Positive(CheckpointEvery, "checkpoint_every");
        if (!(LearningRate > 0)) throw new ArgumentException($"learning_rate ({LearningRate}) must be > 0", "learning_rate");
        if (PredictorLearningRate is { } plr && !(plr > 0)) throw new ArgumentException($"predictor_learning_rate ({plr}) must be > 0", "predictor_learning_rate");
        if (WarmupSteps < 0) throw new ArgumentException($"warmup_steps ({WarmupSteps}) must be >= 0", "warmup_steps");
        if (PredictorWarmupSteps is < 0) throw new ArgumentException($"predictor_warmup_steps ({PredictorWarmupSteps}) must be >= 0", "predictor_warmup_steps");
        if (!(TextDropout is >= 0 and <= 1)) throw new ArgumentException($"text_dropout ({TextDropout}) must be in [0, 1]", "text_dropout");
        if (DriftTau is < 1) throw new ArgumentException($"drift_tau ({DriftTau}) must be >= 1", "drift_tau");
        if (DriftLambda is { } dl && !(dl >= 0)) throw new ArgumentException($"drift_lambda ({dl}) must be >= 0", "drift_lambda");
        if (Overwrite && (Resume || ResumeFrom is not null))
            throw new ArgumentException("overwrite replaces the run and resume continues it: choose one", "overwrite");
        if (MicroBatchSize < 0 || (MicroBatchSize > 0 && BatchSize % MicroBatchSize != 0))
            throw new ArgumentException($"micro_batch_size ({MicroBatchSize}) must be 0 or divide batch_size ({BatchSize})", "micro_batch_size");
        if (MaxMemoryGb is { } mem && !(mem > 0)) throw new ArgumentException($"max_memory_gb ({mem}) must be > 0", "max_memory_gb");
        TrainingLoopOptions.ParseNanPolicy(NanPolicy);
        if (WeightDtype is not null) Models.WeightDtype.Parse(WeightDtype, "weight_dtype");
        return this;
    }

    /// <summary>The drift denominator named by <paramref name="word"/> (null: the published one).</summary>
    /// <exception cref="ArgumentException">Another word (names <c>drift_denominator</c>).</exception>
    public static Motion.DriftDenominator ParseDenominator(string? word) => word switch
    {
        null or "published" => Motion.DriftDenominator.Published,
        "noise_floor" => Motion.DriftDenominator.NoiseFloor,
        _ => throw new ArgumentException($"drift_denominator ('{word}') must be 'published' or 'noise_floor'", "drift_denominator"),
    };

    // A feature's settings given while the feature is off would be accepted and ignored: refuse them.
    private static void OnlyWith(bool on, string feature, params (string Key, object? Value)[] settings)
    {
        if (on) return;
        var given = settings.Where(s => s.Value is not null).Select(s => s.Key).ToList();
        if (given.Count > 0)
            throw new ArgumentException($"{string.Join(", ", given)} {(given.Count == 1 ? "is a setting" : "are settings")} of {feature}, which is off: turn it on, or leave {(given.Count == 1 ? "it" : "them")} out", given[0]);
    }

    private static void Positive(int v, string name)
    {
        if (v <= 0) throw new ArgumentException($"{name} ({v}) must be > 0", name);
    }
}
