using System.CommandLine;
using LaMo.Cli.Commands;
using LaMo.Evaluation.VideoPhy;
using Xunit;

namespace LaMo.Tests.Evaluation.VideoPhy;

public class VideoPhyCommandsTests
{
    private static (int Code, string Output) Run(params string[] args) => CliTestRunner.Invoke(VideoPhyCommands.Create(), args);

    [Fact]
    public void Prepare_NoVideosYet_ListsWhatToGenerate()
    {
        var dir = VideoPhyFixtures.NewDir();
        try
        {
            var (code, output) = Run("videophy", "prepare", "--prompts", VideoPhyFixtures.VideoPhyCsv, "--out", dir, "--limit", "2", "--seed", "5");
            Assert.Equal(0, code);
            Assert.Contains("2 prompts selected, 0 videos found, 2 to generate", output);
            Assert.Contains("0001_Honey_diffusing_into_warm_milk.mp4  seed 6", output);
            Assert.Single(File.ReadAllLines(Path.Combine(dir, "videophy_judge_input.csv")));   // header only
        }
        finally { VideoPhyFixtures.Delete(dir); }
    }

    [Fact]
    public void Score_SaAndPcFiles_PrintsMarkdownTable()
    {
        var dir = VideoPhyFixtures.NewDir();
        try
        {
            Directory.CreateDirectory(dir);
            var set = VideoPhyPromptSet.Load(VideoPhyFixtures.VideoPhyCsv);
            var saFile = Path.Combine(dir, "sa.csv");
            var pcFile = Path.Combine(dir, "pc.csv");
            File.WriteAllText(saFile, VideoPhyScoringTests.VideoConOutput(set, [1, 1, 1, 0, 0, 0], "{0}"));
            File.WriteAllText(pcFile, VideoPhyScoringTests.VideoConOutput(set, [1, 0, 1, 0, 1, 0], "physics"));
            var (code, output) = Run("videophy", "score", "--prompts", VideoPhyFixtures.VideoPhyCsv, "--sa", saFile, "--pc", pcFile);
            Assert.Equal(0, code);
            Assert.Contains("| all | 6 | 50.0 | 50.0 | 33.3 |", output);
            Assert.Contains("| solid-fluid | 2 | 100.0 | 100.0 | 100.0 |", output);
            Assert.Throws<ArgumentException>(() => Run("videophy", "score", "--prompts", VideoPhyFixtures.VideoPhyCsv, "--sa", saFile));
        }
        finally { VideoPhyFixtures.Delete(dir); }
    }
}
