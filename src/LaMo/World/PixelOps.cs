using System.Runtime.CompilerServices;
using System.Runtime.Intrinsics;

namespace LaMo.World;

/// <summary>Whole-image loops of the renderers, vectorised where the vector op gives the scalar op's exact result.</summary>
public static class PixelOps
{
    /// <summary><c>dst[i] = (byte)Math.Clamp(MathF.Round(src[i]), 0, 255)</c> (round half to even), 16 values at a time.</summary>
    public static void ToBytes(ReadOnlySpan<float> src, Span<byte> dst)
    {
        if (dst.Length < src.Length) throw new ArgumentException("destination too short", nameof(dst));
        var i = 0;
        if (Vector128.IsHardwareAccelerated)
        {
            Vector128<float> lo = Vector128<float>.Zero, hi = Vector128.Create(255f);
            for (; i + 16 <= src.Length; i += 16)
            {
                var a = Convert(Vector128.Create(src.Slice(i, 4)), lo, hi);
                var b = Convert(Vector128.Create(src.Slice(i + 4, 4)), lo, hi);
                var c = Convert(Vector128.Create(src.Slice(i + 8, 4)), lo, hi);
                var d = Convert(Vector128.Create(src.Slice(i + 12, 4)), lo, hi);
                // Values are in 0..255 here, so the truncating narrows are exact.
                Vector128.Narrow(Vector128.Narrow(a, b), Vector128.Narrow(c, d)).CopyTo(dst[i..]);
            }
        }
        for (; i < src.Length; i++) dst[i] = (byte)Math.Clamp(MathF.Round(src[i]), 0, 255);
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static Vector128<uint> Convert(Vector128<float> v, Vector128<float> lo, Vector128<float> hi) =>
        Vector128.ConvertToInt32(Vector128.Min(Vector128.Max(Vector128.Round(v), lo), hi)).AsUInt32();

    /// <summary><c>img[i] = (float)(img[i] * gain)</c> (the product in double, as the scalar renderer computes it).</summary>
    public static void Scale(Span<float> img, double gain)
    {
        var i = 0;
        if (Vector128.IsHardwareAccelerated)
        {
            var g = Vector128.Create(gain);
            for (; i + 4 <= img.Length; i += 4)
            {
                var (lo, hi) = Vector128.Widen(Vector128.Create(img.Slice(i, 4)));
                Vector128.Narrow(lo * g, hi * g).CopyTo(img[i..]);
            }
        }
        for (; i < img.Length; i++) img[i] = (float)(img[i] * gain);
    }
}
