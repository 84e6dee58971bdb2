namespace LaMo.Video;

/// <summary>Decoded 8-bit RGB frames in memory, layout [F, H, W, 3], plus the frame rate.</summary>
public sealed record VideoFrames
{
    /// <summary>Wraps a frame buffer.</summary>
    /// <exception cref="ArgumentException">Non-positive dimensions or a buffer of the wrong length.</exception>
    public VideoFrames(byte[] rgb, int frames, int height, int width, double fps)
    {
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(frames);
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(height);
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(width);
        if (rgb.Length != (long)frames * height * width * 3)
            throw new ArgumentException($"rgb has {rgb.Length} bytes, expected F*H*W*3 = {(long)frames * height * width * 3}", nameof(rgb));
        if (!(fps > 0)) throw new ArgumentException($"fps ({fps}) must be > 0", nameof(fps));
        (Rgb, Frames, Height, Width, Fps) = (rgb, frames, height, width, fps);
    }

    /// <summary>Pixels, [F, H, W, 3] RGB.</summary>
    public byte[] Rgb { get; }

    /// <summary>Frame count F.</summary>
    public int Frames { get; }

    /// <summary>Height H.</summary>
    public int Height { get; }

    /// <summary>Width W.</summary>
    public int Width { get; }

    /// <summary>Frames per second.</summary>
    public double Fps { get; }

    /// <summary>Bytes per frame (H * W * 3).</summary>
    public int FrameBytes => Height * Width * 3;

    /// <summary>A copy of frame k, [H, W, 3].</summary>
    public byte[] Frame(int k) => Rgb.AsSpan(k * FrameBytes, FrameBytes).ToArray();

    /// <summary>The frames at the given indices, in order.</summary>
    public VideoFrames Select(IReadOnlyList<int> indices, double fps)
    {
        var buf = new byte[indices.Count * FrameBytes];
        for (var i = 0; i < indices.Count; i++)
            Array.Copy(Rgb, (long)indices[i] * FrameBytes, buf, (long)i * FrameBytes, FrameBytes);
        return new VideoFrames(buf, indices.Count, Height, Width, fps);
    }
}
