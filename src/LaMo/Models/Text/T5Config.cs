using System.Text.Json;
using System.Text.Json.Serialization;

namespace LaMo.Models.Text;

/// <summary>Architecture of <see cref="T5EncoderModel"/>. Mirrors the HF transformers <c>T5Config</c> keys of
/// <c>text_encoder/config.json</c>; defaults are T5 v1.1 XXL as shipped with CogVideoX.</summary>
/// <remarks>Only the encoder of a gated-GELU (v1.1) T5 is supported, and UMT5's (<c>model_type</c> <c>umt5</c>, Wan's text
/// encoder), which differs only in giving every block its own relative-position bias table. Keys HF writes that do not affect the encoder
/// are accepted and listed in <see cref="IgnoredKeys"/>; any other unknown key is rejected by <see cref="Validate"/>.</remarks>
public sealed record T5Config
{
    /// <summary>Keys of a real HF T5 config.json that the encoder does not use (decoder, generation, bookkeeping).
    /// <c>dropout_rate</c> is modelled but unused: the encoder only runs frozen, so dropout is always off.</summary>
    public static IReadOnlySet<string> IgnoredKeys { get; } = new HashSet<string>(StringComparer.Ordinal)
    {
        "_name_or_path", "architectures", "classifier_dropout", "decoder_start_token_id", "initializer_factor",
        "is_encoder_decoder", "num_decoder_layers", "output_past", "tie_word_embeddings", "torch_dtype",
        "transformers_version", "use_cache", "gradient_checkpointing", "n_positions", "task_specific_params",
        "is_decoder", "return_dict", "output_hidden_states", "output_attentions",
        // UMT5: a T5X conversion flag that HF's modules do not read, and the tokenizer's class name.
        "scalable_attention", "tokenizer_class",
    };

    /// <summary>Set by our own writers so <see cref="TextEncoderLoader"/> can dispatch; HF files do not have it.</summary>
    [JsonPropertyName("_class_name")] public string? ClassName { get; init; }
    /// <summary>Vocabulary rows of <c>shared.weight</c> (32128 for T5 v1.1: 32000 pieces + 100 sentinels, padded).</summary>
    [JsonPropertyName("vocab_size")] public int VocabSize { get; init; } = 32128;
    /// <summary>Model width D.</summary>
    [JsonPropertyName("d_model")] public int DModel { get; init; } = 4096;
    /// <summary>Per-head width.</summary>
    [JsonPropertyName("d_kv")] public int DKv { get; init; } = 64;
    /// <summary>Feed-forward inner width.</summary>
    [JsonPropertyName("d_ff")] public int DFf { get; init; } = 10240;
    /// <summary>Number of encoder blocks.</summary>
    [JsonPropertyName("num_layers")] public int NumLayers { get; init; } = 24;
    /// <summary>Attention heads.</summary>
    [JsonPropertyName("num_heads")] public int NumHeads { get; init; } = 64;
    /// <summary>Relative-position buckets (half per direction in the bidirectional encoder).</summary>
    [JsonPropertyName("relative_attention_num_buckets")] public int RelativeAttentionNumBuckets { get; init; } = 32;
    /// <summary>Distances at or beyond this share the last bucket.</summary>
    [JsonPropertyName("relative_attention_max_distance")] public int RelativeAttentionMaxDistance { get; init; } = 128;
    /// <summary>Dropout during training; unused here (see <see cref="IgnoredKeys"/>).</summary>
    [JsonPropertyName("dropout_rate")] public double DropoutRate { get; init; } = 0.1;
    /// <summary>RMSNorm ε.</summary>
    [JsonPropertyName("layer_norm_epsilon")] public double LayerNormEpsilon { get; init; } = 1e-6;
    /// <summary>Must be <c>gated-gelu</c> (T5 v1.1).</summary>
    [JsonPropertyName("feed_forward_proj")] public string FeedForwardProj { get; init; } = "gated-gelu";
    /// <summary>Must be <c>gelu_new</c> (tanh approximation).</summary>
    [JsonPropertyName("dense_act_fn")] public string DenseActFn { get; init; } = "gelu_new";
    /// <summary>Must be true (T5 v1.1).</summary>
    [JsonPropertyName("is_gated_act")] public bool IsGatedAct { get; init; } = true;
    /// <summary><c>t5</c> (or absent): block 0 owns the relative-position bias and every block uses it; <c>umt5</c>: every
    /// block owns and uses its own.</summary>
    [JsonPropertyName("model_type")] public string? ModelType { get; init; }
    /// <summary>Padding token id.</summary>
    [JsonPropertyName("pad_token_id")] public int PadTokenId { get; init; }
    /// <summary>End-of-sequence token id.</summary>
    [JsonPropertyName("eos_token_id")] public int EosTokenId { get; init; } = 1;

    /// <summary>Keys not modelled above; must all be in <see cref="IgnoredKeys"/>.</summary>
    [JsonExtensionData] public Dictionary<string, JsonElement>? Extra { get; init; }

    /// <summary>Every block has its own relative-position bias (UMT5).</summary>
    [JsonIgnore] public bool PerLayerPositionBias => ModelType == "umt5";

    /// <summary>Attention inner width: heads × d_kv.</summary>
    [JsonIgnore] public int InnerDim => NumHeads * DKv;

    /// <summary>T5 v1.1 XXL, the CogVideoX text encoder.</summary>
    public static T5Config T5V11Xxl { get; } = new();

    /// <summary>UMT5-XXL's encoder, the Wan 2.1 / 2.2 text encoder (<c>google/umt5-xxl</c>; the Wan diffusers folders'
    /// <c>text_encoder/config.json</c>): T5-XXL's sizes with a 256,384-row vocabulary and a bias table per block.</summary>
    public static T5Config Umt5Xxl { get; } = new() { ModelType = "umt5", VocabSize = 256384 };

    /// <summary>A tiny random-weight configuration for tests.</summary>
    public static T5Config Tiny { get; } = new()
    {
        VocabSize = 64, DModel = 16, DKv = 4, DFf = 24, NumLayers = 2, NumHeads = 4,
        RelativeAttentionNumBuckets = 32, RelativeAttentionMaxDistance = 128,
    };

    /// <summary>Checks ranges and the supported variant.</summary>
    /// <exception cref="InvalidDataException">A field is out of range, unsupported, or unknown; the message names it.</exception>
    public void Validate()
    {
        static void Positive(int v, string name)
        {
            if (v <= 0) throw new InvalidDataException($"T5 config: '{name}' ({v}) must be positive");
        }
        Positive(VocabSize, "vocab_size"); Positive(DModel, "d_model"); Positive(DKv, "d_kv"); Positive(DFf, "d_ff");
        Positive(NumLayers, "num_layers"); Positive(NumHeads, "num_heads");
        if (RelativeAttentionNumBuckets < 4 || RelativeAttentionNumBuckets % 2 != 0)
            throw new InvalidDataException($"T5 config: 'relative_attention_num_buckets' ({RelativeAttentionNumBuckets}) must be an even number ≥ 4");
        if (RelativeAttentionMaxDistance <= RelativeAttentionNumBuckets / 4)
            throw new InvalidDataException($"T5 config: 'relative_attention_max_distance' ({RelativeAttentionMaxDistance}) must exceed num_buckets/4 ({RelativeAttentionNumBuckets / 4})");
        if (!(LayerNormEpsilon > 0)) throw new InvalidDataException($"T5 config: 'layer_norm_epsilon' ({LayerNormEpsilon}) must be positive");
        if (DropoutRate is < 0 or >= 1) throw new InvalidDataException($"T5 config: 'dropout_rate' ({DropoutRate}) must be in [0, 1)");
        if (FeedForwardProj != "gated-gelu")
            throw new InvalidDataException($"T5 config: 'feed_forward_proj' ('{FeedForwardProj}') is not supported; only 'gated-gelu' (T5 v1.1) is");
        if (DenseActFn != "gelu_new")
            throw new InvalidDataException($"T5 config: 'dense_act_fn' ('{DenseActFn}') is not supported; only 'gelu_new' is");
        if (!IsGatedAct) throw new InvalidDataException("T5 config: 'is_gated_act' (false) is not supported; only gated T5 v1.1 is");
        if (PadTokenId < 0 || PadTokenId >= VocabSize) throw new InvalidDataException($"T5 config: 'pad_token_id' ({PadTokenId}) must be in [0, vocab_size)");
        if (EosTokenId < 0 || EosTokenId >= VocabSize) throw new InvalidDataException($"T5 config: 'eos_token_id' ({EosTokenId}) must be in [0, vocab_size)");
        if (ModelType is not (null or "t5" or "umt5"))
            throw new InvalidDataException($"T5 config: 'model_type' ('{ModelType}') is not supported; expected 't5' or 'umt5'");
        if (ClassName is not (null or "T5EncoderModel" or "UMT5EncoderModel"))
            throw new InvalidDataException($"T5 config: '_class_name' ('{ClassName}') must be 'T5EncoderModel' or 'UMT5EncoderModel'");
        var unknown = Extra?.Keys.Where(k => !IgnoredKeys.Contains(k)).OrderBy(k => k, StringComparer.Ordinal).ToList();
        if (unknown is { Count: > 0 })
            throw new InvalidDataException($"T5 config: unknown key{(unknown.Count == 1 ? "" : "s")} {string.Join(", ", unknown.Select(k => $"'{k}'"))}");
    }
}
