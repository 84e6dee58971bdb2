using System.Globalization;
using System.Text;
using LaMo.Data;
using LaMo.Evaluation.VideoPhy;
using Xunit;

namespace LaMo.Tests.Evaluation.VideoPhy;

public class VideoPhyScoringTests
{
    // Hand-made judge scores for the six fixture prompts (category; SA; PC), threshold 0.5 inclusive:
    //   0 solid_fluid  0.90 0.20  → SA
    //   1 fluid_fluid  0.50 0.50  → SA, PC (both exactly at the threshold)
    //   2 solid_fluid  0.49 0.80  → PC
    //   3 solid_solid  0.70 0.60  → SA, PC
    //   4 solid_solid  0.10 0.05  → –
    //   5 fluid_fluid  0.51 0.30  → SA
    private static readonly double[] Sa = [0.90, 0.50, 0.49, 0.70, 0.10, 0.51];
    private static readonly double[] Pc = [0.20, 0.50, 0.80, 0.60, 0.05, 0.30];

    /// <summary>entailment_inference.py's layout: no header, videopath, templated caption, score.</summary>
    internal static string VideoConOutput(VideoPhyPromptSet set, double[] scores, string template)
    {
        var sb = new StringBuilder();
        for (int i = 0; i < scores.Length; i++)
            sb.Append(CsvTable.Line([VideoPhyFixtures.JudgePath(set, i), string.Format(CultureInfo.InvariantCulture, template, set.Prompts[i].Caption),
                scores[i].ToString("R", CultureInfo.InvariantCulture)])).Append("\r\n");
        return sb.ToString();
    }

    private const string SaTemplate = "Human: <|video|>\nHuman: Does this video entail the description: \"{0}\"?\nAI: ";
    private const string PcTemplate = "Human: <|video|>\nHuman: Does this video follow the physical laws?\nAI: ";

    [Fact]
    public void Score_VideoConOutputs_MatchHandComputedPercentagesPerCategory()
    {
        var set = VideoPhyPromptSet.Load(VideoPhyFixtures.VideoPhyCsv);
        var report = VideoPhyScoring.Score(set, JudgeScoreFile.Parse(VideoConOutput(set, Sa, SaTemplate)),
            JudgeScoreFile.Parse(VideoConOutput(set, Pc, PcTemplate)));
        Assert.Equal(0.5, report.Threshold);
        Assert.Equal(0, report.Unpaired);
        // all: SA {0,1,3,5} = 4/6, PC {1,2,3} = 3/6, joint {1,3} = 2/6
        AssertGroup(report.Overall, "all", 6, 400.0 / 6, 50, 200.0 / 6);
        Assert.Equal(["solid-solid", "solid-fluid", "fluid-fluid"], report.Categories.Select(c => c.Group));
        AssertGroup(report.Categories[0], "solid-solid", 2, 50, 50, 50);     // 3 passes both, 4 neither
        AssertGroup(report.Categories[1], "solid-fluid", 2, 50, 50, 0);      // 0 SA only, 2 PC only
        AssertGroup(report.Categories[2], "fluid-fluid", 2, 100, 50, 50);    // 1 both, 5 SA only
        var md = report.ToMarkdown();
        Assert.Contains("| all | 6 | 66.7 | 50.0 | 33.3 |", md);
        Assert.Contains("| fluid-fluid | 2 | 100.0 | 50.0 | 50.0 |", md);
    }

    [Fact]
    public void Score_VideoPhy2PandasOutputs_RatingsAtLeastFour_JoinByCaptionWhenNameHasNoIndex()
    {
        var set = VideoPhyPromptSet.Load(VideoPhyFixtures.VideoPhy2Csv);
        string Out(double[] r)
        {
            var sb = new StringBuilder(",caption,videopath,score\n");
            for (int i = 0; i < 3; i++)
            {
                var path = i == 2 ? "examples/renamed_by_someone.mp4" : VideoPhyFixtures.JudgePath(set, i);
                sb.Append(CsvTable.Line([i.ToString(CultureInfo.InvariantCulture), set.Prompts[i].Caption, path,
                    r[i].ToString("0.0", CultureInfo.InvariantCulture)])).Append('\n');
            }
            return sb.ToString();
        }
        var report = VideoPhyScoring.Score(set, JudgeScoreFile.Parse(Out([5, 4, 3])), JudgeScoreFile.Parse(Out([4, 2, 5])));
        Assert.Equal(4.0, report.Threshold);
        // SA {0,1} = 2/3, PC {0,2} = 2/3, joint {0} = 1/3
        AssertGroup(report.Overall, "all", 3, 200.0 / 3, 200.0 / 3, 100.0 / 3);
        Assert.Empty(report.Categories);
        Assert.Contains("VideoPhy-2 (VideoPhy-2-AutoEval, % of videos scored ≥ 4), 3 videos", report.ToMarkdown());
    }

    [Fact]
    public void Score_MergedFileWithUnpairedAndBadRows()
    {
        var set = VideoPhyPromptSet.Load(VideoPhyFixtures.VideoPhyCsv);
        var merged = "videopath,sa,pc\n" + string.Concat(Enumerable.Range(0, 4).Select(i => $"{VideoPhyFixtures.JudgePath(set, i)},{Sa[i]},{Pc[i]}\n"));
        var (sa, pc) = JudgeScoreFile.ParseMerged(merged);
        var report = VideoPhyScoring.Score(set, sa, pc.Take(3).ToArray());
        Assert.Equal(1, report.Unpaired);
        AssertGroup(report.Overall, "all", 3, 200.0 / 3, 200.0 / 3, 100.0 / 3);   // rows 0..2: SA {0,1}, PC {1,2}, joint {1}

        var dup = JudgeScoreFile.Parse(VideoConOutput(set, Sa, SaTemplate) + VideoConOutput(set, Sa, SaTemplate));
        Assert.Contains("twice", Assert.Throws<InvalidDataException>(() => VideoPhyScoring.Score(set, dup, pc)).Message);
        var beyond = new[] { new JudgeScore("/x/0099_foo.mp4", null, 1) };
        Assert.Contains("beyond", Assert.Throws<InvalidDataException>(() => VideoPhyScoring.Score(set, beyond, beyond)).Message);
        var unknown = new[] { new JudgeScore("/x/foo.mp4", "not a caption", 1) };
        Assert.Throws<InvalidDataException>(() => VideoPhyScoring.Score(set, unknown, unknown));
        Assert.Throws<InvalidDataException>(() => VideoPhyScoring.Score(set, [], []));
        Assert.Throws<InvalidDataException>(() => JudgeScoreFile.Parse("a,b\n1,2\n"));
        Assert.Throws<InvalidDataException>(() => JudgeScoreFile.Parse("videopath,score\nx.mp4,high\n"));
    }

    private static void AssertGroup(VideoPhyGroupResult g, string group, int n, double sa, double pc, double joint)
    {
        Assert.Equal((group, n), (g.Group, g.Videos));
        Assert.Equal(sa, g.SemanticAdherence, 9);
        Assert.Equal(pc, g.PhysicalCommonsense, 9);
        Assert.Equal(joint, g.Joint, 9);
    }
}
