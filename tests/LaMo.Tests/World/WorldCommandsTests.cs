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

    [Theory]
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
