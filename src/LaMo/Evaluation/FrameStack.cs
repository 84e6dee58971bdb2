namespace LaMo.Evaluation;

/// <summary>A video as 8-bit RGB frames in one buffer, layout [F, H, W, 3] (the world renderer's layout).</summary>
/// <remarks>Immutable by convention: evaluators never write into <see cref="Data"/>.</remarks>
public sealed class FrameStack
{
    /// <summary>RGB bytes, [F, H, W, 3].</summary>
    public byte[] Data { get; }

    /// <summary>Number of frames F.</summary>
    public int Count { get; }

    /// <summary>Frame height H in pixels.</summary>
    public int Height { get; }

    /// <summary>Frame width W in pixels.</summary>
    public int Width { get; }

    /// <summary>Bytes per frame, H·W·3.</summary>
    public int FrameBytes => Height * Width * 3;

    /// <summary>Wraps an existing [F, H, W, 3] buffer (not copied).</summary>
    /// <exception cref="ArgumentException">Non-positive sizes or a buffer of the wrong length.</exception>
    public FrameStack(byte[] data, int count, int height, int width)
    {
        ArgumentNullException.ThrowIfNull(data);
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(count);
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(height);
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(width);
        if ((long)count * height * width * 3 != data.LongLength)
            throw new ArgumentException($"frame buffer has {data.LongLength} bytes; [F={count}, H={height}, W={width}, 3] needs {(long)count * height * width * 3}", nameof(data));
        (Data, Count, Height, Width) = (data, count, height, width);
    }

    /// <summary>Concatenates per-frame [H, W, 3] RGB buffers.</summary>
    /// <exception cref="ArgumentException">Empty list or a frame of the wrong length.</exception>
    public static FrameStack FromList(IReadOnlyList<byte[]> frames, int height, int width)
    {
        ArgumentNullException.ThrowIfNull(frames);
        if (frames.Count == 0) throw new ArgumentException("a video needs at least one frame", nameof(frames));
        int n = height * width * 3;
        var data = new byte[frames.Count * n];
        for (var t = 0; t < frames.Count; t++)
        {
            if (frames[t].Length != n)
                throw new ArgumentException($"frame {t} has {frames[t].Length} bytes; {height}x{width}x3 needs {n}", nameof(frames));
            frames[t].CopyTo(data, t * n);
        }
        return new FrameStack(data, frames.Count, height, width);
    }

    /// <summary>Frame <paramref name="t"/> as [H, W, 3] RGB bytes (a view, no copy).</summary>
    public ReadOnlySpan<byte> Frame(int t)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(t);
        ArgumentOutOfRangeException.ThrowIfGreaterThanOrEqual(t, Count);
        return Data.AsSpan(t * FrameBytes, FrameBytes);
    }

    /// <summary>Copy of frame <paramref name="t"/>.</summary>
    public byte[] FrameCopy(int t) => Frame(t).ToArray();

    /// <summary>The video with frames re-ordered (or repeated) by <paramref name="order"/>.</summary>
    public FrameStack Select(IReadOnlyList<int> order)
    {
        var data = new byte[order.Count * FrameBytes];
        for (var i = 0; i < order.Count; i++) Frame(order[i]).CopyTo(data.AsSpan(i * FrameBytes));
        return new FrameStack(data, order.Count, Height, Width);
    }
}
