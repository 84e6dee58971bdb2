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
/// the clip ids and captions as JSON arrays. Written by <see cref="LatentCacheWriter"/>.</summary>
/// <remarks>
/// <see cref="Open"/> reads a small cache whole into memory; a cache larger than <see cref="InMemoryLimitBytes"/> (a
/// real-scale one: 30,000 CogVideoX-2B clips are ~135 GB) is <em>streamed</em>: only ids and captions are held, and
/// <see cref="Batch"/> reads just the requested clips' rows from their shard files (the OS page cache keeps hot ones).
/// Both give the same tensors.
/// </remarks>
public sealed class LatentCache : IDisposable
{
    /// <summary>Caches up to this many bytes of tensors are read into memory by default; larger ones are streamed.</summary>
    public const long InMemoryLimitBytes = 2L << 30;

    private readonly List<LatentItem>? _items;                      // in memory
    private readonly List<(int File, int Row, string Id, string Caption)> _index;
    private readonly string[] _shardPaths;
    private readonly SafetensorsFile?[] _files;                     // streamed: opened on first use, kept open

    /// <summary>What produced the cache, its paths resolved against the cache folder.</summary>
    public LatentCacheManifest Manifest { get; }

    /// <summary>Number of clips.</summary>
    public int Count => _index.Count;

    /// <summary>True when tensors are read from disk per batch instead of held in memory.</summary>
    public bool Streamed => _items is null;

    /// <summary>Shape of one clip's latents, [F', C, H', W'].</summary>
    public long[] LatentShape { get; }

    /// <summary>Shape of one clip's prompt embeddings, [L, D].</summary>
    public long[] EmbedShape { get; }

    /// <summary>Clip <paramref name="i"/>. In memory its tensors are the cache's (borrow them); streamed they are read
    /// for this call and belong to the caller (dispose them, or read inside a dispose scope).</summary>
    public LatentItem this[int i] => _items is not null ? _items[i] : ReadItem(i);

    /// <summary>All clips in shard order. Streamed caches read every clip into new tensors here: for large caches use
    /// <see cref="Batch"/>, the indexer or <see cref="Ids"/>.</summary>
    public IReadOnlyList<LatentItem> Items => _items ?? (IReadOnlyList<LatentItem>)Enumerable.Range(0, Count).Select(ReadItem).ToList();

    /// <summary>Clip ids in shard order (no tensor is read).</summary>
    public IReadOnlyList<string> Ids => _index.Select(x => x.Id).ToList();

    private LatentCache(LatentCacheManifest manifest, string[] shardPaths, List<(int, int, string, string)> index, List<LatentItem>? items,
        long[] latentShape, long[] embedShape)
    {
        Manifest = manifest; _shardPaths = shardPaths; _index = index; _items = items;
        _files = new SafetensorsFile?[shardPaths.Length];
        LatentShape = latentShape; EmbedShape = embedShape;
    }

    /// <summary>Reads <c>cache.json</c> of <paramref name="folder"/>, its paths resolved against the folder
    /// (<see cref="LatentCacheManifest.ResolvedIn"/>): relative ones as written today, absolute ones of older caches as they are.</summary>
    /// <exception cref="FileNotFoundException">No cache.json.</exception>
    /// <exception cref="InvalidDataException">Malformed cache.json.</exception>
    public static LatentCacheManifest ReadManifest(string folder)
    {
        string path = Path.Combine(folder, "cache.json");
        if (!File.Exists(path)) throw new FileNotFoundException($"{path}: not a latent cache (no cache.json)", path);
        try
        {
            return (JsonSerializer.Deserialize<LatentCacheManifest>(File.ReadAllText(path),
                new JsonSerializerOptions { UnmappedMemberHandling = System.Text.Json.Serialization.JsonUnmappedMemberHandling.Disallow })
                ?? throw new InvalidDataException($"{path}: empty")).ResolvedIn(folder);
        }
        catch (JsonException e) { throw new InvalidDataException($"{path}: {e.Message}"); }
    }

    /// <summary>The shard files of a cache folder, in order.</summary>
    public static string[] Shards(string folder) =>
        Directory.GetFiles(folder, "shard-*.safetensors").OrderBy(p => p, StringComparer.Ordinal).ToArray();

    /// <summary>Opens a cache: reads it into memory when its tensors take at most <paramref name="inMemoryLimitBytes"/>
    /// (default <see cref="InMemoryLimitBytes"/>), else streams it.</summary>
    /// <exception cref="InvalidDataException">A shard is malformed, its arrays disagree, shards disagree on shapes, or a clip
    /// id repeats; the message names the shard.</exception>
    public static LatentCache Open(string folder, long inMemoryLimitBytes = InMemoryLimitBytes)
    {
        var manifest = ReadManifest(folder);
        var shards = Shards(folder);
        var index = new List<(int, int, string, string)>();
        var seen = new HashSet<string>(StringComparer.Ordinal);
        long bytes = 0;
        long[]? latentShape = null, embedShape = null;
        for (int f = 0; f < shards.Length; f++)
        {
            using var file = SafetensorsFile.Open(shards[f]);
            var (ids, captions) = CheckShardHeader(file);
            var (l, e) = (file.Entries["latents"].Shape[1..], file.Entries["prompt_embeds"].Shape[1..]);
            latentShape ??= l; embedShape ??= e;
            if (!l.SequenceEqual(latentShape) || !e.SequenceEqual(embedShape))
                throw new InvalidDataException($"{shards[f]}: latents [{string.Join(",", l)}] / prompt_embeds [{string.Join(",", e)}] differ from the first shard's");
            bytes += file.Entries.Values.Sum(x => x.ByteLength);
            for (int i = 0; i < ids.Length; i++)
            {
                if (!seen.Add(ids[i])) throw new InvalidDataException($"{shards[f]}: clip '{ids[i]}' appears in two shards");
                index.Add((f, i, ids[i], captions[i]));
            }
        }
        if (index.Count == 0) throw new InvalidDataException($"{folder}: latent cache has no clips");
        List<LatentItem>? items = null;
        if (bytes <= inMemoryLimitBytes)
        {
            items = [];
            foreach (var shard in shards)
            {
                var (ids, captions, latents, embeds, mask) = ReadShard(shard);
                for (int i = 0; i < ids.Length; i++)
                    items.Add(new LatentItem(ids[i], captions[i], latents[i].DetachFromDisposeScope(),
                        embeds[i].DetachFromDisposeScope(), mask[i].DetachFromDisposeScope()));
            }
        }
        return new LatentCache(manifest, shards, index, items, latentShape!, embedShape!);
    }

    /// <summary>Reads one shard and checks that its arrays agree.</summary>
    public static (string[] Ids, string[] Captions, Tensor Latents, Tensor Embeds, Tensor Mask) ReadShard(string shard)
    {
        using var f = SafetensorsFile.Open(shard);
        var (ids, captions) = CheckShardHeader(f);
        return (ids, captions, f.Read("latents"), f.Read("prompt_embeds"), f.Read("prompt_mask"));
    }

    // Checks from the header alone that the shard's arrays agree; returns its ids and captions.
    private static (string[] Ids, string[] Captions) CheckShardHeader(SafetensorsFile f)
    {
        string[] ids = ReadList(f, "clip_ids"), captions = ReadList(f, "captions");
        foreach (var name in new[] { "latents", "prompt_embeds", "prompt_mask" })
            if (!f.Entries.ContainsKey(name)) throw new InvalidDataException($"{f.Path}: missing tensor '{name}'");
        long[] latents = f.Entries["latents"].Shape, embeds = f.Entries["prompt_embeds"].Shape, mask = f.Entries["prompt_mask"].Shape;
        if (latents.Length != 5 || embeds.Length != 3 || mask.Length != 2
            || latents[0] != ids.Length || embeds[0] != ids.Length || mask[0] != ids.Length || captions.Length != ids.Length
            || mask[1] != embeds[1])
            throw new InvalidDataException($"{f.Path}: clip_ids ({ids.Length}), captions ({captions.Length}), latents [{string.Join(",", latents)}], prompt_embeds [{string.Join(",", embeds)}] and prompt_mask [{string.Join(",", mask)}] disagree");
        return (ids, captions);
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

    /// <summary>Stacks clips <paramref name="indices"/> into a batch: latents [B, F', C, H', W'], embeds [B, L, D], mask [B, L]
    /// (new tensors; streamed caches read only these clips).</summary>
    public (Tensor Latents, Tensor Embeds, Tensor Mask) Batch(IReadOnlyList<int> indices)
    {
        if (_items is not null)
            return (stack(indices.Select(i => _items[i].Latents)), stack(indices.Select(i => _items[i].PromptEmbeds)),
                stack(indices.Select(i => _items[i].PromptMask)));
        using var scope = NewDisposeScope();
        var rows = indices.Select(i => _index[i]).ToList();
        Tensor Stack(string name) => cat(rows.Select(r => ShardFile(r.File).ReadRows(name, r.Row, 1)).ToList());
        var batch = (Stack("latents"), Stack("prompt_embeds"), Stack("prompt_mask"));
        return (batch.Item1.MoveToOuterDisposeScope(), batch.Item2.MoveToOuterDisposeScope(), batch.Item3.MoveToOuterDisposeScope());
    }

    /// <summary>Draws a step's global batch of clip indices from <paramref name="generator"/> (uniform, with replacement)
    /// and reads only <paramref name="shard"/>'s clips of it: every rank draws the same batch and keeps its share.</summary>
    public (Tensor Latents, Tensor Embeds, Tensor Mask) DrawShardBatch(Generator generator, int globalBatch, DataShard shard)
    {
        var all = randint(0L, (long)Count, new long[] { globalBatch }, generator: generator, device: CPU).data<long>().ToArray();
        return Batch(shard.Indices(globalBatch).Select(i => (int)all[i]).ToList());
    }

    private LatentItem ReadItem(int i)
    {
        var (latents, embeds, mask) = Batch([i]);
        return new LatentItem(_index[i].Id, _index[i].Caption, latents.squeeze(0), embeds.squeeze(0), mask.squeeze(0));
    }

    private SafetensorsFile ShardFile(int f)
    {
        lock (_files) return _files[f] ??= SafetensorsFile.Open(_shardPaths[f]);
    }

    /// <inheritdoc />
    public void Dispose()
    {
        foreach (var it in _items ?? []) { it.Latents.Dispose(); it.PromptEmbeds.Dispose(); it.PromptMask.Dispose(); }
        _items?.Clear();
        for (int f = 0; f < _files.Length; f++) { _files[f]?.Dispose(); _files[f] = null; }
    }
}
