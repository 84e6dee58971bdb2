using LaMo.Data;
using LaMo.Distributed;
using LaMo.Models.Text;
using LaMo.Video;
using static TorchSharp.torch;

namespace LaMo.Workflows;

/// <summary>What an encode run did.</summary>
/// <param name="Encoded">Clips encoded in this run.</param>
/// <param name="AlreadyCached">Clips skipped because an earlier run stored them.</param>
/// <param name="Skipped">Bad inputs with their reasons (also written to <c>skipped.txt</c>).</param>
public sealed record EncodeReport(int Encoded, int AlreadyCached, IReadOnlyList<SkippedFile> Skipped);

/// <summary><c>lamo encode</c>: videos + captions → a latent cache (VAE posterior mode × scaling factor, or for a Wan
/// pipeline normalised with the VAE's latents_mean / latents_std; text embeddings, masks, clip ids). Resumable: clips already in the cache are not re-encoded; bad files are skipped and listed.</summary>
public static class EncodeWorkflow
{
    /// <summary>Encodes every clip of <paramref name="data"/> (any layout <see cref="DatasetIndex.Detect"/> reads) with the
    /// VAE and text encoder of <paramref name="pipeline"/> into <paramref name="cacheFolder"/>.</summary>
    /// <param name="strict">Stop at the first bad file (InvalidDataException naming it) instead of skipping it.</param>
    /// <param name="shardSize">Clips per cache shard (each shard is written atomically: the unit of resumption).</param>
    /// <param name="textEncoderDtype">T5 weight type (bf16 halves T5-XXL to ≈ 9.5 GB per process); the cache stores fp32.</param>
    /// <param name="vaeTiling">Encode in spatial tiles (diffusers' <c>enable_tiling</c>).</param>
    /// <param name="device">Where the VAE and text encoder compute (null: the CPU); the cache is written from CPU copies.</param>
    /// <param name="part">Encode only this part's clips (round robin over the dataset's entries) into
    /// <c>cacheFolder.parts/i-of-N</c>; <see cref="MergeWorkflow"/> then assembles <paramref name="cacheFolder"/>.</param>
    public static EncodeReport Run(string data, string pipeline, string cacheFolder, ClipReadOptions read, bool strict = false,
        int batchSize = 8, IProgress<(int Done, int Total)>? progress = null, CancellationToken ct = default, int shardSize = 64,
        DataShard? part = null, bool vaeTiling = false, TorchSharp.torch.ScalarType textEncoderDtype = TorchSharp.torch.ScalarType.Float32,
        Device? device = null)
    {
        var skipped = new List<SkippedFile>();
        var entries = DatasetIndex.Detect(data, skipped);
        if (strict && skipped.Count > 0) throw new InvalidDataException($"{skipped[0].Path}: {skipped[0].Reason}");
        entries = Reliability.DatasetGuard.Filter(entries, skipped, strict);
        int listed = skipped.Count;   // skips found while listing: the same for every part
        string target = part is null ? cacheFolder : ShardParts.PartFolder(cacheFolder, part);
        if (part is not null) { Directory.CreateDirectory(target); ShardParts.Reopen(target); }
        var on = device ?? CPU;                                             // named: nothing lands on TorchSharp's default device
        using var vae = CacheVaeEncoder.Open(pipeline, vaeTiling, on);   // CogVideoX or Wan, by model_index.json
        using var text = Diffusion.Pipeline.PipelineFolder.IsWan(pipeline)
            ? Diffusion.Pipeline.PipelineFolder.LoadWanTextEncoder(pipeline, textEncoderDtype, on)
            : TextEncoderLoader.FromPretrained(pipeline, textEncoderDtype, on);
        var manifest = new LatentCacheManifest(Path.GetFullPath(Path.Combine(pipeline, "vae")), Path.GetFullPath(Path.Combine(pipeline, "text_encoder")),
            vae.ScalingFactor, read.Frames, read.Height, read.Width, ShardSize: shardSize);
        int encoded = 0, already = 0;
        var skippedAt = new List<int>();   // entry index of each skip after the listing ones
        using (var writer = new LatentCacheWriter(target, manifest))
        {
            using (var scope = NewDisposeScope())
            using (no_grad())
                LatentCache.SaveEmptyPrompt(target, vae.PromptStates(text.Encode([""]))[0]);
            var todo = new List<(string Id, LoadedClip Clip)>();
            for (int i = 0; i < entries.Count; i++)
            {
                ct.ThrowIfCancellationRequested();
                if (part is not null && !part.Owns(i)) continue;   // another part's clip (the last batch is flushed below)
                string id = ClipId(data, entries[i].VideoPath);
                if (writer.Done.Contains(id)) { already++; continue; }
                var clip = VideoClipDataset.TryLoad(entries[i], read, out var reason);
                if (clip is null)
                {
                    if (strict) throw new InvalidDataException($"{entries[i].VideoPath}: {reason}");
                    skipped.Add(new SkippedFile(entries[i].VideoPath, reason ?? "unreadable"));
                    skippedAt.Add(i);
                    continue;
                }
                todo.Add((id, clip));
                if (todo.Count == batchSize || i == entries.Count - 1) { encoded += EncodeBatch(todo, vae, text, writer); todo.Clear(); }
                progress?.Report((i + 1, entries.Count));
            }
            if (todo.Count > 0) encoded += EncodeBatch(todo, vae, text, writer);
        }
        SkippedList.Write(target, skipped);
        if (part is not null)
            EncodeParts.Complete(target, part, data, pipeline, read, shardSize, entries, skipped, listed, skippedAt);
        return new EncodeReport(encoded, already, skipped);
    }

    private static int EncodeBatch(List<(string Id, LoadedClip Clip)> batch, CacheVaeEncoder vae, ITextEncoder text, LatentCacheWriter writer)
    {
        using var scope = NewDisposeScope();
        using var noGrad = no_grad();
        var video = stack(batch.Select(b => VideoTensor.FromFrames(b.Clip.Video))).permute(0, 2, 1, 3, 4)   // [B, F, 3, H, W] → [B, 3, F, H, W]
            .to(vae.Device);                                                                                  // decoded on the CPU
        // The writer keeps CPU float32 copies of what it is given (the cache lives in CPU memory and on disk).
        var latents = vae.Encode(video);                                                                     // [B, F', C, h, w]
        using var enc = text.Encode(batch.Select(b => b.Clip.Entry.Caption).ToList());
        var states = vae.PromptStates(enc);
        for (int i = 0; i < batch.Count; i++)
            writer.Add(batch[i].Id, batch[i].Clip.Entry.Caption, latents[i], states[i], enc.Mask[i]);
        return batch.Count;
    }

    /// <summary>A clip's id: its path relative to the dataset folder.</summary>
    public static string ClipId(string data, string videoPath)
    {
        string root = Directory.Exists(data) ? data : Path.GetDirectoryName(Path.GetFullPath(data))!;
        return Path.GetRelativePath(root, videoPath).Replace('\\', '/');
    }
}
