using System.Runtime.CompilerServices;

namespace LaMo.World.Backgrounds;

/// <summary>A world v2 background: an unlit colour for every world point seen from a camera pose. Scene-plane
/// backgrounds ignore the pose; parallax layers use it to move at 1/depth of the camera's speed.</summary>
public abstract class BackgroundField
{
    /// <summary>Unlit colour (0..255 per channel) at world point (x, y) seen from <paramref name="pose"/>.</summary>
    public abstract (float R, float G, float B) At(double x, double y, CameraPose pose);

    /// <summary>Fills an [H, W, 3] image with the field sampled at pixel centres of the view (u = (x − left)·sx,
    /// v = (top − y)·sy). Fields with per-column structure override this to compute it once per column.</summary>
    public virtual void Draw(float[] img, int w, int h, double left, double top, double sx, double sy, CameraPose pose)
    {
        for (var j = 0; j < h; j++)
        {
            var y = RowY(top, sy, j);
            for (var i = 0; i < w; i++) Put(img, j * w + i, At(ColumnX(left, sx, i), y, pose));
        }
    }

    /// <summary>World x of pixel column <paramref name="i"/>'s centre.</summary>
    protected static double ColumnX(double left, double sx, int i) => left + (i + 0.5) / sx;

    /// <summary>World y of pixel row <paramref name="j"/>'s centre.</summary>
    protected static double RowY(double top, double sy, int j) => top - (j + 0.5) / sy;

    /// <summary>World x of every column centre.</summary>
    protected static double[] Columns(double left, double sx, int w)
    {
        var xs = new double[w];
        for (var i = 0; i < w; i++) xs[i] = ColumnX(left, sx, i);
        return xs;
    }

    /// <summary>World y of every row centre.</summary>
    protected static double[] Rows(double top, double sy, int h)
    {
        var ys = new double[h];
        for (var j = 0; j < h; j++) ys[j] = RowY(top, sy, j);
        return ys;
    }

    /// <summary>Writes a colour at pixel index <paramref name="q"/> (= j·w + i) of an [H, W, 3] image.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    protected static void Put(float[] img, int q, (float R, float G, float B) c) =>
        (img[3 * q], img[3 * q + 1], img[3 * q + 2]) = (c.R, c.G, c.B);

    /// <summary>Fills pixels [from, to) of an [H, W, 3] image with one colour.</summary>
    protected static void Fill(float[] img, int from, int to, (float R, float G, float B) c)
    {
        for (var q = from; q < to; q++) Put(img, q, c);
    }

    /// <summary>False when the field never depends on the pose (then a static camera renders it once).</summary>
    public virtual bool DependsOnPose => false;

    /// <summary>The field of a clip's condition; <paramref name="uniform"/> is the v1 background colour.</summary>
    /// <exception cref="ArgumentException">An unknown background name.</exception>
    public static BackgroundField For(WorldCondition condition, Rgb uniform) => condition.Background switch
    {
        "uniform" => new UniformBackground(uniform),
        "gradient" => new GradientBackground(condition),
        "texture" => new TextureBackground(condition),
        "pattern" => new PatternBackground(condition),
        "parallax" => new ParallaxBackground(condition),
        "images" => ImageBackground.Load(condition),
        _ => throw new ArgumentException($"unknown background '{condition.Background}'", nameof(condition)),
    };

    /// <summary>Linear blend of two palette colours.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    protected static (float R, float G, float B) Mix(Rgb a, Rgb b, double t)
    {
        var u = (float)Math.Clamp(t, 0, 1);
        return (a.R + (b.R - a.R) * u, a.G + (b.G - a.G) * u, a.B + (b.B - a.B) * u);
    }

    /// <summary>A 53-bit seed stored in the condition's parameters (doubles hold it exactly).</summary>
    protected static ulong Seed(WorldCondition c, string key) => (ulong)c.Parameters[key];
}

/// <summary>v1's single colour.</summary>
internal sealed class UniformBackground(Rgb colour) : BackgroundField
{
    public override (float R, float G, float B) At(double x, double y, CameraPose pose) => (colour.R, colour.G, colour.B);

    public override void Draw(float[] img, int w, int h, double left, double top, double sx, double sy, CameraPose pose) =>
        Fill(img, 0, w * h, (colour.R, colour.G, colour.B));
}
