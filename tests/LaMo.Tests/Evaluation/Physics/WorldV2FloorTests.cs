using LaMo.Evaluation;
using LaMo.Evaluation.Physics;
using LaMo.Tests.World;
using LaMo.World;
using Xunit;
using Xunit.Abstractions;

namespace LaMo.Tests.Evaluation.Physics;

/// <summary>The parser on lossless ground truth under every world v2 condition (issue 17's done-when floor).</summary>
public sealed class WorldV2FloorTests(ITestOutputHelper output)
{
    private static readonly Scenario[] Scenarios = [Scenario.Uniform, Scenario.Collision, Scenario.Parabola, Scenario.FrictionSlide];

    public static TheoryData<string, string, string, bool> Conditions()
    {
        var data = new TheoryData<string, string, string, bool>();
        foreach (var bg in ConditionKinds.Backgrounds) data.Add(bg, "static", "constant", false);
        foreach (var cam in ConditionKinds.Cameras.Skip(1)) data.Add("texture", cam, "constant", false);
        foreach (var light in ConditionKinds.Lightings.Skip(1)) data.Add("parallax", "pan", light, false);
        data.Add("pattern", "shake", "cloud", true);
        data.Add("gradient", "zoom", "warm", true);
        return data;
    }

    [Theory]
    [MemberData(nameof(Conditions))]
    public void GroundTruthFloor_BelowTargets_NoSpuriousBlobs(string background, string camera, string lighting, bool entering)
    {
        var dir = background == "images" ? TestImages.Folder() : null;
        var options = new WorldConditionOptions("v1", background, camera, lighting, entering, dir);
        foreach (var size in new[] { 32, 64 })
        {
            var target = size == 64 ? 0.01 : 0.02;
            var m1c = new List<double>();
            foreach (var s in Scenarios)
                for (var i = 0; i < 3; i++)
                {
                    var clip = WorldConditionTests.Make(s, i, options, size);
                    var r = ClipEvaluator.Evaluate("c", clip, new FrameStack(Renderer.Render(clip), clip.Frames.Count, size, size), new PhysicsOptions());
                    Assert.Equal(0.0, r.M6SpuriousRate);
                    if (r.M6Permanence is { } perm) Assert.Equal(1.0, perm);
                    Assert.False(r.Failure);
                    // Per clip a looser bound: a 4-frame segment (between a collision and the frame edge, say) has
                    // ~3x the slope noise of a 12-frame one; the floor itself is the condition's mean, checked below.
                    if (r.M1cFittedVelocityError is { } e)
                    {
                        m1c.Add(e);
                        Assert.True(e < 3 * target, $"{clip.Condition?.Label} {s} #{i} at {size} px: M1c {e}");
                    }
                    if (r.M2PositionError is { } m2) Assert.True(m2 < (size == 64 ? 0.01 : 0.02), $"M2 {m2}");
                }
            Assert.True(m1c.Count >= 6, $"only {m1c.Count} clips had an M1c");
            Assert.True(m1c.Average() < target, $"{background}/{camera}/{lighting} at {size} px: mean M1c {m1c.Average()}");
            output.WriteLine($"{background}/{camera}/{lighting}/{(entering ? "entering" : "none")} {size}px: mean M1c {m1c.Average():0.00000}, max {m1c.Max():0.00000} over {m1c.Count} clips");
        }
    }

    [Fact]
    public void LawMetrics_TextToVideoUnderMovingCamera_AreNull_ContinuationUsesWorldCoordinates()
    {
        var pan = WorldConditionTests.Make(Scenario.Uniform, 0, new WorldConditionOptions(Background: "texture", Camera: "pan"));
        var still = WorldConditionTests.Make(Scenario.Uniform, 0, new WorldConditionOptions(Background: "texture"));
        FrameStack Render(WorldClip c) => new(Renderer.Render(c), c.Frames.Count, c.Render.Height, c.Render.Width);
        var t2v = new PhysicsOptions { GivenFrames = 0 };
        var panT2v = ClipEvaluator.Evaluate("p", pan, Render(pan), t2v);
        Assert.Null(panT2v.M7LawResidualPx);
        Assert.Null(panT2v.M7FittedAcceleration);
        Assert.Null(panT2v.M9FrozenRate);
        Assert.Null(panT2v.M9RmsJerk);
        Assert.NotNull(panT2v.M1cFittedVelocityError);   // referenced metrics still use the GT camera
        var stillT2v = ClipEvaluator.Evaluate("s", still, Render(still), t2v);
        Assert.NotNull(stillT2v.M7LawResidualPx);
        Assert.NotNull(stillT2v.M9FrozenRate);
        var panCont = ClipEvaluator.Evaluate("p", pan, Render(pan), new PhysicsOptions());
        Assert.True(panCont.M7LawResidualPx < 0.05, $"M7 {panCont.M7LawResidualPx}");
        Assert.True(panCont.M7FittedAcceleration < 0.2, $"acc {panCont.M7FittedAcceleration}");
        Assert.Equal(0.0, panCont.M9FrozenRate);
    }
}
