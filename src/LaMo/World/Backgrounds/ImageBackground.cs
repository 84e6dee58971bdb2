using System.Collections.Concurrent;
using OpenCvSharp;

namespace LaMo.World.Backgrounds;

/// <summary>A user image as a backdrop on the scene plane: it spans world y in [−1, 11] (keeping its aspect ratio),
/// centred on x = 5, sampled bilinearly and clamped at its borders.</summary>
public sealed class ImageBackground : BackgroundField
{
    private const double Bottom = -1, Span = 12;
    private static readonly ConcurrentDictionary<string, Lazy<ImageBackground>> Cache = new();
    private readonly byte[] _rgb;
    private readonly int _w, _h;

    private ImageBackground(byte[] rgb, int w, int h) => (_rgb, _w, _h) = (rgb, w, h);

    /// <summary>Image files a folder offers (png, jpg, jpeg, bmp), sorted by name so a seed picks the same file anywhere.</summary>
    /// <exception cref="DirectoryNotFoundException">No such folder.</exception>
    public static IReadOnlyList<string> List(string dir) =>
        Directory.EnumerateFiles(dir)
            .Where(f => Path.GetExtension(f).ToLowerInvariant() is ".png" or ".jpg" or ".jpeg" or ".bmp")
            .Select(Path.GetFileName).OfType<string>().Order(StringComparer.Ordinal).ToArray();

    /// <summary>The (cached) background of an images condition.</summary>
    /// <exception cref="InvalidDataException">The image is missing or unreadable.</exception>
    public static ImageBackground Load(WorldCondition c)
    {
        var path = Path.GetFullPath(Path.Combine(c.ImageDir ?? "", c.Image ?? ""));
        return Cache.GetOrAdd(path, p => new Lazy<ImageBackground>(() => Read(p))).Value;
    }

    private static ImageBackground Read(string path)
    {
        using var bgr = Cv2.ImRead(path, ImreadModes.Color);
        if (bgr.Empty()) throw new InvalidDataException($"{path}: background image missing or unreadable");
        using var rgb = new Mat();
        Cv2.CvtColor(bgr, rgb, ColorConversionCodes.BGR2RGB);
        var bytes = new byte[rgb.Rows * rgb.Cols * 3];
        using (var packed = rgb.Clone())   // a clone is continuous
            System.Runtime.InteropServices.Marshal.Copy(packed.Data, bytes, 0, bytes.Length);
        return new ImageBackground(bytes, rgb.Cols, rgb.Rows);
    }

    /// <inheritdoc/>
    public override (float R, float G, float B) At(double x, double y, CameraPose pose)
    {
        var scale = _h / Span;   // image pixels per world unit
        double u = (x - WorldConstants.Size / 2) * scale + _w / 2.0 - 0.5, v = (Bottom + Span - y) * scale - 0.5;
        u = Math.Clamp(u, 0, _w - 1);
        v = Math.Clamp(v, 0, _h - 1);
        int i = Math.Min((int)u, _w - 2 < 0 ? 0 : _w - 2), j = Math.Min((int)v, _h - 2 < 0 ? 0 : _h - 2);
        double fu = Math.Clamp(u - i, 0, 1), fv = Math.Clamp(v - j, 0, 1);
        int i1 = Math.Min(i + 1, _w - 1), j1 = Math.Min(j + 1, _h - 1);
        float Channel(int ch)
        {
            double a = _rgb[3 * (j * _w + i) + ch], b = _rgb[3 * (j * _w + i1) + ch];
            double c = _rgb[3 * (j1 * _w + i) + ch], d = _rgb[3 * (j1 * _w + i1) + ch];
            return (float)((a + (b - a) * fu) * (1 - fv) + (c + (d - c) * fu) * fv);
        }
        return (Channel(0), Channel(1), Channel(2));
    }
}
