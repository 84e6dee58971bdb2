namespace LaMo.Video;

/// <summary>Which encoder writes mp4 files.</summary>
public enum VideoCodec
{
    /// <summary>H.264 through ffmpeg when present, else OpenCV mp4v.</summary>
    Auto,
    /// <summary>H.264 (libx264, yuv420p) through the system ffmpeg; fails without it.</summary>
    H264,
    /// <summary>MPEG-4 Part 2 through OpenCV's bundled FFmpeg.</summary>
    Mp4v,
}
