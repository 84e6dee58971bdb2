using System.Text.Json.Nodes;
using LaMo.Core;
using LaMo.Data;
using LaMo.Distributed;
using static TorchSharp.torch;

namespace LaMo.Workflows;

/// <summary>The part record and the merge of a sharded <c>lamo encode</c>.</summary>
internal static class EncodeParts
{
    public const string Kind = "encode";

    /// <summary>Writes the part's marker: its clips with their entry index, and its skips.</summary>
    /// <param name="listed">How many of <paramref name="skipped"/> were found while listing the dataset (every part finds them).</param>
    /// <param name="skippedAt">Entry index of each later skip, in order.</param>
    public static void Complete(string partFolder, DataShard part, string data, string pipeline, ClipReadOptions read, int shardSize,
        IReadOnlyList<DatasetEntry> entries, IReadOnlyList<SkippedFile> skipped, int listed, IReadOnlyList<int> skippedAt)
    {
        var ids = entries.Select(e => EncodeWorkflow.ClipId(data, e.VideoPath)).ToList();
        var indexOf = new Dictionary<string, int>(StringComparer.Ordinal);
        for (int i = 0; i < ids.Count; i++) indexOf.TryAdd(ids[i], i);
        var clips = new JsonArray();
        foreach (var shard in LatentCache.Shards(partFolder))
            foreach (var id in LatentCache.ReadShardIds(shard))
                clips.Add(new JsonObject { ["index"] = indexOf.TryGetValue(id, out int i) ? i : int.MaxValue, ["id"] = id });
        var job = new JsonObject
        {
            ["data"] = ArtifactPaths.Relative(partFolder, data), ["pipeline"] = ArtifactPaths.Relative(partFolder, pipeline), ["frames"] = read.Frames,
            ["height"] = read.Height, ["width"] = read.Width, ["shard_size"] = shardSize,
            ["entries"] = entries.Count, ["entries_fingerprint"] = ShardParts.Fingerprint(ids),
        };
        var items = new JsonObject
        {
            ["clips"] = clips,
            ["listed_skips"] = new JsonArray(skipped.Take(listed).Select(s => (JsonNode)new JsonObject
                { ["path"] = ArtifactPaths.Relative(partFolder, s.Path), ["reason"] = s.Reason }).ToArray()),
            ["skips"] = new JsonArray(skippedAt.Select((index, k) => (JsonNode)new JsonObject
                { ["index"] = index, ["path"] = ArtifactPaths.Relative(partFolder, skipped[listed + k].Path), ["reason"] = skipped[listed + k].Reason }).ToArray()),
        };
        ShardParts.Complete(partFolder, new PartMarker(Kind, part.Rank, part.Count, job, items));
    }

    /// <summary>Writes the merged cache to a sibling temp folder, then swaps it in.</summary>
    public static int Merge(string cacheFolder, IReadOnlyList<(string Folder, PartMarker Marker)> parts)
    {
        Expect(parts);
        string output = Path.TrimEndingDirectorySeparator(Path.GetFullPath(cacheFolder));
        if (Directory.Exists(output) && Directory.EnumerateFileSystemEntries(output).Any() && !ShardParts.WasMerged(output))
            throw new OutputExistsException($"{output}: exists and was not written by a merge; remove it or merge into another folder");
        var manifest = LatentCache.ReadManifest(parts[0].Folder);
        foreach (var (folder, _) in parts)
            if (LatentCache.ReadManifest(folder) != manifest) throw new InvalidDataException($"{folder}: cache.json differs from part 0's");

        // Global order: entry index (ties, i.e. clips no longer listed, keep part order).
        var order = new List<(int Index, int Part, string Shard, int Position)>();
        for (int p = 0; p < parts.Count; p++)
        {
            var indexOf = parts[p].Marker.Items["clips"]!.AsArray().ToDictionary(c => (string)c!["id"]!, c => (int)c!["index"]!, StringComparer.Ordinal);
            foreach (var shard in LatentCache.Shards(parts[p].Folder))
            {
                var ids = LatentCache.ReadShardIds(shard);
                for (int k = 0; k < ids.Length; k++)
                    order.Add((indexOf.TryGetValue(ids[k], out int i) ? i : int.MaxValue, p, shard, k));
            }
        }
        order.Sort((a, b) => a.Index != b.Index ? a.Index.CompareTo(b.Index) : a.Part.CompareTo(b.Part));

        string tmp = output + ".merging";
        if (Directory.Exists(tmp)) Directory.Delete(tmp, true);
        Directory.CreateDirectory(tmp);
        File.Copy(Path.Combine(parts[0].Folder, "empty_prompt.safetensors"), Path.Combine(tmp, "empty_prompt.safetensors"));
        var open = new Dictionary<int, (string Shard, string[] Ids, string[] Captions, Tensor Latents, Tensor Embeds, Tensor Mask)>();
        try
        {
            using var writer = new LatentCacheWriter(tmp, manifest);
            foreach (var (_, p, shard, k) in order)
            {
                if (!open.TryGetValue(p, out var s) || s.Shard != shard)
                {
                    if (open.TryGetValue(p, out var old)) { old.Latents.Dispose(); old.Embeds.Dispose(); old.Mask.Dispose(); }
                    var (ids, captions, l, e, m) = LatentCache.ReadShard(shard);   // one shard per part in memory
                    open[p] = s = (shard, ids, captions, l, e, m);
                }
                using var scope = NewDisposeScope();
                writer.Add(s.Ids[k], s.Captions[k], s.Latents[k], s.Embeds[k], s.Mask[k]);
            }
        }
        finally
        {
            foreach (var s in open.Values) { s.Latents.Dispose(); s.Embeds.Dispose(); s.Mask.Dispose(); }
        }
        SkippedList.Write(tmp, MergedSkips(parts), relativeTo: output);
        SwapIn(tmp, output);
        ShardParts.RecordMerge(output, Kind, parts.Count);
        return order.Count;
    }

    // The unsharded order: the skips found while listing, then the load failures in entry order. Marker paths are
    // relative to their part folder.
    private static IEnumerable<SkippedFile> MergedSkips(IReadOnlyList<(string Folder, PartMarker Marker)> parts)
    {
        static SkippedFile Skip(string folder, JsonNode s) => new(ArtifactPaths.Resolve(folder, (string)s["path"]!), (string)s["reason"]!);
        var listed = parts[0].Marker.Items["listed_skips"]!.AsArray().Select(s => Skip(parts[0].Folder, s!));
        var later = parts.SelectMany(p => p.Marker.Items["skips"]!.AsArray().Select(s => (Index: (int)s!["index"]!, Skip: Skip(p.Folder, s))))
            .OrderBy(s => s.Index).Select(s => s.Skip);
        return listed.Concat(later);
    }

    /// <summary>Replaces <paramref name="output"/> by <paramref name="tmp"/> (the old folder is kept until the rename succeeded).</summary>
    internal static void SwapIn(string tmp, string output)
    {
        string old = output + ".replaced";
        if (Directory.Exists(old)) Directory.Delete(old, true);
        if (Directory.Exists(output)) Directory.Move(output, old);
        Directory.Move(tmp, output);
        if (Directory.Exists(old)) Directory.Delete(old, true);
    }

    private static void Expect(IReadOnlyList<(string Folder, PartMarker Marker)> parts)
    {
        if (parts[0].Marker.Kind != Kind)
            throw new InvalidDataException($"{parts[0].Folder}: a '{parts[0].Marker.Kind}' part, not an encode part");
    }
}
