using System.Runtime.InteropServices;
using OpenCvSharp;

namespace LaMo.Evaluation;

/// <summary>Reads generated videos for evaluation: a video file (mp4, avi, mkv, webm via OpenCV's FFmpeg) or a folder of
/// image frames (png, jpg, bmp; sorted by name). OpenCV gives BGR; this returns RGB [F, H, W, 3].</summary>
/// <remarks>Decoded mp4 is lossy: use it only for generated videos, never as the measuring floor (the floor is the
/// lossless re-render of the GT JSON).</remarks>
public static class FrameStackDecoder
{
    /// <summary>File extensions treated as videos.</summary>
    public static IReadOnlyList<string> VideoExtensions { get; } = [".mp4", ".avi", ".mkv", ".webm", ".mov"];

    private static readonly string[] ImageExtensions = [".png", ".jpg", ".jpeg", ".bmp"];

    /// <summary>Decodes a video file or a frame folder.</summary>
    /// <exception cref="FileNotFoundException">No such file or folder.</exception>
    /// <exception cref="InvalidDataException">Undecodable, empty, or frames of different sizes.</exception>
    public static FrameStack Read(string path)
    {
        var frames = new List<byte[]>();
        int h = -1, w = -1;
        void Add(Mat bgr, string source)
        {
            if (bgr.Empty()) throw new InvalidDataException($"{source}: undecodable frame");
            if (h < 0) (h, w) = (bgr.Rows, bgr.Cols);
            else if (bgr.Rows != h || bgr.Cols != w) throw new InvalidDataException($"{source}: frame is {bgr.Cols}x{bgr.Rows}, earlier frames {w}x{h}");
            using var rgb = new Mat();
            Cv2.CvtColor(bgr, rgb, bgr.Channels() == 4 ? ColorConversionCodes.BGRA2RGB : bgr.Channels() == 1 ? ColorConversionCodes.GRAY2RGB : ColorConversionCodes.BGR2RGB);
            using var cont = rgb.Clone();   // a fresh Mat is continuous
            var bytes = new byte[h * w * 3];
            Marshal.Copy(cont.Data, bytes, 0, bytes.Length);
            frames.Add(bytes);
        }
        if (Directory.Exists(path))
        {
            foreach (var f in Directory.GetFiles(path).Where(f => ImageExtensions.Contains(Path.GetExtension(f).ToLowerInvariant())).Order(StringComparer.Ordinal))
            {
                using var m = Cv2.ImRead(f, ImreadModes.Color);
                Add(m, f);
            }
        }
        else if (File.Exists(path))
        {
            using var cap = new VideoCapture(path);
            if (!cap.IsOpened()) throw new InvalidDataException($"{path}: OpenCV cannot open this video");
            using var m = new Mat();
            while (cap.Read(m) && !m.Empty()) Add(m, path);
        }
        else throw new FileNotFoundException($"{path}: no such video file or frame folder", path);
        if (frames.Count == 0) throw new InvalidDataException($"{path}: no frames decoded");
        return FrameStack.FromList(frames, h, w);
    }
}
