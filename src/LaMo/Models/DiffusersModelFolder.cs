using LaMo.Core;
using TorchSharp;
using static TorchSharp.torch;

namespace LaMo.Models;

/// <summary>The steps every diffusers model folder shares (<c>config.json</c> plus <c>diffusion_pytorch_model</c>
/// weights, one file or shards with an index): finding the folder, checking the dtype, strict loading into a freshly
/// built module, and writing.</summary>
public static class DiffusersModelFolder
{
    /// <summary>Base name of the weight files diffusers writes for models.</summary>
    public const string WeightsName = "diffusion_pytorch_model";

    /// <summary>diffusers' default <c>max_shard_size</c> ("5GB" = 5·10⁹ bytes).</summary>
    public const long DefaultMaxShardBytes = 5_000_000_000;

    /// <summary>The model folder: <paramref name="folder"/> itself, or its <paramref name="subfolder"/> when only that
    /// holds a <c>config.json</c> (a pipeline folder was given).</summary>
    /// <exception cref="DirectoryNotFoundException">No such folder (names it).</exception>
    public static string Resolve(string folder, string subfolder, string what)
    {
        ArgumentException.ThrowIfNullOrEmpty(folder);
        if (!Directory.Exists(folder)) throw new DirectoryNotFoundException($"{folder}: {what} folder not found");
        string sub = Path.Combine(folder, subfolder);
        return !File.Exists(Path.Combine(folder, "config.json")) && File.Exists(Path.Combine(sub, "config.json")) ? sub : folder;
    }

    /// <summary>Refuses a dtype that cannot hold parameters.</summary>
    public static void CheckParameterDType(ScalarType dtype)
    {
        if (dtype is not (ScalarType.Float32 or ScalarType.BFloat16 or ScalarType.Float16 or ScalarType.Float64))
            throw new ArgumentException($"dtype {dtype} is not a floating-point parameter type", nameof(dtype));
    }

    /// <summary>Loads <paramref name="checkpoint"/> strictly into <paramref name="model"/> (just built) and returns it in
    /// eval mode; disposes it when loading fails.</summary>
    public static TModule LoadInto<TModule>(TModule model, Checkpoint checkpoint, LoadOptions? options = null) where TModule : nn.Module
    {
        try
        {
            StateDictLoader.Load(model, checkpoint, options ?? LoadOptions.Default);
        }
        catch
        {
            model.Dispose();
            throw;
        }
        model.eval();
        return model;
    }

    /// <summary>Writes <c>config.json</c> and the weights in diffusers' layout: one <c>diffusion_pytorch_model.safetensors</c>,
    /// or shards of at most <paramref name="maxShardBytes"/> plus <c>diffusion_pytorch_model.safetensors.index.json</c>.
    /// Files are written atomically; stale weight files of the other layout are removed so the folder stays loadable.</summary>
    /// <returns>The files written.</returns>
    public static IReadOnlyList<string> Save(nn.Module model, string folder, string configJson, long maxShardBytes = DefaultMaxShardBytes)
    {
        ArgumentException.ThrowIfNullOrEmpty(folder);
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(maxShardBytes);
        Directory.CreateDirectory(folder);
        foreach (var stale in Directory.GetFiles(folder, WeightsName + "*.safetensors*")) File.Delete(stale);
        string configPath = Path.Combine(folder, "config.json");
        AtomicFile.WriteAllText(configPath, configJson);
        var files = SafetensorsWriter.SaveSharded(folder, WeightsName, StateDictLoader.StateDict(model), maxShardBytes,
            new Dictionary<string, string> { ["format"] = "pt" });
        return [configPath, .. files];
    }
}
