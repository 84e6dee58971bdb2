using LaMo.Evaluation;
using LaMo.Evaluation.Physics;
using LaMo.World;
using Xunit;

namespace LaMo.Tests.World;

public class WorldConditionTests
{
    internal static WorldClip Make(Scenario s, int i, WorldConditionOptions o, int size = 64, SplitRanges? ranges = null)
    {
        ranges ??= SplitRanges.Standard("test-id");
        return WorldGenerator.Generate(new ClipSpec(s, ranges, WorldGenerator.ClipSeed(11, ranges.Name, s, i), size, size, 17, o));
    }

    private static readonly SplitRanges Still = new("test-v0", SplitRanges.IdRadius, [new(0, 0)]);

    private static void Near(double expected, double actual, double tolerance, string what) =>
        Assert.True(Math.Abs(expected - actual) < tolerance, $"{what}: {actual} vs {expected} (tolerance {tolerance})");

    private static FrameStack Frames(WorldClip c) => new(Renderer.Render(c), c.Frames.Count, c.Render.Height, c.Render.Width);

    [Fact]
    public void V1Options_GiveTheV1ClipByteForByte()
    {
        foreach (var s in ScenarioNames.All)
        {
            var seed = WorldGenerator.ClipSeed(5, "train", s, 2);
            var plain = WorldGenerator.Generate(new ClipSpec(s, SplitRanges.Standard("train"), seed, 32, 32));
            var v1 = WorldGenerator.Generate(new ClipSpec(s, SplitRanges.Standard("train"), seed, 32, 32, 17,
                new WorldConditionOptions("v1", "uniform", "static", "constant", false)));
            Assert.Null(v1.Condition);
            Assert.Equal(plain.ToJson(), v1.ToJson());
            Assert.Equal(Renderer.Render(plain), Renderer.Render(v1));
            Assert.DoesNotContain("\"camera\": {\n      \"x\"", plain.ToJson().ReplaceLineEndings("\n"));
        }
    }

    [Fact]
    public void Conditions_KeepPhysicsAndAreDeterministic_JsonRoundTrips()
    {
        foreach (var s in ScenarioNames.All)
        {
            var mixed = new WorldConditionOptions("mixed");
            var a = Make(s, 4, mixed, 32);
            var b = Make(s, 4, mixed, 32);
            Assert.Equal(a.ToJson(), b.ToJson());
            Assert.Equal(Renderer.Render(a), Renderer.Render(b));
            var v1 = Make(s, 4, WorldConditionOptions.V1, 32);
            // Same world trajectory under any condition: the condition has its own random stream.
            Assert.Equal(v1.Frames.Select(f => f.Objects[0].X), a.Frames.Select(f => f.Objects[0].X));
            var frameBytes = a.Render.Width * a.Render.Height * 3;
            Assert.Equal(Renderer.Render(a).AsSpan(5 * frameBytes, frameBytes).ToArray(), Renderer.RenderFrame(a, 5));
            var back = WorldClip.FromJson(a.ToJson());
            Assert.Equal(a.ToJson(), back.ToJson());
            Assert.Equal(Renderer.Render(a), Renderer.Render(back));
        }
    }

    [Theory]
    [InlineData("pan")]
    [InlineData("accel-pan")]
    [InlineData("shake")]
    public void BallAtRest_StaysAtRestInWorld_WhileItsImageMovesWithTheCamera(string camera)
    {
        for (var i = 0; i < 4; i++)
        {
            var c = Make(Scenario.Uniform, i, new WorldConditionOptions(Background: "texture", Camera: camera), 64, Still);
            var track = ObjectTrack.Measure(c, Frames(c), 0, new PhysicsOptions { GivenFrames = 0 });
            var scale = c.Camera.ScaleX;
            for (var t = 0; t < c.Frames.Count; t++)
            {
                if (!track.Usable(t)) continue;
                // World position: at rest, to the parser's floor (a few thousandths of a unit).
                Assert.True(Math.Abs(c.Frames[0].Objects[0].X - track.X[t]) < 0.01, $"{camera} #{i} frame {t}: x {track.X[t]} vs {c.Frames[0].Objects[0].X}");
                Assert.True(Math.Abs(c.Frames[0].Objects[0].Y - track.Y[t]) < 0.01, $"{camera} #{i} frame {t}: y {track.Y[t]} vs {c.Frames[0].Objects[0].Y}");
                // Its image sits where the camera puts it: u = (x − left)·scale.
                var pose = c.Frames[t].Camera!;
                Near((c.Frames[0].Objects[0].X - pose.Left) * scale, track.U[t], 0.05, $"{camera} #{i} frame {t} u");
            }
            var usable = Enumerable.Range(0, c.Frames.Count).Where(track.Usable).ToArray();
            Assert.True(usable.Length >= 8, $"{camera}: only {usable.Length} usable frames");
            if (camera == "shake") continue;
            // The image moves at minus the camera's speed: a pan of s units/s shifts u by −s·scale·Δt per frame.
            var (first, last) = (usable[0], usable[^1]);
            var cameraShift = c.Frames[last].Camera!.X - c.Frames[first].Camera!.X;
            Assert.True(Math.Abs(cameraShift) > 0.05);
            Near(-cameraShift * scale, track.U[last] - track.U[first], 0.05, $"{camera} #{i} image shift");
            if (camera == "pan")
                Assert.Equal(c.Condition!.Parameters["pan_speed"], (c.Frames[last].Camera!.X - c.Frames[first].Camera!.X) / (c.Frames[last].Time - c.Frames[first].Time), 9);
        }
    }

    [Fact]
    public void MovingBall_UnderPan_WorldVelocityIsTheTrueOne()
    {
        for (var i = 0; i < 4; i++)
        {
            var c = Make(Scenario.Uniform, i, new WorldConditionOptions(Background: "gradient", Camera: "pan"));
            var track = ObjectTrack.Measure(c, Frames(c), 0, new PhysicsOptions { GivenFrames = 0 });
            var usable = Enumerable.Range(0, c.Frames.Count).Where(track.Usable).ToArray();
            if (usable.Length < 4) continue;
            var ts = usable.Select(t => track.Time[t]).ToArray();
            var worldSlope = LeastSquares.Fit(ts, usable.Select(t => track.X[t]).ToArray(), 1).Coefficients[1];
            var imageSlope = LeastSquares.Fit(ts, usable.Select(t => track.U[t]).ToArray(), 1).Coefficients[1] / c.Camera.ScaleX;
            Near(c.Parameters["v_a"], worldSlope, 0.01, $"#{i} world velocity");
            // In the image the ball moves at its speed minus the camera's.
            Near(c.Parameters["v_a"] - c.Condition!.Parameters["pan_speed"], imageSlope, 0.01, $"#{i} image velocity");
        }
    }

    [Fact]
    public void Track_KeepsBallAStillInTheImage_Zoom_ScalesItsImage()
    {
        var c = Make(Scenario.Uniform, 1, new WorldConditionOptions(Camera: "track"));
        var track = ObjectTrack.Measure(c, Frames(c), 0, new PhysicsOptions { GivenFrames = 0 });
        var us = Enumerable.Range(0, c.Frames.Count).Where(track.Usable).Select(t => track.U[t]).ToArray();
        Assert.True(us.Length > 10);
        Assert.True(us.Max() - us.Min() < 0.05, $"tracked ball moved {us.Max() - us.Min()} px in the image");

        var z = Make(Scenario.Uniform, 2, new WorldConditionOptions(Camera: "zoom"), 64, Still);
        var zt = ObjectTrack.Measure(z, Frames(z), 0, new PhysicsOptions { GivenFrames = 0 });
        for (var t = 0; t < z.Frames.Count; t++)
        {
            if (!zt.Usable(t)) continue;
            var zoom = z.Frames[t].Camera!.Zoom;
            Near(z.Objects[0].Radius, zt.RadiusHat[t], 0.02, $"frame {t} radius");    // world radius recovered through the zoom
            var (u, _) = z.Camera.ToPixel(z.Frames[t].Objects[0].X, z.Frames[t].Objects[0].Y, z.Frames[t].Camera);
            Near(u, zt.U[t], 0.05, $"frame {t} u");
            Assert.InRange(zoom, 1, 1.36);
        }
    }

    [Fact]
    public void Parallax_NearLayerMovesAtOneOverDepth_SkyStaysInTheImage()
    {
        var c = Make(Scenario.Uniform, 3, new WorldConditionOptions(Background: "parallax", Camera: "pan"));
        var field = LaMo.World.Backgrounds.BackgroundField.For(c.Condition!, c.Render.BackgroundRgb);
        var depth = c.Condition!.Parameters["near_depth"];
        const double shift = 0.8;
        CameraPose a = CameraPose.Static, b = CameraPose.Static with { X = CameraPose.Static.X + shift };
        for (var x = 0.05; x < 10; x += 0.37)
        {
            // Below y = 1.5 the near hills always cover the view: a camera move of Δ shifts them by Δ(1 − 1/d) in the
            // world, i.e. by −Δ/d in the image.
            var (r0, g0, b0) = field.At(x, 1.0, a);
            var (r1, g1, b1) = field.At(x + shift * (1 - 1 / depth), 1.0, b);
            Assert.True(Math.Abs(r0 - r1) + Math.Abs(g0 - g1) + Math.Abs(b0 - b1) < 0.5, $"near layer at x={x}");
            // Above every ridge the sky is at infinity: the same image position shows the same colour.
            Assert.Equal(field.At(x, 9.5, a), field.At(x + shift, 9.5, b));
        }
        // And the near layer is not glued to the scene plane (that would be depth 1).
        var moved = Enumerable.Range(0, 27).Count(i => field.At(0.05 + 0.37 * i, 1.0, a) != field.At(0.05 + 0.37 * i + shift, 1.0, b));
        Assert.True(moved > 5);
    }

    [Theory]
    [InlineData("dimming")]
    [InlineData("brightening")]
    [InlineData("cloud")]
    [InlineData("warm")]
    public void Light_ChangesSlowlyWithoutFlicker(string lighting)
    {
        var c = Make(Scenario.Parabola, 0, new WorldConditionOptions(Lighting: lighting));
        var g = c.Frames.Select(f => f.Light!).ToArray();
        var steps = g.Zip(g.Skip(1), (a, b) => Math.Max(Math.Abs(a.R - b.R), Math.Max(Math.Abs(a.G - b.G), Math.Abs(a.B - b.B)))).ToArray();
        Assert.True(steps.Max() < 0.06, $"light step {steps.Max()}");
        var total = Math.Max(Math.Abs(g[0].B - g[^1].B), g.Max(x => 1 - x.R));
        Assert.True(total > 0.05, "the light should visibly change");
        if (lighting == "dimming") Assert.True(g.Zip(g.Skip(1)).All(p => p.Second.R <= p.First.R));
        // Second differences stay small: a smooth ramp, not a blink.
        var second = g.Skip(2).Select((x, k) => Math.Abs(x.R - 2 * g[k + 1].R + g[k].R)).Max();
        Assert.True(second < 0.03, $"light second difference {second}");
        Assert.Matches(lighting switch { "dimming" => "dims", "brightening" => "bright", "cloud" => "cloud", _ => "warmer" }, c.Caption);
    }

    [Theory]
    [InlineData("enter")]
    [InlineData("leave")]
    public void Entering_BallCrossesTheFrameEdge_AndCaptionSaysSo(string what)
    {
        var shown = 0;
        for (var i = 0; i < 8; i++)
        {
            var c = Make(Scenario.Uniform, i, new WorldConditionOptions(Entering: true), 64);
            if (c.Condition!.Entering != what) continue;
            shown++;
            var frac = c.Frames.Select(f => f.Objects[0].VisibleFraction!.Value).ToArray();
            var visible = c.Frames.Select(f => f.Objects[0].Visible).ToArray();
            Assert.Contains(true, visible);
            if (what == "enter")
            {
                Assert.True(frac[0] < 1 && !visible[0]);
                Assert.Contains("enters the frame from the left", c.Caption);   // S1 moves to the right
            }
            else
            {
                Assert.True(frac[^1] < 1 && !visible[^1]);
                Assert.Contains("leaves the frame on the right", c.Caption);
            }
            // Partly visible frames are not valid frames for the metrics.
            Assert.All(c.Frames, f => Assert.Equal(f.Objects[0].VisibleFraction == 1 && f.Camera!.Contains(f.Objects[0].X, f.Objects[0].Y, f.Objects[0].Radius), f.Objects[0].Visible));
        }
        Assert.True(shown > 0, $"no clip drew '{what}'");
    }

    [Fact]
    public void Captions_NameTheCameraDirectionFromThePosePath()
    {
        for (var i = 0; i < 10; i++)
        {
            var c = Make(Scenario.Collision, i, new WorldConditionOptions(Camera: "pan"));
            var right = c.Frames[^1].Camera!.X > c.Frames[0].Camera!.X;
            Assert.Contains($"the camera pans {(Math.Abs(c.Condition!.Parameters["pan_speed"]) < 0.7 ? "slowly " : "")}to the {(right ? "right" : "left")}", c.Caption);
            Assert.Matches("collide|meets|approach|closer", c.Caption);   // the scenario words stay
        }
    }

    [Fact]
    public void Split_HoldsOutACombination()
    {
        var train = SplitRanges.Standard("train") with
        {
            Conditions = [new ConditionCombo("texture", "pan"), new ConditionCombo("gradient", "static")],
        };
        var test = SplitRanges.Standard("test-id") with { Conditions = [new ConditionCombo("gradient", "pan")] };
        var seen = new HashSet<string>();
        for (var i = 0; i < 30; i++)
        {
            var c = Make(Scenario.Uniform, i, new WorldConditionOptions("mixed"), 32, train);
            Assert.True(train.Conditions!.Any(k => k.Matches(c.Condition!)), c.Condition!.Label);
            Assert.False(test.Conditions![0].Matches(c.Condition!));
            seen.Add(c.Condition!.Background + "+" + c.Condition.Camera);
            var t = Make(Scenario.Uniform, i, WorldConditionOptions.V1, 32, test);
            Assert.Equal(("gradient", "pan"), (t.Condition!.Background, t.Condition.Camera));
        }
        Assert.Equal(2, seen.Count);
        Assert.Throws<ArgumentException>(() => (train with { Conditions = [new ConditionCombo("fog")] }).Validate());

        // The same split from a ranges file, as `--split FILE` reads it.
        var path = Path.Combine(Path.GetTempPath(), $"combo-{Guid.NewGuid():N}.json");
        File.WriteAllText(path, """
            {"name": "test-combo", "radius": [{"min": 0.7, "max": 1.4}], "speed": [{"min": 1, "max": 4}],
             "conditions": [{"background": "gradient", "camera": "pan"}]}
            """);
        try
        {
            var loaded = SplitRanges.Load(path);
            Assert.Equal(new ConditionCombo("gradient", "pan"), loaded.Conditions![0]);
            var clip = Make(Scenario.Collision, 0, new WorldConditionOptions("mixed"), 32, loaded);
            Assert.Equal(("gradient", "pan"), (clip.Condition!.Background, clip.Condition.Camera));
        }
        finally
        {
            File.Delete(path);
        }
    }

    [Fact]
    public void Options_RejectUnknownNamesAndImagesWithoutFolder()
    {
        Assert.Throws<ArgumentException>(() => new WorldConditionOptions("v3").Validate());
        Assert.Throws<ArgumentException>(() => new WorldConditionOptions(Camera: "dolly").Validate());
        Assert.Throws<ArgumentException>(() => new WorldConditionOptions(Lighting: "strobe").Validate());
        Assert.Throws<ArgumentException>(() => new WorldConditionOptions(Background: "images").Validate());
        Assert.Throws<ArgumentException>(() => new WorldConditionOptions(Background: "images", BackgroundDir: Path.Combine(Path.GetTempPath(), "no-such-" + Guid.NewGuid())).Validate());
        Assert.True(new WorldConditionOptions("v1", "uniform").IsV1);
        Assert.False(new WorldConditionOptions("v1", Camera: "pan").IsV1);
    }
}
