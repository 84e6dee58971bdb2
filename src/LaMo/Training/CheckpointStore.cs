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

    /// <summary>The newest complete checkpoint folder, or null. Found by scanning, not from the <c>latest</c> pointer: a
    /// kill between the rename and the pointer update leaves a newer complete folder.</summary>
    public string? Latest()
    {
        var complete = Complete();
        return complete.Count == 0 ? null : complete[^1];
    }

    /// <summary>Why <paramref name="checkpoint"/> cannot be resumed from, or null when it is intact: its state.json parses
    /// with a step, and every safetensors file has a valid header whose tensors fit in the file.</summary>
    public static string? Damage(string checkpoint)
    {
        try
        {
            if (ReadState(checkpoint)["step"] is null) return $"{Path.Combine(checkpoint, StateFile)} has no step";
            foreach (var file in Directory.GetFiles(checkpoint, "*.safetensors"))
                SafetensorsFile.Open(file).Dispose();   // validates the header against the file's length
            return null;
        }
        catch (Exception e) when (e is InvalidDataException or IOException or UnauthorizedAccessException) { return e.Message; }
    }

    /// <summary>The checkpoint a resumed run continues from, and the newer ones passed over as damaged (with why).
    /// <paramref name="name"/> (<c>step-N</c> or <c>N</c>) picks one, which must be intact; null takes the newest intact
    /// one. Returns a null checkpoint when the store holds none at all.</summary>
    /// <exception cref="InvalidDataException">The named checkpoint is missing or damaged, or every checkpoint is
    /// damaged (names them and why).</exception>
    public (string? Checkpoint, IReadOnlyList<(string Checkpoint, string Reason)> Damaged) ResumePoint(string? name = null)
    {
        if (name is not null)
        {
            string folder = Path.Combine(Folder, int.TryParse(name, out int step) ? $"step-{step:D6}" : name);
            if (!Directory.Exists(folder)) throw new InvalidDataException($"{folder}: no such checkpoint (resume_from '{name}'); the run has: {string.Join(", ", Complete().Select(Path.GetFileName))}");
            return Damage(folder) is { } reason ? throw new InvalidDataException($"{folder}: damaged, cannot resume from it ({reason})") : (folder, []);
        }
        var damaged = new List<(string, string)>();
        foreach (var folder in Complete().AsEnumerable().Reverse())
        {
            if (Damage(folder) is not { } reason) return (folder, damaged);
            damaged.Add((folder, reason));
        }
        if (damaged.Count > 0)
            throw new InvalidDataException($"no intact checkpoint to resume from: {string.Join("; ", damaged.Select(d => $"{d.Item1}: {d.Item2}"))}");
        return (null, damaged);
    }

    // Complete checkpoint folders (with state.json), oldest first.
    private List<string> Complete() => !Directory.Exists(Folder) ? [] :
        Directory.GetDirectories(Folder, "step-*").Where(d => File.Exists(Path.Combine(d, StateFile))).OrderBy(d => d, StringComparer.Ordinal).ToList();

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
