using static TorchSharp.torch;

namespace LaMo.Core;

/// <summary>A safetensors file opened for reading tensor by tensor (the file is never loaded whole).</summary>
/// <remarks>Format: 8-byte little-endian header length N, N bytes of JSON, then raw little-endian C-order data.
/// The header is fully validated on <see cref="Open"/>; see <see cref="SafetensorsHeader"/>.</remarks>
public sealed class SafetensorsFile : IDisposable
{
    private readonly FileStream _stream;
    private readonly long _dataStart;

    /// <summary>Path of the file.</summary>
    public string Path { get; }

    /// <summary>Tensor entries by name.</summary>
    public IReadOnlyDictionary<string, SafetensorsEntry> Entries { get; }

    /// <summary>The <c>__metadata__</c> map (empty when absent).</summary>
    public IReadOnlyDictionary<string, string> Metadata { get; }

    private SafetensorsFile(string path, FileStream stream, long dataStart,
        Dictionary<string, SafetensorsEntry> entries, Dictionary<string, string> metadata)
    {
        Path = path; _stream = stream; _dataStart = dataStart; Entries = entries; Metadata = metadata;
    }

    /// <summary>Opens and validates <paramref name="path"/>.</summary>
    /// <exception cref="FileNotFoundException">No such file.</exception>
    /// <exception cref="InvalidDataException">The file is not a valid safetensors file; the message says why.</exception>
    public static SafetensorsFile Open(string path)
    {
        if (!File.Exists(path)) throw new FileNotFoundException($"{path}: no such file", path);
        var stream = new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.Read, 1 << 16);
        try
        {
            long length = stream.Length;
            if (length < 8) throw new InvalidDataException($"{path}: {length} bytes is too short for a safetensors header");
            Span<byte> lenBytes = stackalloc byte[8];
            stream.ReadExactly(lenBytes);
            ulong n = BitConverter.ToUInt64(lenBytes);
            if (n > SafetensorsHeader.MaxHeaderBytes)
                throw new InvalidDataException($"{path}: header length {n} exceeds the {SafetensorsHeader.MaxHeaderBytes}-byte limit");
            if ((long)n > length - 8)
                throw new InvalidDataException($"{path}: header length {n} is beyond the end of the file ({length} bytes); file truncated?");
            var header = new byte[n];
            stream.ReadExactly(header);
            var (entries, metadata) = SafetensorsHeader.Parse(header, length - 8 - (long)n, path);
            return new SafetensorsFile(path, stream, 8 + (long)n, entries, metadata);
        }
        catch
        {
            stream.Dispose();
            throw;
        }
    }

    /// <summary>Reads one tensor into a new CPU tensor of the file's dtype.</summary>
    /// <exception cref="KeyNotFoundException">No tensor of that name.</exception>
    public Tensor Read(string name)
    {
        if (!Entries.TryGetValue(name, out var e)) throw new KeyNotFoundException($"{Path}: no tensor '{name}'");
        var t = empty(e.Shape, SafetensorsDType.ToScalarType(e.DType), device: CPU);
        if (e.ByteLength == 0) return t;
        lock (_stream)
        {
            _stream.Seek(_dataStart + e.Begin, SeekOrigin.Begin);
            t.ReadBytesFromStream(_stream);
        }
        return t;
    }

    /// <summary>Reads rows <c>[start, start + count)</c> of a tensor's first dimension (e.g. some items of a stacked batch)
    /// without reading the rest: one seek and one contiguous read.</summary>
    /// <exception cref="KeyNotFoundException">No tensor of that name.</exception>
    /// <exception cref="ArgumentOutOfRangeException">The rows are outside the tensor, or it is a scalar.</exception>
    public Tensor ReadRows(string name, long start, long count)
    {
        if (!Entries.TryGetValue(name, out var e)) throw new KeyNotFoundException($"{Path}: no tensor '{name}'");
        if (e.Shape.Length == 0) throw new ArgumentOutOfRangeException(nameof(name), $"{Path}: '{name}' is a scalar; it has no rows");
        long rows = e.Shape[0];
        ArgumentOutOfRangeException.ThrowIfNegative(start);
        ArgumentOutOfRangeException.ThrowIfNegative(count);
        if (start + count > rows) throw new ArgumentOutOfRangeException(nameof(count), $"{Path}: rows {start}..{start + count} of '{name}' beyond its {rows}");
        long rowBytes = rows == 0 ? 0 : e.ByteLength / rows;
        var t = empty([count, .. e.Shape[1..]], SafetensorsDType.ToScalarType(e.DType), device: CPU);
        if (count == 0 || rowBytes == 0) return t;
        lock (_stream)
        {
            _stream.Seek(_dataStart + e.Begin + start * rowBytes, SeekOrigin.Begin);
            t.ReadBytesFromStream(_stream);
        }
        return t;
    }

    /// <summary>Reads every tensor of <paramref name="path"/>; convenient for small files (test vectors).</summary>
    public static Dictionary<string, Tensor> LoadAll(string path)
    {
        using var f = Open(path);
        return f.Entries.Keys.ToDictionary(k => k, f.Read, StringComparer.Ordinal);
    }

    /// <inheritdoc />
    public void Dispose() => _stream.Dispose();
}
