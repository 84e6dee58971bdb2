using System.Globalization;
using System.Text.Json;
using System.Text.Json.Serialization;
using LaMo.Core;

namespace LaMo.Diffusion.Schedulers;

/// <summary>The constructor arguments of diffusers' <c>CogVideoXDDIMScheduler</c> / <c>CogVideoXDPMScheduler</c>,
/// read from and written to a diffusers <c>scheduler/scheduler_config.json</c>.</summary>
/// <remarks>Property defaults are diffusers v0.33's constructor defaults (what it uses for a key the file omits),
/// so a partial file means the same thing here as there. Unknown keys are rejected.</remarks>
[JsonUnmappedMemberHandling(JsonUnmappedMemberHandling.Disallow)]
public sealed record SchedulerConfig
{
    /// <summary>diffusers class that wrote the file, e.g. <c>CogVideoXDDIMScheduler</c>.</summary>
    [JsonPropertyName("_class_name")] public string? ClassName { get; init; }

    /// <summary>diffusers version that wrote the file (informational).</summary>
    [JsonPropertyName("_diffusers_version")] public string? DiffusersVersion { get; init; }

    /// <summary>Number of training timesteps N.</summary>
    [JsonPropertyName("num_train_timesteps")] public int NumTrainTimesteps { get; init; } = 1000;

    /// <summary>First β of the schedule.</summary>
    [JsonPropertyName("beta_start")] public double BetaStart { get; init; } = 0.00085;

    /// <summary>Last β of the schedule.</summary>
    [JsonPropertyName("beta_end")] public double BetaEnd { get; init; } = 0.012;

    /// <summary>How betas are laid out between <see cref="BetaStart"/> and <see cref="BetaEnd"/>.</summary>
    [JsonPropertyName("beta_schedule")] public BetaSchedule BetaSchedule { get; init; } = BetaSchedule.ScaledLinear;

    /// <summary>Explicit betas (length N) overriding the schedule, or null.</summary>
    [JsonPropertyName("trained_betas")] public double[]? TrainedBetas { get; init; }

    /// <summary>Clip x̂₀. The CogVideoX steps never clip, so true is rejected by the schedulers.</summary>
    [JsonPropertyName("clip_sample")] public bool ClipSample { get; init; } = true;

    /// <summary>ᾱ after the last step: 1 when true, else ᾱ₀.</summary>
    [JsonPropertyName("set_alpha_to_one")] public bool SetAlphaToOne { get; init; } = true;

    /// <summary>Offset added to "leading" timesteps.</summary>
    [JsonPropertyName("steps_offset")] public int StepsOffset { get; init; }

    /// <summary>What the model predicts.</summary>
    [JsonPropertyName("prediction_type")] public PredictionType PredictionType { get; init; } = PredictionType.Epsilon;

    /// <summary>Clipping range (inert: clipping is not part of the CogVideoX steps).</summary>
    [JsonPropertyName("clip_sample_range")] public double ClipSampleRange { get; init; } = 1.0;

    /// <summary>Thresholding bound (inert: thresholding is not part of the CogVideoX steps).</summary>
    [JsonPropertyName("sample_max_value")] public double SampleMaxValue { get; init; } = 1.0;

    /// <summary>How inference timesteps are chosen.</summary>
    [JsonPropertyName("timestep_spacing")] public TimestepSpacing TimestepSpacing { get; init; } = TimestepSpacing.Leading;

    /// <summary>Rescale so that ᾱ at the last training timestep is exactly 0 (zero terminal SNR).</summary>
    [JsonPropertyName("rescale_betas_zero_snr")] public bool RescaleBetasZeroSnr { get; init; }

    /// <summary>SD3-style SNR shift s: ᾱ ← ᾱ / (s + (1 − s)·ᾱ), applied before the zero-SNR rescale.</summary>
    [JsonPropertyName("snr_shift_scale")] public double SnrShiftScale { get; init; } = 3.0;

    /// <summary>The CogVideoX-2B scheduler (<c>THUDM/CogVideoX-2b/scheduler/scheduler_config.json</c>).</summary>
    public static SchedulerConfig CogVideoX2B { get; } = new()
    {
        ClassName = "CogVideoXDDIMScheduler", DiffusersVersion = "0.30.0.dev0",
        NumTrainTimesteps = 1000, BetaStart = 0.00085, BetaEnd = 0.012, BetaSchedule = BetaSchedule.ScaledLinear,
        ClipSample = false, SetAlphaToOne = true, StepsOffset = 0, PredictionType = PredictionType.VPrediction,
        ClipSampleRange = 1.0, SampleMaxValue = 1.0, TimestepSpacing = TimestepSpacing.Trailing,
        RescaleBetasZeroSnr = true, SnrShiftScale = 3.0,
    };

    /// <summary>The CogVideoX-5B scheduler: as 2B with <see cref="SnrShiftScale"/> 1 (no shift).</summary>
    public static SchedulerConfig CogVideoX5B { get; } = CogVideoX2B with { SnrShiftScale = 1.0 };

    /// <summary>Checks every field; returns this for chaining.</summary>
    /// <exception cref="ArgumentException">A field is out of range; <see cref="ArgumentException.ParamName"/> is its JSON key.</exception>
    public SchedulerConfig Validate()
    {
        if (NumTrainTimesteps < 2) Bad("num_train_timesteps", NumTrainTimesteps, "must be at least 2");
        if (!Enum.IsDefined(BetaSchedule)) Bad("beta_schedule", BetaSchedule, "is not a known schedule");
        if (!Enum.IsDefined(PredictionType)) Bad("prediction_type", PredictionType, "must be epsilon, sample or v_prediction");
        if (!Enum.IsDefined(TimestepSpacing)) Bad("timestep_spacing", TimestepSpacing, "must be linspace, leading or trailing");
        if (TrainedBetas is { } tb)
        {
            if (tb.Length != NumTrainTimesteps) Bad("trained_betas", $"{tb.Length} values", $"must have num_train_timesteps ({NumTrainTimesteps}) values");
            int i = Array.FindIndex(tb, b => !(b > 0 && b < 1));
            if (i >= 0) Bad("trained_betas", $"[{i}] = {tb[i]}", "every beta must lie in (0, 1)");
        }
        else if (BetaSchedule != BetaSchedule.SquaredCosCapV2)
        {
            if (!(BetaStart > 0 && BetaStart < 1)) Bad("beta_start", BetaStart, "must lie in (0, 1)");
            if (!(BetaEnd > 0 && BetaEnd < 1)) Bad("beta_end", BetaEnd, "must lie in (0, 1)");
        }
        if (StepsOffset < 0) Bad("steps_offset", StepsOffset, "must be >= 0");
        if (!(SnrShiftScale > 0) || double.IsInfinity(SnrShiftScale)) Bad("snr_shift_scale", SnrShiftScale, "must be a positive finite number");
        if (!(ClipSampleRange > 0)) Bad("clip_sample_range", ClipSampleRange, "must be positive");
        if (!(SampleMaxValue > 0)) Bad("sample_max_value", SampleMaxValue, "must be positive");
        return this;
    }

    private static void Bad(string key, object? value, string rule) =>
        throw new ArgumentException($"`{key}` ({Convert.ToString(value, CultureInfo.InvariantCulture)}) {rule}.", key);

    private static readonly JsonSerializerOptions Options = new()
    {
        WriteIndented = true,
        Converters = { new PythonFloatConverter() },
    };

    /// <summary>Parses and validates a scheduler_config.json text.</summary>
    /// <exception cref="InvalidDataException">Malformed JSON, an unknown key, a wrong type or an invalid value.</exception>
    public static SchedulerConfig Parse(string json, string source = "scheduler_config.json")
    {
        SchedulerConfig? c;
        try { c = JsonSerializer.Deserialize<SchedulerConfig>(json, Options); }
        catch (JsonException e) { throw new InvalidDataException($"{source}: {e.Message}", e); }
        if (c is null) throw new InvalidDataException($"{source}: expected a JSON object, got null");
        try { return c.Validate(); }
        catch (ArgumentException e) { throw new InvalidDataException($"{source}: {e.Message}", e); }
    }

    /// <summary>Reads a scheduler_config.json file, or the one inside a <c>scheduler</c> folder.</summary>
    /// <exception cref="FileNotFoundException">No such file.</exception>
    /// <exception cref="InvalidDataException">See <see cref="Parse"/>.</exception>
    public static SchedulerConfig Load(string path)
    {
        if (Directory.Exists(path)) path = Path.Combine(path, "scheduler_config.json");
        if (!File.Exists(path)) throw new FileNotFoundException($"{path}: no such file", path);
        return Parse(File.ReadAllText(path), path);
    }

    /// <summary>This config as diffusers-style JSON (floats keep a decimal point, as Python writes them).</summary>
    public string ToJson() => JsonSerializer.Serialize(this, Options);

    /// <summary>Writes <see cref="ToJson"/> to <paramref name="path"/> atomically.</summary>
    public void Save(string path) => AtomicFile.WriteAllText(path, ToJson() + "\n");
}
