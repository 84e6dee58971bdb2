using System.Diagnostics;
using LaMo.Video;
using LaMo.World;

namespace LaMo.Tests.Video;

/// <summary>Test videos made on the spot: world clips and ffmpeg testsrc in several containers.</summary>
public sealed class VideoFixture : IDisposable
{
    public string Dir { get; } = System.IO.Path.Combine(System.IO.Path.GetTempPath(), "lamo-video-tests-" + Guid.NewGuid().ToString("N"));
    public WorldClip Clip { get; }
    public VideoFrames Frames { get; }

    public VideoFixture()
    {
        Directory.CreateDirectory(Dir);
        Clip = WorldGenerator.Generate(new ClipSpec(Scenario.Collision, SplitRanges.Standard("train"), 11, 64, 64, 17));
        Frames = new VideoFrames(Renderer.Render(Clip), 17, 64, 64, 10);
    }

    public string Path(string name) => System.IO.Path.Combine(Dir, name);

    /// <summary>ffmpeg -f lavfi testsrc into <paramref name="name"/>; returns its path.</summary>
    public string TestSrc(string name, string size = "96x64", int rate = 25, double seconds = 1, params string[] codecArgs)
    {
        var path = Path(name);
        if (File.Exists(path)) return path;
        var psi = new ProcessStartInfo("ffmpeg") { RedirectStandardError = true, UseShellExecute = false };
        foreach (var a in new[] { "-hide_banner", "-loglevel", "error", "-y", "-f", "lavfi", "-i",
                     $"testsrc=size={size}:rate={rate}:duration={seconds.ToString(System.Globalization.CultureInfo.InvariantCulture)}" })
            psi.ArgumentList.Add(a);
        foreach (var a in codecArgs) psi.ArgumentList.Add(a);
        psi.ArgumentList.Add(path);
        using var p = Process.Start(psi)!;
        var err = p.StandardError.ReadToEnd();
        p.WaitForExit();
        if (p.ExitCode != 0) throw new InvalidOperationException("ffmpeg testsrc failed: " + err);
        return path;
    }

    public void Dispose()
    {
        try { Directory.Delete(Dir, true); } catch (IOException) { }
    }
}
