using System.Globalization;
using LaMo.Core;
using static LaMo.Core.KeptScalars;
using TorchSharp;
using TorchSharp.Modules;
using static TorchSharp.torch;

namespace LaMo.Models.Lora;

/// <summary>The LoRA adapters injected into one model: injection by module-name pattern, the trainable parameters,
/// merge/unmerge, and save/load with diffusers/PEFT key names
/// (<c>transformer.transformer_blocks.0.attn1.to_q.lora_A.weight</c>, as in <c>pytorch_lora_weights.safetensors</c>).</summary>
/// <remarks>Design: adapters hang off <see cref="AdaptableLinear"/> layers without being registered sub-modules, so the
/// base model's state dict keeps the diffusers checkpoint names (<c>…to_q.weight</c>) and loads strictly, while this set
/// owns the adapters and writes them under PEFT's names. The set owns the adapter tensors; dispose it after use.</remarks>
public sealed class LoraAdapterSet : IDisposable
{
    /// <summary>Prefix diffusers puts before transformer LoRA keys.</summary>
    public const string DiffusersPrefix = "transformer.";

    private readonly Dictionary<string, (AdaptableLinear Layer, LoraAdapter Adapter)> _adapters;

    /// <summary>The configuration used to inject.</summary>
    public LoraConfig Config { get; }

    /// <summary>Adapted module names (dotted, e.g. <c>transformer_blocks.0.attn1.to_q</c>) in model order.</summary>
    public IReadOnlyList<string> ModuleNames { get; }

    /// <summary>The adapter of one module.</summary>
    public LoraAdapter this[string moduleName] => _adapters[moduleName].Adapter;

    private LoraAdapterSet(LoraConfig config, List<(string Name, AdaptableLinear Layer, LoraAdapter Adapter)> items)
    {
        Config = config;
        ModuleNames = items.Select(i => i.Name).ToList();
        _adapters = items.ToDictionary(i => i.Name, i => (i.Layer, i.Adapter), StringComparer.Ordinal);
    }

    /// <summary>Attaches a fresh adapter (A Kaiming-uniform, B zero) to every <see cref="AdaptableLinear"/> in
    /// <paramref name="model"/> whose name matches <paramref name="config"/>, on the layer's device and dtype, and
    /// freezes every base parameter so only adapters train.</summary>
    /// <exception cref="ArgumentException">No module matched (names the targets).</exception>
    /// <exception cref="InvalidOperationException">A matched layer already carries an adapter.</exception>
    /// <param name="adapterDtype">Adapter weight type; default the layer's. Mixed-precision training keeps the frozen base
    /// in bf16 and the trained adapters in fp32 (the adapter casts its input and output).</param>
    public static LoraAdapterSet Inject(nn.Module model, LoraConfig config, ScalarType? adapterDtype = null)
    {
        ArgumentNullException.ThrowIfNull(model);
        config = (config ?? throw new ArgumentNullException(nameof(config))).Validate();
        var items = new List<(string, AdaptableLinear, LoraAdapter)>();
        foreach (var (name, module) in model.named_modules())
        {
            if (module is not AdaptableLinear layer || !config.Matches(name)) continue;
            if (layer.Adapter is not null) throw new InvalidOperationException($"'{name}' already carries an adapter");
            var adapter = new LoraAdapter(layer.InFeatures, layer.OutFeatures, config.Rank, config.Alpha, layer.Weight.device, adapterDtype ?? layer.Weight.dtype);
            layer.Attach(adapter);
            items.Add((name, layer, adapter));
        }
        if (items.Count == 0)
            throw new ArgumentException($"no linear layer matches the LoRA targets [{string.Join(", ", config.ResolvedTargets)}]", nameof(config));
        foreach (var p in model.parameters()) p.requires_grad = false;
        var set = new LoraAdapterSet(config, items);
        foreach (var p in set.Parameters()) p.requires_grad = true;
        return set;
    }

    /// <summary>The trainable adapter parameters (what the optimiser gets), in module order, A before B.</summary>
    public IEnumerable<Parameter> Parameters() =>
        ModuleNames.SelectMany(n => new[] { _adapters[n].Adapter.WeightA, _adapters[n].Adapter.WeightB });

    /// <summary>Number of adapter parameters.</summary>
    public long ParameterCount => Parameters().Sum(p => p.NumberOfElements);

    /// <summary>Turns every adapter on or off (no effect on merged layers).</summary>
    public void SetEnabled(bool enabled) { foreach (var (_, a) in _adapters.Values) a.Enabled = enabled; }

    /// <summary>Folds every adapter into its base weight (for fast inference).</summary>
    public void Merge() { foreach (var n in ModuleNames) _adapters[n].Layer.Merge(); }

    /// <summary>Subtracts every merged adapter from its base weight.</summary>
    public void Unmerge() { foreach (var n in ModuleNames) _adapters[n].Layer.Unmerge(); }

    /// <summary>Adapter tensors under PEFT/diffusers names: <c>{prefix}{module}.lora_A.weight</c> and <c>.lora_B.weight</c>.</summary>
    public Dictionary<string, Tensor> StateDict(string prefix = DiffusersPrefix)
    {
        var d = new Dictionary<string, Tensor>(StringComparer.Ordinal);
        foreach (var n in ModuleNames)
        {
            d[$"{prefix}{n}.lora_A.weight"] = _adapters[n].Adapter.WeightA;
            d[$"{prefix}{n}.lora_B.weight"] = _adapters[n].Adapter.WeightB;
        }
        return d;
    }

    /// <summary>Writes the adapters to a safetensors file (diffusers' <c>pytorch_lora_weights.safetensors</c> layout) with
    /// rank, alpha and targets in the metadata.</summary>
    public void Save(string path, string prefix = DiffusersPrefix)
    {
        var meta = new Dictionary<string, string>
        {
            ["format"] = "pt",
            ["lora_rank"] = Config.Rank.ToString(CultureInfo.InvariantCulture),
            ["lora_alpha"] = Config.Alpha.ToString("R", CultureInfo.InvariantCulture),
            ["lora_target_modules"] = string.Join(",", Config.ResolvedTargets),
        };
        SafetensorsWriter.Save(path, StateDict(prefix), meta);
    }

    /// <summary>Copies adapter weights from a safetensors file into this set; every adapter must be present and no other
    /// key under <paramref name="prefix"/> may exist.</summary>
    /// <exception cref="InvalidDataException">Missing or unexpected keys, or a shape mismatch (names them).</exception>
    public void Load(string path, string prefix = DiffusersPrefix)
    {
        using var file = SafetensorsFile.Open(path);
        var want = StateDict(prefix);
        var have = file.Entries.Keys.Where(k => k.StartsWith(prefix, StringComparison.Ordinal)).ToHashSet(StringComparer.Ordinal);
        var missing = want.Keys.Where(k => !have.Contains(k)).Order(StringComparer.Ordinal).ToList();
        var unexpected = have.Where(k => !want.ContainsKey(k)).Order(StringComparer.Ordinal).ToList();
        if (missing.Count > 0 || unexpected.Count > 0)
            throw new InvalidDataException($"{path}: {missing.Count} missing LoRA key(s) [{string.Join(", ", missing.Take(10))}], " +
                                           $"{unexpected.Count} unexpected [{string.Join(", ", unexpected.Take(10))}]");
        foreach (var (key, dest) in want)
        {
            var shape = file.Entries[key].Shape;
            if (!shape.SequenceEqual(dest.shape))
                throw new InvalidDataException($"{path}: '{key}' has shape [{string.Join(", ", shape)}] but the adapter expects [{string.Join(", ", dest.shape)}] (rank {Config.Rank})");
        }
        using var _ = no_grad();
        foreach (var (key, dest) in want)
        {
            using var src = file.Read(key);
            dest.copy_(src);
        }
    }

    /// <summary>Reads rank and alpha from a file written by <see cref="Save"/>, for <see cref="Inject"/> before <see cref="Load"/>.</summary>
    /// <exception cref="InvalidDataException">The metadata lacks them.</exception>
    public static LoraConfig ReadConfig(string path)
    {
        using var file = SafetensorsFile.Open(path);
        var m = file.Metadata;
        if (m.TryGetValue("lora_rank", out var r) && m.TryGetValue("lora_alpha", out var a))
        {
            IReadOnlyList<string>? targets = m.TryGetValue("lora_target_modules", out var t) ? t.Split(',') : null;
            return new LoraConfig(int.Parse(r, CultureInfo.InvariantCulture), double.Parse(a, CultureInfo.InvariantCulture), targets).Validate();
        }
        return FromShapes(path, file, m.TryGetValue("lora_alpha", out var alpha) ? double.Parse(alpha, CultureInfo.InvariantCulture) : null);
    }

    // No rank metadata (a file from another trainer): rank from the lora_A shapes [r, in] (all must agree), targets from
    // the adapted module names, α from the metadata when present, else α = r (update scale 1, as diffusers loads such files).
    private static LoraConfig FromShapes(string path, SafetensorsFile file, double? alpha)
    {
        const string suffix = ".lora_A.weight";
        var keys = file.Entries.Keys.Where(k => k.EndsWith(suffix, StringComparison.Ordinal)).ToList();
        if (keys.Count == 0) throw new InvalidDataException($"{path}: no '*{suffix}' tensors, so not a LoRA file");
        var ranks = keys.Select(k => file.Entries[k].Shape).Select(s => s.Length == 2 ? (int)s[0] : -1).Distinct().ToList();
        if (ranks.Count != 1 || ranks[0] <= 0)
            throw new InvalidDataException($"{path}: lora_A tensors disagree on the rank ([{string.Join(", ", ranks)}]) and the file has no lora_rank metadata");
        var targets = keys.Select(k => k[..^suffix.Length]).Select(Target).Distinct(StringComparer.Ordinal).ToList();
        return new LoraConfig(ranks[0], alpha ?? ranks[0], targets).Validate();
    }

    // The module-name suffix PEFT targets: the last part, or the last two when the last is a number (to_out.0).
    private static string Target(string module)
    {
        var parts = module.Split('.');
        return parts.Length >= 2 && parts[^1].All(char.IsAsciiDigit) ? $"{parts[^2]}.{parts[^1]}" : parts[^1];
    }

    /// <summary>Multiplies every adapter's update by <paramref name="factor"/> (diffusers' LoRA scale: 0 gives the base
    /// model, 1 the adapter as trained). Apply before <see cref="Merge"/>.</summary>
    /// <exception cref="InvalidOperationException">An adapter is already merged.</exception>
    public void Rescale(double factor)
    {
        using var _ = no_grad();
        foreach (var (layer, adapter) in _adapters.Values)
        {
            if (layer.Merged) throw new InvalidOperationException("rescale the adapters before merging them");
            adapter.WeightB.mul_(Sc(factor));
        }
    }

    /// <summary>Detaches (unmerging first) and disposes every adapter; the base model is as before injection
    /// except that its parameters stay frozen.</summary>
    public void Dispose()
    {
        foreach (var (layer, adapter) in _adapters.Values)
        {
            layer.Detach();
            adapter.Dispose();
        }
        _adapters.Clear();
    }
}
