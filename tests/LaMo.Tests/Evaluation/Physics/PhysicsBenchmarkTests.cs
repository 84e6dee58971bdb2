using LaMo.Evaluation;
using LaMo.Evaluation.Physics;
using LaMo.World;
using Xunit;
using Xunit.Abstractions;

namespace LaMo.Tests.Evaluation.Physics;

public sealed class PhysicsBenchmarkTests(ITestOutputHelper output)
{
    private static readonly PhysicsOptions Options = new();

    private static ClipPhysicsResult Eval(WorldClip clip, FrameStack video) => ClipEvaluator.Evaluate("c", clip, video, Options);

    [Theory]
    [InlineData(Scenario.Uniform)]
    [InlineData(Scenario.Collision)]
    [InlineData(Scenario.Parabola)]
    [InlineData(Scenario.WallBounce)]
    [InlineData(Scenario.WallCollision)]
    public void Evaluate_GroundTruthRender64_FloorIsTiny(Scenario s)
    {
        var m1c = new List<double>();
        for (ulong seed = 0; seed < 6; seed++)
        {
            var clip = PhysicsTestClips.Make(s, seed);
            var r = Eval(clip, PhysicsTestClips.Render(clip));
            output.WriteLine($"{s} seed {seed}: m1={r.M1VelocityError:0.00000} m1b={r.M1bMeanVelocityError:0.00000} m1c={r.M1cFittedVelocityError:0.00000} " +
                $"m2={r.M2PositionError:0.00000} m3={r.M3GravityError:0.00000} m4p={r.M4MomentumError:0.0000} m4e={r.M4EnergyError:0.0000} m5={r.M5SizeDrift:0.0000} " +
                $"m7={r.M7LawResidualPx:0.0000}px acc={r.M7FittedAcceleration:0.0000} st_iou={r.M8SpatioTemporalIoU:0.000} mse={r.M8PixelMse} jerk={r.M9RmsJerk:0.00}");
            Assert.False(r.Failure);
            Assert.Equal(1.0, r.M6Permanence);
            Assert.Equal(0.0, r.M6SpuriousRate);
            m1c.Add(r.M1cFittedVelocityError!.Value);
            // S5's segments between collision, wall and second collision are 4-5 frames: parser noise ~0.002 units
            // gives slope noise up to ~0.007 per clip there; the 0.005 target holds per clip elsewhere and on average.
            Assert.True(r.M1cFittedVelocityError < (s == Scenario.WallCollision ? 0.01 : 0.005), $"M1c floor {r.M1cFittedVelocityError}");
            Assert.True(r.M1VelocityError < 0.05, $"M1 floor {r.M1VelocityError}");
            Assert.True(r.M2PositionError < 0.01, $"M2 floor {r.M2PositionError}");
            Assert.Equal(1.0, r.M8SpatioTemporalIoU);
            Assert.Equal(0.0, r.M8PixelMse);
            if (s == Scenario.Parabola) Assert.True(r.M3GravityError < 0.02, $"M3 floor {r.M3GravityError}");
            if (s is Scenario.Collision) Assert.True(r.M4EnergyError < 0.02, $"M4 floor {r.M4EnergyError}");
            Assert.True(r.M7LawResidualPx < 0.05, $"M7 floor {r.M7LawResidualPx}");
        }
        output.WriteLine($"mean M1c floor {m1c.Average():0.00000}");
        Assert.True(m1c.Average() < 0.005);
    }

    [Fact]
    public void Evaluate_FramesShuffled_JerkAndM1Rise()
    {
        var clip = PhysicsTestClips.Make(Scenario.Uniform, 1);
        var gt = PhysicsTestClips.Render(clip);
        var order = Enumerable.Range(0, gt.Count).ToArray();
        new Random(3).Shuffle(order.AsSpan(5));
        var shuffled = Eval(clip, gt.Select(order));
        var floor = Eval(clip, gt);
        Assert.True(shuffled.M9RmsJerk > 100 * floor.M9RmsJerk + 10, $"jerk {shuffled.M9RmsJerk} vs {floor.M9RmsJerk}");
        Assert.True(shuffled.M1VelocityError > 1, $"M1 {shuffled.M1VelocityError}");
        Assert.True(shuffled.M7LawResidualPx > 1, $"M7 {shuffled.M7LawResidualPx}");
    }

    [Fact]
    public void Evaluate_BallTeleports_M1AndM2Jump()
    {
        var clip = PhysicsTestClips.Make(Scenario.Uniform, 2);
        var video = PhysicsTestClips.RenderModified(clip, (f, o) => f.Index >= 10 ? o with { Y = o.Y > 5 ? o.Y - 2 : o.Y + 2 } : o);
        var r = Eval(clip, video);
        Assert.False(r.Failure);
        Assert.True(r.M2PositionError > 1, $"M2 {r.M2PositionError}");
        Assert.True(r.M1VelocityError > 1.5, $"M1 {r.M1VelocityError}");
    }

    [Fact]
    public void Evaluate_GravityReversedParabola_M3NearTwo()
    {
        var clip = PhysicsTestClips.Make(Scenario.Parabola, 0);
        // Mirror y: ÿ = +g instead of −g, and the ball stays inside the world.
        var video = PhysicsTestClips.RenderModified(clip, (f, o) => o with { Y = WorldConstants.Size - o.Y });
        var r = Eval(clip, video);
        Assert.InRange(r.M3GravityError!.Value, 1.9, 2.1);
        Assert.True(Eval(clip, PhysicsTestClips.Render(clip)).M3GravityError < 0.05);
    }

    [Fact]
    public void Evaluate_BallVanishes_PermanenceDropsAndFails()
    {
        var clip = PhysicsTestClips.Make(Scenario.Collision, 0);
        var video = PhysicsTestClips.RenderModified(clip, (f, o) => f.Index >= 8 && o.Id == 1 ? o with { X = -100 } : o);
        var r = Eval(clip, video);
        Assert.True(r.Failure);
        Assert.True(r.M6Permanence < 0.8, $"permanence {r.M6Permanence}");
        Assert.Null(r.M1VelocityError);
        Assert.NotNull(r.M1WithFailures);
        Assert.True(r.M1WithFailures > 0.5, $"static baseline M1 {r.M1WithFailures}");
    }

    [Fact]
    public void Evaluate_BallShrinks_SizeDriftRises()
    {
        var clip = PhysicsTestClips.Make(Scenario.Uniform, 3);
        var video = PhysicsTestClips.RenderModified(clip, (f, o) => o with { Radius = o.Radius * (1 - 0.03 * f.Index) });
        var r = Eval(clip, video);
        var floor = Eval(clip, PhysicsTestClips.Render(clip));
        Assert.True(r.M5SizeDrift > 0.25, $"M5 {r.M5SizeDrift}");
        Assert.True(floor.M5SizeDrift < 0.05, $"M5 floor {floor.M5SizeDrift}");
    }

    [Fact]
    public void Run_ReferenceRows_OrderedAsExpected()
    {
        var clips = Enumerable.Range(0, 3).Select(i => new BenchmarkClip($"u{i}", PhysicsTestClips.Make(Scenario.Uniform, (ulong)i, 32))).ToArray();
        var result = PhysicsBenchmark.Run(clips, new Dictionary<string, Func<BenchmarkClip, FrameStack>>
        {
            ["frozen"] = c => ReferenceVideos.CopyLastGiven(c.Clip, 5),
        }, Options);
        Assert.Equal(["frozen", "gt_floor", "copy_last", "const_velocity"], result.Rows.Select(r => r.Method));
        double Mean(string row, string m) => result.Rows.Single(r => r.Method == row).Overall.Metrics[m].Mean;
        Assert.True(Mean("gt_floor", "m1c") < 0.01);
        Assert.True(Mean("const_velocity", "m1c") < 0.01);       // S1 is exactly constant velocity
        Assert.True(Mean("copy_last", "m1") > 0.9);               // v in [1, 4]: a frozen ball errs by its speed
        Assert.Equal(Mean("copy_last", "m1"), Mean("frozen", "m1"));
        var cmp = result.Comparisons.Single(c => c.Metric == "m1c" && c.MethodB == "gt_floor");
        Assert.Equal(3, cmp.Pairs);
        Assert.True(cmp.CiLow <= cmp.MeanDifference && cmp.MeanDifference <= cmp.CiHigh);
        var json = result.ToJson();
        Assert.Contains("\"given_frames\": 5", json);
        Assert.Contains("\"m1c_fitted_velocity_error\"", json);
        output.WriteLine(result.HeadlineTable());
    }

    [Fact]
    public void Compare_IdenticalMethods_ZeroDifference()
    {
        var a = Enumerable.Range(0, 20).Select(i => Row($"c{i}", i * 0.1)).ToArray();
        var c = PairedBootstrap.Compare("m2", "a", a, "b", a);
        Assert.Equal(0, c.MeanDifference);
        Assert.Equal(0, c.CiLow);
        Assert.Equal(0, c.CiHigh);
        var shifted = a.Select(r => r with { M2PositionError = r.M2PositionError + 1 }).ToArray();
        var d = PairedBootstrap.Compare("m2", "b", shifted, "a", a);
        Assert.Equal(1, d.MeanDifference, 9);
        Assert.Equal(1, d.CiLow, 9);
    }

    [Fact]
    public void Evaluate_BadInputs_Throw()
    {
        var clip = PhysicsTestClips.Make(Scenario.Uniform, 0, 32);
        var gt = PhysicsTestClips.Render(clip);
        Assert.Throws<ArgumentException>(() => ClipEvaluator.Evaluate("c", clip, gt.Select([0, 1, 2, 3, 4, 5]), Options));
        Assert.Throws<ArgumentException>(() => ClipEvaluator.Evaluate("c", clip, gt, Options with { GivenFrames = 17 }));
        Assert.Throws<NotSupportedException>(() => ColourParser.ChannelOf("purple"));
        Assert.Throws<ArgumentException>(() => new FrameStack(new byte[10], 1, 2, 2));
    }

    [Fact]
    public void Measure_RenderedDisc_CentreMatchesCamera()
    {
        var clip = PhysicsTestClips.Make(Scenario.Collision, 1);
        var frame = Renderer.RenderFrame(clip, 0);
        foreach (var o in clip.Frames[0].Objects)
        {
            var m = ColourParser.Measure(frame, 64, 64, ColourParser.ChannelOf(o.Colour), 1);
            var (u, v) = clip.Camera.ToPixel(o.X, o.Y);
            Assert.True(m.Detected);
            Assert.InRange(m.U - u, -0.02, 0.02);
            Assert.InRange(m.V - v, -0.02, 0.02);
            Assert.InRange(Math.Sqrt(m.Area / Math.PI) / clip.Camera.ScaleX / o.Radius, 0.98, 1.02);
        }
    }

    private static ClipPhysicsResult Row(string id, double m2) =>
        new(id, "uniform", "test-id", 12, false, null, null, null, null, m2, null, null, null, null, null, null, null, null, null, null, null, null, null, null);
}
