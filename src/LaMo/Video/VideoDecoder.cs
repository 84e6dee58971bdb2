using System.Runtime.InteropServices;
using OpenCvSharp;

namespace LaMo.Video;

/// <summary>Decodes video files (mp4, webm, avi, mkv, gif, ... via OpenCV's FFmpeg) and image-sequence folders
/// into RGB <see cref="VideoFrames"/>.</summary>
public static class VideoDecoder
{
    /// <summary>File extensions read as image sequences when a folder is given.</summary>
    public static IReadOnlyList<string> ImageExtensions { get; } = [".png", ".jpg", ".jpeg", ".bmp", ".webp", ".tif", ".tiff"];

    /// <summary>Decodes up to <paramref name="maxFrames"/> frames (all when null) from a file or image folder.</summary>
    /// <param name="path">Video file, or a folder of images sorted by name.</param>
    /// <param name="maxFrames">Stop after this many frames.</param>
    /// <param name="folderFps">Frame rate assigned to image folders (and to files that report none).</param>
    /// <param name="maxBytes">Refuse input whose decoded frames would exceed this many bytes (default
    /// <see cref="Core.ResourceLimits.MaxDecodedClipBytes"/>): a long or huge video fails with a message, not
    /// with the machine out of memory.</param>
    /// <exception cref="InvalidDataException">Missing, empty, unreadable, undecodable or too large input; the message
    /// names the path and reason.</exception>
    public static VideoFrames Decode(string path, int? maxFrames = null, double folderFps = 10, long maxBytes = Core.ResourceLimits.MaxDecodedClipBytes)
    {
        if (Directory.Exists(path)) return DecodeFolder(path, maxFrames, folderFps, maxBytes);
        var info = new FileInfo(path);
        if (!info.Exists) throw new InvalidDataException($"{path}: file not found");
        if (info.Length == 0) throw new InvalidDataException($"{path}: empty file (0 bytes)");
        using var cap = new VideoCapture(path, VideoCaptureAPIs.FFMPEG);
        if (!cap.IsOpened()) throw new InvalidDataException($"{path}: not a video or unreadable container/codec");
        var fps = cap.Fps is > 0 and < 1000 ? cap.Fps : folderFps;
        var frames = new List<byte[]>();
        int w = 0, h = 0;
        using var bgr = new Mat();
        using var rgb = new Mat();
        while ((maxFrames is null || frames.Count < maxFrames) && cap.Read(bgr) && !bgr.Empty())
        {
            if (frames.Count == 0) (w, h) = CheckFirstFrame(path, bgr.Width, bgr.Height);
            else if (bgr.Width != w || bgr.Height != h)
                throw new InvalidDataException($"{path}: frame size changes mid-stream ({w}x{h} -> {bgr.Width}x{bgr.Height})");
            CheckBudget(path, frames.Count + 1, w, h, maxBytes);
            frames.Add(ToRgbBytes(bgr, rgb));
        }
        if (frames.Count == 0) throw new InvalidDataException($"{path}: no decodable frames (truncated or unsupported codec)");
        return Pack(frames, h, w, fps);
    }

    // The container's header was probed before decoding (DatasetGuard); the decoded frames are what count.
    private static (int W, int H) CheckFirstFrame(string path, int w, int h) =>
        w > Core.ResourceLimits.MaxFrameSide || h > Core.ResourceLimits.MaxFrameSide
            ? throw new InvalidDataException($"{path}: decoded frame size {w}x{h} exceeds the {Core.ResourceLimits.MaxFrameSide}-pixel limit")
            : (w, h);

    private static void CheckBudget(string path, int frames, int w, int h, long maxBytes)
    {
        if ((long)frames * w * h * 3 > maxBytes)
            throw new InvalidDataException($"{path}: more than {frames - 1} frames of {w}x{h} would exceed the {maxBytes:N0}-byte decode limit; " +
                "sample fewer frames (a stride) or cut the video");
    }

    private static VideoFrames DecodeFolder(string dir, int? maxFrames, double fps, long maxBytes)
    {
        var files = Directory.EnumerateFiles(dir)
            .Where(f => ImageExtensions.Contains(System.IO.Path.GetExtension(f).ToLowerInvariant()))
            .Order(StringComparer.Ordinal).ToList();
        if (files.Count == 0) throw new InvalidDataException($"{dir}: folder has no images ({string.Join(", ", ImageExtensions)})");
        if (maxFrames is { } m) files = files.Take(m).ToList();
        var frames = new List<byte[]>();
        int w = 0, h = 0;
        using var rgb = new Mat();
        foreach (var f in files)
        {
            using var img = Cv2.ImRead(f, ImreadModes.Color);
            if (img.Empty()) throw new InvalidDataException($"{f}: unreadable image");
            if (frames.Count == 0) (w, h) = CheckFirstFrame(f, img.Width, img.Height);
            else if (img.Width != w || img.Height != h)
                throw new InvalidDataException($"{f}: image size {img.Width}x{img.Height} differs from the first ({w}x{h})");
            CheckBudget(dir, frames.Count + 1, w, h, maxBytes);
            frames.Add(ToRgbBytes(img, rgb));
        }
        return Pack(frames, h, w, fps);
    }

    // OpenCV frames are BGR; the library works in RGB.
    internal static byte[] ToRgbBytes(Mat bgr, Mat scratch)
    {
        Cv2.CvtColor(bgr, scratch, ColorConversionCodes.BGR2RGB);
        int w = scratch.Width, h = scratch.Height;
        var bytes = new byte[w * h * 3];
        if (scratch.IsContinuous()) Marshal.Copy(scratch.Data, bytes, 0, bytes.Length);
        else
            for (var row = 0; row < h; row++)
                Marshal.Copy(scratch.Ptr(row), bytes, row * w * 3, w * 3);
        return bytes;
    }

    /// <summary>An OpenCV BGR Mat of one RGB frame ([H, W, 3]); the caller disposes it.</summary>
    internal static Mat ToBgrMat(byte[] rgb, int offset, int height, int width)
    {
        using var m = new Mat(height, width, MatType.CV_8UC3);
        Marshal.Copy(rgb, offset, m.Data, height * width * 3);
        var bgr = new Mat();
        Cv2.CvtColor(m, bgr, ColorConversionCodes.RGB2BGR);
        return bgr;
    }

    private static VideoFrames Pack(List<byte[]> frames, int h, int w, double fps)
    {
        var buf = new byte[frames.Count * h * w * 3];
        for (var i = 0; i < frames.Count; i++) frames[i].CopyTo(buf, i * h * w * 3);
        return new VideoFrames(buf, frames.Count, h, w, fps);
    }
}
