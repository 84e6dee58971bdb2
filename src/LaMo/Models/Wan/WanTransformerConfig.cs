using System.Text.Json;
using System.Text.Json.Serialization;

namespace LaMo.Models.Wan;

/// <summary>Constructor arguments of <see cref="WanTransformer3DModel"/>, one property per key of a diffusers
/// <c>transformer/config.json</c>. Defaults equal diffusers v0.40's <c>WanTransformer3DModel.__init__</c> (the Wan 2.1
/// 14B values).</summary>
/// <remarks>Unknown JSON keys are rejected; missing keys take the defaults. The image-to-video parts (<c>image_dim</c>,
/// <c>added_kv_proj_dim</c>, <c>pos_embed_seq_len</c>) are refused by <see cref="Validate"/>: no reference vectors
/// cover them.</remarks>
public sealed record WanTransformerConfig
{
    /// <summary>The diffusers class this config belongs to.</summary>
    public const string DiffusersClassName = "WanTransformer3DModel";

    /// <summary>The only q/k normalisation diffusers' <c>WanAttention</c> builds.</summary>
    public const string RmsNormAcrossHeads = "rms_norm_across_heads";

    /// <summary>diffusers class name; must be <c>WanTransformer3DModel</c> when present.</summary>
    [JsonPropertyName("_class_name")] public string? ClassName { get; init; } = DiffusersClassName;
    /// <summary>diffusers version that wrote the file (informational).</summary>
    [JsonPropertyName("_diffusers_version")] public string? DiffusersVersion { get; init; }
    /// <summary>Source path recorded by diffusers (informational).</summary>
    [JsonPropertyName("_name_or_path")] public string? NameOrPath { get; init; }

    /// <summary>3-D patch (frames, rows, columns) of the patch-embedding convolution.</summary>
    [JsonPropertyName("patch_size")] public WanPatchSize PatchSize { get; init; } = new(1, 2, 2);
    /// <summary>Attention heads per block.</summary>
    [JsonPropertyName("num_attention_heads")] public int NumAttentionHeads { get; init; } = 40;
    /// <summary>Channels per head; inner dim D = heads · head dim.</summary>
    [JsonPropertyName("attention_head_dim")] public int AttentionHeadDim { get; init; } = 128;
    /// <summary>Latent channels in.</summary>
    [JsonPropertyName("in_channels")] public int InChannels { get; init; } = 16;
    /// <summary>Latent channels out (null or 0 means <see cref="InChannels"/>, as diffusers' <c>out_channels or in_channels</c>).</summary>
    [JsonPropertyName("out_channels")] public int? OutChannels { get; init; } = 16;
    /// <summary>Width of the text encoder states (UMT5-XXL: 4096).</summary>
    [JsonPropertyName("text_dim")] public int TextDim { get; init; } = 4096;
    /// <summary>Width of the sinusoidal timestep embedding.</summary>
    [JsonPropertyName("freq_dim")] public int FreqDim { get; init; } = 256;
    /// <summary>Hidden width of the feed-forward.</summary>
    [JsonPropertyName("ffn_dim")] public int FfnDim { get; init; } = 13824;
    /// <summary>Number of transformer blocks.</summary>
    [JsonPropertyName("num_layers")] public int NumLayers { get; init; } = 40;
    /// <summary>Affine LayerNorm (<c>norm2</c>) before the cross-attention; identity when false.</summary>
    [JsonPropertyName("cross_attn_norm")] public bool CrossAttnNorm { get; init; } = true;
    /// <summary>q/k normalisation; only <c>rms_norm_across_heads</c> (what diffusers builds whatever the value).</summary>
    [JsonPropertyName("qk_norm")] public string? QkNorm { get; init; } = RmsNormAcrossHeads;
    /// <summary>Epsilon of every LayerNorm and RMSNorm.</summary>
    [JsonPropertyName("eps")] public double Eps { get; init; } = 1e-6;
    /// <summary>CLIP image embedding width (image-to-video); must be null.</summary>
    [JsonPropertyName("image_dim")] public int? ImageDim { get; init; }
    /// <summary>Image key/value projection width (image-to-video); must be null.</summary>
    [JsonPropertyName("added_kv_proj_dim")] public int? AddedKvProjDim { get; init; }
    /// <summary>Rows of each RoPE axis table: the most frames, rows or columns of patches a latent may have.</summary>
    [JsonPropertyName("rope_max_seq_len")] public int RopeMaxSeqLen { get; init; } = 1024;
    /// <summary>Image positional embedding length (first-last-frame models); must be null.</summary>
    [JsonPropertyName("pos_embed_seq_len")] public int? PosEmbedSeqLen { get; init; }

    /// <summary>Inner (model) width D = heads · head dim.</summary>
    [JsonIgnore] public int InnerDim => NumAttentionHeads * AttentionHeadDim;

    /// <summary>Output channels after resolving null / 0.</summary>
    [JsonIgnore] public int ResolvedOutChannels => OutChannels is { } c && c != 0 ? c : InChannels;

    private static readonly JsonSerializerOptions ReadOptions = new()
    {
        UnmappedMemberHandling = JsonUnmappedMemberHandling.Disallow,
        NumberHandling = JsonNumberHandling.Strict,
    };

    private static readonly JsonSerializerOptions WriteOptions = new() { WriteIndented = true };

    /// <summary>Parses a diffusers <c>config.json</c> and validates it.</summary>
    /// <exception cref="InvalidDataException">Malformed JSON, an unknown key, or an invalid value (the message names the key).</exception>
    /// <exception cref="NotSupportedException">An image-to-video feature is requested.</exception>
    public static WanTransformerConfig FromJson(string json, string source = "config.json")
    {
        WanTransformerConfig? config;
        try { config = JsonSerializer.Deserialize<WanTransformerConfig>(json, ReadOptions); }
        catch (JsonException e) { throw new InvalidDataException($"{source}: {e.Message}", e); }
        if (config is null) throw new InvalidDataException($"{source}: expected a JSON object");
        try { config.Validate(); }
        catch (ArgumentException e) { throw new InvalidDataException($"{source}: {e.Message}", e); }
        catch (NotSupportedException e) { throw new NotSupportedException($"{source}: {e.Message}", e); }
        return config;
    }

    /// <summary>Reads <paramref name="path"/> (a <c>config.json</c>, or a folder holding one).</summary>
    /// <exception cref="FileNotFoundException">No config file there.</exception>
    public static WanTransformerConfig Load(string path)
    {
        string file = Directory.Exists(path) ? Path.Combine(path, "config.json") : path;
        if (!File.Exists(file)) throw new FileNotFoundException($"{file}: transformer config not found", file);
        return FromJson(File.ReadAllText(file), file);
    }

    /// <summary>Parses the <c>config</c> object of a golden-case sidecar or any JSON element.</summary>
    public static WanTransformerConfig FromJsonElement(JsonElement element, string source = "config") =>
        FromJson(element.GetRawText(), source);

    /// <summary>Serialises with every key (diffusers writes every constructor argument).</summary>
    public string ToJson() => JsonSerializer.Serialize(this, WriteOptions);

    /// <summary>Checks every field; throws naming the first bad one.</summary>
    /// <exception cref="ArgumentException">A value is out of range or inconsistent.</exception>
    /// <exception cref="NotSupportedException">An image-to-video feature or another q/k norm is requested.</exception>
    public WanTransformerConfig Validate()
    {
        if (ClassName is not null && ClassName != DiffusersClassName)
            throw new ArgumentException($"_class_name ('{ClassName}') must be '{DiffusersClassName}'", nameof(ClassName));
        Range(PatchSize.T, 1, 64, "patch_size[0]");
        Range(PatchSize.H, 1, 64, "patch_size[1]");
        Range(PatchSize.W, 1, 64, "patch_size[2]");
        Range(NumAttentionHeads, 1, 1024, "num_attention_heads");
        Range(AttentionHeadDim, 2, 1024, "attention_head_dim");
        Range(InChannels, 1, 4096, "in_channels");
        if (OutChannels is { } oc && oc != 0) Range(oc, 1, 4096, "out_channels");
        Range(TextDim, 1, 65536, "text_dim");
        Range(FreqDim, 1, 65536, "freq_dim");
        Range(FfnDim, 1, 1 << 20, "ffn_dim");
        Range(NumLayers, 0, 1024, "num_layers");
        Range(RopeMaxSeqLen, 1, 1 << 16, "rope_max_seq_len");
        if ((long)NumAttentionHeads * AttentionHeadDim > 65536)
            throw new ArgumentException($"num_attention_heads × attention_head_dim ({(long)NumAttentionHeads * AttentionHeadDim}) must be at most 65536", nameof(NumAttentionHeads));
        if (AttentionHeadDim % 2 != 0)
            throw new ArgumentException($"attention_head_dim ({AttentionHeadDim}) must be even (rotary pairs)", nameof(AttentionHeadDim));
        if (!(Eps > 0 && Eps < 1)) throw new ArgumentException($"eps ({Eps}) must be in (0, 1)", nameof(Eps));
        if (QkNorm != RmsNormAcrossHeads)
            throw new NotSupportedException($"qk_norm '{QkNorm ?? "null"}' is not ported (only '{RmsNormAcrossHeads}', which every published Wan transformer uses)");
        if (ImageDim is not null)
            throw new NotSupportedException($"image_dim ({ImageDim}) is the image-to-video CLIP embedding, which is not ported (no reference vectors cover it); use a text-to-video or TI2V transformer");
        if (AddedKvProjDim is not null)
            throw new NotSupportedException($"added_kv_proj_dim ({AddedKvProjDim}) is the image-to-video key/value projection, which is not ported (no reference vectors cover it); use a text-to-video or TI2V transformer");
        if (PosEmbedSeqLen is not null)
            throw new NotSupportedException($"pos_embed_seq_len ({PosEmbedSeqLen}) belongs to the image embedding, which is not ported");
        return this;
    }

    private static void Range(long value, long min, long max, string key)
    {
        if (value < min || value > max) throw new ArgumentException($"{key} ({value}) must be in [{min}, {max}]", key);
    }
}
