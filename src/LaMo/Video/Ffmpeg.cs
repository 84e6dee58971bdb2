using System.Diagnostics;

namespace LaMo.Video;

/// <summary>Finds and runs the system <c>ffmpeg</c> (Debian's has libx264; OpenCV's bundled FFmpeg cannot write H.264).</summary>
public static class Ffmpeg
{
    private static readonly Lazy<string?> Located = new(Locate);

    /// <summary>Full path of ffmpeg on PATH, or null. <c>LAMO_NO_FFMPEG=1</c> hides it (for testing fallbacks).</summary>
    public static string? Path => Environment.GetEnvironmentVariable("LAMO_NO_FFMPEG") == "1" ? null : Located.Value;

    /// <summary>True when ffmpeg can be used.</summary>
    public static bool Available => Path is not null;

    private static string? Locate()
    {
        foreach (var dir in (Environment.GetEnvironmentVariable("PATH") ?? "").Split(System.IO.Path.PathSeparator))
        {
            var p = System.IO.Path.Combine(dir, "ffmpeg");
            if (File.Exists(p)) return p;
        }
        return null;
    }

    /// <summary>Runs ffmpeg with raw RGB frames on stdin.</summary>
    /// <exception cref="InvalidOperationException">ffmpeg missing or it failed (stderr included).</exception>
    public static void RunWithRgbInput(VideoFrames video, IReadOnlyList<string> outputArgs)
    {
        var exe = Path ?? throw new InvalidOperationException("ffmpeg is not on PATH (apt-get install ffmpeg)");
        var psi = new ProcessStartInfo(exe)
        {
            RedirectStandardInput = true,
            RedirectStandardError = true,
            RedirectStandardOutput = true,
            UseShellExecute = false,
        };
        foreach (var a in new[] { "-hide_banner", "-loglevel", "error", "-y", "-f", "rawvideo", "-pix_fmt", "rgb24",
                     "-s", $"{video.Width}x{video.Height}", "-r", video.Fps.ToString(System.Globalization.CultureInfo.InvariantCulture), "-i", "-" })
            psi.ArgumentList.Add(a);
        foreach (var a in outputArgs) psi.ArgumentList.Add(a);
        using var p = Process.Start(psi) ?? throw new InvalidOperationException("could not start ffmpeg");
        var err = p.StandardError.ReadToEndAsync();
        var outp = p.StandardOutput.ReadToEndAsync();
        try
        {
            p.StandardInput.BaseStream.Write(video.Rgb);
            p.StandardInput.Close();
        }
        catch (IOException)
        {
            // ffmpeg exited early; its stderr below says why.
        }
        p.WaitForExit();
        if (p.ExitCode != 0) throw new InvalidOperationException($"ffmpeg failed ({p.ExitCode}): {err.Result.Trim()}");
        _ = outp.Result;
    }
}
