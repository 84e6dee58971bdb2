using LaMo.World;
using Xunit;

namespace LaMo.Tests.World;

public class WorldPhysicsTests
{
    private const double G = WorldConstants.Gravity;

    [Theory]
    [InlineData(1.0, 0.7)]
    [InlineData(3.2, 0.9)]
    [InlineData(0.25, 0.5)]
    public void Drop_FirstImpact_AtSqrt2hOverG(double h, double e)
    {
        const double r = 0.8, floor = 0.5;
        var sim = new WorldSimulator([new BodyInit(0, r, 5, floor + r + h, 0, 0, Gravity: true, Restitution: e)], null, floor);
        var (_, events) = sim.Run([5.0]);
        var first = events.First(x => x.Kind == "floor_bounce");
        Assert.Equal(Math.Sqrt(2 * h / G), first.Time, 12);
    }

    [Theory]
    [InlineData(0.8)]
    [InlineData(0.6)]
    public void Drop_SuccessiveBounceHeights_RatioIsESquared(double e)
    {
        const double r = 1, floor = 0.5, h = 4;
        var sim = new WorldSimulator([new BodyInit(0, r, 5, floor + r + h, 0, 0, Gravity: true, Restitution: e)], null, floor);
        var times = Enumerable.Range(0, 150001).Select(i => i * 1e-4).ToArray();
        var (samples, _) = sim.Run(times);
        var heights = samples.Select(s => s[0].Y - r - floor).ToArray();
        // Apexes are interior local maxima of the height; the first is the release height.
        var apex = new List<double> { heights[0] };
        for (var i = 1; i < heights.Length - 1; i++)
            if (heights[i] > heights[i - 1] && heights[i] >= heights[i + 1] && heights[i] > 1e-3) apex.Add(heights[i]);
        Assert.True(apex.Count >= 4, $"only {apex.Count} apexes");
        for (var i = 1; i < 4; i++) Assert.Equal(e * e, apex[i] / apex[i - 1], 4);
    }

    [Fact]
    public void Drop_EventuallySettles_AndStaysOnFloor()
    {
        const double r = 0.7, floor = 0.5;
        var sim = new WorldSimulator([new BodyInit(0, r, 5, floor + r + 2, 0, 0, Gravity: true, Restitution: 0.5)], null, floor);
        var (samples, events) = sim.Run([20.0]);
        Assert.Contains(events, x => x.Kind == "rest");
        Assert.Equal(floor + r, samples[0][0].Y, 12);
        Assert.True(samples[0][0].OnFloor);
    }

    [Theory]
    [InlineData(0.7, 1.4, 3.0, -1.0)]
    [InlineData(1.2, 0.8, 1.5, -4.0)]
    [InlineData(1.0, 1.0, 2.0, -2.0)]
    public void HeadOnCollision_MatchesOneDimensionalElasticFormula(double r1, double r2, double v1, double v2)
    {
        var sim = new WorldSimulator([new BodyInit(0, r1, 2, 5, v1, 0), new BodyInit(1, r2, 8, 5, v2, 0)], null, null);
        var (samples, events) = sim.Run([10.0 / (v1 - v2)]);
        var hit = Assert.Single(events);
        Assert.Equal("collision", hit.Kind);
        Assert.Equal((6 - r1 - r2) / (v1 - v2), hit.Time, 12);
        double m1 = r1 * r1, m2 = r2 * r2;
        Assert.Equal(((m1 - m2) * v1 + 2 * m2 * v2) / (m1 + m2), samples[0][0].Vx, 12);
        Assert.Equal(((m2 - m1) * v2 + 2 * m1 * v1) / (m1 + m2), samples[0][1].Vx, 12);
    }

    [Fact]
    public void ObliqueCollision_ConservesMomentumAndEnergy()
    {
        var sim = new WorldSimulator([new BodyInit(0, 0.9, 2, 4.6, 3, 0.2), new BodyInit(1, 1.3, 7, 5.5, -1, 0)], null, null);
        var (s, events) = sim.Run([0.0, 3.0]);
        Assert.Contains(events, e => e.Kind == "collision");
        AssertConserved(s[0], s[1], [0.81, 1.69]);
    }

    [Theory]
    [MemberData(nameof(Splits))]
    public void CollisionClips_EveryFrameConservesMomentumAndEnergy(string split)
    {
        for (var i = 0; i < 20; i++)
        {
            var clip = Generate(Scenario.Collision, split, i, frames: 33);
            Assert.Contains(clip.Events, e => e.Kind == "collision");
            var m = clip.Objects.Select(o => o.Mass).ToArray();
            var first = clip.Frames[0].Objects.Select(o => new BodySample(o.Id, o.X, o.Y, o.Vx, o.Vy, false)).ToArray();
            foreach (var f in clip.Frames)
                AssertConserved(first, f.Objects.Select(o => new BodySample(o.Id, o.X, o.Y, o.Vx, o.Vy, false)).ToArray(), m);
        }
    }

    [Fact]
    public void WallCollisionClips_BallBallEventsConserve_WallEventsReflect()
    {
        var collisions = 0;
        for (var i = 0; i < 30; i++)
        {
            var clip = Generate(Scenario.WallCollision, "train", i, frames: 33);
            var bodies = clip.Frames[0].Objects.Select(o => new BodyInit(o.Id, o.Radius, o.X, o.Y, o.Vx, o.Vy)).ToArray();
            foreach (var e in clip.Events)
            {
                // Straddle each event closely; no two events in these clips are 2e-7 s apart.
                var (s, _) = new WorldSimulator(bodies, WorldConstants.WallX, null).Run([e.Time - 1e-7, e.Time + 1e-7]);
                if (e.Kind == "collision")
                {
                    collisions++;
                    AssertConserved(s[0], s[1], clip.Objects.Select(o => o.Mass).ToArray(), tol: 1e-9);
                }
                else
                {
                    Assert.Equal("wall", e.Kind);
                    Assert.Equal(-s[0][e.Object].Vx, s[1][e.Object].Vx, 9);
                    Assert.Equal(WorldConstants.WallX, s[0][e.Object].X + clip.Objects[e.Object].Radius, 5);
                }
            }
        }
        Assert.True(collisions >= 30);
    }

    [Fact]
    public void UniformAndParabolaClips_MatchClosedForms()
    {
        for (var i = 0; i < 10; i++)
        {
            var u = Generate(Scenario.Uniform, "train", i);
            var p = Generate(Scenario.Parabola, "train", i);
            foreach (var (clip, g) in new[] { (u, 0.0), (p, G) })
            {
                var o0 = clip.Frames[0].Objects[0];
                foreach (var f in clip.Frames)
                {
                    var o = f.Objects[0];
                    Assert.Equal(o0.X + clip.Parameters["v_a"] * f.Time, o.X, 12);
                    Assert.Equal(o0.Y - 0.5 * g * f.Time * f.Time, o.Y, 12);
                    Assert.Equal(-g * f.Time, o.Vy, 12);
                }
            }
        }
    }

    [Fact]
    public void WallBounceClips_MatchMirroredClosedForm()
    {
        for (var i = 0; i < 10; i++)
        {
            var clip = Generate(Scenario.WallBounce, "test-ood-v", i);
            double v = clip.Parameters["v_a"], x0 = clip.Parameters["x0_a"], r = clip.Parameters["r_a"];
            var hit = (WorldConstants.WallX - r - x0) / v;
            Assert.Equal(hit, Assert.Single(clip.Events).Time, 12);
            foreach (var f in clip.Frames)
            {
                var free = x0 + v * f.Time;
                var expected = f.Time <= hit ? free : 2 * (WorldConstants.WallX - r) - free; // mirror image
                Assert.Equal(expected, f.Objects[0].X, 10);
            }
        }
    }

    [Theory]
    [InlineData(3.0, 0.4)]
    [InlineData(1.0, 0.05)]
    public void Friction_StopsAfterVSquaredOver2MuG(double v, double mu)
    {
        const double r = 1, floor = 0.5;
        var sim = new WorldSimulator([new BodyInit(0, r, 1, floor + r, v, 0, Gravity: true, Friction: mu)], null, floor);
        var (s, events) = sim.Run([100.0]);
        var stop = Assert.Single(events);
        Assert.Equal("stop", stop.Kind);
        Assert.Equal(v / (mu * G), stop.Time, 10);
        Assert.Equal(1 + v * v / (2 * mu * G), s[0][0].X, 10);
        Assert.Equal(0, s[0][0].Vx);
        Assert.Equal(floor + r, s[0][0].Y, 12);
    }

    [Theory]
    [InlineData(2.0)]
    [InlineData(4.5)]
    public void Pendulum_SmallAngle_PeriodIs2PiSqrtLOverG(double length)
    {
        var p = new PendulumMotion(length, 0.002);
        var expected = 2 * Math.PI * Math.Sqrt(length / G);
        Assert.Equal(expected, p.Period, 5);
        // Independently of Period: theta crosses zero at T/4 and 3T/4.
        double Cross(double lo, double hi)
        {
            for (var i = 0; i < 200; i++)
            {
                var mid = 0.5 * (lo + hi);
                if (Math.Sign(p.At(mid).Theta) == Math.Sign(p.At(lo).Theta)) lo = mid; else hi = mid;
            }
            return lo;
        }
        var half = Cross(0.5 * expected, expected) - Cross(0, 0.5 * expected);
        Assert.Equal(expected / 2, half, 5);
    }

    [Fact]
    public void Pendulum_LargeAmplitude_MatchesRk4AndConservesEnergy()
    {
        const double len = 3, theta0 = -1.2;
        var p = new PendulumMotion(len, theta0);
        double th = theta0, w = 0, t = 0;
        const double dt = 1e-4;
        static (double, double) F(double a, double b) => (b, -G / len * Math.Sin(a));
        for (var step = 1; step <= 40000; step++)
        {
            var (k1a, k1b) = F(th, w);
            var (k2a, k2b) = F(th + dt / 2 * k1a, w + dt / 2 * k1b);
            var (k3a, k3b) = F(th + dt / 2 * k2a, w + dt / 2 * k2b);
            var (k4a, k4b) = F(th + dt * k3a, w + dt * k3b);
            th += dt / 6 * (k1a + 2 * k2a + 2 * k3a + k4a);
            w += dt / 6 * (k1b + 2 * k2b + 2 * k3b + k4b);
            t = step * dt;
            if (step % 5000 == 0)
            {
                var exact = p.At(t);
                Assert.Equal(th, exact.Theta, 7);
                Assert.Equal(w, exact.Omega, 7);
                var (x, y, vx, vy) = p.Bob(t, 5, 9.5);
                var energy = 0.5 * (vx * vx + vy * vy) + G * y;
                Assert.Equal(G * (9.5 - len * Math.Cos(theta0)), energy, 9);
                Assert.Equal(len, Math.Sqrt((x - 5) * (x - 5) + (y - 9.5) * (y - 9.5)), 12);
            }
        }
    }

    public static TheoryData<string> Splits() => new(SplitRanges.StandardNames);

    internal static WorldClip Generate(Scenario s, string split, int index, int frames = 17, int size = 32) =>
        WorldGenerator.Generate(new ClipSpec(s, SplitRanges.Standard(split), WorldGenerator.ClipSeed(7, split, s, index), size, size, frames));

    private static void AssertConserved(BodySample[] a, BodySample[] b, double[] m, double tol = 1e-10)
    {
        double Px(BodySample[] s) => s.Select((x, i) => m[i] * x.Vx).Sum();
        double Py(BodySample[] s) => s.Select((x, i) => m[i] * x.Vy).Sum();
        double E(BodySample[] s) => s.Select((x, i) => 0.5 * m[i] * (x.Vx * x.Vx + x.Vy * x.Vy)).Sum();
        Assert.True(Math.Abs(Px(a) - Px(b)) < tol, $"px {Px(a)} -> {Px(b)}");
        Assert.True(Math.Abs(Py(a) - Py(b)) < tol, $"py {Py(a)} -> {Py(b)}");
        Assert.True(Math.Abs(E(a) - E(b)) < tol * Math.Max(1, E(a)), $"E {E(a)} -> {E(b)}");
    }
}
