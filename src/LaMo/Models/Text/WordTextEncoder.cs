using LaMo.Core;
using TorchSharp;
using TorchSharp.Modules;
using static LaMo.Core.KeptScalars;
using static TorchSharp.torch;

namespace LaMo.Models.Text;

/// <summary>The embedded default's tiny trainable text encoder: <see cref="WordTokenizer"/> ids → token + learned
/// position embeddings → pre-norm transformer layers (padded keys masked) → LayerNorm. Needs no downloaded weights.</summary>
/// <remarks>Our own design. Keys: <c>token_embedding.weight</c> [V, D], <c>position_embedding.weight</c> [L, D],
/// <c>layers.{i}.*</c> (<see cref="WordEncoderLayer"/>), <c>norm_out.{weight,bias}</c>. Padding positions get
/// outputs too (they attend to the real words), so a plain mean over all L tokens — what LaMo's released code pools —
/// still depends only on the caption. <see cref="Encode"/> keeps the autograd graph so the encoder can train jointly
/// with the backbone; wrap it in <c>no_grad</c> when it is frozen.</remarks>
public sealed class WordTextEncoder : nn.Module<Tensor, Tensor, Tensor>, ITextEncoder
{
    /// <summary>The weights file inside <c>text_encoder/</c>.</summary>
    public const string WeightsFileName = "model.safetensors";

    private readonly Embedding token_embedding;
    private readonly Embedding position_embedding;
    private readonly ModuleList<WordEncoderLayer> layers;
    private readonly LayerNorm norm_out;

    /// <summary>The architecture.</summary>
    public WordTextEncoderConfig Config { get; }

    /// <summary>The tokenizer built from <see cref="Config"/>.</summary>
    public WordTokenizer Tokenizer { get; }

    /// <inheritdoc />
    public int MaxSequenceLength => Config.MaxLength;

    /// <inheritdoc />
    public int EmbeddingDim => Config.EmbeddingDim;

    /// <summary>Builds the encoder with fresh weights from torch's global generator (seed it for reproducibility).</summary>
    /// <exception cref="InvalidDataException"><paramref name="config"/> is invalid.</exception>
    public WordTextEncoder(WordTextEncoderConfig? config = null, Device? device = null) : base(nameof(WordTextEncoder))
    {
        Config = config ?? WordTextEncoderConfig.Default;
        Config.Validate();
        Tokenizer = new WordTokenizer(Config.MaxLength, Config.EffectiveVocabulary);
        int d = Config.EmbeddingDim;
        token_embedding = nn.Embedding(Tokenizer.VocabSize, d, device: device);
        position_embedding = nn.Embedding(Config.MaxLength, d, device: device);
        layers = new ModuleList<WordEncoderLayer>();
        for (int i = 0; i < Config.NumLayers; i++) layers.Add(new WordEncoderLayer(d, Config.NumHeads, Config.FfDim, device));
        norm_out = nn.LayerNorm(d, device: device);
        RegisterComponents();
        InitializeWeights();
    }

    private void InitializeWeights()
    {
        using var _ = no_grad();
        nn.init.normal_(token_embedding.weight!, 0, 0.02);
        nn.init.normal_(position_embedding.weight!, 0, 0.02);
    }

    /// <summary>Number of parameter elements.</summary>
    public long ParameterCount() => parameters().Sum(p => p.numel());

    /// <summary>Encodes ids [B, L] (int64) with mask [B, L] (1 = word) into [B, L, D].</summary>
    public override Tensor forward(Tensor inputIds, Tensor mask)
    {
        using var scope = NewDisposeScope();
        long l = inputIds.shape[1];
        var positions = arange(Sc(0), Sc(l), Sc(1), dtype: ScalarType.Int64, device: inputIds.device);
        var h = token_embedding.forward(inputIds).add(position_embedding.forward(positions).unsqueeze(0), Sc(1));   // [B, L, D]
        // −1e9 rather than −inf: an empty caption masks every key, and a uniform softmax beats NaN.
        var keyBias = (mask.to(h.dtype).neg().add(Sc(1), Sc(1)) * Sc(-1e9)).unsqueeze(1).unsqueeze(2);                 // [B, 1, 1, L]
        foreach (var layer in layers) h = layer.forward(h, keyBias);
        return norm_out.forward(h).MoveToOuterDisposeScope();
    }

    /// <inheritdoc />
    public TextEncoding Encode(IReadOnlyList<string> prompts)
    {
        var tokens = Tokenizer.Encode(prompts);
        using var scope = NewDisposeScope();
        var device = token_embedding.weight!.device;
        var ids = tokens.IdsTensor(device);
        var mask = tokens.MaskTensor(device);
        var embeddings = forward(ids, mask);
        return new TextEncoding(embeddings.MoveToOuterDisposeScope(), mask.MoveToOuterDisposeScope());
    }

    /// <summary>Writes <c>config.json</c> (vocabulary listed explicitly) and <see cref="WeightsFileName"/> into
    /// <paramref name="textEncoderFolder"/> (created if needed).</summary>
    public void Save(string textEncoderFolder)
    {
        Directory.CreateDirectory(textEncoderFolder);
        var config = Config with { Vocabulary = Config.EffectiveVocabulary.ToArray() };
        AtomicFile.WriteAllText(Path.Combine(textEncoderFolder, "config.json"),
            System.Text.Json.JsonSerializer.Serialize(config, TextConfigJson.Options));
        SafetensorsWriter.Save(Path.Combine(textEncoderFolder, WeightsFileName), StateDictLoader.StateDict(this));
    }

    /// <summary>Loads from a <c>text_encoder/</c> folder written by <see cref="Save"/>, strictly.</summary>
    /// <exception cref="FileNotFoundException">config.json or the weights are missing.</exception>
    /// <exception cref="InvalidDataException">The config is invalid or the weights do not match it.</exception>
    public static WordTextEncoder Load(string textEncoderFolder, Device? device = null)
    {
        string configPath = Path.Combine(textEncoderFolder, "config.json");
        var config = TextConfigJson.Load<WordTextEncoderConfig>(configPath);
        try { config.Validate(); }
        catch (InvalidDataException e) { throw new InvalidDataException($"{configPath}: {e.Message}", e); }
        string weights = Path.Combine(textEncoderFolder, WeightsFileName);
        if (!File.Exists(weights)) throw new FileNotFoundException($"{weights}: no such file", weights);
        var encoder = new WordTextEncoder(config, device);
        try
        {
            using var checkpoint = Checkpoint.Open(weights);
            StateDictLoader.Load(encoder, checkpoint);
        }
        catch
        {
            encoder.Dispose();
            throw;
        }
        return encoder;
    }

    /// <summary>Loads <c>text_encoder/</c> of a pipeline folder.</summary>
    public static WordTextEncoder FromPretrained(string pipelineFolder, Device? device = null) => Load(Path.Combine(pipelineFolder, "text_encoder"), device);
}
