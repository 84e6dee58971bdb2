using OpenCvSharp;

namespace LaMo.World;

/// <summary>A world-coordinate map of a clip (y up): the 10 x 10 world's outline, the camera centre's path with a dot
/// per frame, the first and last view rectangles, and each object's trajectory in a darker shade of its colour.</summary>
public static class WorldMap
{
    /// <summary>Height of the map in pixels.</summary>
    public const int Height = 200;

    /// <summary>Draws the map into <paramref name="img"/> (BGR), fitting every pose and position.</summary>
    public static void Draw(Mat img, WorldClip clip)
    {
        var poses = clip.Frames.Select(f => f.Camera ?? CameraPose.Static).ToArray();
        var xs = poses.SelectMany(p => new[] { p.Left, p.X + p.HalfExtent }).Concat(clip.Frames.SelectMany(f => f.Objects.Select(o => o.X))).Append(0).Append(WorldConstants.Size);
        var ys = poses.SelectMany(p => new[] { p.Top, p.Y - p.HalfExtent }).Concat(clip.Frames.SelectMany(f => f.Objects.Select(o => o.Y))).Append(0).Append(WorldConstants.Size);
        double x0 = xs.Min() - 0.5, x1 = xs.Max() + 0.5, y0 = ys.Min() - 0.5, y1 = ys.Max() + 0.5;
        var scale = Math.Min((img.Width - 1) / (x1 - x0), (img.Height - 1) / (y1 - y0));
        Point P(double x, double y) => new((int)Math.Round((x - x0) * scale), (int)Math.Round((y1 - y) * scale));
        Cv2.Rectangle(img, P(0, WorldConstants.Size), P(WorldConstants.Size, 0), new Scalar(200, 200, 200), 1);
        foreach (var (p, shade) in new[] { (poses[0], 170.0), (poses[^1], 110.0) })
            Cv2.Rectangle(img, P(p.Left, p.Top), P(p.X + p.HalfExtent, p.Y - p.HalfExtent), new Scalar(shade, shade, shade), 1);
        var camPts = poses.Select(p => P(p.X, p.Y)).ToArray();
        Cv2.Polylines(img, [camPts], false, Scalar.Black, 1, LineTypes.AntiAlias);
        foreach (var c in camPts) Cv2.Circle(img, c, 2, Scalar.Black, -1);
        foreach (var spec in clip.Objects)
        {
            var ink = new Scalar(spec.Rgb.B * 0.7, spec.Rgb.G * 0.7, spec.Rgb.R * 0.7);
            var pts = clip.Frames.Select(f => P(f.Objects[spec.Id].X, f.Objects[spec.Id].Y)).ToArray();
            Cv2.Polylines(img, [pts], false, ink, 1, LineTypes.AntiAlias);
            foreach (var q in pts) Cv2.Circle(img, q, 2, ink, -1);
        }
    }
}
