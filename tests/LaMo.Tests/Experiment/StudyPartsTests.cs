using LaMo.Diffusion.Guidance;
using LaMo.Evaluation.Physics;
using LaMo.Experiment;
using LaMo.Reports;
using Xunit;

namespace LaMo.Tests.Experiment;

public sealed class StudyPartsTests
{
    [Fact]
    public void Validate_DefaultOptions_PassAndReturnThemselves()
    {
        var o = new StudyOptions();
        Assert.Same(o, o.Validate());
    }

    [Theory]
    [InlineData("Variants")]
    [InlineData("GivenFrames")]
    [InlineData("Frames")]
    [InlineData("Splits")]
    [InlineData("Size")]
    public void Validate_BadField_NamesIt(string field)
    {
        var o = field switch
        {
            "Variants" => new StudyOptions { Variants = ["lamo", "baseline"] },
            "GivenFrames" => new StudyOptions { GivenFrames = 17 },
            "Frames" => new StudyOptions { Frames = 16 },
            "Splits" => new StudyOptions { Splits = ["test-nowhere"] },
            _ => new StudyOptions { Size = 60 },
        };
        var e = Assert.ThrowsAny<ArgumentException>(() => o.Validate());
        Assert.True(e.ParamName == field || e.Message.Contains(field, StringComparison.OrdinalIgnoreCase)
                    || (field == "Splits" && e.Message.Contains("test-nowhere", StringComparison.Ordinal)), e.Message);
    }

    [Fact]
    public void Parse_UnknownVariant_ListsKnownOnes()
    {
        var e = Assert.Throws<ArgumentException>(() => StudyVariant.Parse("dpo"));
        Assert.Contains("+guidance", e.Message);
    }

    [Theory]
    [InlineData(50, 12)]
    [InlineData(20, 5)]
    [InlineData(2, 1)]
    public void CreateFlowMo_ScalesWindowFrom12Of50(int steps, int guided) =>
        Assert.Equal(guided, ((FlowMoGuidance)StudyVariant.CreateFlowMo(steps)).Options.GuidedSteps);

    [Theory]
    [InlineData("m1c", -0.3, -0.1, "better")]
    [InlineData("m1c", 0.1, 0.3, "worse")]
    [InlineData("m1c", -0.1, 0.2, "no clear difference")]
    [InlineData("m8_st_iou", 0.1, 0.3, "better")]
    public void Reading_IsDirectionAware(string metric, double lo, double hi, string expected) =>
        Assert.Equal(expected, ReportTables.Reading(new BootstrapComparison(metric, "lamo", "baseline", 10, (lo + hi) / 2, (lo + hi) / 2, lo, hi, 1000, 1)));

    [Fact]
    public void Reading_MakesNoClaimFromTooFewPairs()
    {
        // One pair: the bootstrap "CI" is the single difference, [-1.5985, -1.5985], which excludes 0 trivially.
        Assert.Equal("too few pairs (< 5)", ReportTables.Reading(new BootstrapComparison("m3", "lamo", "baseline", 1, -1.5985, -1.5985, -1.5985, -1.5985, 1000, 1)));
        Assert.Equal("better", ReportTables.Reading(new BootstrapComparison("m3", "lamo", "baseline", ReportTables.MinPairsForClaim, -1.6, -1.6, -1.7, -1.5, 1000, 1)));
    }

    [Fact]
    public void Html_EscapesTextAndKeepsRelativeLinks()
    {
        string page = new Html().P("a < b & \"c\"").Figure("videos/x y.gif", "cap", "videos/x y.mp4").Page("t");
        Assert.Contains("a &lt; b &amp; &quot;c&quot;", page);
        Assert.Equal(["videos/x y.mp4", "videos/x y.gif"], BrowserCheck.References(page));
    }

    [Fact]
    public void StudyWorld_IsDeterministicAndCoversSplits()
    {
        var o = new StudyOptions { Size = 32, Frames = 9, ClipsPerCoreScenario = 1, ClipsPerExtendedScenario = 1 };
        var a = StudyWorld.Generate(o);
        var b = StudyWorld.Generate(o);
        Assert.Equal(2 * 8, a.Count);
        Assert.Equal(a.Select(c => c.World.ToJson()), b.Select(c => c.World.ToJson()));
        Assert.Equal(["test-id", "test-ood-v"], a.Select(c => c.World.Split).Distinct().ToArray());
    }
}
