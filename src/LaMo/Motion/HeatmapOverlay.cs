using LaMo.Core;
using SkiaSharp;
using static LaMo.Core.KeptScalars;
using static TorchSharp.torch;

namespace LaMo.Motion;

/// <summary>Renders an interpretability map as a heatmap blended onto an RGB frame and writes it as PNG.</summary>
/// <remarks>The map is scaled to [0, 1] by its maximum, bilinearly upsampled to the frame size, coloured with an
/// inferno-like ramp and blended per pixel with weight α·m, so cold regions show the frame and hot ones the colour.</remarks>
public static class HeatmapOverlay
{
    // Inferno-like ramp: black → purple → red → orange → pale yellow.
    private static readonly (double R, double G, double B)[] Ramp =
        [(0, 0, 4), (87, 16, 110), (188, 55, 84), (249, 142, 9), (252, 255, 164)];

    /// <summary>Converts an RGB frame tensor [3, H, W] in [−1, 1] to bytes [H, W, 3].</summary>
    /// <exception cref="ArgumentException">The tensor is not [3, H, W].</exception>
    public static byte[,,] FrameFromTensor(Tensor rgb)
    {
        if (rgb.dim() != 3 || rgb.shape[0] != 3) throw new ArgumentException($"frame must be [3, H, W]; got [{string.Join(", ", rgb.shape)}]", nameof(rgb));
        using var scope = NewDisposeScope();
        var hwc = ((rgb.detach().cpu().to_type(ScalarType.Float32).add(Sc(1), Sc(1))) * Sc(127.5f)).round().clamp(Sc(0), Sc(255))
            .permute(1, 2, 0).contiguous().to_type(ScalarType.Byte);                           // [3, H, W] → [H, W, 3]
        int h = (int)hwc.shape[0], w = (int)hwc.shape[1];
        var flat = hwc.data<byte>().ToArray();
        var frame = new byte[h, w, 3];
        Buffer.BlockCopy(flat, 0, frame, 0, flat.Length);
        return frame;
    }

    /// <summary>Blends <paramref name="map"/> [h, w] (any non-negative scale) onto <paramref name="frame"/> [H, W, 3];
    /// returns a new [H, W, 3] image.</summary>
    /// <exception cref="ArgumentException">The map is not 2-D, the frame has no 3 channels, or α is outside [0, 1].</exception>
    public static byte[,,] Blend(Tensor map, byte[,,] frame, double alpha = 0.6)
    {
        if (map.dim() != 2) throw new ArgumentException($"map must be [h, w]; got [{string.Join(", ", map.shape)}]", nameof(map));
        if (frame.GetLength(2) != 3) throw new ArgumentException("frame must be [H, W, 3]", nameof(frame));
        if (!(alpha >= 0 && alpha <= 1)) throw new ArgumentException($"alpha ({alpha}) must be in [0, 1]", nameof(alpha));
        int h = frame.GetLength(0), w = frame.GetLength(1);
        float[] m;
        using (NewDisposeScope())
        {
            var x = map.detach().cpu().to_type(ScalarType.Float32).clamp_min(Sc(0));
            x = x / x.max().clamp_min(Sc(1e-12f));                                               // [0, 1]
            x = nn.functional.interpolate(x.view(1, 1, x.shape[0], x.shape[1]), [h, w], mode: InterpolationMode.Bilinear, align_corners: false);
            m = x.clamp(Sc(0), Sc(1)).flatten().data<float>().ToArray();                          // [1, 1, H, W] → [H·W]
        }
        var image = new byte[h, w, 3];
        for (int i = 0; i < h; i++)
            for (int j = 0; j < w; j++)
            {
                double v = m[i * w + j], a = alpha * v;
                var c = Colour(v);
                image[i, j, 0] = (byte)Math.Round((1 - a) * frame[i, j, 0] + a * c.R);
                image[i, j, 1] = (byte)Math.Round((1 - a) * frame[i, j, 1] + a * c.G);
                image[i, j, 2] = (byte)Math.Round((1 - a) * frame[i, j, 2] + a * c.B);
            }
        return image;
    }

    /// <summary>Writes <see cref="Blend"/> of <paramref name="map"/> onto <paramref name="frame"/> [H, W, 3] as a PNG.</summary>
    public static void WritePng(string path, Tensor map, byte[,,] frame, double alpha = 0.6) => WritePng(path, Blend(map, frame, alpha));

    /// <summary>Writes <see cref="Blend"/> of <paramref name="map"/> onto <paramref name="frame"/> [3, H, W] in [−1, 1] as a PNG.</summary>
    public static void WritePng(string path, Tensor map, Tensor frame, double alpha = 0.6) => WritePng(path, map, FrameFromTensor(frame), alpha);

    /// <summary>Writes an RGB image [H, W, 3] as a PNG (atomically).</summary>
    public static void WritePng(string path, byte[,,] image)
    {
        int h = image.GetLength(0), w = image.GetLength(1);
        using var bitmap = new SKBitmap(new SKImageInfo(w, h, SKColorType.Rgba8888, SKAlphaType.Opaque));
        var rgba = new byte[h * w * 4];
        for (int i = 0; i < h; i++)
            for (int j = 0; j < w; j++)
            {
                int o = (i * w + j) * 4;
                rgba[o] = image[i, j, 0]; rgba[o + 1] = image[i, j, 1]; rgba[o + 2] = image[i, j, 2]; rgba[o + 3] = 255;
            }
        System.Runtime.InteropServices.Marshal.Copy(rgba, 0, bitmap.GetPixels(), rgba.Length);
        using var data = bitmap.Encode(SKEncodedImageFormat.Png, 100);
        AtomicFile.Write(path, s => data.SaveTo(s));
    }

    private static (double R, double G, double B) Colour(double v)
    {
        double x = Math.Clamp(v, 0, 1) * (Ramp.Length - 1);
        int k = Math.Min((int)x, Ramp.Length - 2);
        double f = x - k;
        var (a, b) = (Ramp[k], Ramp[k + 1]);
        return (a.R + f * (b.R - a.R), a.G + f * (b.G - a.G), a.B + f * (b.B - a.B));
    }
}
