using System.Buffers.Binary;

namespace LaMo.Video;

/// <summary>Lossless raw frame dump (<c>.rgb</c>): ASCII magic <c>LAMORGB1</c>, int32 LE F, H, W, float64 LE fps, then
/// F * H * W * 3 bytes RGB. Readable from numpy with <c>np.fromfile(p, np.uint8, offset=28)</c>.</summary>
public static class RawVideoFile
{
    private static readonly byte[] Magic = "LAMORGB1"u8.ToArray();
    private const int HeaderBytes = 28;

    /// <summary>Writes the dump.</summary>
    public static void Write(string path, VideoFrames video)
    {
        var header = new byte[HeaderBytes];
        Magic.CopyTo(header, 0);
        BinaryPrimitives.WriteInt32LittleEndian(header.AsSpan(8), video.Frames);
        BinaryPrimitives.WriteInt32LittleEndian(header.AsSpan(12), video.Height);
        BinaryPrimitives.WriteInt32LittleEndian(header.AsSpan(16), video.Width);
        BinaryPrimitives.WriteDoubleLittleEndian(header.AsSpan(20), video.Fps);
        using var f = File.Create(path);
        f.Write(header);
        f.Write(video.Rgb);
    }

    /// <summary>Reads a dump.</summary>
    /// <exception cref="InvalidDataException">Wrong magic or length.</exception>
    public static VideoFrames Read(string path)
    {
        var bytes = File.ReadAllBytes(path);
        if (bytes.Length < HeaderBytes || !bytes.AsSpan(0, 8).SequenceEqual(Magic))
            throw new InvalidDataException($"{path}: not a LAMORGB1 raw frame file");
        int f = BinaryPrimitives.ReadInt32LittleEndian(bytes.AsSpan(8)), h = BinaryPrimitives.ReadInt32LittleEndian(bytes.AsSpan(12)),
            w = BinaryPrimitives.ReadInt32LittleEndian(bytes.AsSpan(16));
        var fps = BinaryPrimitives.ReadDoubleLittleEndian(bytes.AsSpan(20));
        if (f <= 0 || h <= 0 || w <= 0 || bytes.Length - HeaderBytes != (long)f * h * w * 3)
            throw new InvalidDataException($"{path}: raw frame file is truncated or has a bad header");
        return new VideoFrames(bytes[HeaderBytes..], f, h, w, fps);
    }
}
