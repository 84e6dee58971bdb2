namespace LaMo.World;

/// <summary>Deterministic rasteriser: 4 x 4 supersampled area coverage per pixel, <c>pixel = (1 - a) * below + a * colour</c>,
/// drawn in order background, floor, wall, pendulum string, balls (by id).</summary>
/// <remarks>This is the lossless reference for evaluation: any clip re-renders bit-exactly from its GT JSON.</remarks>
public static class Renderer
{
    private const int S = WorldConstants.Supersample;
    private const double StringHalfWidth = 0.03;
    private const double PivotRadius = 0.12;

    /// <summary>All frames as RGB bytes, layout [F, H, W, 3].</summary>
    public static byte[] Render(WorldClip clip)
    {
        int w = clip.Render.Width, h = clip.Render.Height, f = clip.Frames.Count;
        var stat = StaticLayer(clip);
        var all = new byte[f * stat.Length];
        var frame = new float[stat.Length];
        for (var k = 0; k < f; k++)
        {
            Array.Copy(stat, frame, stat.Length);
            DrawDynamic(clip, k, frame, w, h);
            var off = k * stat.Length;
            for (var i = 0; i < frame.Length; i++) all[off + i] = (byte)Math.Clamp(MathF.Round(frame[i]), 0, 255);
        }
        return all;
    }

    /// <summary>One frame as RGB bytes, layout [H, W, 3].</summary>
    public static byte[] RenderFrame(WorldClip clip, int index)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(index);
        ArgumentOutOfRangeException.ThrowIfGreaterThanOrEqual(index, clip.Frames.Count);
        var frame = StaticLayer(clip);
        DrawDynamic(clip, index, frame, clip.Render.Width, clip.Render.Height);
        return frame.Select(v => (byte)Math.Clamp(MathF.Round(v), 0, 255)).ToArray();
    }

    private static float[] StaticLayer(WorldClip clip)
    {
        int w = clip.Render.Width, h = clip.Render.Height;
        var img = new float[w * h * 3];
        var bg = clip.Render.BackgroundRgb;
        for (var i = 0; i < w * h; i++) (img[3 * i], img[3 * i + 1], img[3 * i + 2]) = (bg.R, bg.G, bg.B);
        if (clip.Scene.FloorY is { } fy)
            Fill(img, w, h, Palette.Floor, 0, WorldConstants.Size, -1, fy, (x, y) => y <= fy);
        if (clip.Scene.WallX is { } wx)
            Fill(img, w, h, Palette.Wall, wx, WorldConstants.Size + 1, -1, WorldConstants.Size + 1, (x, y) => x >= wx);
        return img;
    }

    private static void DrawDynamic(WorldClip clip, int k, float[] img, int w, int h)
    {
        var frame = clip.Frames[k];
        if (clip.Scene is { PivotX: { } px, PivotY: { } py })
        {
            var bob = frame.Objects[0];
            double x0 = Math.Min(px, bob.X) - StringHalfWidth, x1 = Math.Max(px, bob.X) + StringHalfWidth;
            double y0 = Math.Min(py, bob.Y) - StringHalfWidth, y1 = Math.Max(py, bob.Y) + StringHalfWidth;
            Fill(img, w, h, Palette.String, x0, x1, y0, y1, (x, y) => SegmentDistance(x, y, px, py, bob.X, bob.Y) <= StringHalfWidth);
            Fill(img, w, h, Palette.String, px - PivotRadius, px + PivotRadius, py - PivotRadius, py + PivotRadius,
                (x, y) => (x - px) * (x - px) + (y - py) * (y - py) <= PivotRadius * PivotRadius);
        }
        foreach (var o in frame.Objects)
        {
            var spec = clip.Objects[o.Id];
            double r2 = o.Radius * o.Radius, cx = o.X, cy = o.Y;
            Fill(img, w, h, spec.Rgb, cx - o.Radius, cx + o.Radius, cy - o.Radius, cy + o.Radius,
                (x, y) => (x - cx) * (x - cx) + (y - cy) * (y - cy) <= r2);
        }
    }

    private static double SegmentDistance(double x, double y, double ax, double ay, double bx, double by)
    {
        double dx = bx - ax, dy = by - ay;
        var len2 = dx * dx + dy * dy;
        var t = len2 > 0 ? Math.Clamp(((x - ax) * dx + (y - ay) * dy) / len2, 0, 1) : 0;
        double ex = ax + t * dx - x, ey = ay + t * dy - y;
        return Math.Sqrt(ex * ex + ey * ey);
    }

    // Blends colour over the pixels whose box meets [x0, x1] x [y0, y1] (world units), with coverage a = inside
    // subsamples / 16; subsample (s, t) of pixel (i, j) sits at pixel coordinates (i + (s + 0.5) / 4, j + (t + 0.5) / 4).
    private static void Fill(float[] img, int w, int h, Rgb colour, double x0, double x1, double y0, double y1,
        Func<double, double, bool> inside)
    {
        double sx = w / WorldConstants.Size, sy = h / WorldConstants.Size;
        int i0 = Math.Max(0, (int)Math.Floor(x0 * sx)), i1 = Math.Min(w - 1, (int)Math.Floor(x1 * sx));
        int j0 = Math.Max(0, (int)Math.Floor((WorldConstants.Size - y1) * sy)), j1 = Math.Min(h - 1, (int)Math.Floor((WorldConstants.Size - y0) * sy));
        for (var j = j0; j <= j1; j++)
            for (var i = i0; i <= i1; i++)
            {
                var count = 0;
                for (var t = 0; t < S; t++)
                {
                    var y = WorldConstants.Size - (j + (t + 0.5) / S) / sy;
                    for (var s = 0; s < S; s++)
                        if (inside((i + (s + 0.5) / S) / sx, y)) count++;
                }
                if (count == 0) continue;
                var a = count / (float)(S * S);
                var p = 3 * (j * w + i);
                img[p] = (1 - a) * img[p] + a * colour.R;
                img[p + 1] = (1 - a) * img[p + 1] + a * colour.G;
                img[p + 2] = (1 - a) * img[p + 2] + a * colour.B;
            }
    }
}
