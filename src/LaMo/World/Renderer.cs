namespace LaMo.World;

/// <summary>Deterministic rasteriser: 4 x 4 supersampled area coverage per pixel, <c>pixel = (1 - a) * below + a * colour</c>,
/// drawn in order background, floor, wall, pendulum string, balls (by id).</summary>
/// <remarks>This is the lossless reference for evaluation: any clip re-renders bit-exactly from its GT JSON. World v2
/// clips (with a <see cref="WorldClip.Condition"/>) render through <see cref="ConditionRenderer"/>; v1 clips take the
/// original path unchanged.</remarks>
public static class Renderer
{
    private const int S = WorldConstants.Supersample;
    private const double StringHalfWidth = 0.03;
    private const double PivotRadius = 0.12;

    /// <summary>All frames as RGB bytes, layout [F, H, W, 3].</summary>
    public static byte[] Render(WorldClip clip)
    {
        if (clip.Condition is not null) return ConditionRenderer.Render(clip);
        int w = clip.Render.Width, h = clip.Render.Height, f = clip.Frames.Count;
        var stat = StaticLayer(clip);
        var all = new byte[f * stat.Length];
        var frame = new float[stat.Length];
        for (var k = 0; k < f; k++)
        {
            Array.Copy(stat, frame, stat.Length);
            DrawDynamic(clip, k, frame, w, h);
            PixelOps.ToBytes(frame, all.AsSpan(k * stat.Length, stat.Length));
        }
        return all;
    }

    /// <summary>One frame as RGB bytes, layout [H, W, 3].</summary>
    public static byte[] RenderFrame(WorldClip clip, int index)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(index);
        ArgumentOutOfRangeException.ThrowIfGreaterThanOrEqual(index, clip.Frames.Count);
        if (clip.Condition is not null) return ConditionRenderer.RenderFrame(clip, index);
        var frame = StaticLayer(clip);
        DrawDynamic(clip, index, frame, clip.Render.Width, clip.Render.Height);
        var bytes = new byte[frame.Length];
        PixelOps.ToBytes(frame, bytes);
        return bytes;
    }

    private static float[] StaticLayer(WorldClip clip)
    {
        int w = clip.Render.Width, h = clip.Render.Height;
        var img = new float[w * h * 3];
        var bg = clip.Render.BackgroundRgb;
        for (var i = 0; i < w * h; i++) (img[3 * i], img[3 * i + 1], img[3 * i + 2]) = (bg.R, bg.G, bg.B);
        var view = View.Static(w, h);
        if (clip.Scene.FloorY is { } fy)
            Fill(img, w, h, view, Palette.Floor, 0, WorldConstants.Size, -1, fy, new Below(fy));
        if (clip.Scene.WallX is { } wx)
            Fill(img, w, h, view, Palette.Wall, wx, WorldConstants.Size + 1, -1, WorldConstants.Size + 1, new RightOf(wx));
        return img;
    }

    private static void DrawDynamic(WorldClip clip, int k, float[] img, int w, int h)
    {
        var view = View.Static(w, h);
        DrawString(clip, k, img, w, h, view, Palette.String);
        DrawBalls(clip, k, img, w, h, view, null);
    }

    /// <summary>Draws the pendulum string and pivot (if any) of frame k.</summary>
    internal static void DrawString(WorldClip clip, int k, float[] img, int w, int h, View view, Rgb colour)
    {
        if (clip.Scene is not { PivotX: { } px, PivotY: { } py }) return;
        var bob = clip.Frames[k].Objects[0];
        double x0 = Math.Min(px, bob.X) - StringHalfWidth, x1 = Math.Max(px, bob.X) + StringHalfWidth;
        double y0 = Math.Min(py, bob.Y) - StringHalfWidth, y1 = Math.Max(py, bob.Y) + StringHalfWidth;
        Fill(img, w, h, view, colour, x0, x1, y0, y1, new Segment(px, py, bob.X, bob.Y, StringHalfWidth));
        Fill(img, w, h, view, colour, px - PivotRadius, px + PivotRadius, py - PivotRadius, py + PivotRadius,
            new Disc(px, py, PivotRadius * PivotRadius));
    }

    /// <summary>Draws the balls of frame k, each colour times the light gain (null = 1).</summary>
    internal static void DrawBalls(WorldClip clip, int k, float[] img, int w, int h, View view, LightGain? light)
    {
        foreach (var o in clip.Frames[k].Objects)
        {
            var rgb = clip.Objects[o.Id].Rgb;
            double r2 = o.Radius * o.Radius, cx = o.X, cy = o.Y;
            var colour = light is null ? (rgb.R, rgb.G, rgb.B)
                : ((float)(rgb.R * light.R), (float)(rgb.G * light.G), (float)(rgb.B * light.B));
            Fill(img, w, h, view, colour, cx - o.Radius, cx + o.Radius, cy - o.Radius, cy + o.Radius, new Disc(cx, cy, r2));
        }
    }

    // Blends colour over the pixels whose box meets [x0, x1] x [y0, y1] (world units), with coverage a = inside
    // subsamples / 16; subsample (s, t) of pixel (i, j) sits at pixel coordinates (i + (s + 0.5) / 4, j + (t + 0.5) / 4).
    // The view maps world to pixels (v1: Left = 0, Top = 10, which reproduces the original arithmetic exactly).
    // The shape is a struct type parameter, so its test is inlined; its x and y terms (e.g. a disc's (x − cx)²) are
    // computed once per subsample column and row (the same expressions as per subsample, so the same doubles).
    internal static void Fill<TShape>(float[] img, int w, int h, View view, Rgb colour, double x0, double x1, double y0, double y1,
        TShape inside) where TShape : struct, IShape =>
        Fill(img, w, h, view, (colour.R, colour.G, colour.B), x0, x1, y0, y1, inside);

    private static void Fill<TShape>(float[] img, int w, int h, View view, (float R, float G, float B) colour, double x0, double x1,
        double y0, double y1, TShape inside) where TShape : struct, IShape
    {
        double sx = view.Sx, sy = view.Sy;
        int i0 = Math.Max(0, (int)Math.Floor(Math.Max(-1, (x0 - view.Left) * sx))), i1 = Math.Min(w - 1, (int)Math.Floor(Math.Min(w, (x1 - view.Left) * sx)));
        int j0 = Math.Max(0, (int)Math.Floor(Math.Max(-1, (view.Top - y1) * sy))), j1 = Math.Min(h - 1, (int)Math.Floor(Math.Min(h, (view.Top - y0) * sy)));
        if (i1 < i0 || j1 < j0) return;
        var n = (i1 - i0 + 1) * S;
        Span<double> xs = n <= 1024 ? stackalloc double[n] : new double[n];
        for (var i = i0; i <= i1; i++)
            for (var s = 0; s < S; s++) xs[(i - i0) * S + s] = inside.X(view.Left + (i + (s + 0.5) / S) / sx);
        Span<double> ys = stackalloc double[S];
        for (var j = j0; j <= j1; j++)
        {
            for (var t = 0; t < S; t++) ys[t] = inside.Y(view.Top - (j + (t + 0.5) / S) / sy);
            for (var i = i0; i <= i1; i++)
            {
                var count = 0;
                var px = xs.Slice((i - i0) * S, S);
                for (var t = 0; t < S; t++)
                    for (var s = 0; s < S; s++)
                        if (inside.Inside(px[s], ys[t])) count++;
                if (count == 0) continue;
                var a = count / (float)(S * S);
                var p = 3 * (j * w + i);
                img[p] = (1 - a) * img[p] + a * colour.R;
                img[p + 1] = (1 - a) * img[p + 1] + a * colour.G;
                img[p + 2] = (1 - a) * img[p + 2] + a * colour.B;
            }
        }
    }
}

/// <summary>World-to-pixel mapping of one frame: u = (x − Left)·Sx, v = (Top − y)·Sy.</summary>
internal readonly record struct View(double Left, double Top, double Sx, double Sy)
{
    /// <summary>The v1 view of the whole 10 x 10 world.</summary>
    public static View Static(int w, int h) => new(0, WorldConstants.Size, w / WorldConstants.Size, h / WorldConstants.Size);

    /// <summary>The view of a camera pose.</summary>
    public static View Of(CameraPose pose, int w, int h) =>
        new(pose.Left, pose.Top, w / WorldConstants.Size * pose.Zoom, h / WorldConstants.Size * pose.Zoom);
}
