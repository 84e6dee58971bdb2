using static TorchSharp.torch;

namespace LaMo.Core;

/// <summary>How <see cref="StateDictLoader"/> treats differences between a module and a checkpoint.</summary>
/// <param name="Strict">Missing or unexpected keys are errors (the default).</param>
/// <param name="ConvertDTypes">A floating-point tensor of another dtype (e.g. BF16 into an F32 module) is converted;
/// when false such a difference is an error.</param>
/// <param name="AllowMissing">Key names (or prefixes ending in '.') that may be missing even when strict.</param>
/// <param name="Prefix">Prefix to strip from checkpoint keys (e.g. <c>transformer.</c>); keys without it are ignored.</param>
public sealed record LoadOptions(bool Strict = true, bool ConvertDTypes = true, IReadOnlyList<string>? AllowMissing = null, string Prefix = "")
{
    /// <summary>Strict loading with dtype conversion.</summary>
    public static LoadOptions Default { get; } = new();
}

/// <summary>What a load did.</summary>
/// <param name="Loaded">Keys copied into the module.</param>
/// <param name="Missing">Module keys the checkpoint lacks.</param>
/// <param name="Unexpected">Checkpoint keys the module lacks.</param>
public sealed record LoadReport(IReadOnlyList<string> Loaded, IReadOnlyList<string> Missing, IReadOnlyList<string> Unexpected);

/// <summary>Copies named tensors into a TorchSharp module's parameters and buffers by state-dict key.</summary>
public static class StateDictLoader
{
    /// <summary>Loads from a checkpoint into <paramref name="module"/>.</summary>
    /// <exception cref="InvalidDataException">Missing/unexpected keys (strict), or a shape or dtype mismatch; the message names the keys.</exception>
    public static LoadReport Load(nn.Module module, Checkpoint checkpoint, LoadOptions? options = null)
    {
        options ??= LoadOptions.Default;
        var names = checkpoint.Entries.Keys.Where(k => k.StartsWith(options.Prefix, StringComparison.Ordinal));
        return Load(module, names.ToDictionary(k => k[options.Prefix.Length..], k => k, StringComparer.Ordinal),
            (ckptKey) => checkpoint.Read(ckptKey), checkpoint.Source, options, k => checkpoint.Entries[k].Shape);
    }

    /// <summary>Loads from an in-memory dictionary (keys are module keys).</summary>
    public static LoadReport Load(nn.Module module, IReadOnlyDictionary<string, Tensor> tensors, LoadOptions? options = null, string source = "state dict")
    {
        options ??= LoadOptions.Default;
        var names = tensors.Keys.Where(k => k.StartsWith(options.Prefix, StringComparison.Ordinal));
        return Load(module, names.ToDictionary(k => k[options.Prefix.Length..], k => k, StringComparer.Ordinal),
            k => tensors[k].alias(), source, options, k => tensors[k].shape);
    }

    private static LoadReport Load(nn.Module module, Dictionary<string, string> available, Func<string, Tensor> read,
        string source, LoadOptions options, Func<string, long[]> shapeOf)
    {
        var target = module.state_dict();
        var missing = target.Keys.Where(k => !available.ContainsKey(k) && !IsAllowedMissing(k, options)).OrderBy(k => k, StringComparer.Ordinal).ToList();
        var unexpected = available.Keys.Where(k => !target.ContainsKey(k)).OrderBy(k => k, StringComparer.Ordinal).ToList();
        if (options.Strict && (missing.Count > 0 || unexpected.Count > 0))
            throw new InvalidDataException($"{source}: {Describe("missing", missing)}{(missing.Count > 0 && unexpected.Count > 0 ? "; " : "")}{Describe("unexpected", unexpected)}");

        // Check every shape before copying anything, so a mismatch leaves the module untouched.
        foreach (var (key, dest) in target)
        {
            if (!available.TryGetValue(key, out var ck)) continue;
            var shape = shapeOf(ck);
            if (!shape.SequenceEqual(dest.shape))
                throw new InvalidDataException($"{source}: '{ck}' has shape [{string.Join(", ", shape)}] but the model expects [{string.Join(", ", dest.shape)}]");
        }
        var loaded = new List<string>();
        using (no_grad())
        {
            foreach (var (key, dest) in target)
            {
                if (!available.TryGetValue(key, out var ck)) continue;
                using var src = read(ck);
                if (src.dtype != dest.dtype && !(options.ConvertDTypes && src.is_floating_point() && dest.is_floating_point()))
                    throw new InvalidDataException($"{source}: '{ck}' is {src.dtype} but the model expects {dest.dtype}");
                dest.copy_(src);
                loaded.Add(key);
            }
        }
        return new LoadReport(loaded, missing, unexpected);
    }

    private static bool IsAllowedMissing(string key, LoadOptions o) =>
        o.AllowMissing?.Any(a => a.EndsWith('.') ? key.StartsWith(a, StringComparison.Ordinal) : key == a) == true;

    private static string Describe(string what, List<string> keys) => keys.Count == 0 ? "" :
        $"{keys.Count} {what} key{(keys.Count == 1 ? "" : "s")}: {string.Join(", ", keys.Take(20))}{(keys.Count > 20 ? ", ..." : "")}";

    /// <summary>The module's state dict as a name → tensor map, for saving.</summary>
    public static Dictionary<string, Tensor> StateDict(nn.Module module) =>
        module.state_dict().ToDictionary(kv => kv.Key, kv => kv.Value, StringComparer.Ordinal);
}
