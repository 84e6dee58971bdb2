using OpenCvSharp;

namespace LaMo.Video;

/// <summary>Composes several videos side by side in a labelled grid (e.g. ground truth | baseline | LaMo).</summary>
public static class VideoGrid
{
    private const int Pad = 4;
    private const int LabelHeight = 16;

    /// <summary>Tiles the videos row-major into <paramref name="columns"/> columns, each upscaled by
    /// <paramref name="scale"/> (nearest neighbour) with its label above it. Shorter videos hold their last frame.</summary>
    /// <exception cref="ArgumentException">No videos, or label count differs.</exception>
    public static VideoFrames Compose(IReadOnlyList<VideoFrames> videos, IReadOnlyList<string> labels, int columns = 0, int scale = 2)
    {
        if (videos.Count == 0) throw new ArgumentException("at least one video is needed", nameof(videos));
        if (labels.Count != videos.Count) throw new ArgumentException($"{labels.Count} labels for {videos.Count} videos", nameof(labels));
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(scale);
        if (columns <= 0) columns = videos.Count;
        var rows = (videos.Count + columns - 1) / columns;
        int cellW = videos.Max(v => v.Width) * scale, cellH = videos.Max(v => v.Height) * scale;
        int width = columns * (cellW + Pad) + Pad, height = rows * (cellH + LabelHeight + Pad) + Pad;
        width += width % 2;
        height += height % 2;
        var frames = videos.Max(v => v.Frames);
        var output = new byte[frames * width * height * 3];
        using var canvas = new Mat(height, width, MatType.CV_8UC3);
        for (var k = 0; k < frames; k++)
        {
            canvas.SetTo(new Scalar(255, 255, 255));
            for (var i = 0; i < videos.Count; i++)
            {
                var v = videos[i];
                int x = Pad + i % columns * (cellW + Pad), y = Pad + i / columns * (cellH + LabelHeight + Pad);
                Cv2.PutText(canvas, labels[i], new Point(x, y + LabelHeight - 4), HersheyFonts.HersheySimplex, 0.4, Scalar.Black, 1, LineTypes.AntiAlias);
                using var bgr = VideoDecoder.ToBgrMat(v.Rgb, Math.Min(k, v.Frames - 1) * v.FrameBytes, v.Height, v.Width);
                using var big = new Mat();
                Cv2.Resize(bgr, big, new Size(v.Width * scale, v.Height * scale), 0, 0, InterpolationFlags.Nearest);
                using var roi = new Mat(canvas, new Rect(x, y + LabelHeight, big.Width, big.Height));
                big.CopyTo(roi);
            }
            using var rgb = new Mat();
            var bytes = VideoDecoder.ToRgbBytes(canvas, rgb);
            Buffer.BlockCopy(bytes, 0, output, k * bytes.Length, bytes.Length);
        }
        return new VideoFrames(output, frames, height, width, videos[0].Fps);
    }
}
