using System.Text.Json;
using LaMo.Core;
using static TorchSharp.torch;

namespace LaMo.Data;

/// <summary>Appends clips to a latent cache shard by shard; each shard is written atomically, so an interrupted
/// encode resumes where it stopped: <see cref="Done"/> lists the clips already stored and are skipped by the caller.</summary>
public sealed class LatentCacheWriter : IDisposable
{
    private readonly string _folder;
    private readonly LatentCacheManifest _manifest;
    private readonly List<(string Id, string Caption, Tensor Latents, Tensor Embeds, Tensor Mask)> _pending = [];
    private int _nextShard;

    /// <summary>Clip ids already in the cache (from earlier runs and this one).</summary>
    public HashSet<string> Done { get; } = new(StringComparer.Ordinal);

    /// <summary>Opens or creates a cache. An existing cache must have been made with the same settings by the same VAE and
    /// text encoder folders (compared as resolved folders, so a cache copied together with its pipeline resumes).</summary>
    /// <param name="folder">Cache folder.</param>
    /// <param name="manifest">What encodes; its paths absolute or relative to the working directory. <c>cache.json</c>
    /// stores them relative to <paramref name="folder"/>.</param>
    /// <exception cref="InvalidDataException">The folder holds a cache made with other settings.</exception>
    public LatentCacheWriter(string folder, LatentCacheManifest manifest)
    {
        _folder = folder; _manifest = manifest;
        Directory.CreateDirectory(folder);
        string path = Path.Combine(folder, "cache.json");
        var resolved = manifest.ResolvedIn(Directory.GetCurrentDirectory());
        if (File.Exists(path))
        {
            var existing = LatentCache.ReadManifest(folder);
            if (existing != resolved)
                throw new InvalidDataException($"{path}: cache was made with other settings ({JsonSerializer.Serialize(existing)}, not {JsonSerializer.Serialize(resolved)}); use a new folder");
        }
        else AtomicFile.WriteAllText(path, JsonSerializer.Serialize(resolved.RelativeTo(folder), new JsonSerializerOptions { WriteIndented = true }));
        foreach (var shard in LatentCache.Shards(folder))
        {
            var (ids, _, l, e, m) = LatentCache.ReadShard(shard);
            l.Dispose(); e.Dispose(); m.Dispose();
            foreach (var id in ids) Done.Add(id);
            _nextShard = Math.Max(_nextShard, int.Parse(Path.GetFileNameWithoutExtension(shard)["shard-".Length..]) + 1);
        }
    }

    /// <summary>Queues one clip (tensors are copied); writes a shard when <see cref="LatentCacheManifest.ShardSize"/> are queued.</summary>
    /// <param name="latents">[F', C, H', W'], already scaled.</param>
    /// <param name="embeds">[L, D].</param>
    /// <param name="mask">[L].</param>
    public void Add(string id, string caption, Tensor latents, Tensor embeds, Tensor mask)
    {
        if (!Done.Add(id)) throw new ArgumentException($"clip '{id}' is already in the cache", nameof(id));
        _pending.Add((id, caption, latents.detach().cpu().to_type(ScalarType.Float32).clone().DetachFromDisposeScope(),
            embeds.detach().cpu().to_type(ScalarType.Float32).clone().DetachFromDisposeScope(),
            mask.detach().cpu().to_type(ScalarType.Float32).clone().DetachFromDisposeScope()));
        if (_pending.Count >= _manifest.ShardSize) Flush();
    }

    /// <summary>Writes the queued clips as a shard.</summary>
    public void Flush()
    {
        if (_pending.Count == 0) return;
        using var scope = NewDisposeScope();
        var tensors = new Dictionary<string, Tensor>
        {
            ["latents"] = stack(_pending.Select(p => p.Latents)),
            ["prompt_embeds"] = stack(_pending.Select(p => p.Embeds)),
            ["prompt_mask"] = stack(_pending.Select(p => p.Mask)),
        };
        var metadata = new Dictionary<string, string>
        {
            ["clip_ids"] = JsonSerializer.Serialize(_pending.Select(p => p.Id)),
            ["captions"] = JsonSerializer.Serialize(_pending.Select(p => p.Caption)),
        };
        SafetensorsWriter.Save(Path.Combine(_folder, $"shard-{_nextShard++:D5}.safetensors"), tensors, metadata);
        foreach (var p in _pending) { p.Latents.Dispose(); p.Embeds.Dispose(); p.Mask.Dispose(); }
        _pending.Clear();
    }

    /// <summary>Flushes the last partial shard.</summary>
    public void Dispose() => Flush();
}
