using System.CommandLine;
using LaMo.Cli.Commands;
using LaMo.World;
using OpenCvSharp;
using Xunit;

namespace LaMo.Tests.World;

public class WorldCommandsTests
{
    private static (int Code, string Output) Run(params string[] args) => CliTestRunner.Invoke(WorldCommands.Create(), args);

    [Fact]
    public void Generate_ThenShow_WritesVideosMetadataAndSheet()
    {
        var dir = Path.Combine(Path.GetTempPath(), "lamo-world-cli-" + Guid.NewGuid().ToString("N"));
        try
        {
            var (code, output) = Run("world", "generate", "--scenarios", "s2,drop_bounce", "--count", "2", "--size", "32",
                "--frames", "9", "--split", "test-ood-v", "--seed", "42", "--out", dir);
            Assert.Equal(0, code);
            Assert.Contains("wrote 4 clips", output);
            var lines = File.ReadAllLines(Path.Combine(dir, "metadata.csv"));
            Assert.Equal("path,caption,scenario,split,seed", lines[0]);
            Assert.Equal(5, lines.Length);
            Assert.All(lines.Skip(1), l => Assert.Contains(",test-ood-v,", l));
            var mp4 = Path.Combine(dir, "videos", "collision_00001.mp4");
            Assert.True(File.Exists(mp4));
            Assert.Equal(Scenario.Collision, WorldClip.Load(Path.ChangeExtension(mp4, ".json")).Scenario);

            var png = Path.Combine(dir, "sheet.png");
            Assert.Equal(0, Run("world", "show", mp4, "--out", png, "--columns", "3", "--scale", "2").Code);
            using var sheet = Cv2.ImRead(png);
            Assert.Equal(Math.Max(3 * (64 + 6) + 6, 320), sheet.Width);
            Assert.True(sheet.Height > 3 * 64);
        }
        finally
        {
            if (Directory.Exists(dir)) Directory.Delete(dir, true);
        }
    }

    [Fact]
    public void Generate_MixedPreset_SameBytesAtAnyThreadCount_RecordsConditions_ShowDrawsWorldMap()
    {
        var root = Path.Combine(Path.GetTempPath(), "lamo-world-v2-cli-" + Guid.NewGuid().ToString("N"));
        try
        {
            string Make(int threads)
            {
                var dir = Path.Combine(root, $"t{threads}");
                var (code, output) = Run("world", "generate", "--scenarios", "s1,s2,pendulum", "--count", "4", "--size", "32",
                    "--preset", "mixed", "--seed", "5", "--codec", "none", "--raw", "--threads", threads.ToString(), "--out", dir);
                Assert.Equal(0, code);
                Assert.Contains("conditions mixed", output);
                return dir;
            }
            string a = Make(1), b = Make(2);
            var files = Directory.GetFiles(a, "*", SearchOption.AllDirectories).Select(f => Path.GetRelativePath(a, f)).Order().ToArray();
            Assert.Equal(files, Directory.GetFiles(b, "*", SearchOption.AllDirectories).Select(f => Path.GetRelativePath(b, f)).Order());
            foreach (var f in files) Assert.Equal(File.ReadAllBytes(Path.Combine(a, f)), File.ReadAllBytes(Path.Combine(b, f)));

            var lines = File.ReadAllLines(Path.Combine(a, "metadata.csv"));
            Assert.Equal("path,caption,scenario,split,seed,background,camera,lighting,entering,condition", lines[0]);
            var clips = Directory.GetFiles(Path.Combine(a, "videos"), "*.json").Select(WorldClip.Load).ToArray();
            Assert.Contains(clips, c => c.Condition is { Camera: not "static" });
            // Each row's condition cells are the clip's own.
            foreach (var c in clips.Where(c => c.Condition is not null))
                Assert.Contains(lines, l => l.Contains(c.Seed.ToString(System.Globalization.CultureInfo.InvariantCulture))
                    && l.Contains($",{c.Condition!.Background},{c.Condition.Camera},{c.Condition.Lighting},{c.Condition.Entering},"));

            var moving = clips.First(c => c.Condition is { Camera: not "static" });
            var rgb = Directory.GetFiles(Path.Combine(a, "videos"), "*.rgb").First(f => WorldClip.Load(Path.ChangeExtension(f, ".json")).Seed == moving.Seed);
            var png = Path.Combine(root, "v2.png");
            Assert.Equal(0, Run("world", "show", rgb, "--out", png, "--columns", "6", "--scale", "2").Code);
            using var sheet = Cv2.ImRead(png);
            // A v1 sheet of 17 frames in 3 rows of 64 + 22 px ends at ~300 px; the world map adds its 200 px panel.
            Assert.True(sheet.Height > 3 * (64 + 22) + WorldMap.Height, $"sheet height {sheet.Height}");
            // The map draws the camera path in black: some pure black pixels exist below the frames.
            using var map = new Mat(sheet, new Rect(0, sheet.Height - WorldMap.Height, sheet.Width, WorldMap.Height));
            using var grey = new Mat();
            Cv2.CvtColor(map, grey, ColorConversionCodes.BGR2GRAY);
            Assert.True(Cv2.CountNonZero(grey.LessThan(40)) > 10);
        }
        finally
        {
            if (Directory.Exists(root)) Directory.Delete(root, true);
        }
    }

    [Theory]
    [InlineData("--camera", "dolly")]
    [InlineData("--background", "images")]
    [InlineData("--lighting", "strobe")]
    [InlineData("--preset", "v9")]
    [InlineData("--split", "nonsense")]
    [InlineData("--scenarios", "s7")]
    [InlineData("--frames", "16")]
    [InlineData("--codec", "vp9")]
    [InlineData("--count", "0")]
    public void Generate_BadInput_ThrowsArgumentException(string option, string value)
    {
        Assert.ThrowsAny<ArgumentException>(() => Run("world", "generate", "--out", Path.GetTempPath(), option, value));
    }
}
