using System.Text.Json;
using System.Text.Json.Nodes;
using LaMo.Core;
using static TorchSharp.torch;

namespace LaMo.Training;

/// <summary>Checkpoint folders of a run: <c>checkpoints/step-NNNNNN/</c> holding one safetensors file per named
/// group (model, ema, optimizer, rng, ...) and <c>state.json</c>, plus a <c>latest</c> pointer.</summary>
/// <remarks>Each checkpoint is written into a hidden temporary folder and renamed into place, then <c>latest</c> is
/// replaced atomically, so a kill at any point leaves the previous checkpoint complete and findable. Tensors are
/// checked for NaN/Inf before writing: no checkpoint ever holds a non-finite value.</remarks>
public sealed class CheckpointStore
{
    private const string StateFile = "state.json";

    /// <summary>The <c>checkpoints</c> folder.</summary>
    public string Folder { get; }

    /// <summary>How many complete checkpoints to keep (older ones are deleted after a successful save).</summary>
    public int Keep { get; }

    /// <summary>Creates a store under <paramref name="runFolder"/>/checkpoints.</summary>
    public CheckpointStore(string runFolder, int keep = 2)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(keep, 1);
        Folder = Path.Combine(runFolder, "checkpoints");
        Keep = keep;
    }

    /// <summary>Writes a checkpoint for <paramref name="step"/> and returns its folder.</summary>
    /// <exception cref="InvalidOperationException">A tensor holds NaN or Inf (nothing is written).</exception>
    public string Save(int step, IReadOnlyDictionary<string, Dictionary<string, Tensor>> groups, JsonObject state)
    {
        using var scope = NewDisposeScope();   // the finiteness checks allocate; nothing here outlives the call
        foreach (var (group, tensors) in groups)
            foreach (var (key, t) in tensors)
                if (t.is_floating_point() && !t.isfinite().all().item<bool>())
                    throw new InvalidOperationException($"refusing to checkpoint step {step}: {group}/{key} holds NaN or Inf");
        Directory.CreateDirectory(Folder);
        string name = $"step-{step:D6}";
        string final = Path.Combine(Folder, name);
        string tmp = Path.Combine(Folder, $".tmp-{name}-{Guid.NewGuid():N}");
        Directory.CreateDirectory(tmp);
        try
        {
            foreach (var (group, tensors) in groups)
                SafetensorsWriter.Save(Path.Combine(tmp, group + ".safetensors"), tensors);
            state["step"] = step;
            AtomicFile.WriteAllText(Path.Combine(tmp, StateFile), state.ToJsonString(new JsonSerializerOptions { WriteIndented = true }));
            if (Directory.Exists(final)) Directory.Delete(final, true);
            Directory.Move(tmp, final);
        }
        catch
        {
            try { Directory.Delete(tmp, true); } catch (IOException) { }
            throw;
        }
        AtomicFile.WriteAllText(Path.Combine(Folder, "latest"), name);
        Prune();
        return final;
    }

    /// <summary>The newest complete checkpoint folder, or null. Trusts <c>latest</c> when it points at a complete
    /// folder, else scans (a kill between the rename and the pointer update leaves a newer complete folder).</summary>
    public string? Latest()
    {
        if (!Directory.Exists(Folder)) return null;
        var complete = Directory.GetDirectories(Folder, "step-*")
            .Where(d => File.Exists(Path.Combine(d, StateFile)))
            .OrderBy(d => d, StringComparer.Ordinal).ToList();
        return complete.Count == 0 ? null : complete[^1];
    }

    /// <summary>Reads <c>state.json</c> of a checkpoint folder.</summary>
    public static JsonObject ReadState(string checkpoint)
    {
        string path = Path.Combine(checkpoint, StateFile);
        try { return JsonNode.Parse(File.ReadAllText(path))?.AsObject() ?? throw new InvalidDataException($"{path}: empty"); }
        catch (JsonException e) { throw new InvalidDataException($"{path}: not valid JSON ({e.Message.Split('.')[0]})"); }
    }

    /// <summary>Reads one group's tensors of a checkpoint folder.</summary>
    public static Dictionary<string, Tensor> ReadGroup(string checkpoint, string group) =>
        SafetensorsFile.LoadAll(Path.Combine(checkpoint, group + ".safetensors"));

    private void Prune()
    {
        foreach (var d in Directory.GetDirectories(Folder, ".tmp-*")) TryDelete(d);
        var complete = Directory.GetDirectories(Folder, "step-*").OrderBy(d => d, StringComparer.Ordinal).ToList();
        foreach (var d in complete.Take(Math.Max(0, complete.Count - Keep))) TryDelete(d);
    }

    private static void TryDelete(string dir)
    {
        try { Directory.Delete(dir, true); } catch (IOException) { } catch (UnauthorizedAccessException) { }
    }
}
