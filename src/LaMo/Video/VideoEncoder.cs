using OpenCvSharp;

namespace LaMo.Video;

/// <summary>Writes RGB frames as mp4 (H.264 via ffmpeg, else OpenCV mp4v) or animated GIF (ffmpeg).</summary>
public static class VideoEncoder
{
    /// <summary>Constant rate factor for H.264; low because the frames are tiny and sharp-edged.</summary>
    public const int H264Crf = 12;

    /// <summary>Writes an mp4 and returns the codec actually used.</summary>
    /// <exception cref="InvalidOperationException">The requested encoder is unavailable or failed.</exception>
    public static VideoCodec WriteMp4(string path, VideoFrames video, VideoCodec codec = VideoCodec.Auto)
    {
        EnsureDirectory(path);
        if (codec == VideoCodec.H264 || (codec == VideoCodec.Auto && Ffmpeg.Available))
        {
            // libx264 with yuv420p needs even sides; pad by one pixel when odd.
            Ffmpeg.RunWithRgbInput(video, ["-vf", "pad=ceil(iw/2)*2:ceil(ih/2)*2", "-c:v", "libx264", "-preset", "medium",
                "-crf", H264Crf.ToString(System.Globalization.CultureInfo.InvariantCulture), "-pix_fmt", "yuv420p",
                "-threads", "1", "-movflags", "+faststart", path]);
            return VideoCodec.H264;
        }
        WriteOpenCv(path, video, FourCC.MP4V);
        return VideoCodec.Mp4v;
    }

    /// <summary>Writes an animated GIF (looping, per-clip palette, no dithering so flat colours stay flat).</summary>
    /// <exception cref="NotSupportedException">ffmpeg is not installed.</exception>
    public static void WriteGif(string path, VideoFrames video)
    {
        if (!Ffmpeg.Available) throw new NotSupportedException("GIF output needs ffmpeg on PATH (apt-get install ffmpeg)");
        EnsureDirectory(path);
        Ffmpeg.RunWithRgbInput(video, ["-vf", "split[a][b];[a]palettegen=stats_mode=full[p];[b][p]paletteuse=dither=none",
            "-loop", "0", path]);
    }

    /// <summary>Writes by extension: .gif → GIF, anything else → mp4 container rules of <see cref="WriteMp4"/>.</summary>
    public static void Write(string path, VideoFrames video, VideoCodec codec = VideoCodec.Auto)
    {
        if (Path.GetExtension(path).Equals(".gif", StringComparison.OrdinalIgnoreCase)) WriteGif(path, video);
        else WriteMp4(path, video, codec);
    }

    private static void WriteOpenCv(string path, VideoFrames video, FourCC fourcc)
    {
        using var writer = new VideoWriter(path, fourcc, video.Fps, new Size(video.Width, video.Height), isColor: true);
        if (!writer.IsOpened()) throw new InvalidOperationException($"{path}: OpenCV could not open a {fourcc} writer");
        for (var k = 0; k < video.Frames; k++)
        {
            using var bgr = VideoDecoder.ToBgrMat(video.Rgb, k * video.FrameBytes, video.Height, video.Width);
            writer.Write(bgr);
        }
    }

    private static void EnsureDirectory(string path)
    {
        var dir = Path.GetDirectoryName(Path.GetFullPath(path));
        if (dir is not null) Directory.CreateDirectory(dir);
    }
}
