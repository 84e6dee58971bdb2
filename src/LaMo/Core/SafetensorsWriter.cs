using System.Text;
using System.Text.Json;
using static TorchSharp.torch;

namespace LaMo.Core;

/// <summary>Writes safetensors files and diffusers-style sharded checkpoints, atomically.</summary>
public static class SafetensorsWriter
{
    /// <summary>Writes <paramref name="tensors"/> to <paramref name="path"/> via a temporary file and a rename,
    /// so a crash or a full disk never leaves a partial file under the final name.</summary>
    public static void Save(string path, IEnumerable<KeyValuePair<string, Tensor>> tensors,
        IReadOnlyDictionary<string, string>? metadata = null)
    {
        var list = tensors.OrderBy(kv => kv.Key, StringComparer.Ordinal).ToList();
        var header = new Dictionary<string, object>(StringComparer.Ordinal);
        if (metadata is { Count: > 0 }) header["__metadata__"] = metadata;
        long offset = 0;
        var names = new HashSet<string>(StringComparer.Ordinal);
        foreach (var (name, t) in list)
        {
            if (!names.Add(name)) throw new ArgumentException($"duplicate tensor name '{name}'", nameof(tensors));
            long bytes = t.NumberOfElements * t.ElementSize;
            header[name] = new Dictionary<string, object>
            {
                ["dtype"] = SafetensorsDType.FromScalarType(t.dtype),
                ["shape"] = t.shape,
                ["data_offsets"] = new[] { offset, offset + bytes },
            };
            offset += bytes;
        }
        byte[] json = JsonSerializer.SerializeToUtf8Bytes(header);
        int pad = (8 - json.Length % 8) % 8;                   // data section starts 8-byte aligned
        var headerBytes = new byte[json.Length + pad];
        json.CopyTo(headerBytes, 0);
        for (int i = json.Length; i < headerBytes.Length; i++) headerBytes[i] = (byte)' ';

        AtomicFile.Write(path, stream =>
        {
            stream.Write(BitConverter.GetBytes((ulong)headerBytes.Length));
            stream.Write(headerBytes);
            foreach (var (_, t) in list)
            {
                using var c = t.detach().cpu().contiguous();
                if (c.NumberOfElements > 0) c.WriteBytesToStream(stream);
            }
        });
    }

    /// <summary>Writes a sharded checkpoint: <c>{baseName}-0000k-of-0000n.safetensors</c> plus
    /// <c>{baseName}.safetensors.index.json</c>, or a single <c>{baseName}.safetensors</c> when it fits one shard.</summary>
    /// <returns>The files written.</returns>
    public static IReadOnlyList<string> SaveSharded(string folder, string baseName,
        IEnumerable<KeyValuePair<string, Tensor>> tensors, long maxShardBytes, IReadOnlyDictionary<string, string>? metadata = null)
    {
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(maxShardBytes);
        Directory.CreateDirectory(folder);
        var shards = new List<List<KeyValuePair<string, Tensor>>> { new() };
        long current = 0, total = 0;
        foreach (var kv in tensors.OrderBy(kv => kv.Key, StringComparer.Ordinal))
        {
            long bytes = kv.Value.NumberOfElements * kv.Value.ElementSize;
            if (current > 0 && current + bytes > maxShardBytes) { shards.Add(new()); current = 0; }
            shards[^1].Add(kv);
            current += bytes; total += bytes;
        }
        if (shards.Count == 1)
        {
            string single = System.IO.Path.Combine(folder, baseName + ".safetensors");
            Save(single, shards[0], metadata);
            return [single];
        }
        var written = new List<string>();
        var weightMap = new SortedDictionary<string, string>(StringComparer.Ordinal);
        for (int i = 0; i < shards.Count; i++)
        {
            string file = $"{baseName}-{i + 1:D5}-of-{shards.Count:D5}.safetensors";
            Save(System.IO.Path.Combine(folder, file), shards[i], metadata);
            foreach (var kv in shards[i]) weightMap[kv.Key] = file;
            written.Add(System.IO.Path.Combine(folder, file));
        }
        string index = System.IO.Path.Combine(folder, baseName + ".safetensors.index.json");
        var doc = new { metadata = new { total_size = total }, weight_map = weightMap };
        AtomicFile.Write(index, s => s.Write(JsonSerializer.SerializeToUtf8Bytes(doc, new JsonSerializerOptions { WriteIndented = true })));
        written.Add(index);
        return written;
    }
}
