using System.Text.RegularExpressions;
using LaMo.World;
using Xunit;

namespace LaMo.Tests.World;

public class WorldGeneratorTests
{
    private static WorldClip Gen(Scenario s, string split, int i, int frames = 17, int size = 32) =>
        WorldPhysicsTests.Generate(s, split, i, frames, size);

    [Fact]
    public void Generate_SameSpec_ByteIdenticalJsonAndFrames()
    {
        foreach (var s in ScenarioNames.All)
        {
            var a = Gen(s, "train", 3);
            var b = Gen(s, "train", 3);
            Assert.Equal(a.ToJson(), b.ToJson());
            Assert.Equal(Renderer.Render(a), Renderer.Render(b));
        }
    }

    [Fact]
    public void ClipSeed_TrainAndTestIdDiffer_AndKnownValueIsStable()
    {
        Assert.NotEqual(WorldGenerator.ClipSeed(1, "train", Scenario.Uniform, 0), WorldGenerator.ClipSeed(1, "test-id", Scenario.Uniform, 0));
        Assert.NotEqual(Gen(Scenario.Uniform, "train", 0).Parameters["v_a"], Gen(Scenario.Uniform, "test-id", 0).Parameters["v_a"]);
        // SplitMix64 reference: seed 0 gives 0xE220A8397B1DCDAF first (Vigna's splitmix64.c).
        Assert.Equal(0xE220A8397B1DCDAFUL, new WorldRng(0).NextUInt64());
    }

    [Theory]
    [MemberData(nameof(WorldPhysicsTests.Splits), MemberType = typeof(WorldPhysicsTests))]
    public void Generate_Parameters_LieInSplitRanges(string split)
    {
        var ranges = SplitRanges.Standard(split);
        foreach (var s in ScenarioNames.All)
            for (var i = 0; i < 15; i++)
            {
                var c = Gen(s, split, i);
                foreach (var o in c.Objects) Assert.True(Interval.UnionContains(ranges.Radius, o.Radius), $"{s} r={o.Radius}");
                if (s == Scenario.Pendulum) continue;
                foreach (var (k, v) in c.Parameters.Where(p => p.Key.StartsWith("v_")))
                    Assert.True(Interval.UnionContains(ranges.Speed, v), $"{s} {k}={v}");
                // The speed is the physical one: initial speed, or impact speed for drops.
                if (s is Scenario.Uniform or Scenario.Parabola or Scenario.FrictionSlide)
                    Assert.Equal(c.Parameters["v_a"], c.Frames[0].Objects[0].Vx, 12);
                if (s == Scenario.DropBounce)
                    Assert.Equal(c.Parameters["v_a"], Math.Sqrt(2 * WorldConstants.Gravity * c.Parameters["h_a"]), 9);
            }
    }

    [Fact]
    public void UserRanges_GapAndColourPairing_AreRespected()
    {
        var ranges = new SplitRanges("gap", [new(0.7, 0.8), new(1.3, 1.4)], [new(1, 1.5), new(3.5, 4)],
            new Dictionary<string, IReadOnlyList<Interval>> { ["blue"] = [new(5, 5.5)] }).Validate();
        for (var i = 0; i < 40; i++)
        {
            var c = WorldGenerator.Generate(new ClipSpec(Scenario.Collision, ranges, (ulong)i, 32, 32));
            Assert.True(c.Parameters["r_a"] is (>= 0.7 and <= 0.8) or (>= 1.3 and <= 1.4));
            Assert.True(c.Parameters["v_a"] is (>= 1 and <= 1.5) or (>= 3.5 and <= 4));
            Assert.InRange(c.Parameters["v_b"], 5, 5.5);
            Assert.Equal("gap", c.Split);
        }
    }

    [Fact]
    public void SplitRanges_BadInput_Throws()
    {
        Assert.Throws<ArgumentException>(() => SplitRanges.Standard("validation"));
        Assert.Throws<ArgumentException>(() => new SplitRanges("x", [new(2, 1)], [new(1, 2)]).Validate());
        Assert.Throws<ArgumentException>(() => new SplitRanges("x", [new(0, 1)], [new(1, 2)]).Validate());
        Assert.Throws<ArgumentException>(() => new ClipSpec(Scenario.Uniform, SplitRanges.Standard("train"), 1, Frames: 16).Validate());
        var path = Path.Combine(Path.GetTempPath(), $"ranges-{Guid.NewGuid():N}.json");
        File.WriteAllText(path, "{\"name\":\"a\",\"radius\":[{\"min\":1,\"max\":2}],\"speed\":[],\"oops\":1}");
        try
        {
            Assert.Throws<InvalidDataException>(() => SplitRanges.Load(path));
            File.WriteAllText(path, "{\"name\":\"pair\",\"radius\":[{\"min\":1,\"max\":2}],\"speed\":[{\"min\":1,\"max\":2}],\"colour_speed\":{\"red\":[{\"min\":4,\"max\":5}]}}");
            var pair = SplitRanges.Load(path);
            Assert.Equal(new Interval(4, 5), pair.SpeedFor("red")[0]);
            Assert.Equal(new Interval(1, 2), pair.SpeedFor("blue")[0]);
            File.WriteAllText(path, "{\"name\":\"pair\",\"radius\":[{\"min\":1,\"max\":2}],\"speed\":[{\"min\":1,\"max\":2}],\"colour_speed\":{\"pink\":[{\"min\":4,\"max\":5}]}}");
            Assert.Throws<ArgumentException>(() => SplitRanges.Load(path));
        }
        finally { File.Delete(path); }
    }

    [Fact]
    public void CoreCollisions_ContactAfterConditioningFrames_WithFourFramesAfter()
    {
        foreach (var s in new[] { Scenario.Collision, Scenario.WallCollision })
            for (var i = 0; i < 30; i++)
            {
                var c = Gen(s, "train", i);
                var first = c.Events.First(e => e.Kind == "collision").Time;
                Assert.InRange(first, 0.5 - 1e-9, c.Frames[^1].Time - 0.4 + 1e-9);
            }
    }

    [Fact]
    public void Generate_Frames_HaveGroundTruthForEveryObject()
    {
        var c = Gen(Scenario.DropBounce, "train", 1, frames: 33, size: 64);
        Assert.Equal(33, c.Frames.Count);
        Assert.Equal(10, c.Render.Fps);
        Assert.Equal(64, c.Camera.Width);
        Assert.All(c.Frames, f => Assert.Equal(c.Objects.Count, f.Objects.Count));
        Assert.Equal(3.2, c.Frames[^1].Time, 12);
        // Contacts mark the frame after each bounce.
        foreach (var e in c.Events.Where(e => e.Kind == "floor_bounce"))
        {
            var k = (int)Math.Ceiling(e.Time / 0.1 - 1e-9);
            Assert.Contains("floor_bounce", c.Frames[k].Objects[e.Object].Contacts);
        }
    }

    [Fact]
    public void Json_RoundTrips_AndRejectsUnknownKeysAndVersions()
    {
        var c = Gen(Scenario.WallCollision, "test-ood-rv", 2);
        var json = c.ToJson();
        Assert.Contains("\"scenario\": \"wall_collision\"", json);
        Assert.Contains("\"schema_version\": 1", json);
        var back = WorldClip.FromJson(json);
        Assert.Equal(json, back.ToJson());
        Assert.Equal(Renderer.Render(c), Renderer.Render(back));
        Assert.Throws<InvalidDataException>(() => WorldClip.FromJson(json.Replace("\"split\"", "\"splitt\"")));
        Assert.Throws<InvalidDataException>(() => WorldClip.FromJson(json.Replace("\"schema_version\": 1", "\"schema_version\": 9")));
        Assert.Throws<InvalidDataException>(() => WorldClip.FromJson("{"));
    }

    [Fact]
    public void ScenarioNames_ParseListExpandsAndRejects()
    {
        Assert.Equal(8, ScenarioNames.ParseList("all").Count);
        Assert.Equal([Scenario.Uniform, Scenario.Pendulum], ScenarioNames.ParseList("s1, pendulum,S1"));
        Assert.Throws<ArgumentException>(() => ScenarioNames.ParseList("s9"));
        Assert.DoesNotMatch(new Regex("[0-9]"), string.Join(" ", ScenarioNames.All.Select(ScenarioNames.Name)));
    }

    [Fact]
    public void FrictionClips_MostlyStopOnCamera_AtClosedFormDistance()
    {
        var stops = 0;
        for (var i = 0; i < 40; i++)
        {
            var c = Gen(Scenario.FrictionSlide, "train", i);
            double v = c.Parameters["v_a"], mu = c.Parameters["mu"], x0 = c.Parameters["x0_a"];
            Assert.True(x0 + v * v / (2 * mu * WorldConstants.Gravity) + c.Parameters["r_a"] <= WorldConstants.Size + 1e-9);
            if (!c.Events.Any(e => e.Kind == "stop")) continue;
            stops++;
            Assert.Equal(x0 + v * v / (2 * mu * WorldConstants.Gravity), c.Frames[^1].Objects[0].X, 10);
        }
        Assert.InRange(stops, 20, 40);
    }

    [Fact]
    public void ZeroSpeedBucket_GivesStaticClipsAndHonestCaptions()
    {
        var still = new SplitRanges("test-v0", SplitRanges.IdRadius, [new(0, 0)]);
        foreach (var s in ScenarioNames.All.Where(s => s != Scenario.Pendulum && s != Scenario.Parabola))
        {
            var c = WorldGenerator.Generate(new ClipSpec(s, still, 9, 32, 32));
            Assert.All(c.Frames, f => Assert.All(f.Objects, o => Assert.Equal(c.Frames[0].Objects[o.Id].X, o.X, 12)));
            Assert.DoesNotContain(c.Events, e => e.Kind is "collision" or "wall");
            Assert.Matches("still|rests", c.Caption);
        }
    }
}
