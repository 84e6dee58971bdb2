using System.Text.Json;
using System.Text.Json.Serialization;

namespace LaMo.Motion;

/// <summary>Constructor arguments of the motion prior f_φ (LaMo's <c>TemporalConsistencyPredictor</c>).
/// JSON names are the original constructor's argument names, so a golden sidecar's <c>config</c> loads as is.</summary>
/// <remarks>The record's defaults are the published (paper) setup, docs/method.md §1; the original constructor's own
/// defaults (hidden 64, 4 blocks) are not the published ones. <c>se_reduction</c> is ours (the original hard-codes 4).</remarks>
[JsonUnmappedMemberHandling(JsonUnmappedMemberHandling.Disallow)]
public sealed record MotionPriorConfig
{
    /// <summary>VAE latent channels C (16 for CogVideoX).</summary>
    [JsonPropertyName("in_channels")] public int InChannels { get; init; } = 16;

    /// <summary>Feature width of the stem and the residual blocks.</summary>
    [JsonPropertyName("hidden_channels")] public int HiddenChannels { get; init; } = 256;

    /// <summary>Number of FiLM residual blocks.</summary>
    [JsonPropertyName("num_res_blocks")] public int NumResBlocks { get; init; } = 8;

    /// <summary>GroupNorm group count.</summary>
    [JsonPropertyName("num_groups")] public int NumGroups { get; init; } = 8;

    /// <summary>Squeeze-and-excitation in every block.</summary>
    [JsonPropertyName("use_se")] public bool UseSe { get; init; } = true;

    /// <summary>SE bottleneck reduction; the bottleneck width is max(hidden / reduction, 4) as in the original.</summary>
    [JsonPropertyName("se_reduction")] public int SeReduction { get; init; } = 4;

    /// <summary>Also feed the previous change Δz_{f−1} as C extra input channels.</summary>
    [JsonPropertyName("use_prev_delta")] public bool UsePrevDelta { get; init; }

    /// <summary>Prompt FiLM conditioning (prompt_proj, null_prompt and one FiLM head per block).</summary>
    [JsonPropertyName("use_prompt_cond")] public bool UsePromptCond { get; init; } = true;

    /// <summary>Pooled prompt width D_text (4096 for T5-XXL).</summary>
    [JsonPropertyName("prompt_text_dim")] public int PromptTextDim { get; init; } = 4096;

    /// <summary>FiLM condition width d_cond.</summary>
    [JsonPropertyName("prompt_cond_dim")] public int PromptCondDim { get; init; } = 128;

    /// <summary>The published configuration (≈10.8 M parameters), docs/method.md §1.</summary>
    public static MotionPriorConfig Paper { get; } = new();

    /// <summary>A CPU-sized prior: the original constructor's defaults (hidden 64, 4 blocks) on T5 prompts.</summary>
    public static MotionPriorConfig Small { get; } = new() { HiddenChannels = 64, NumResBlocks = 4 };

    /// <summary>A test-sized prior for 4-channel latents and 32-wide prompts (the tiny transformer presets).</summary>
    public static MotionPriorConfig Tiny { get; } = new()
    {
        InChannels = 4, HiddenChannels = 16, NumResBlocks = 2, PromptTextDim = 32, PromptCondDim = 8,
    };

    /// <summary>SE bottleneck width, max(hidden / reduction, 4).</summary>
    [JsonIgnore] public int SeHiddenChannels => Math.Max(HiddenChannels / SeReduction, 4);

    /// <summary>Channels entering the stem: C, or 2C with <see cref="UsePrevDelta"/>.</summary>
    [JsonIgnore] public int StemInChannels => UsePrevDelta ? 2 * InChannels : InChannels;

    /// <summary>Checks every field; returns this for chaining.</summary>
    /// <exception cref="ArgumentException">A field is out of range.</exception>
    public MotionPriorConfig Validate()
    {
        Positive(InChannels, "in_channels");
        Positive(HiddenChannels, "hidden_channels");
        if (NumResBlocks < 0) throw new ArgumentException($"num_res_blocks ({NumResBlocks}) must be >= 0", nameof(NumResBlocks));
        Positive(NumGroups, "num_groups");
        if (HiddenChannels % NumGroups != 0)
            throw new ArgumentException($"hidden_channels ({HiddenChannels}) must be divisible by num_groups ({NumGroups})", nameof(HiddenChannels));
        Positive(SeReduction, "se_reduction");
        if (UsePromptCond)
        {
            Positive(PromptTextDim, "prompt_text_dim");
            Positive(PromptCondDim, "prompt_cond_dim");
        }
        return this;
    }

    /// <summary>Reads a config object (e.g. a golden sidecar's <c>config</c>); unknown keys fail.</summary>
    /// <exception cref="InvalidDataException">The JSON is not a valid config.</exception>
    public static MotionPriorConfig FromJson(JsonElement json)
    {
        try
        {
            var config = json.Deserialize<MotionPriorConfig>() ?? throw new InvalidDataException("motion prior config is null");
            return config.Validate();
        }
        catch (JsonException e) { throw new InvalidDataException($"motion prior config: {e.Message}", e); }
        catch (ArgumentException e) { throw new InvalidDataException($"motion prior config: {e.Message}", e); }
    }

    /// <summary>Reads a config from JSON text; unknown keys fail.</summary>
    /// <exception cref="InvalidDataException">The JSON is not a valid config.</exception>
    public static MotionPriorConfig FromJson(string json)
    {
        using var doc = JsonDocument.Parse(json);
        return FromJson(doc.RootElement);
    }

    /// <summary>Writes the config with its original argument names.</summary>
    public string ToJson() => JsonSerializer.Serialize(this);

    private static void Positive(int value, string name)
    {
        if (value <= 0) throw new ArgumentException($"{name} ({value}) must be > 0", name);
    }
}
