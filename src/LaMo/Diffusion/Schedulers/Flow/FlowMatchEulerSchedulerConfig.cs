using System.Text.Json.Serialization;
using static LaMo.Diffusion.Schedulers.Flow.FlowConfigJson;

namespace LaMo.Diffusion.Schedulers.Flow;

/// <summary>The constructor arguments of diffusers' <c>FlowMatchEulerDiscreteScheduler</c> (v0.40), read from a
/// <c>scheduler_config.json</c>. Defaults are diffusers' constructor defaults; unknown keys are refused.</summary>
/// <remarks>Every key diffusers knows is accepted, but only the static-shift Euler path is implemented: dynamic
/// shifting, terminal stretching, Karras / exponential / beta sigmas, inverted sigmas and stochastic sampling are
/// refused by <see cref="Validate"/> with the key named, rather than silently ignored.</remarks>
[JsonUnmappedMemberHandling(JsonUnmappedMemberHandling.Disallow)]
public sealed record FlowMatchEulerSchedulerConfig
{
    /// <summary>diffusers class that wrote the file.</summary>
    [JsonPropertyName("_class_name")] public string? ClassName { get; init; } = SchedulerFactory.FlowMatchEuler;

    /// <summary>diffusers version that wrote the file (informational).</summary>
    [JsonPropertyName("_diffusers_version")] public string? DiffusersVersion { get; init; }

    /// <summary>Number of training timesteps N.</summary>
    [JsonPropertyName("num_train_timesteps")] public int NumTrainTimesteps { get; init; } = 1000;

    /// <summary>The flow shift s (applied to the training table and again to the inference schedule).</summary>
    [JsonPropertyName("shift")] public double Shift { get; init; } = 1.0;

    /// <summary>Resolution-dependent shifting (needs μ per call; not implemented).</summary>
    [JsonPropertyName("use_dynamic_shifting")] public bool UseDynamicShifting { get; init; }

    /// <summary>Dynamic shifting's base shift (inert here).</summary>
    [JsonPropertyName("base_shift")] public double? BaseShift { get; init; } = 0.5;

    /// <summary>Dynamic shifting's maximum shift (inert here).</summary>
    [JsonPropertyName("max_shift")] public double? MaxShift { get; init; } = 1.15;

    /// <summary>Dynamic shifting's base sequence length (inert here).</summary>
    [JsonPropertyName("base_image_seq_len")] public int BaseImageSeqLen { get; init; } = 256;

    /// <summary>Dynamic shifting's maximum sequence length (inert here).</summary>
    [JsonPropertyName("max_image_seq_len")] public int MaxImageSeqLen { get; init; } = 4096;

    /// <summary>Use 1 − σ (not implemented).</summary>
    [JsonPropertyName("invert_sigmas")] public bool InvertSigmas { get; init; }

    /// <summary>Stretch the schedule to end at this σ (not implemented).</summary>
    [JsonPropertyName("shift_terminal")] public double? ShiftTerminal { get; init; }

    /// <summary>Karras σ spacing (not implemented).</summary>
    [JsonPropertyName("use_karras_sigmas")] public bool UseKarrasSigmas { get; init; }

    /// <summary>Exponential σ spacing (not implemented).</summary>
    [JsonPropertyName("use_exponential_sigmas")] public bool UseExponentialSigmas { get; init; }

    /// <summary>Beta σ spacing (not implemented).</summary>
    [JsonPropertyName("use_beta_sigmas")] public bool UseBetaSigmas { get; init; }

    /// <summary>Dynamic shifting's form, <c>exponential</c> or <c>linear</c> (inert without dynamic shifting).</summary>
    [JsonPropertyName("time_shift_type")] public string TimeShiftType { get; init; } = "exponential";

    /// <summary>Re-noise each step instead of the Euler update (not implemented).</summary>
    [JsonPropertyName("stochastic_sampling")] public bool StochasticSampling { get; init; }

    /// <summary>Checks every field; returns this.</summary>
    /// <exception cref="ArgumentException">A value is invalid (the key is named).</exception>
    /// <exception cref="NotSupportedException">A valid option this port does not implement.</exception>
    public FlowMatchEulerSchedulerConfig Validate()
    {
        if (NumTrainTimesteps < 2) Bad("num_train_timesteps", NumTrainTimesteps, "must be at least 2");
        if (!(Shift > 0) || double.IsInfinity(Shift)) Bad("shift", Shift, "must be a positive finite number");
        if (TimeShiftType is not ("exponential" or "linear")) Bad("time_shift_type", TimeShiftType, "must be exponential or linear");
        if ((UseKarrasSigmas ? 1 : 0) + (UseExponentialSigmas ? 1 : 0) + (UseBetaSigmas ? 1 : 0) > 1)
            Bad("use_karras_sigmas", UseKarrasSigmas, "only one of use_karras_sigmas, use_exponential_sigmas, use_beta_sigmas may be true");
        if (UseDynamicShifting) Unsupported("use_dynamic_shifting", true, "the Wan pipelines use a static shift");
        if (InvertSigmas) Unsupported("invert_sigmas", true, "only the ordinary σ direction is ported");
        if (ShiftTerminal is { } st) Unsupported("shift_terminal", st, "terminal stretching is not ported");
        if (UseKarrasSigmas) Unsupported("use_karras_sigmas", true, "only the linear-in-σ schedule is ported");
        if (UseExponentialSigmas) Unsupported("use_exponential_sigmas", true, "only the linear-in-σ schedule is ported");
        if (UseBetaSigmas) Unsupported("use_beta_sigmas", true, "only the linear-in-σ schedule is ported");
        if (StochasticSampling) Unsupported("stochastic_sampling", true, "only the deterministic Euler step is ported");
        return this;
    }

    /// <summary>Parses and validates a scheduler_config.json text.</summary>
    /// <exception cref="InvalidDataException">Malformed JSON, an unknown key (named), a wrong type or an invalid or
    /// unimplemented value.</exception>
    public static FlowMatchEulerSchedulerConfig Parse(string json, string source = "scheduler_config.json") =>
        FlowConfigJson.Parse<FlowMatchEulerSchedulerConfig>(json, source, c => c.Validate());

    /// <summary>This config as diffusers-style JSON.</summary>
    public string ToJson() => System.Text.Json.JsonSerializer.Serialize(this, FlowConfigJson.Options);
}
