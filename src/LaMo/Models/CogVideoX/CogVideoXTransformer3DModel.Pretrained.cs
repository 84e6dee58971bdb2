using LaMo.Core;
using static TorchSharp.torch;

namespace LaMo.Models.CogVideoX;

public sealed partial class CogVideoXTransformer3DModel
{
    /// <summary>Base name of the weight files diffusers writes for models.</summary>
    public const string WeightsName = DiffusersModelFolder.WeightsName;

    /// <summary>diffusers' default <c>max_shard_size</c> ("5GB" = 5·10⁹ bytes).</summary>
    public const long DefaultMaxShardBytes = DiffusersModelFolder.DefaultMaxShardBytes;

    /// <summary>Loads a diffusers-format transformer folder: <c>config.json</c> plus
    /// <c>diffusion_pytorch_model.safetensors</c> or its sharded index. Loading is strict (every key, exact shapes);
    /// stored dtypes are converted to <paramref name="dtype"/>.</summary>
    /// <param name="folder">The <c>transformer/</c> folder (or a pipeline folder holding one).</param>
    /// <param name="dtype">Parameter dtype (float32, bfloat16 or float16).</param>
    /// <param name="device">Target device (CPU when null).</param>
    /// <exception cref="FileNotFoundException">No folder, <c>config.json</c> or weights file (names the path).</exception>
    /// <exception cref="InvalidDataException">Bad config, missing/unexpected keys or shape mismatches (names them).</exception>
    public static CogVideoXTransformer3DModel FromPretrained(string folder, ScalarType dtype = ScalarType.Float32, Device? device = null) =>
        FromPretrained(folder, config: null, dtype, device);

    /// <summary>As <see cref="FromPretrained(string, ScalarType, Device?)"/>, with the folder's config already loaded and
    /// checked by the caller (<paramref name="config"/>; null reads it).</summary>
    public static CogVideoXTransformer3DModel FromPretrained(string folder, CogVideoXTransformerConfig? config, ScalarType dtype = ScalarType.Float32, Device? device = null)
    {
        folder = DiffusersModelFolder.Resolve(folder, "transformer", "transformer");
        DiffusersModelFolder.CheckParameterDType(dtype);
        config ??= TransformerLimits.Load(folder);   // absurd sizes refused before allocation
        using var checkpoint = Checkpoint.Open(folder);
        return DiffusersModelFolder.LoadInto(new CogVideoXTransformer3DModel(config, new ParameterOptions(device, dtype, SkipInit: true)), checkpoint);
    }

    /// <summary>Writes <c>config.json</c> and the weights in diffusers' layout: one
    /// <c>diffusion_pytorch_model.safetensors</c>, or shards of at most <paramref name="maxShardBytes"/> plus
    /// <c>diffusion_pytorch_model.safetensors.index.json</c>. Files are written atomically; stale weight files of the
    /// other layout are removed so the folder stays loadable.</summary>
    /// <returns>The files written.</returns>
    public IReadOnlyList<string> SavePretrained(string folder, long maxShardBytes = DefaultMaxShardBytes) =>
        DiffusersModelFolder.Save(this, folder, Config.ToJson(), maxShardBytes);
}
