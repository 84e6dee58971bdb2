using System.Text;
using System.Text.Json;

namespace LaMo.Core;

/// <summary>One tensor's entry in a safetensors header.</summary>
/// <param name="Name">Tensor name (e.g. <c>transformer_blocks.0.attn1.to_q.weight</c>).</param>
/// <param name="DType">safetensors dtype string (<c>F32</c>, <c>BF16</c>, ...).</param>
/// <param name="Shape">Dimensions; empty for a scalar.</param>
/// <param name="Begin">Start offset inside the data section, in bytes.</param>
/// <param name="End">End offset (exclusive) inside the data section, in bytes.</param>
public sealed record SafetensorsEntry(string Name, string DType, long[] Shape, long Begin, long End)
{
    /// <summary>Number of elements (1 for a scalar).</summary>
    public long ElementCount => Shape.Aggregate(1L, (a, b) => a * b);

    /// <summary>Size of the tensor's data in bytes.</summary>
    public long ByteLength => End - Begin;
}

/// <summary>Parses and validates a safetensors header against the size of its data section.</summary>
/// <remarks>Every rule of the format is checked before anything is allocated from the header's numbers:
/// UTF-8, JSON, unique names, known dtypes, non-negative shapes without overflow, offsets inside the data,
/// byte spans that equal shape x element size, and spans that tile the data with no gap or overlap.</remarks>
public static class SafetensorsHeader
{
    /// <summary>Largest header accepted (the reference implementation uses the same 100 MB bound).</summary>
    public const long MaxHeaderBytes = 100_000_000;

    /// <summary>Parses <paramref name="headerBytes"/>; <paramref name="dataLength"/> is the byte count after the header.</summary>
    /// <exception cref="InvalidDataException">The header breaks a rule; the message names the file and the rule.</exception>
    public static (Dictionary<string, SafetensorsEntry> Entries, Dictionary<string, string> Metadata) Parse(
        ReadOnlySpan<byte> headerBytes, long dataLength, string source)
    {
        string json;
        try { json = new UTF8Encoding(false, true).GetString(headerBytes); }
        catch (DecoderFallbackException) { throw Bad(source, "header is not valid UTF-8"); }

        JsonDocument doc;
        try { doc = JsonDocument.Parse(json, new JsonDocumentOptions { MaxDepth = 8 }); }
        catch (JsonException e) { throw Bad(source, $"header is not valid JSON ({e.Message.Split('.')[0]})"); }
        using (doc)
        {
            if (doc.RootElement.ValueKind != JsonValueKind.Object) throw Bad(source, "header is not a JSON object");
            var entries = new Dictionary<string, SafetensorsEntry>(StringComparer.Ordinal);
            var metadata = new Dictionary<string, string>(StringComparer.Ordinal);
            bool sawMetadata = false;
            foreach (var prop in doc.RootElement.EnumerateObject())
            {
                if (prop.Name == "__metadata__")
                {
                    if (sawMetadata) throw Bad(source, "duplicate __metadata__");
                    sawMetadata = true;
                    ReadMetadata(prop.Value, metadata, source);
                    continue;
                }
                if (entries.ContainsKey(prop.Name)) throw Bad(source, $"duplicate tensor name '{prop.Name}'");
                entries[prop.Name] = ReadEntry(prop.Name, prop.Value, dataLength, source);
            }
            CheckTiling(entries.Values, dataLength, source);
            return (entries, metadata);
        }
    }

    private static void ReadMetadata(JsonElement value, Dictionary<string, string> metadata, string source)
    {
        if (value.ValueKind != JsonValueKind.Object) throw Bad(source, "__metadata__ must be an object of strings");
        foreach (var m in value.EnumerateObject())
        {
            if (m.Value.ValueKind != JsonValueKind.String) throw Bad(source, $"__metadata__ value '{m.Name}' is not a string");
            if (!metadata.TryAdd(m.Name, m.Value.GetString()!)) throw Bad(source, $"duplicate __metadata__ key '{m.Name}'");
        }
    }

    private static SafetensorsEntry ReadEntry(string name, JsonElement e, long dataLength, string source)
    {
        if (e.ValueKind != JsonValueKind.Object) throw Bad(source, $"entry '{name}' is not an object");
        if (!e.TryGetProperty("dtype", out var dt) || dt.ValueKind != JsonValueKind.String)
            throw Bad(source, $"tensor '{name}' has no dtype");
        string dtype = dt.GetString()!;
        if (!SafetensorsDType.IsKnown(dtype)) throw Bad(source, $"tensor '{name}' has unknown dtype '{dtype}'");
        if (!e.TryGetProperty("shape", out var sh) || sh.ValueKind != JsonValueKind.Array)
            throw Bad(source, $"tensor '{name}' has no shape array");
        if (sh.GetArrayLength() > 16) throw Bad(source, $"tensor '{name}' has {sh.GetArrayLength()} dimensions (max 16)");
        var shape = new long[sh.GetArrayLength()];
        long count = 1;
        int i = 0;
        foreach (var d in sh.EnumerateArray())
        {
            if (d.ValueKind != JsonValueKind.Number || !d.TryGetInt64(out long v) || v < 0)
                throw Bad(source, $"tensor '{name}' has an invalid dimension {d}");
            shape[i++] = v;
            if (v != 0 && count > long.MaxValue / v) throw Bad(source, $"tensor '{name}' element count overflows");
            count *= v;
        }
        if (!e.TryGetProperty("data_offsets", out var off) || off.ValueKind != JsonValueKind.Array || off.GetArrayLength() != 2)
            throw Bad(source, $"tensor '{name}' needs data_offsets [begin, end]");
        long[] be = off.EnumerateArray().Select(x =>
            x.ValueKind == JsonValueKind.Number && x.TryGetInt64(out long v) ? v : -1).ToArray();
        if (be[0] < 0 || be[1] < be[0]) throw Bad(source, $"tensor '{name}' has invalid data_offsets [{off[0]}, {off[1]}]");
        if (be[1] > dataLength)
            throw Bad(source, $"tensor '{name}' data_offsets end {be[1]} beyond the data section ({dataLength} bytes); file truncated?");
        int size = SafetensorsDType.ElementSize(dtype);
        if (count > long.MaxValue / size || count * size != be[1] - be[0])
            throw Bad(source, $"tensor '{name}' shape [{string.Join(",", shape)}] x {dtype} needs {(count > long.MaxValue / size ? "too many" : (count * size).ToString())} bytes but its span has {be[1] - be[0]}");
        foreach (var p in e.EnumerateObject())
            if (p.Name is not ("dtype" or "shape" or "data_offsets")) throw Bad(source, $"tensor '{name}' has unknown field '{p.Name}'");
        return new SafetensorsEntry(name, dtype, shape, be[0], be[1]);
    }

    private static void CheckTiling(IEnumerable<SafetensorsEntry> entries, long dataLength, string source)
    {
        long expected = 0;
        foreach (var e in entries.OrderBy(x => x.Begin).ThenBy(x => x.End))
        {
            if (e.Begin < expected) throw Bad(source, $"tensor '{e.Name}' overlaps the previous tensor's data");
            if (e.Begin > expected) throw Bad(source, $"gap of {e.Begin - expected} bytes before tensor '{e.Name}'");
            expected = e.End;
        }
        if (expected != dataLength) throw Bad(source, $"{dataLength - expected} bytes of data after the last tensor");
    }

    private static InvalidDataException Bad(string source, string rule) => new($"{source}: {rule}");
}
