using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;

namespace LaMo.Video;

/// <summary>Keeps OpenCV and its FFmpeg backend from printing their own lines for a bad video ("moov atom not found",
/// "[ WARN:0@…]"): every failure is reported once, by our skip line or error, naming the file. A user who sets
/// <c>OPENCV_LOG_LEVEL</c> or <c>OPENCV_FFMPEG_LOGLEVEL</c> keeps their value (for debugging a decoder).</summary>
internal static class OpenCvQuiet
{
    // CA2255: a library module initializer is deliberate here: it must run before the first OpenCV call of any program.
#pragma warning disable CA2255
    [ModuleInitializer]
#pragma warning restore CA2255
    internal static void Apply()
    {
        // OpenCV reads both when it first logs, after this runs; .NET's own environment copy is for child processes.
        Set("OPENCV_LOG_LEVEL", "SILENT");
        Set("OPENCV_FFMPEG_LOGLEVEL", "-8");   // AV_LOG_QUIET
    }

    private static void Set(string name, string value)
    {
        if (Environment.GetEnvironmentVariable(name) is { Length: > 0 }) return;
        if (OperatingSystem.IsWindows()) { Environment.SetEnvironmentVariable(name, value); return; }
        setenv(name, value, 0);
        Environment.SetEnvironmentVariable(name, value);
    }

    [DllImport("libc", CharSet = CharSet.Ansi, BestFitMapping = false, ThrowOnUnmappableChar = true)]
    private static extern int setenv(string name, string value, int overwrite);
}
