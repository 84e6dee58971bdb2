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

public sealed class StudyConditionTests
{
    [Fact]
    public void StudyV2_IsTheProtocolsSixConditions()
    {
        var c = StudyCondition.ParseList("study-v2");
        Assert.Equal(["C0", "C1", "C2", "C3", "C4", "C5"], c.Select(x => x.Id).ToArray());
        Assert.Equal(["uniform/static/constant", "texture/pan/constant", "parallax/pan/constant", "texture/zoom/constant", "texture/track/constant", "uniform/static/dimming"],
            c.Select(x => x.Label).ToArray());
        Assert.Null(c[0].ToWorld());
        Assert.NotNull(c[1].ToWorld());
    }

    [Theory]
    [InlineData("texture/pan")]
    [InlineData("C1=texture/spin/constant")]
    [InlineData("C 1=texture/pan/constant")]
    public void ParseList_Malformed_Throws(string text) => Assert.ThrowsAny<ArgumentException>(() => StudyCondition.ParseList(text));

    [Fact]
    public void StudyWorld_ConditionsShareThePhysicsAndTheNoise_AndTheV1ConditionIsTheV1World()
    {
        var val = new LaMo.World.SplitRanges("val-id", [new(0.7, 1.4)], [new(1, 4)]);
        var o = new StudyOptions
        {
            Size = 32, Frames = 9, ClipsPerCoreScenario = 1, ClipsPerExtendedScenario = 0, CoreScenarios = [LaMo.World.Scenario.Parabola, LaMo.World.Scenario.Collision],
            Splits = ["val-id"], SplitFiles = [val], Conditions = StudyCondition.ParseList("C0=uniform/static/constant,C1=texture/pan/constant"),
        }.Validate();
        var clips = StudyWorld.Generate(o);
        Assert.Equal(4, clips.Count);
        foreach (var scenario in new[] { "parabola", "collision" })
        {
            var pair = clips.Where(c => c.Id.Contains(scenario, StringComparison.Ordinal)).ToArray();
            Assert.Equal(["C0", "C1"], pair.Select(c => c.Condition).ToArray());
            Assert.Equal(pair[0].Index, pair[1].Index);                                   // same noise seed
            Assert.Equal(pair[0].World.Seed, pair[1].World.Seed);
            Assert.Equal(pair[0].World.Frames.SelectMany(f => f.Objects.Select(b => (b.X, b.Y))),
                pair[1].World.Frames.SelectMany(f => f.Objects.Select(b => (b.X, b.Y))));   // same physics
            Assert.NotEqual(pair[0].Render().Data, pair[1].Render().Data);               // another picture
            Assert.Equal("val-id", pair[0].World.Split);
        }
        // C0 is the v1 clip of that seed, byte for byte.
        var c0 = clips.First(c => c.Condition == "C0");
        var v1 = LaMo.World.WorldGenerator.Generate(new LaMo.World.ClipSpec(c0.World.Scenario, val, c0.World.Seed, 32, 32, 9));
        Assert.Equal(v1.ToJson(), c0.World.ToJson());
    }

    [Fact]
    public void Validate_UnknownSplit_NamesTheSplitFiles()
    {
        var e = Assert.Throws<ArgumentException>(() => new StudyOptions { Splits = ["val-id"] }.Validate());
        Assert.Contains("val-id", e.Message);
    }

    [Fact]
    public void FlowMo_CarriesStepSizeAndIterations_WithTheScaledWindow()
    {
        var f = new StudyOptions { Steps = 20, FlowMoStepSize = 0.02, FlowMoIterations = 4 }.Validate().FlowMo();
        Assert.Equal(0.02, f.LearningRate);
        Assert.Equal(4, f.Iterations);
        Assert.Equal(5, f.GuidedSteps);
    }

    [Fact]
    public void PrimaryLevel_IsBonferroniOverTheFamily() =>
        Assert.Equal(1 - 0.05 / 12, StudyEvaluation.PrimaryLevel(new StudyOptions(), 12), 12);

    [Fact]
    public void RunFolderDifference_NamesTheFirstDifferingOption()
    {
        var a = System.Text.Json.Nodes.JsonNode.Parse("""{"options": {"steps": 20, "guidance": {"lambda": 15}}}""");
        var b = System.Text.Json.Nodes.JsonNode.Parse("""{"options": {"steps": 20, "guidance": {"lambda": 5}}}""");
        Assert.Equal(("lambda", "15", "5"), StudyRunFolder.Difference(a, b));
        Assert.Null(StudyRunFolder.Difference(a, a!.DeepClone()));
    }
}
