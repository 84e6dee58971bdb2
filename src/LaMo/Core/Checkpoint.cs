using System.Text.Json;
using static TorchSharp.torch;

namespace LaMo.Core;

/// <summary>A set of named tensors stored as one safetensors file or as shards behind a
/// <c>*.safetensors.index.json</c> (the diffusers / transformers layout). Tensors are read on demand.</summary>
public sealed class Checkpoint : IDisposable
{
    private readonly Dictionary<string, SafetensorsFile> _fileOf;
    private readonly List<SafetensorsFile> _files;

    /// <summary>Where the checkpoint was opened from.</summary>
    public string Source { get; }

    /// <summary>All tensor entries by name.</summary>
    public IReadOnlyDictionary<string, SafetensorsEntry> Entries { get; }

    /// <summary>The files that make up this checkpoint.</summary>
    public IReadOnlyList<SafetensorsFile> Files => _files;

    private Checkpoint(string source, List<SafetensorsFile> files, Dictionary<string, SafetensorsFile> fileOf)
    {
        Source = source; _files = files; _fileOf = fileOf;
        Entries = fileOf.ToDictionary(kv => kv.Key, kv => kv.Value.Entries[kv.Key], StringComparer.Ordinal);
    }

    /// <summary>Opens a <c>.safetensors</c> file, a <c>.safetensors.index.json</c>, or a folder holding exactly one of
    /// <c>diffusion_pytorch_model</c> / <c>model</c> in either form.</summary>
    /// <exception cref="FileNotFoundException">Nothing loadable at <paramref name="path"/>.</exception>
    /// <exception cref="InvalidDataException">A file or the index is malformed or inconsistent.</exception>
    public static Checkpoint Open(string path)
    {
        if (Directory.Exists(path)) return Open(FindInFolder(path));
        if (path.EndsWith(".index.json", StringComparison.Ordinal)) return OpenIndex(path);
        var f = SafetensorsFile.Open(path);
        return new Checkpoint(path, [f], f.Entries.Keys.ToDictionary(k => k, _ => f, StringComparer.Ordinal));
    }

    /// <summary>The weights file (or index) inside a component folder.</summary>
    public static string FindInFolder(string folder)
    {
        foreach (var stem in new[] { "diffusion_pytorch_model", "model" })
        {
            string index = Path.Combine(folder, stem + ".safetensors.index.json");
            if (File.Exists(index)) return index;
            string single = Path.Combine(folder, stem + ".safetensors");
            if (File.Exists(single)) return single;
        }
        var any = Directory.GetFiles(folder, "*.safetensors");
        if (any.Length == 1) return any[0];
        throw new FileNotFoundException($"{folder}: no diffusion_pytorch_model.safetensors, model.safetensors or index file");
    }

    private static Checkpoint OpenIndex(string indexPath)
    {
        if (!File.Exists(indexPath)) throw new FileNotFoundException($"{indexPath}: no such file", indexPath);
        var info = new FileInfo(indexPath);
        if (info.Length > SafetensorsHeader.MaxHeaderBytes) throw new InvalidDataException($"{indexPath}: index file is implausibly large");
        Dictionary<string, string> map;
        try
        {
            using var doc = JsonDocument.Parse(File.ReadAllBytes(indexPath));
            if (!doc.RootElement.TryGetProperty("weight_map", out var wm) || wm.ValueKind != JsonValueKind.Object)
                throw new InvalidDataException($"{indexPath}: no weight_map object");
            map = new(StringComparer.Ordinal);
            foreach (var p in wm.EnumerateObject())
            {
                if (p.Value.ValueKind != JsonValueKind.String) throw new InvalidDataException($"{indexPath}: weight_map['{p.Name}'] is not a file name");
                string file = p.Value.GetString()!;
                if (file.Contains('/') || file.Contains('\\') || file.Contains("..") || !file.EndsWith(".safetensors", StringComparison.Ordinal))
                    throw new InvalidDataException($"{indexPath}: weight_map['{p.Name}'] names '{file}', which is not a safetensors file in the same folder");
                if (!map.TryAdd(p.Name, file)) throw new InvalidDataException($"{indexPath}: duplicate key '{p.Name}'");
            }
        }
        catch (JsonException e) { throw new InvalidDataException($"{indexPath}: not valid JSON ({e.Message.Split('.')[0]})"); }

        string dir = Path.GetDirectoryName(Path.GetFullPath(indexPath))!;
        var files = new Dictionary<string, SafetensorsFile>(StringComparer.Ordinal);
        var fileOf = new Dictionary<string, SafetensorsFile>(StringComparer.Ordinal);
        try
        {
            foreach (var shard in map.Values.Distinct())
                files[shard] = SafetensorsFile.Open(Path.Combine(dir, shard));
            foreach (var (name, shard) in map)
            {
                if (!files[shard].Entries.ContainsKey(name))
                    throw new InvalidDataException($"{indexPath}: index puts '{name}' in {shard}, which does not contain it");
                fileOf[name] = files[shard];
            }
            foreach (var (shard, f) in files)
                foreach (var name in f.Entries.Keys)
                    if (!map.ContainsKey(name)) throw new InvalidDataException($"{Path.Combine(dir, shard)}: tensor '{name}' is not in the index");
        }
        catch
        {
            foreach (var f in files.Values) f.Dispose();
            throw;
        }
        return new Checkpoint(indexPath, files.Values.ToList(), fileOf);
    }

    /// <summary>True when a tensor of that name exists.</summary>
    public bool Contains(string name) => _fileOf.ContainsKey(name);

    /// <summary>Reads one tensor (CPU, the stored dtype).</summary>
    public Tensor Read(string name) =>
        _fileOf.TryGetValue(name, out var f) ? f.Read(name) : throw new KeyNotFoundException($"{Source}: no tensor '{name}'");

    /// <inheritdoc />
    public void Dispose()
    {
        foreach (var f in _files) f.Dispose();
    }
}
