using LaMo.Core;
using TorchSharp;
using static TorchSharp.torch;

namespace LaMo.Models.Text;

/// <summary>CogVideoX's text encoder: <see cref="T5Tokenizer"/> + <see cref="T5EncoderModel"/>, frozen.</summary>
/// <remarks>Follows diffusers <c>CogVideoXPipeline._get_t5_prompt_embeds</c>: pad to 226, truncate, EOS, and
/// <b>no attention mask</b> into the encoder (the padding tokens take part in attention). The mask is still returned
/// for LaMo's pooling and the cache. Encoding runs under <c>no_grad</c> in eval mode.</remarks>
public sealed class T5TextEncoder : ITextEncoder
{
    private readonly bool _ownsModel;

    /// <summary>The tokenizer.</summary>
    public T5Tokenizer Tokenizer { get; }

    /// <summary>The encoder network.</summary>
    public T5EncoderModel Model { get; }

    /// <summary>When true the encoder also receives the attention mask (not what CogVideoX does; default false).</summary>
    public bool UseAttentionMask { get; init; }

    /// <inheritdoc />
    public int MaxSequenceLength => Tokenizer.MaxLength;

    /// <inheritdoc />
    public int EmbeddingDim => Model.Config.DModel;

    /// <summary>Combines a tokenizer and a model.</summary>
    /// <param name="tokenizer">The T5 tokenizer.</param>
    /// <param name="model">The encoder; put in eval mode here.</param>
    /// <param name="ownsModel">Dispose <paramref name="model"/> with this encoder.</param>
    public T5TextEncoder(T5Tokenizer tokenizer, T5EncoderModel model, bool ownsModel = true)
    {
        ArgumentNullException.ThrowIfNull(tokenizer);
        ArgumentNullException.ThrowIfNull(model);
        Tokenizer = tokenizer; Model = model; _ownsModel = ownsModel;
        Model.eval();
    }

    /// <summary>Loads <c>text_encoder/</c> (config.json + safetensors, sharded or not) and <c>tokenizer/spiece.model</c>
    /// from a diffusers pipeline folder, strictly.</summary>
    /// <param name="pipelineFolder">The folder holding <c>text_encoder/</c> and <c>tokenizer/</c>.</param>
    /// <param name="dtype">Parameter dtype; the checkpoint is converted (bf16 keeps XXL at ≈ 9.5 GB).</param>
    /// <param name="maxLength">Tokens per prompt (CogVideoX 226, Wan 512).</param>
    /// <param name="device">Where the weights go (null: TorchSharp's default device).</param>
    /// <exception cref="FileNotFoundException">A required file is missing.</exception>
    /// <exception cref="InvalidDataException">A config or weight file is invalid, or keys/shapes do not match.</exception>
    public static T5TextEncoder FromPretrained(string pipelineFolder, ScalarType dtype = ScalarType.Float32, int maxLength = T5Tokenizer.DefaultMaxLength,
        Device? device = null)
    {
        string encoderDir = Path.Combine(pipelineFolder, "text_encoder");
        string configPath = Path.Combine(encoderDir, "config.json");
        var config = TextConfigJson.Load<T5Config>(configPath, TextConfigJson.WithExtensionData);
        try { config.Validate(); }
        catch (InvalidDataException e) { throw new InvalidDataException($"{configPath}: {e.Message}", e); }
        T5Limits.Check(config, configPath);   // absurd sizes refused before allocation
        var tokenizer = T5Tokenizer.FromFile(Path.Combine(pipelineFolder, "tokenizer", "spiece.model"), maxLength);
        var model = new T5EncoderModel(config, device, dtype);
        try
        {
            using var checkpoint = Checkpoint.Open(encoderDir);
            StateDictLoader.Load(model, checkpoint, new LoadOptions(AllowMissing: [T5EncoderModel.TiedKey]));
        }
        catch
        {
            model.Dispose();
            throw;
        }
        return new T5TextEncoder(tokenizer, model);
    }

    /// <summary>Writes <c>text_encoder/</c> (config.json with <c>_class_name</c>, model.safetensors without the tied key)
    /// under <paramref name="pipelineFolder"/>. The tokenizer is not written (copy <c>spiece.model</c> yourself).</summary>
    public void SaveTextEncoder(string pipelineFolder)
    {
        string dir = Path.Combine(pipelineFolder, "text_encoder");
        Directory.CreateDirectory(dir);
        var config = Model.Config with { ClassName = Model.Config.PerLayerPositionBias ? "UMT5EncoderModel" : "T5EncoderModel" };
        AtomicFile.WriteAllText(Path.Combine(dir, "config.json"), System.Text.Json.JsonSerializer.Serialize(config, TextConfigJson.Options));
        SafetensorsWriter.Save(Path.Combine(dir, "model.safetensors"), Model.SaveStateDict());
    }

    /// <inheritdoc />
    public TextEncoding Encode(IReadOnlyList<string> prompts)
    {
        var tokens = Tokenizer.Encode(prompts);
        using var scope = NewDisposeScope();
        using var _ = no_grad();
        var device = Model.parameters().First().device;
        var ids = tokens.IdsTensor(device);
        var mask = tokens.MaskTensor(device);
        var embeddings = Model.forward(ids, UseAttentionMask ? mask : null);   // [B, L, D]
        return new TextEncoding(embeddings.MoveToOuterDisposeScope(), mask.MoveToOuterDisposeScope());
    }

    /// <inheritdoc />
    public void Dispose()
    {
        if (_ownsModel) Model.Dispose();
    }
}
