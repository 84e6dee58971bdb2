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
    public override (float R, float G, float B) At(double x, double y, CameraPose pose) => Sample(Column(x), Row(y));

    /// <inheritdoc/>
    /// <remarks>Bilinear sampling is separable: the column taps once per column, the row taps once per row.</remarks>
    public override void Draw(float[] img, int w, int h, double left, double top, double sx, double sy, CameraPose pose)
    {
        var cols = new Tap[w];
        for (var i = 0; i < w; i++) cols[i] = Column(ColumnX(left, sx, i));
        for (var j = 0; j < h; j++)
        {
            var row = Row(RowY(top, sy, j));
            for (var i = 0; i < w; i++) Put(img, j * w + i, Sample(cols[i], row));
        }
    }

    // Two neighbouring image indices and the weight of the second, along one axis.
    private readonly record struct Tap(int I0, int I1, double F);

    private double Scale => _h / Span;   // image pixels per world unit

    private Tap Column(double x)
    {
        var u = Math.Clamp((x - WorldConstants.Size / 2) * Scale + _w / 2.0 - 0.5, 0, _w - 1);
        var i = Math.Min((int)u, _w - 2 < 0 ? 0 : _w - 2);
        return new Tap(i, Math.Min(i + 1, _w - 1), Math.Clamp(u - i, 0, 1));
    }

    private Tap Row(double y)
    {
        var v = Math.Clamp((Bottom + Span - y) * Scale - 0.5, 0, _h - 1);
        var j = Math.Min((int)v, _h - 2 < 0 ? 0 : _h - 2);
        return new Tap(j, Math.Min(j + 1, _h - 1), Math.Clamp(v - j, 0, 1));
    }

    private (float R, float G, float B) Sample(Tap col, Tap row)
    {
        float Channel(int ch)
        {
            double a = _rgb[3 * (row.I0 * _w + col.I0) + ch], b = _rgb[3 * (row.I0 * _w + col.I1) + ch];
            double c = _rgb[3 * (row.I1 * _w + col.I0) + ch], d = _rgb[3 * (row.I1 * _w + col.I1) + ch];
            return (float)((a + (b - a) * col.F) * (1 - row.F) + (c + (d - c) * col.F) * row.F);
        }
        return (Channel(0), Channel(1), Channel(2));
    }
}
