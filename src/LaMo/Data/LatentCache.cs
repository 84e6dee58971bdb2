using System.Text.Json;
using LaMo.Core;
using static TorchSharp.torch;

namespace LaMo.Data;

/// <summary>One cached clip. Tensors are owned by the cache (borrow them; clone to keep).</summary>
/// <param name="Id">Clip id (unique in the cache, e.g. the video's relative path).</param>
/// <param name="Caption">The clip's caption.</param>
/// <param name="Latents">Scaled VAE latents, frames first: [F', C, H', W'].</param>
/// <param name="PromptEmbeds">Text-encoder output [L, D].</param>
/// <param name="PromptMask">Token mask [L] (1 = real token).</param>
public sealed record LatentItem(string Id, string Caption, Tensor Latents, Tensor PromptEmbeds, Tensor PromptMask);

/// <summary>A latent cache folder: <c>cache.json</c> plus shards <c>shard-NNNNN.safetensors</c>, each holding
/// <c>latents</c> [N, F', C, H', W'], <c>prompt_embeds</c> [N, L, D], <c>prompt_mask</c> [N, L] and, in its metadata,
/// the clip ids and captions as JSON arrays. Written by <see cref="LatentCacheWriter"/>; read whole into memory
/// (CPU-scale caches are small) with <see cref="Open"/>.</summary>
public sealed class LatentCache : IDisposable
{
    private readonly List<LatentItem> _items;

    /// <summary>What produced the cache.</summary>
    public LatentCacheManifest Manifest { get; }

    /// <summary>Number of clips.</summary>
    public int Count => _items.Count;

    /// <summary>Clip <paramref name="i"/>.</summary>
    public LatentItem this[int i] => _items[i];

    /// <summary>All clips in shard order.</summary>
    public IReadOnlyList<LatentItem> Items => _items;

    private LatentCache(LatentCacheManifest manifest, List<LatentItem> items) { Manifest = manifest; _items = items; }

    /// <summary>Reads <c>cache.json</c> of <paramref name="folder"/>.</summary>
    /// <exception cref="FileNotFoundException">No cache.json.</exception>
    /// <exception cref="InvalidDataException">Malformed cache.json.</exception>
    public static LatentCacheManifest ReadManifest(string folder)
    {
        string path = Path.Combine(folder, "cache.json");
        if (!File.Exists(path)) throw new FileNotFoundException($"{path}: not a latent cache (no cache.json)", path);
        try
        {
            return JsonSerializer.Deserialize<LatentCacheManifest>(File.ReadAllText(path),
                new JsonSerializerOptions { UnmappedMemberHandling = System.Text.Json.Serialization.JsonUnmappedMemberHandling.Disallow })
                ?? throw new InvalidDataException($"{path}: empty");
        }
        catch (JsonException e) { throw new InvalidDataException($"{path}: {e.Message}"); }
    }

    /// <summary>The shard files of a cache folder, in order.</summary>
    public static string[] Shards(string folder) =>
        Directory.GetFiles(folder, "shard-*.safetensors").OrderBy(p => p, StringComparer.Ordinal).ToArray();

    /// <summary>Loads every shard of <paramref name="folder"/>.</summary>
    /// <exception cref="InvalidDataException">A shard is malformed or its arrays disagree; the message names it.</exception>
    public static LatentCache Open(string folder)
    {
        var manifest = ReadManifest(folder);
        var items = new List<LatentItem>();
        var seen = new HashSet<string>(StringComparer.Ordinal);
        foreach (var shard in Shards(folder))
        {
            var (ids, captions, latents, embeds, mask) = ReadShard(shard);
            for (int i = 0; i < ids.Length; i++)
            {
                if (!seen.Add(ids[i])) throw new InvalidDataException($"{shard}: clip '{ids[i]}' appears in two shards");
                items.Add(new LatentItem(ids[i], captions[i], latents[i].DetachFromDisposeScope(),
                    embeds[i].DetachFromDisposeScope(), mask[i].DetachFromDisposeScope()));
            }
        }
        if (items.Count == 0) throw new InvalidDataException($"{folder}: latent cache has no clips");
        return new LatentCache(manifest, items);
    }

    /// <summary>Reads one shard and checks that its arrays agree.</summary>
    public static (string[] Ids, string[] Captions, Tensor Latents, Tensor Embeds, Tensor Mask) ReadShard(string shard)
    {
        using var f = SafetensorsFile.Open(shard);
        string[] ids = ReadList(f, "clip_ids"), captions = ReadList(f, "captions");
        foreach (var name in new[] { "latents", "prompt_embeds", "prompt_mask" })
            if (!f.Entries.ContainsKey(name)) throw new InvalidDataException($"{shard}: missing tensor '{name}'");
        var latents = f.Read("latents");
        var embeds = f.Read("prompt_embeds");
        var mask = f.Read("prompt_mask");
        if (latents.dim() != 5 || embeds.dim() != 3 || mask.dim() != 2
            || latents.shape[0] != ids.Length || embeds.shape[0] != ids.Length || mask.shape[0] != ids.Length || captions.Length != ids.Length)
            throw new InvalidDataException($"{shard}: clip_ids ({ids.Length}), captions ({captions.Length}), latents [{string.Join(",", latents.shape)}], prompt_embeds [{string.Join(",", embeds.shape)}] and prompt_mask disagree");
        return (ids, captions, latents, embeds, mask);
    }

    /// <summary>The clip ids of a shard, from its header only (no tensor is read).</summary>
    public static string[] ReadShardIds(string shard)
    {
        using var f = SafetensorsFile.Open(shard);
        return ReadList(f, "clip_ids");
    }

    private static string[] ReadList(SafetensorsFile f, string key)
    {
        if (!f.Metadata.TryGetValue(key, out var json)) throw new InvalidDataException($"{f.Path}: metadata has no '{key}'");
        try { return JsonSerializer.Deserialize<string[]>(json) ?? throw new InvalidDataException($"{f.Path}: '{key}' is null"); }
        catch (JsonException) { throw new InvalidDataException($"{f.Path}: metadata '{key}' is not a JSON array of strings"); }
    }

    /// <summary>Writes the text encoder's embedding of the empty prompt [L, D] (used for CFG training and sampling).</summary>
    public static void SaveEmptyPrompt(string folder, Tensor embeds) =>
        SafetensorsWriter.Save(Path.Combine(folder, "empty_prompt.safetensors"), new Dictionary<string, Tensor> { ["prompt_embeds"] = embeds.detach().cpu() });

    /// <summary>Reads the empty-prompt embedding [L, D] written by <see cref="SaveEmptyPrompt"/>.</summary>
    /// <exception cref="FileNotFoundException">The cache has none (made by another tool).</exception>
    public static Tensor LoadEmptyPrompt(string folder)
    {
        string path = Path.Combine(folder, "empty_prompt.safetensors");
        if (!File.Exists(path)) throw new FileNotFoundException($"{path}: missing; re-run lamo encode to write it", path);
        return SafetensorsFile.LoadAll(path)["prompt_embeds"];
    }

    /// <summary>Stacks clips <paramref name="indices"/> into a batch: latents [B, F', C, H', W'], embeds [B, L, D], mask [B, L].</summary>
    public (Tensor Latents, Tensor Embeds, Tensor Mask) Batch(IReadOnlyList<int> indices) =>
        (stack(indices.Select(i => _items[i].Latents)), stack(indices.Select(i => _items[i].PromptEmbeds)),
         stack(indices.Select(i => _items[i].PromptMask)));

    /// <inheritdoc />
    public void Dispose()
    {
        foreach (var it in _items) { it.Latents.Dispose(); it.PromptEmbeds.Dispose(); it.PromptMask.Dispose(); }
        _items.Clear();
    }
}
