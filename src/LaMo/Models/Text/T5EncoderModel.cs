using TorchSharp;
using TorchSharp.Modules;
using static TorchSharp.torch;

namespace LaMo.Models.Text;

/// <summary>The T5 v1.1 encoder (no decoder, no LM head), loadable from an HF <c>text_encoder/</c> folder.</summary>
/// <remarks>Port of HF transformers <c>T5EncoderModel</c>. Keys: <c>shared.weight</c> [vocab, D], <c>encoder.*</c>.
/// <c>encoder.embed_tokens.weight</c> is the same tensor as <c>shared.weight</c>; HF does not write it, so
/// <see cref="TiedKey"/> may be missing when loading and is left out by <see cref="SaveStateDict"/>.</remarks>
public sealed class T5EncoderModel : nn.Module<Tensor, Tensor?, Tensor>
{
    /// <summary>The key HF ties to <c>shared.weight</c>.</summary>
    public const string TiedKey = "encoder.embed_tokens.weight";

    private readonly nn.Module<Tensor, Tensor> shared;
    private readonly T5Stack encoder;

    /// <summary>The architecture.</summary>
    public T5Config Config { get; }

    /// <summary>Builds the encoder with PyTorch-default random weights (RMS norm weights = 1).</summary>
    /// <param name="config">Validated here.</param>
    /// <param name="device">CPU when null; <c>torch.META</c> gives shapes without memory.</param>
    /// <param name="dtype">Parameter dtype (bf16 halves the 19 GB fp32 XXL encoder).</param>
    public T5EncoderModel(T5Config config, Device? device = null, ScalarType dtype = ScalarType.Float32)
        : base(nameof(T5EncoderModel))
    {
        ArgumentNullException.ThrowIfNull(config);
        config.Validate();
        Config = config;
        shared = NewEmbedding(config, device, dtype);
        encoder = new T5Stack(config, shared, device, dtype);
        RegisterComponents();
    }

    // TorchSharp's nn.Embedding initialises its weight even on the meta device, which took about 2 minutes for UMT5-XXL's
    // 1.05 G entries; on meta only the shape is wanted, so the parameter is made empty there.
    private static nn.Module<Tensor, Tensor> NewEmbedding(T5Config config, Device? device, ScalarType dtype) =>
        device?.type == DeviceType.META
            ? nn.Embedding_from_pretrained(empty([config.VocabSize, config.DModel], dtype, device), freeze: false)
            : nn.Embedding(config.VocabSize, config.DModel, device: device, dtype: dtype);

    /// <summary>Encodes token ids [B, L] (int64) with an optional mask [B, L] into last_hidden_state [B, L, D].</summary>
    public override Tensor forward(Tensor inputIds, Tensor? attentionMask) => encoder.forward(inputIds, attentionMask);

    /// <summary>Number of distinct parameter elements (the tied embedding counted once), like HF <c>num_parameters()</c>.</summary>
    public long ParameterCount() =>
        parameters().Distinct(ReferenceEqualityComparer.Instance).Cast<Parameter>().Sum(p => p.numel());

    /// <summary>The state dict as HF writes it: without <see cref="TiedKey"/>.</summary>
    public Dictionary<string, Tensor> SaveStateDict() =>
        state_dict().Where(kv => kv.Key != TiedKey).ToDictionary(kv => kv.Key, kv => kv.Value, StringComparer.Ordinal);
}
