using LaMo.Evaluation;
using LaMo.Evaluation.Motion;
using LaMo.Tests.Evaluation.Physics;
using LaMo.World;
using Xunit;
using Xunit.Abstractions;

namespace LaMo.Tests.Evaluation.Motion;

public sealed class MotionMetricsTests(ITestOutputHelper output)
{
    private static readonly MotionOptions Options = new();

    private static FrameStack Translating() => PhysicsTestClips.Render(PhysicsTestClips.Make(Scenario.Uniform, 4));

    [Fact]
    public void Evaluate_StaticVideo_SmoothNoFlickerNotDynamic()
    {
        var v = Translating().Select(Enumerable.Repeat(0, 17).ToArray());
        var r = MotionMetrics.Evaluate("static", v, Options);
        Assert.InRange(r.MotionSmoothness!.Value, 0.999, 1.0);
        Assert.Equal(1.0, r.TemporalFlickering);
        Assert.False(r.Dynamic);
        Assert.Equal(0, r.MovingPairs);
        Assert.Equal(1.0, r.SubjectConsistency!.Value, 9);
        Assert.Equal(1.5, r.Threshold, 9);          // 6 · 64 / 256 at ≥ 8 fps
        Assert.Equal(4, r.RequiredPairs);           // round(4 · 17 / 16)
    }

    [Fact]
    public void Evaluate_TranslatingBall_SmootherThanShuffled()
    {
        var v = Translating();
        var order = Enumerable.Range(0, v.Count).ToArray();
        new Random(5).Shuffle(order.AsSpan());
        var smooth = MotionMetrics.Evaluate("ball", v, Options);
        var shuffled = MotionMetrics.Evaluate("shuffled", v.Select(order), Options);
        output.WriteLine($"{smooth}\n{shuffled}");
        Assert.True(smooth.MotionSmoothness > shuffled.MotionSmoothness);
        Assert.True(smooth.MotionSmoothness > 0.99);
        Assert.True(smooth.SubjectConsistency > 0.9);
    }

    [Fact]
    public void Evaluate_NoiseVideo_FlickersWorst()
    {
        var rng = new Random(1);
        var data = new byte[17 * 64 * 64 * 3];
        rng.NextBytes(data);
        var noise = MotionMetrics.Evaluate("noise", new FrameStack(data, 17, 64, 64), Options);
        var ball = MotionMetrics.Evaluate("ball", Translating(), Options);
        output.WriteLine($"{noise}\n{ball}");
        Assert.True(noise.TemporalFlickering < ball.TemporalFlickering);
        Assert.True(noise.TemporalFlickering < 0.8);
        Assert.True(noise.MotionSmoothness < ball.MotionSmoothness);
    }

    [Fact]
    public void Compute_TwoVideos_MeansAndDynamicFraction()
    {
        var e = new MotionEvaluator(Options);
        var v = Translating();
        e.Update("static", v.Select(Enumerable.Repeat(3, 9).ToArray()));
        e.Update("ball", v);
        var rep = e.Compute();
        Assert.Equal(2, rep.Videos.Count);
        Assert.InRange(rep.DynamicDegree, 0, 0.5);
        Assert.Throws<ArgumentException>(() => new MotionEvaluator(Options with { Fps = 0 }));
    }
}
