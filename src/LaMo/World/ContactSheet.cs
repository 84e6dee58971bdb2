using OpenCvSharp;
using LaMo.Video;

namespace LaMo.World;

/// <summary>A contact-sheet PNG of a clip: frames in a grid, each with the ground-truth trajectory of every object
/// drawn over it (full path thin, current centre as a ring) and the frame time; the caption on top. World v2 clips
/// project the path with each frame's camera and add a world map below the frames (<see cref="WorldMap"/>): the
/// camera path, the first and last view, and every object's world-coordinate trajectory.</summary>
public static class ContactSheet
{
    private const int Pad = 6;
    private const int Header = 22;
    private const int LineHeight = 14;

    /// <summary>Writes the sheet to <paramref name="pngPath"/>.</summary>
    /// <param name="pngPath">Output PNG.</param>
    /// <param name="video">Frames to show (decoded mp4, or re-rendered GT).</param>
    /// <param name="clip">Ground truth for the overlay and caption, or null for frames only.</param>
    /// <param name="columns">Frames per row.</param>
    /// <param name="scale">Nearest-neighbour upscaling of each frame.</param>
    /// <exception cref="ArgumentException">Non-positive columns or scale.</exception>
    public static void Write(string pngPath, VideoFrames video, WorldClip? clip, int columns = 6, int scale = 4)
    {
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(columns);
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(scale);
        int cw = video.Width * scale, ch = video.Height * scale;
        var rows = (video.Frames + columns - 1) / columns;
        var width = Math.Max(columns * (cw + Pad) + Pad, 320);
        var captionLines = Wrap(clip?.Caption ?? Path.GetFileName(pngPath), width / 7);
        var top = Pad + captionLines.Count * LineHeight;
        var mapHeight = clip?.Condition is null ? 0 : WorldMap.Height + Header;
        using var sheet = new Mat(top + rows * (ch + Header) + Pad + mapHeight, width, MatType.CV_8UC3, Scalar.White);
        for (var i = 0; i < captionLines.Count; i++)
            Cv2.PutText(sheet, captionLines[i], new Point(Pad, Pad + (i + 1) * LineHeight - 3), HersheyFonts.HersheySimplex, 0.4, Scalar.Black, 1, LineTypes.AntiAlias);
        for (var k = 0; k < video.Frames; k++)
        {
            int x = Pad + k % columns * (cw + Pad), y = top + k / columns * (ch + Header);
            using var bgr = VideoDecoder.ToBgrMat(video.Rgb, k * video.FrameBytes, video.Height, video.Width);
            using var big = new Mat();
            Cv2.Resize(bgr, big, new Size(cw, ch), 0, 0, InterpolationFlags.Nearest);
            if (clip is not null && k < clip.Frames.Count) Overlay(big, clip, k, scale * video.Width / (double)clip.Camera.Width);
            using (var roi = new Mat(sheet, new Rect(x, y + Header - 4, cw, ch))) big.CopyTo(roi);
            var label = clip is not null && k < clip.Frames.Count ? $"#{k}  t={clip.Frames[k].Time:0.0}s" : $"#{k}";
            Cv2.PutText(sheet, label, new Point(x, y + Header - 8), HersheyFonts.HersheySimplex, 0.35, Scalar.Black, 1, LineTypes.AntiAlias);
        }
        if (mapHeight > 0)
        {
            var y0 = top + rows * (ch + Header) + Pad;
            Cv2.PutText(sheet, $"world map ({clip!.Condition!.Label}): camera path black, first/last view grey, trajectories in colour",
                new Point(Pad, y0 + Header - 8), HersheyFonts.HersheySimplex, 0.35, Scalar.Black, 1, LineTypes.AntiAlias);
            using var roi = new Mat(sheet, new Rect(Pad, y0 + Header - 4, Math.Min(width - 2 * Pad, WorldMap.Height * 2), WorldMap.Height));
            WorldMap.Draw(roi, clip);
        }
        var dir = Path.GetDirectoryName(Path.GetFullPath(pngPath));
        if (dir is not null) Directory.CreateDirectory(dir);
        if (!Cv2.ImWrite(pngPath, sheet)) throw new IOException($"{pngPath}: could not write PNG");
    }

    private static void Overlay(Mat img, WorldClip clip, int k, double scale)
    {
        foreach (var spec in clip.Objects)
        {
            // Darker shade of the object's colour (BGR for OpenCV).
            var ink = new Scalar(spec.Rgb.B * 0.55, spec.Rgb.G * 0.55, spec.Rgb.R * 0.55);
            var pose = clip.Frames[k].Camera;   // the whole path as seen from this frame's camera
            var pts = clip.Frames.Select(f =>
            {
                var o = f.Objects[spec.Id];
                var (u, v) = clip.Camera.ToPixel(o.X, o.Y, pose);
                return new Point((int)Math.Round(u * scale), (int)Math.Round(v * scale));
            }).ToArray();
            Cv2.Polylines(img, [pts], false, ink, 1, LineTypes.AntiAlias);
            foreach (var p in pts) Cv2.Circle(img, p, 1, ink, -1, LineTypes.Link8);
            Cv2.Circle(img, pts[k], 3, Scalar.Black, 1, LineTypes.AntiAlias);
        }
    }

    private static List<string> Wrap(string text, int maxChars)
    {
        var lines = new List<string> { "" };
        foreach (var word in text.Split(' '))
        {
            if (lines[^1].Length + word.Length + 1 > maxChars && lines[^1].Length > 0) lines.Add("");
            lines[^1] = lines[^1].Length == 0 ? word : lines[^1] + " " + word;
        }
        return lines;
    }
}
