using OpenCvSharp;

namespace LaMo.Tests.World;

/// <summary>A folder of two small, strongly coloured test backdrops (made once per test run).</summary>
internal static class TestImages
{
    private static readonly Lazy<string> Dir = new(() =>
    {
        var dir = Path.Combine(Path.GetTempPath(), "lamo-world-images-" + Environment.ProcessId);
        Directory.CreateDirectory(dir);
        using var a = new Mat(90, 160, MatType.CV_8UC3);
        using var b = new Mat(120, 120, MatType.CV_8UC3);
        for (var j = 0; j < 90; j++)
            for (var i = 0; i < 160; i++)
                a.Set(j, i, new Vec3b((byte)(i * 255 / 160), (byte)(j * 2), (byte)((i * j) % 256)));   // BGR, red-dominant spots
        for (var j = 0; j < 120; j++)
            for (var i = 0; i < 120; i++)
                b.Set(j, i, (i / 15 + j / 15) % 2 == 0 ? new Vec3b(30, 200, 60) : new Vec3b(220, 40, 40));
        Cv2.ImWrite(Path.Combine(dir, "a.png"), a);
        Cv2.ImWrite(Path.Combine(dir, "b.png"), b);
        return dir;
    });

    public static string Folder() => Dir.Value;
}
