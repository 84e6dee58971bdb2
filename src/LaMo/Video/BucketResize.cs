using System.Runtime.InteropServices;
using OpenCvSharp;

namespace LaMo.Video;

/// <summary>Resizes frames to cover a bucket (W x H) preserving aspect ratio, then centre-crops to it.</summary>
public static class BucketResize
{
    /// <summary>Scales so the frame covers width x height (INTER_AREA when shrinking, bicubic when growing) and crops the centre.</summary>
    public static VideoFrames Apply(VideoFrames video, int width, int height)
    {
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(width);
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(height);
        if (video.Width == width && video.Height == height) return video;
        var scale = Math.Max(width / (double)video.Width, height / (double)video.Height);
        int sw = Math.Max(width, (int)Math.Round(video.Width * scale)), sh = Math.Max(height, (int)Math.Round(video.Height * scale));
        int x0 = (sw - width) / 2, y0 = (sh - height) / 2;
        var interp = scale < 1 ? InterpolationFlags.Area : InterpolationFlags.Cubic;
        var outBuf = new byte[video.Frames * width * height * 3];
        using var src = new Mat(video.Height, video.Width, MatType.CV_8UC3);
        using var scaled = new Mat();
        for (var k = 0; k < video.Frames; k++)
        {
            Marshal.Copy(video.Rgb, k * video.FrameBytes, src.Data, video.FrameBytes);
            Cv2.Resize(src, scaled, new Size(sw, sh), 0, 0, interp);
            using var crop = new Mat(scaled, new Rect(x0, y0, width, height));
            using var cont = crop.Clone();
            Marshal.Copy(cont.Data, outBuf, k * width * height * 3, width * height * 3);
        }
        return new VideoFrames(outBuf, video.Frames, height, width, video.Fps);
    }
}
