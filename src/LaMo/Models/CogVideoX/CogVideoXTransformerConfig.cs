using System.Text.Json;
using System.Text.Json.Serialization;

namespace LaMo.Models.CogVideoX;

/// <summary>Constructor arguments of <see cref="CogVideoXTransformer3DModel"/>, one property per key of a diffusers
/// <c>transformer/config.json</c>. Defaults equal diffusers v0.33's <c>CogVideoXTransformer3DModel.__init__</c>
/// (the CogVideoX-2B values).</summary>
/// <remarks>Unknown JSON keys are rejected; missing keys take the defaults. CogVideoX 1.5 features
/// (<c>patch_size_t</c>, <c>ofs_embed_dim</c>) and learned positional embeddings are rejected by <see cref="Validate"/>.</remarks>
public sealed record CogVideoXTransformerConfig
{
    /// <summary>diffusers class name; must be <c>CogVideoXTransformer3DModel</c> when present.</summary>
    [JsonPropertyName("_class_name")] public string? ClassName { get; init; } = "CogVideoXTransformer3DModel";
    /// <summary>diffusers version that wrote the file (informational).</summary>
    [JsonPropertyName("_diffusers_version")] public string? DiffusersVersion { get; init; }
    /// <summary>Source path recorded by diffusers (informational).</summary>
    [JsonPropertyName("_name_or_path")] public string? NameOrPath { get; init; }

    /// <summary>Attention heads per block.</summary>
    [JsonPropertyName("num_attention_heads")] public int NumAttentionHeads { get; init; } = 30;
    /// <summary>Channels per head; inner dim D = heads · head dim.</summary>
    [JsonPropertyName("attention_head_dim")] public int AttentionHeadDim { get; init; } = 64;
    /// <summary>Latent channels in.</summary>
    [JsonPropertyName("in_channels")] public int InChannels { get; init; } = 16;
    /// <summary>Latent channels out (null means <see cref="InChannels"/>).</summary>
    [JsonPropertyName("out_channels")] public int? OutChannels { get; init; } = 16;
    /// <summary>Timestep embedding order: cos first when true.</summary>
    [JsonPropertyName("flip_sin_to_cos")] public bool FlipSinToCos { get; init; } = true;
    /// <summary>Downscale frequency shift of the timestep embedding.</summary>
    [JsonPropertyName("freq_shift")] public int FreqShift { get; init; }
    /// <summary>Width of the timestep embedding after the MLP.</summary>
    [JsonPropertyName("time_embed_dim")] public int TimeEmbedDim { get; init; } = 512;
    /// <summary>CogVideoX 1.5 I2V ofs embedding width; must be null.</summary>
    [JsonPropertyName("ofs_embed_dim")] public int? OfsEmbedDim { get; init; }
    /// <summary>Width of the text encoder states (T5-XXL: 4096).</summary>
    [JsonPropertyName("text_embed_dim")] public int TextEmbedDim { get; init; } = 4096;
    /// <summary>Number of transformer blocks.</summary>
    [JsonPropertyName("num_layers")] public int NumLayers { get; init; } = 30;
    /// <summary>Dropout probability (embedding, attention output and feed-forward; used in training mode only).</summary>
    [JsonPropertyName("dropout")] public double Dropout { get; init; }
    /// <summary>Bias on the Q/K/V and output projections.</summary>
    [JsonPropertyName("attention_bias")] public bool AttentionBias { get; init; } = true;
    /// <summary>Latent width the model was trained at (for the cached sin-cos table and the RoPE base grid).</summary>
    [JsonPropertyName("sample_width")] public int SampleWidth { get; init; } = 90;
    /// <summary>Latent height the model was trained at.</summary>
    [JsonPropertyName("sample_height")] public int SampleHeight { get; init; } = 60;
    /// <summary>Pixel-space frame count the model was trained at (49; diffusers keeps this "incorrect" value).</summary>
    [JsonPropertyName("sample_frames")] public int SampleFrames { get; init; } = 49;
    /// <summary>Spatial patch size.</summary>
    [JsonPropertyName("patch_size")] public int PatchSize { get; init; } = 2;
    /// <summary>Temporal patch size (CogVideoX 1.5); must be null.</summary>
    [JsonPropertyName("patch_size_t")] public int? PatchSizeT { get; init; }
    /// <summary>VAE temporal compression used to map latent frames to pixel frames for the sin-cos table.</summary>
    [JsonPropertyName("temporal_compression_ratio")] public int TemporalCompressionRatio { get; init; } = 4;
    /// <summary>Number of text tokens the sin-cos table reserves (zero rows).</summary>
    [JsonPropertyName("max_text_seq_length")] public int MaxTextSeqLength { get; init; } = 226;
    /// <summary>Feed-forward activation; only <c>gelu-approximate</c> is supported.</summary>
    [JsonPropertyName("activation_fn")] public string ActivationFn { get; init; } = "gelu-approximate";
    /// <summary>Timestep MLP activation; only <c>silu</c> is supported.</summary>
    [JsonPropertyName("timestep_activation_fn")] public string TimestepActivationFn { get; init; } = "silu";
    /// <summary>Affine LayerNorms in the blocks, norm_final and norm_out.</summary>
    [JsonPropertyName("norm_elementwise_affine")] public bool NormElementwiseAffine { get; init; } = true;
    /// <summary>LayerNorm epsilon (the per-head q/k norms use 1e-6 regardless).</summary>
    [JsonPropertyName("norm_eps")] public double NormEps { get; init; } = 1e-5;
    /// <summary>Divisor of the spatial sin-cos grid.</summary>
    [JsonPropertyName("spatial_interpolation_scale")] public double SpatialInterpolationScale { get; init; } = 1.875;
    /// <summary>Divisor of the temporal sin-cos grid.</summary>
    [JsonPropertyName("temporal_interpolation_scale")] public double TemporalInterpolationScale { get; init; } = 1.0;
    /// <summary>3-D RoPE on the video tokens (5B) instead of the absolute sin-cos table (2B).</summary>
    [JsonPropertyName("use_rotary_positional_embeddings")] public bool UseRotaryPositionalEmbeddings { get; init; }
    /// <summary>Learned positional embeddings (CogVideoX I2V); must be false.</summary>
    [JsonPropertyName("use_learned_positional_embeddings")] public bool UseLearnedPositionalEmbeddings { get; init; }
    /// <summary>Bias on the patch-embedding convolution and text projection.</summary>
    [JsonPropertyName("patch_bias")] public bool PatchBias { get; init; } = true;

    /// <summary>Inner (model) width D = heads · head dim.</summary>
    [JsonIgnore] public int InnerDim => NumAttentionHeads * AttentionHeadDim;

    /// <summary>Output channels after resolving null.</summary>
    [JsonIgnore] public int ResolvedOutChannels => OutChannels ?? InChannels;

    private static readonly JsonSerializerOptions ReadOptions = new()
    {
        UnmappedMemberHandling = JsonUnmappedMemberHandling.Disallow,
        NumberHandling = JsonNumberHandling.Strict,
    };

    private static readonly JsonSerializerOptions WriteOptions = new() { WriteIndented = true };

    /// <summary>Parses a diffusers <c>config.json</c> and validates it.</summary>
    /// <exception cref="InvalidDataException">Malformed JSON, an unknown key, or an invalid value (the message names the key).</exception>
    public static CogVideoXTransformerConfig FromJson(string json, string source = "config.json")
    {
        CogVideoXTransformerConfig? config;
        try { config = JsonSerializer.Deserialize<CogVideoXTransformerConfig>(json, ReadOptions); }
        catch (JsonException e) { throw new InvalidDataException($"{source}: {e.Message}", e); }
        if (config is null) throw new InvalidDataException($"{source}: expected a JSON object");
        try { config.Validate(); }
        catch (ArgumentException e) { throw new InvalidDataException($"{source}: {e.Message}", e); }
        return config;
    }

    /// <summary>Reads <paramref name="path"/> (a <c>config.json</c>, or a folder holding one).</summary>
    /// <exception cref="FileNotFoundException">No config file there.</exception>
    public static CogVideoXTransformerConfig Load(string path)
    {
        string file = Directory.Exists(path) ? Path.Combine(path, "config.json") : path;
        if (!File.Exists(file)) throw new FileNotFoundException($"{file}: transformer config not found", file);
        return FromJson(File.ReadAllText(file), file);
    }

    /// <summary>Parses the <c>config</c> object of a golden-case sidecar or any JSON element.</summary>
    public static CogVideoXTransformerConfig FromJsonElement(JsonElement element, string source = "config") =>
        FromJson(element.GetRawText(), source);

    /// <summary>Serialises with every key (diffusers writes every constructor argument).</summary>
    public string ToJson() => JsonSerializer.Serialize(this, WriteOptions);

    /// <summary>Checks every field; throws naming the first bad one.</summary>
    /// <exception cref="ArgumentException">A value is out of range or inconsistent.</exception>
    /// <exception cref="NotSupportedException">A CogVideoX 1.5 / I2V feature or an unported activation is requested.</exception>
    public CogVideoXTransformerConfig Validate()
    {
        if (ClassName is not null && ClassName != "CogVideoXTransformer3DModel")
            throw new ArgumentException($"_class_name ('{ClassName}') must be 'CogVideoXTransformer3DModel'", nameof(ClassName));
        Range(NumAttentionHeads, 1, 1024, "num_attention_heads");
        Range(AttentionHeadDim, 2, 1024, "attention_head_dim");
        Range(InChannels, 1, 4096, "in_channels");
        if (OutChannels is { } oc) Range(oc, 1, 4096, "out_channels");
        Range(TimeEmbedDim, 1, 65536, "time_embed_dim");
        Range(TextEmbedDim, 1, 65536, "text_embed_dim");
        Range(NumLayers, 0, 1024, "num_layers");
        Range(SampleWidth, 1, 100_000, "sample_width");
        Range(SampleHeight, 1, 100_000, "sample_height");
        Range(SampleFrames, 1, 100_000, "sample_frames");
        Range(PatchSize, 1, 64, "patch_size");
        Range(TemporalCompressionRatio, 1, 64, "temporal_compression_ratio");
        Range(MaxTextSeqLength, 0, 1_000_000, "max_text_seq_length");
        if ((long)NumAttentionHeads * AttentionHeadDim > 65536)
            throw new ArgumentException($"num_attention_heads × attention_head_dim ({(long)NumAttentionHeads * AttentionHeadDim}) must be at most 65536", nameof(NumAttentionHeads));
        if (AttentionHeadDim % 2 != 0)
            throw new ArgumentException($"attention_head_dim ({AttentionHeadDim}) must be even (rotary pairs)", nameof(AttentionHeadDim));
        if (!UseRotaryPositionalEmbeddings && InnerDim % 4 != 0)
            throw new ArgumentException($"inner dim ({InnerDim}) must be divisible by 4 for the 3-D sin-cos table", nameof(AttentionHeadDim));
        if (UseRotaryPositionalEmbeddings && AttentionHeadDim % 8 != 0)
            throw new ArgumentException($"attention_head_dim ({AttentionHeadDim}) must be divisible by 8 for 3-D RoPE (t: d/4, h and w: 3d/8)", nameof(AttentionHeadDim));
        if (double.IsNaN(Dropout) || Dropout < 0 || Dropout >= 1)
            throw new ArgumentException($"dropout ({Dropout}) must be in [0, 1)", nameof(Dropout));
        if (!(NormEps > 0 && NormEps < 1)) throw new ArgumentException($"norm_eps ({NormEps}) must be in (0, 1)", nameof(NormEps));
        if (!(SpatialInterpolationScale > 0)) throw new ArgumentException($"spatial_interpolation_scale ({SpatialInterpolationScale}) must be positive", nameof(SpatialInterpolationScale));
        if (!(TemporalInterpolationScale > 0)) throw new ArgumentException($"temporal_interpolation_scale ({TemporalInterpolationScale}) must be positive", nameof(TemporalInterpolationScale));
        if (PatchSizeT is not null) throw new NotSupportedException($"patch_size_t ({PatchSizeT}) is a CogVideoX 1.5 feature and is not ported");
        if (OfsEmbedDim is not null) throw new NotSupportedException($"ofs_embed_dim ({OfsEmbedDim}) is a CogVideoX 1.5 feature and is not ported");
        if (UseLearnedPositionalEmbeddings) throw new NotSupportedException("use_learned_positional_embeddings (CogVideoX I2V) is not ported");
        if (ActivationFn != "gelu-approximate") throw new NotSupportedException($"activation_fn '{ActivationFn}' is not ported (only 'gelu-approximate')");
        if (TimestepActivationFn != "silu") throw new NotSupportedException($"timestep_activation_fn '{TimestepActivationFn}' is not ported (only 'silu')");
        return this;
    }

    private static void Range(long value, long min, long max, string key)
    {
        if (value < min || value > max) throw new ArgumentException($"{key} ({value}) must be in [{min}, {max}]", key);
    }
}
