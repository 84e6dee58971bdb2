using LaMo.Evaluation;
using LaMo.Evaluation.Physics;
using LaMo.World;
using Xunit;
using Xunit.Abstractions;

namespace LaMo.Tests.Evaluation.Physics;

/// <summary>The colour parser's calibration set: what must count as a ball (lossless and mildly noisy renders) and what
/// must not (issue 16: speckle from an under-trained model scored as a non-failure with permanence 1.0).</summary>
public sealed class ParserCalibrationTests(ITestOutputHelper output)
{
    private static readonly Scenario[] Core = [Scenario.Uniform, Scenario.Collision, Scenario.Parabola, Scenario.WallBounce, Scenario.WallCollision];

    public static TheoryData<int> Sizes => new() { 32, 64 };

    // Every pixel's channels uniform random: no ball anywhere, but every colour's weight is spread over the frame.
    private static FrameStack Speckle(WorldClip clip, int seed) => Fill(clip, seed, (rng, _, _, _) => (byte)rng.Next(256));

    // A grey frame tinted towards every ball colour in turn, a little everywhere (a colour cast with no object).
    private static FrameStack Haze(WorldClip clip) => Fill(clip, 0, (_, _, _, c) => (byte)(c == 0 ? 170 : 120));

    // A one-pixel streak of the ball's colour across the frame (a line, not a disc).
    private static FrameStack Streak(WorldClip clip) => Paint(clip, (i, j, h, w) => j == h / 2);

    // The ball's colour over the left half of the frame (far larger than any ball).
    private static FrameStack Smear(WorldClip clip) => Paint(clip, (i, j, h, w) => i < w / 2);

    private static FrameStack Fill(WorldClip clip, int seed, Func<Random, int, int, int, byte> value)
    {
        var rng = new Random(seed);
        int f = clip.Frames.Count, h = clip.Render.Height, w = clip.Render.Width;
        var data = new byte[f * h * w * 3];
        for (var p = 0; p < f * h * w; p++)
            for (var c = 0; c < 3; c++) data[3 * p + c] = value(rng, p % w, p / w % h, c);
        return new FrameStack(data, f, h, w);
    }

    private static FrameStack Paint(WorldClip clip, Func<int, int, int, int, bool> inside)
    {
        int f = clip.Frames.Count, h = clip.Render.Height, w = clip.Render.Width;
        var channels = clip.Objects.Select(o => ColourParser.ChannelOf(o.Colour)).ToArray();
        var data = new byte[f * h * w * 3];
        for (var p = 0; p < f * h * w; p++)
        {
            int i = p % w, j = p / w % h;
            for (var c = 0; c < 3; c++) data[3 * p + c] = 128;
            if (inside(i, j, h, w)) foreach (var c in channels) data[3 * p + c] = 255;
        }
        return new FrameStack(data, f, h, w);
    }

    private static FrameStack Noisy(FrameStack v, double sigma, int seed)
    {
        var rng = new Random(seed);
        var data = (byte[])v.Data.Clone();
        for (var k = 0; k < data.Length; k++)
        {
            double g = Math.Sqrt(-2 * Math.Log(1 - rng.NextDouble())) * Math.Cos(2 * Math.PI * rng.NextDouble());
            data[k] = (byte)Math.Clamp(Math.Round(data[k] + sigma * g), 0, 255);
        }
        return new FrameStack(data, v.Count, v.Height, v.Width);
    }

    private ClipPhysicsResult Eval(string what, WorldClip clip, FrameStack video)
    {
        var r = ClipEvaluator.Evaluate("c", clip, video, new PhysicsOptions());
        output.WriteLine($"{what} {ScenarioNames.Name(clip.Scenario)} {clip.Render.Width}px: failure={r.Failure} permanence={r.M6Permanence:0.00}");
        return r;
    }

    [Theory]
    [MemberData(nameof(Sizes))]
    public void Speckle_NoBall_IsAFailureWithZeroPermanence(int size)
    {
        foreach (var s in Core)
            for (ulong seed = 0; seed < 2; seed++)
            {
                var clip = PhysicsTestClips.Make(s, seed, size);
                var r = Eval("speckle", clip, Speckle(clip, (int)seed));
                Assert.True(r.Failure, $"{s} seed {seed}: speckle counted as a ball");
                Assert.Equal(0.0, r.M6Permanence);
            }
    }

    [Theory]
    [MemberData(nameof(Sizes))]
    public void HazeStreakAndSmear_AreNotBalls(int size)
    {
        foreach (var s in new[] { Scenario.Uniform, Scenario.Collision, Scenario.Parabola })
        {
            var clip = PhysicsTestClips.Make(s, 1, size);
            foreach (var (name, video) in new[] { ("haze", Haze(clip)), ("streak", Streak(clip)), ("smear", Smear(clip)) })
            {
                var r = Eval(name, clip, video);
                Assert.True(r.Failure, $"{name} on {s} at {size} px counted as a ball");
            }
        }
    }

    [Theory]
    [MemberData(nameof(Sizes))]
    public void Renders_LosslessAndMildlyNoisy_StayBalls(int size)
    {
        foreach (var s in Core)
            for (ulong seed = 0; seed < 3; seed++)
            {
                var clip = PhysicsTestClips.Make(s, seed, size);
                var gt = PhysicsTestClips.Render(clip);
                foreach (var (name, video) in new[] { ("render", gt), ("noise σ=6", Noisy(gt, 6, (int)seed)) })
                {
                    var r = Eval(name, clip, video);
                    Assert.False(r.Failure, $"{name} {s} seed {seed} at {size} px: a real ball counted as missing");
                    Assert.True(r.M6Permanence >= (name == "render" ? 1.0 : 0.95), $"{name} {s} seed {seed}: permanence {r.M6Permanence}");
                }
            }
    }

    [Fact]
    public void Measure_WithoutRule_KeepsTheAreaRule_WithRule_RefusesSpeckle()
    {
        var clip = PhysicsTestClips.Make(Scenario.Uniform, 0, 32);
        var frame = Speckle(clip, 3).Frame(0);
        double expected = Math.PI * 9;
        Assert.True(ColourParser.Measure(frame, 32, 32, 0, 0.25 * expected).Detected);   // the old rule: weight anywhere
        Assert.False(ColourParser.Measure(frame, 32, 32, 0, 0.25 * expected, 1, new PhysicsOptions().Blob(expected)).Detected);
    }
}
