using LaMo.Data;
using LaMo.Evaluation.VideoPhy;
using LaMo.Video;
using Xunit;

namespace LaMo.Tests.Evaluation.VideoPhy;

public class VideoPhyRunnerTests
{
    /// <summary>A fake generator: 3 frames of 16×16 flat colour from the seed; records its calls.</summary>
    private sealed class FakeGenerator
    {
        public List<(string Prompt, int Seed)> Calls { get; } = [];

        public VideoResult Generate(string prompt, int seed)
        {
            Calls.Add((prompt, seed));
            var rgb = new byte[3 * 16 * 16 * 3];
            Array.Fill(rgb, (byte)(seed * 37 % 256));
            return new VideoResult(new VideoFrames(rgb, 3, 16, 16, 8));
        }
    }

    [Fact]
    public void Generate_VideoPhy_WritesStableNamesAndVideoConInputWithShortCaptions()
    {
        var dir = VideoPhyFixtures.NewDir();
        try
        {
            var set = VideoPhyPromptSet.Load(VideoPhyFixtures.VideoPhyCsv);
            var selected = set.Select(offset: 1, limit: 3);
            var fake = new FakeGenerator();
            var videos = VideoPhyRunner.Generate(set.Benchmark, selected, fake.Generate, new VideoPhyRunOptions(dir, BaseSeed: 100));

            Assert.Equal([(set.Prompts[1].GenerationPrompt, 101), (set.Prompts[2].GenerationPrompt, 102), (set.Prompts[3].GenerationPrompt, 103)], fake.Calls);
            Assert.Equal("0001_Honey_diffusing_into_warm_milk.mp4", Path.GetFileName(videos[0].Path));
            Assert.Equal("0003_The_metal_pancake_turner_flips_the_cooking_pancake.mp4", Path.GetFileName(videos[2].Path));
            Assert.All(videos, v => Assert.True(new FileInfo(v.Path).Length > 0, v.Path));
            Assert.Empty(Directory.GetFiles(Path.Combine(dir, "videos"), "*.partial.mp4"));

            var input = File.ReadAllText(Path.Combine(dir, "videophy_judge_input.csv"));
            Assert.StartsWith("videopath,caption\n", input);
            var table = CsvTable.Parse(input);
            Assert.Equal(3, table.Rows.Count);
            Assert.Equal(videos.Select(v => v.Path), table.Rows.Select(r => r[0]));
            Assert.Equal(selected.Select(p => p.Caption), table.Rows.Select(r => r[1]));
            Assert.Contains("entailment_inference.py", File.ReadAllText(Path.Combine(dir, "judge_commands.txt")));
            Assert.Equal(4, File.ReadAllLines(Path.Combine(dir, "manifest.csv")).Length);

            // A rerun reuses the videos already on disk.
            VideoPhyRunner.Generate(set.Benchmark, selected, fake.Generate, new VideoPhyRunOptions(dir, BaseSeed: 100));
            Assert.Equal(3, fake.Calls.Count);
        }
        finally { VideoPhyFixtures.Delete(dir); }
    }

    [Fact]
    public void Generate_VideoPhy2_WritesCaptionThenVideopathWithJudgeRoot()
    {
        var dir = VideoPhyFixtures.NewDir();
        try
        {
            var set = VideoPhyPromptSet.Load(VideoPhyFixtures.VideoPhy2Csv);
            var fake = new FakeGenerator();
            VideoPhyRunner.Generate(set.Benchmark, set.Prompts, fake.Generate, new VideoPhyRunOptions(dir, JudgeVideoRoot: "/gpu/run/videos/"));
            Assert.Equal(set.Prompts.Select(p => p.GenerationPrompt), fake.Calls.Select(c => c.Prompt));
            var table = CsvTable.Parse(File.ReadAllText(Path.Combine(dir, "videophy2_judge_input.csv")));
            Assert.Equal(["caption", "videopath"], table.Header);
            Assert.Equal(set.Prompts.Select(p => p.Caption), table.Rows.Select(r => r[0]));          // stray quote survives the round trip
            Assert.Equal("/gpu/run/videos/0002_A_box_is_wrapped_with_various_pieces_of_patterned_wrapping_p.mp4", table.Rows[2][1]);
            Assert.Contains("--task pc", File.ReadAllText(Path.Combine(dir, "judge_commands.txt")));
        }
        finally { VideoPhyFixtures.Delete(dir); }
    }

    [Fact]
    public void Prepare_SomeVideosMissing_WritesJudgeInputForPresentAndListsMissing()
    {
        var dir = VideoPhyFixtures.NewDir();
        try
        {
            var set = VideoPhyPromptSet.Load(VideoPhyFixtures.VideoPhyCsv);
            var options = new VideoPhyRunOptions(dir);
            Directory.CreateDirectory(Path.Combine(dir, "videos"));
            File.WriteAllBytes(VideoPhyLayout.Locate(set.Prompts[4], options).Path, [0]);
            var (present, missing) = VideoPhyRunner.Prepare(set.Benchmark, set.Prompts, options);
            Assert.Equal([4], present.Select(v => v.Prompt.Index));
            Assert.Equal([0, 1, 2, 3, 5], missing.Select(v => v.Prompt.Index));
            Assert.Equal(2, File.ReadAllLines(Path.Combine(dir, "videophy_judge_input.csv")).Length);
            var todo = CsvTable.Parse(File.ReadAllText(Path.Combine(dir, "to_generate.csv")));
            Assert.Equal(5, todo.Rows.Count);
            Assert.Equal(set.Prompts[5].GenerationPrompt, todo.Rows[4][todo.Column("generation_prompt", "todo")]);
        }
        finally { VideoPhyFixtures.Delete(dir); }
    }

    [Fact]
    public void Layout_TryParseIndex_ReadsLeadingDigitsOnly()
    {
        Assert.Equal(7, VideoPhyLayout.TryParseIndex("/a/b/0007_Honey.mp4"));
        Assert.Equal(123, VideoPhyLayout.TryParseIndex("0123.mp4"));
        Assert.Null(VideoPhyLayout.TryParseIndex("examples/A_jetski_0.mp4"));
        Assert.Null(VideoPhyLayout.TryParseIndex("Lavie_12_x.mp4"));
    }
}
