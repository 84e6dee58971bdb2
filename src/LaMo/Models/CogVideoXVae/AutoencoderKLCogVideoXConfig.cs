using System.Text.Json;
using System.Text.Json.Serialization;
using static LaMo.Models.VaeConfigJson;

namespace LaMo.Models.CogVideoXVae;

/// <summary>Architecture of <see cref="AutoencoderKLCogVideoX"/>. Mirrors the keys of diffusers'
/// <c>vae/config.json</c> (v0.33 <c>AutoencoderKLCogVideoX.__init__</c>); defaults are diffusers' defaults, which are
/// the CogVideoX-2B values.</summary>
public sealed record AutoencoderKLCogVideoXConfig
{
    /// <summary>Largest accepted channel count (absurd sizes are rejected before allocating).</summary>
    public const int MaxChannels = 8192;

    /// <summary><c>_class_name</c>; must be <c>AutoencoderKLCogVideoX</c> when present.</summary>
    [JsonPropertyName("_class_name")] public string? ClassName { get; init; } = "AutoencoderKLCogVideoX";
    /// <summary><c>_diffusers_version</c>; informational.</summary>
    [JsonPropertyName("_diffusers_version")] public string? DiffusersVersion { get; init; }
    /// <summary><c>_name_or_path</c>; informational (written by some diffusers versions).</summary>
    [JsonPropertyName("_name_or_path")] public string? NameOrPath { get; init; }
    /// <summary>Video channels in (default 3).</summary>
    [JsonPropertyName("in_channels")] public int InChannels { get; init; } = 3;
    /// <summary>Video channels out (default 3).</summary>
    [JsonPropertyName("out_channels")] public int OutChannels { get; init; } = 3;
    /// <summary>Encoder block types; only <c>CogVideoXDownBlock3D</c> exists. One per entry of <see cref="BlockOutChannels"/>.</summary>
    [JsonPropertyName("down_block_types")] public IReadOnlyList<string> DownBlockTypes { get; init; } = Repeat("CogVideoXDownBlock3D", 4);
    /// <summary>Decoder block types; only <c>CogVideoXUpBlock3D</c> exists.</summary>
    [JsonPropertyName("up_block_types")] public IReadOnlyList<string> UpBlockTypes { get; init; } = Repeat("CogVideoXUpBlock3D", 4);
    /// <summary>Channels per block (default [128, 256, 256, 512]); n blocks give 2^(n−1) spatial compression.</summary>
    [JsonPropertyName("block_out_channels")] public IReadOnlyList<int> BlockOutChannels { get; init; } = [128, 256, 256, 512];
    /// <summary>Latent channels (default 16).</summary>
    [JsonPropertyName("latent_channels")] public int LatentChannels { get; init; } = 16;
    /// <summary>Resnets per encoder block (decoder blocks have one more). Default 3.</summary>
    [JsonPropertyName("layers_per_block")] public int LayersPerBlock { get; init; } = 3;
    /// <summary>Activation; only <c>silu</c> (alias <c>swish</c>) is supported.</summary>
    [JsonPropertyName("act_fn")] public string ActFn { get; init; } = "silu";
    /// <summary>GroupNorm epsilon of the resnets (default 1e-6).</summary>
    [JsonPropertyName("norm_eps")] public double NormEps { get; init; } = 1e-6;
    /// <summary>GroupNorm groups (default 32).</summary>
    [JsonPropertyName("norm_num_groups")] public int NormNumGroups { get; init; } = 32;
    /// <summary>Temporal compression, a power of two (default 4: frames = (F−1)/4 + 1).</summary>
    [JsonPropertyName("temporal_compression_ratio")] public double TemporalCompressionRatio { get; init; } = 4;
    /// <summary>Tiling reference height (diffusers uses it for tile sizes; kept for config compatibility).</summary>
    [JsonPropertyName("sample_height")] public int SampleHeight { get; init; } = 480;
    /// <summary>Tiling reference width (kept for config compatibility).</summary>
    [JsonPropertyName("sample_width")] public int SampleWidth { get; init; } = 720;
    /// <summary>Latent scale: pipelines multiply encoded latents by it and divide before decoding.
    /// 1.15258426 (2B, the default) or 0.7 (5B). <see cref="AutoencoderKLCogVideoX.Encode"/>/<c>Decode</c> do not apply it.</summary>
    [JsonPropertyName("scaling_factor")] public double ScalingFactor { get; init; } = 1.15258426;
    /// <summary>Unused by CogVideoX pipelines; kept for config compatibility (default null).</summary>
    [JsonPropertyName("shift_factor")] public double? ShiftFactor { get; init; }
    /// <summary>Unused by CogVideoX pipelines; kept for config compatibility (default null).</summary>
    [JsonPropertyName("latents_mean")] public IReadOnlyList<double>? LatentsMean { get; init; }
    /// <summary>Unused by CogVideoX pipelines; kept for config compatibility (default null).</summary>
    [JsonPropertyName("latents_std")] public IReadOnlyList<double>? LatentsStd { get; init; }
    /// <summary>diffusers runs the VAE in fp32 when true (default true); informational here.</summary>
    [JsonPropertyName("force_upcast")] public bool ForceUpcast { get; init; } = true;
    /// <summary>Adds a 1×1×1 <c>quant_conv</c> after the encoder (default false; CogVideoX has none).</summary>
    [JsonPropertyName("use_quant_conv")] public bool UseQuantConv { get; init; }
    /// <summary>Adds a 1×1×1 <c>post_quant_conv</c> before the decoder (default false).</summary>
    [JsonPropertyName("use_post_quant_conv")] public bool UsePostQuantConv { get; init; }
    /// <summary>CogVideoX 1.5 image-to-video pipeline flag (default false); informational here.</summary>
    [JsonPropertyName("invert_scale_latents")] public bool InvertScaleLatents { get; init; }

    /// <summary>Number of spatial ×2 stages (one per block except the last).</summary>
    [JsonIgnore] public int SpatialCompression => 1 << (BlockOutChannels.Count - 1);
    /// <summary>log2 of <see cref="TemporalCompressionRatio"/>: how many blocks halve time.</summary>
    [JsonIgnore] public int TemporalCompressLevel => (int)Math.Round(Math.Log2(TemporalCompressionRatio));
    /// <summary>Clips of 1 + step·k frames decode back to the same count: temporal up-sampling keeps the first frame apart
    /// only for an odd latent count, so step = 2·ratio (8 at the default ratio 4).</summary>
    [JsonIgnore] public int RoundTripFrameStep => 2 << TemporalCompressLevel;

    /// <summary>CogVideoX-2B VAE (the diffusers defaults).</summary>
    public static AutoencoderKLCogVideoXConfig CogVideoX2B { get; } = new() { DiffusersVersion = "0.30.0.dev0" };
    /// <summary>CogVideoX-5B VAE: as 2B with scaling factor 0.7.</summary>
    public static AutoencoderKLCogVideoXConfig CogVideoX5B { get; } = CogVideoX2B with { ScalingFactor = 0.7 };
    /// <summary>Tiny preset (configs/tiny/vae): 4× spatial, 4× temporal, 4 latent channels.</summary>
    public static AutoencoderKLCogVideoXConfig Tiny { get; } = new()
    {
        DownBlockTypes = Repeat("CogVideoXDownBlock3D", 3), UpBlockTypes = Repeat("CogVideoXUpBlock3D", 3),
        BlockOutChannels = [32, 64, 64], LatentChannels = 4, LayersPerBlock = 1, NormNumGroups = 8,
        SampleHeight = 64, SampleWidth = 64, ScalingFactor = 1.0,
    };

    private static IReadOnlyList<string> Repeat(string s, int n) => Enumerable.Repeat(s, n).ToArray();

    /// <summary>Checks ranges and consistency before anything is allocated.</summary>
    /// <exception cref="InvalidDataException">The message names the bad field and its value.</exception>
    public void Validate()
    {
        if (ClassName is not null && ClassName != "AutoencoderKLCogVideoX")
            throw Bad("_class_name", ClassName, "must be AutoencoderKLCogVideoX");
        CheckRange("in_channels", InChannels, 1, 64);
        CheckRange("out_channels", OutChannels, 1, 64);
        CheckRange("latent_channels", LatentChannels, 1, 1024);
        CheckRange("layers_per_block", LayersPerBlock, 1, 64);
        CheckRange("norm_num_groups", NormNumGroups, 1, MaxChannels);
        if (BlockOutChannels is null || BlockOutChannels.Count is < 1 or > 8)
            throw Bad("block_out_channels", Show(BlockOutChannels), "must have 1 to 8 entries");
        for (int i = 0; i < BlockOutChannels.Count; i++)
        {
            CheckRange($"block_out_channels[{i}]", BlockOutChannels[i], 1, MaxChannels);
            if (BlockOutChannels[i] % NormNumGroups != 0)
                throw Bad($"block_out_channels[{i}]", BlockOutChannels[i], $"must be divisible by norm_num_groups ({NormNumGroups})");
        }
        if (DownBlockTypes is null || DownBlockTypes.Count != BlockOutChannels.Count || DownBlockTypes.Any(t => t != "CogVideoXDownBlock3D"))
            throw Bad("down_block_types", Show(DownBlockTypes), $"must be {BlockOutChannels.Count} × CogVideoXDownBlock3D (one per block_out_channels entry)");
        if (UpBlockTypes is null || UpBlockTypes.Count != BlockOutChannels.Count || UpBlockTypes.Any(t => t != "CogVideoXUpBlock3D"))
            throw Bad("up_block_types", Show(UpBlockTypes), $"must be {BlockOutChannels.Count} × CogVideoXUpBlock3D (one per block_out_channels entry)");
        if (ActFn is not ("silu" or "swish")) throw new NotSupportedException($"act_fn: '{ActFn}' is not supported (only silu)");
        if (!(NormEps > 0 && NormEps < 1)) throw Bad("norm_eps", NormEps, "must be in (0, 1)");
        double level = Math.Log2(TemporalCompressionRatio);
        if (!(TemporalCompressionRatio >= 1) || level != Math.Round(level) || level > BlockOutChannels.Count - 1)
            throw Bad("temporal_compression_ratio", TemporalCompressionRatio,
                $"must be a power of two with log2 ≤ {BlockOutChannels.Count - 1} (blocks with a downsampler)");
        if (!(ScalingFactor > 0) || double.IsInfinity(ScalingFactor)) throw Bad("scaling_factor", ScalingFactor, "must be positive and finite");
        CheckRange("sample_height", SampleHeight, 1, 1 << 16);
        CheckRange("sample_width", SampleWidth, 1, 1 << 16);
    }

    /// <summary>Parses a diffusers <c>config.json</c> text strictly (unknown keys are errors) and validates it.</summary>
    /// <exception cref="InvalidDataException">Malformed JSON, an unknown key, or a bad field (named).</exception>
    public static AutoencoderKLCogVideoXConfig FromJson(string json, string source = "config.json") =>
        VaeConfigJson.Parse<AutoencoderKLCogVideoXConfig>(json, source, c => c.Validate());

    /// <summary>Reads and parses a <c>config.json</c> file; see <see cref="FromJson"/>.</summary>
    public static AutoencoderKLCogVideoXConfig Load(string path) => FromJson(File.ReadAllText(path), path);

    /// <summary>The config as diffusers-style JSON (every key written).</summary>
    public string ToJson() => JsonSerializer.Serialize(this, VaeConfigJson.Options);
}
