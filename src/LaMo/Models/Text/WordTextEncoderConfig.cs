using System.Text.Json.Serialization;

namespace LaMo.Models.Text;

/// <summary>Architecture of <see cref="WordTextEncoder"/>; written as <c>text_encoder/config.json</c>.</summary>
public sealed record WordTextEncoderConfig
{
    /// <summary>Lets <see cref="TextEncoderLoader"/> tell this encoder from T5.</summary>
    [JsonPropertyName("_class_name")] public string ClassName { get; init; } = "WordTextEncoder";
    /// <summary>L: tokens per caption.</summary>
    [JsonPropertyName("max_length")] public int MaxLength { get; init; } = 32;
    /// <summary>D: output width (also the model width).</summary>
    [JsonPropertyName("embedding_dim")] public int EmbeddingDim { get; init; } = 64;
    /// <summary>Transformer encoder layers.</summary>
    [JsonPropertyName("num_layers")] public int NumLayers { get; init; } = 2;
    /// <summary>Attention heads; must divide <see cref="EmbeddingDim"/>.</summary>
    [JsonPropertyName("num_heads")] public int NumHeads { get; init; } = 4;
    /// <summary>Feed-forward inner width.</summary>
    [JsonPropertyName("ff_dim")] public int FfDim { get; init; } = 128;
    /// <summary>The words (ids from <see cref="WordTokenizer.FirstWordId"/>); null means
    /// <see cref="WordTokenizer.DefaultVocabulary"/>. Saved configs always list them, so a checkpoint never depends on
    /// the code's default list.</summary>
    [JsonPropertyName("vocabulary")] public IReadOnlyList<string>? Vocabulary { get; init; }

    /// <summary>The shipped default (also <c>configs/tiny/text_encoder/config.json</c>).</summary>
    public static WordTextEncoderConfig Default { get; } = new();

    /// <summary>The vocabulary in effect.</summary>
    [JsonIgnore] public IReadOnlyList<string> EffectiveVocabulary => Vocabulary ?? WordTokenizer.DefaultVocabulary;

    /// <summary>Checks every field.</summary>
    /// <exception cref="InvalidDataException">A field is out of range; the message names it.</exception>
    public void Validate()
    {
        if (ClassName != "WordTextEncoder") throw new InvalidDataException($"word text encoder config: '_class_name' ('{ClassName}') must be 'WordTextEncoder'");
        if (MaxLength is <= 0 or > 4096) throw new InvalidDataException($"word text encoder config: 'max_length' ({MaxLength}) must be in [1, 4096]");
        if (EmbeddingDim <= 0) throw new InvalidDataException($"word text encoder config: 'embedding_dim' ({EmbeddingDim}) must be positive");
        if (NumLayers < 0) throw new InvalidDataException($"word text encoder config: 'num_layers' ({NumLayers}) must be ≥ 0");
        if (NumHeads <= 0 || EmbeddingDim % NumHeads != 0)
            throw new InvalidDataException($"word text encoder config: 'num_heads' ({NumHeads}) must be positive and divide 'embedding_dim' ({EmbeddingDim})");
        if (FfDim <= 0) throw new InvalidDataException($"word text encoder config: 'ff_dim' ({FfDim}) must be positive");
        if (Vocabulary is { Count: 0 }) throw new InvalidDataException("word text encoder config: 'vocabulary' must not be empty");
        try { _ = new WordTokenizer(MaxLength, Vocabulary); }
        catch (ArgumentException e) { throw new InvalidDataException($"word text encoder config: 'vocabulary': {e.Message}", e); }
    }
}
