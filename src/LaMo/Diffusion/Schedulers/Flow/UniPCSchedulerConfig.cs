using System.Text.Json;
using System.Text.Json.Serialization;
using static LaMo.Diffusion.Schedulers.Flow.FlowConfigJson;

namespace LaMo.Diffusion.Schedulers.Flow;

/// <summary>The constructor arguments of diffusers' <c>UniPCMultistepScheduler</c> (v0.40), read from a
/// <c>scheduler_config.json</c> such as the Wan pipelines'. Defaults are diffusers' constructor defaults; unknown keys
/// are refused.</summary>
/// <remarks>Only the flow configuration is implemented (<c>use_flow_sigmas</c>, <c>prediction_type</c>
/// <c>flow_prediction</c>, <c>predict_x0</c>, bh1/bh2, any order, lower-order final, disabled correctors, final σ zero
/// or σ_min). The β keys are accepted and inert: with flow sigmas diffusers never reads its ᾱ table. Everything
/// else diffusers offers is refused by <see cref="Validate"/> with the key named.</remarks>
[JsonUnmappedMemberHandling(JsonUnmappedMemberHandling.Disallow)]
public sealed record UniPCSchedulerConfig
{
    /// <summary>diffusers class that wrote the file.</summary>
    [JsonPropertyName("_class_name")] public string? ClassName { get; init; } = SchedulerFactory.UniPC;

    /// <summary>diffusers version that wrote the file (informational).</summary>
    [JsonPropertyName("_diffusers_version")] public string? DiffusersVersion { get; init; }

    /// <summary>Number of training timesteps N.</summary>
    [JsonPropertyName("num_train_timesteps")] public int NumTrainTimesteps { get; init; } = 1000;

    /// <summary>First β (inert with flow sigmas).</summary>
    [JsonPropertyName("beta_start")] public double BetaStart { get; init; } = 0.0001;

    /// <summary>Last β (inert with flow sigmas).</summary>
    [JsonPropertyName("beta_end")] public double BetaEnd { get; init; } = 0.02;

    /// <summary>β layout (inert with flow sigmas).</summary>
    [JsonPropertyName("beta_schedule")] public string BetaSchedule { get; init; } = "linear";

    /// <summary>Explicit betas (inert with flow sigmas).</summary>
    [JsonPropertyName("trained_betas")] public double[]? TrainedBetas { get; init; }

    /// <summary>Multistep order p (Wan: 2).</summary>
    [JsonPropertyName("solver_order")] public int SolverOrder { get; init; } = 2;

    /// <summary>What the model predicts; only <c>flow_prediction</c> is implemented.</summary>
    [JsonPropertyName("prediction_type")] public string PredictionType { get; init; } = "epsilon";

    /// <summary>Dynamic thresholding of x̂₀ (not implemented).</summary>
    [JsonPropertyName("thresholding")] public bool Thresholding { get; init; }

    /// <summary>Thresholding ratio (inert).</summary>
    [JsonPropertyName("dynamic_thresholding_ratio")] public double DynamicThresholdingRatio { get; init; } = 0.995;

    /// <summary>Thresholding bound (inert).</summary>
    [JsonPropertyName("sample_max_value")] public double SampleMaxValue { get; init; } = 1.0;

    /// <summary>Solve in x₀ (data-prediction) form; the flow prediction requires it.</summary>
    [JsonPropertyName("predict_x0")] public bool PredictX0 { get; init; } = true;

    /// <summary>B(h) variant: <c>bh1</c> (B = h) or <c>bh2</c> (B = e^h − 1).</summary>
    [JsonPropertyName("solver_type")] public string SolverType { get; init; } = "bh2";

    /// <summary>Lower the order on the last steps.</summary>
    [JsonPropertyName("lower_order_final")] public bool LowerOrderFinal { get; init; } = true;

    /// <summary>Step indices whose following corrector is skipped.</summary>
    [JsonPropertyName("disable_corrector")] public int[] DisableCorrector { get; init; } = [];

    /// <summary>An alternative predictor scheduler (must be null).</summary>
    [JsonPropertyName("solver_p")] public JsonElement? SolverP { get; init; }

    /// <summary>Karras σ spacing (not implemented).</summary>
    [JsonPropertyName("use_karras_sigmas")] public bool UseKarrasSigmas { get; init; }

    /// <summary>Exponential σ spacing (not implemented).</summary>
    [JsonPropertyName("use_exponential_sigmas")] public bool UseExponentialSigmas { get; init; }

    /// <summary>Beta σ spacing (not implemented).</summary>
    [JsonPropertyName("use_beta_sigmas")] public bool UseBetaSigmas { get; init; }

    /// <summary>Flow-matching σ (α = 1 − σ); required.</summary>
    [JsonPropertyName("use_flow_sigmas")] public bool UseFlowSigmas { get; init; }

    /// <summary>The flow shift s, applied once to the inference schedule.</summary>
    [JsonPropertyName("flow_shift")] public double FlowShift { get; init; } = 1.0;

    /// <summary>Timestep spacing (inert with flow sigmas, whose timesteps are σ·N).</summary>
    [JsonPropertyName("timestep_spacing")] public string TimestepSpacing { get; init; } = "linspace";

    /// <summary>Offset for leading spacing (inert with flow sigmas).</summary>
    [JsonPropertyName("steps_offset")] public int StepsOffset { get; init; }

    /// <summary>The σ after the last step: <c>zero</c> or <c>sigma_min</c> (the last schedule σ).</summary>
    [JsonPropertyName("final_sigmas_type")] public string FinalSigmasType { get; init; } = "zero";

    /// <summary>Zero-terminal-SNR rescale of the betas (inert with flow sigmas).</summary>
    [JsonPropertyName("rescale_betas_zero_snr")] public bool RescaleBetasZeroSnr { get; init; }

    /// <summary>Resolution-dependent shifting (not implemented).</summary>
    [JsonPropertyName("use_dynamic_shifting")] public bool UseDynamicShifting { get; init; }

    /// <summary>Dynamic shifting's form (inert without it).</summary>
    [JsonPropertyName("time_shift_type")] public string TimeShiftType { get; init; } = "exponential";

    /// <summary>Smallest σ for Karras-style spacings (inert here).</summary>
    [JsonPropertyName("sigma_min")] public double? SigmaMin { get; init; }

    /// <summary>Largest σ for Karras-style spacings (inert here).</summary>
    [JsonPropertyName("sigma_max")] public double? SigmaMax { get; init; }

    /// <summary>Stretch the schedule to end at this σ (not implemented).</summary>
    [JsonPropertyName("shift_terminal")] public double? ShiftTerminal { get; init; }

    /// <summary>The Wan 2.1 / 2.2 pipelines' scheduler with flow shift <paramref name="flowShift"/> (3 for 480p, 5 for 720p).</summary>
    public static UniPCSchedulerConfig Wan(double flowShift) => new()
    {
        PredictionType = "flow_prediction", UseFlowSigmas = true, NumTrainTimesteps = 1000, FlowShift = flowShift,
    };

    /// <summary>Checks every field; returns this.</summary>
    /// <exception cref="ArgumentException">A value is invalid (the key is named).</exception>
    /// <exception cref="NotSupportedException">A valid option this port does not implement.</exception>
    public UniPCSchedulerConfig Validate()
    {
        if (NumTrainTimesteps < 2) Bad("num_train_timesteps", NumTrainTimesteps, "must be at least 2");
        if (SolverOrder < 1) Bad("solver_order", SolverOrder, "must be at least 1");
        if (PredictionType is not ("epsilon" or "sample" or "v_prediction" or "flow_prediction"))
            Bad("prediction_type", PredictionType, "must be epsilon, sample, v_prediction or flow_prediction");
        if (SolverType is not ("bh1" or "bh2" or "midpoint" or "heun" or "logrho")) Bad("solver_type", SolverType, "must be bh1 or bh2");
        if (FinalSigmasType is not ("zero" or "sigma_min")) Bad("final_sigmas_type", FinalSigmasType, "must be zero or sigma_min");
        if (BetaSchedule is not ("linear" or "scaled_linear" or "squaredcos_cap_v2")) Bad("beta_schedule", BetaSchedule, "is not a known schedule");
        if (TimestepSpacing is not ("linspace" or "leading" or "trailing")) Bad("timestep_spacing", TimestepSpacing, "must be linspace, leading or trailing");
        if (!(FlowShift > 0) || double.IsInfinity(FlowShift)) Bad("flow_shift", FlowShift, "must be a positive finite number");
        if ((UseKarrasSigmas ? 1 : 0) + (UseExponentialSigmas ? 1 : 0) + (UseBetaSigmas ? 1 : 0) > 1)
            Bad("use_karras_sigmas", UseKarrasSigmas, "only one of use_karras_sigmas, use_exponential_sigmas, use_beta_sigmas may be true");
        if (DisableCorrector is null) Bad("disable_corrector", null, "must be a list");
        if (!UseFlowSigmas) Unsupported("use_flow_sigmas", false, "only the flow-matching configuration (use_flow_sigmas: true) is ported");
        if (PredictionType != "flow_prediction") Unsupported("prediction_type", PredictionType, "only flow_prediction is ported");
        if (!PredictX0) Unsupported("predict_x0", false, "diffusers' flow prediction requires predict_x0");
        if (SolverP is { ValueKind: not JsonValueKind.Null } sp) Unsupported("solver_p", sp.GetRawText(), "an external predictor is not ported");
        if (Thresholding) Unsupported("thresholding", true, "dynamic thresholding is not ported");
        if (UseKarrasSigmas || UseExponentialSigmas || UseBetaSigmas)
            Unsupported(UseKarrasSigmas ? "use_karras_sigmas" : UseExponentialSigmas ? "use_exponential_sigmas" : "use_beta_sigmas", true,
                "only the linear-in-σ flow schedule is ported");
        if (UseDynamicShifting) Unsupported("use_dynamic_shifting", true, "the Wan pipelines use a static flow shift");
        if (ShiftTerminal is { } st && st != 0) Unsupported("shift_terminal", st, "terminal stretching is not ported");
        return this;
    }

    /// <summary>The B(h) variant actually used (diffusers maps midpoint / heun / logrho to bh2).</summary>
    [JsonIgnore] public bool IsBh1 => SolverType == "bh1";

    /// <summary>Parses and validates a scheduler_config.json text.</summary>
    /// <exception cref="InvalidDataException">Malformed JSON, an unknown key (named), a wrong type or an invalid or
    /// unimplemented value.</exception>
    public static UniPCSchedulerConfig Parse(string json, string source = "scheduler_config.json") =>
        FlowConfigJson.Parse<UniPCSchedulerConfig>(json, source, c => c.Validate());

    /// <summary>This config as diffusers-style JSON.</summary>
    public string ToJson() => JsonSerializer.Serialize(this, FlowConfigJson.Options);
}
