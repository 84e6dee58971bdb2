namespace LaMo.World;

/// <summary>Samples initial conditions for each scenario from a split's ranges (docs/physics-benchmark.md table).</summary>
internal static class ScenarioSampler
{
    private const double G = WorldConstants.Gravity;
    private const double W = WorldConstants.Size;

    public static ScenarioSetup Sample(Scenario s, SplitRanges ranges, int frames, WorldRng rng)
    {
        var duration = (frames - 1) * WorldConstants.FrameInterval;
        return s switch
        {
            Scenario.Uniform => Uniform(ranges, duration, rng, wall: false),
            Scenario.WallBounce => Uniform(ranges, duration, rng, wall: true),
            Scenario.Collision => Collision(ranges, duration, rng, wall: false),
            Scenario.WallCollision => Collision(ranges, duration, rng, wall: true),
            Scenario.Parabola => Parabola(ranges, duration, rng),
            Scenario.DropBounce => Drop(ranges, rng),
            Scenario.FrictionSlide => Friction(ranges, duration, rng),
            Scenario.Pendulum => Pendulum(ranges, rng),
            _ => throw new ArgumentOutOfRangeException(nameof(s)),
        };
    }

    // Contact/bounce after the conditioning frames (0..4) with at least 4 frames after it, where the clip allows.
    private static (double Lo, double Hi) EventWindow(double duration)
    {
        var lo = Math.Min(0.5, 0.4 * duration);
        return (lo, Math.Max(lo, duration - 0.4));
    }

    private static ObjectSpec Obj(int id, string colour, double r, double e = 1, double mu = 0) =>
        new(id, ((char)('A' + id)).ToString(), colour, Palette.Of(colour), r, WorldConstants.Mass(r), e, mu);

    private static SceneGeometry Scene(double? wall = null, double? floor = null, double g = 0,
        double? px = null, double? py = null, double? len = null) => new(wall, floor, px, py, len, g);

    private static ScenarioSetup Uniform(SplitRanges ranges, double duration, WorldRng rng, bool wall)
    {
        var r = Interval.SampleUnion(ranges.Radius, rng);
        var v = Interval.SampleUnion(ranges.SpeedFor("red"), rng);
        var y = rng.Uniform(r + 0.5, 9.5 - r);
        double x;
        var p = new SortedDictionary<string, double> { ["r_a"] = r, ["v_a"] = v, ["y0"] = y };
        if (wall && v > 0)
        {
            var (lo, hi) = EventWindow(duration);
            var th = rng.Uniform(lo, hi);
            x = WorldConstants.WallX - r - v * th;
            p["t_wall"] = th;
        }
        else
        {
            var right = wall ? WorldConstants.WallX : W;
            x = rng.Uniform(r, Math.Max(r, right - r - v * duration));
        }
        p["x0_a"] = x;
        return new([Obj(0, "red", r)], [new BodyInit(0, r, x, y, v, 0)],
            Scene(wall: wall ? WorldConstants.WallX : null), "white", p);
    }

    private static ScenarioSetup Collision(SplitRanges ranges, double duration, WorldRng rng, bool wall)
    {
        var r1 = Interval.SampleUnion(ranges.Radius, rng);
        var r2 = Interval.SampleUnion(ranges.Radius, rng);
        var v1 = Interval.SampleUnion(ranges.SpeedFor("red"), rng);
        var v2 = Interval.SampleUnion(ranges.SpeedFor("blue"), rng);
        var rmax = Math.Max(r1, r2);
        var y = rng.Uniform(rmax + 0.5, 9.5 - rmax);
        var right = wall ? WorldConstants.WallX : W;
        var p = new SortedDictionary<string, double> { ["r_a"] = r1, ["r_b"] = r2, ["v_a"] = v1, ["v_b"] = v2, ["y0"] = y };
        double xa, xb;
        if (v1 + v2 > 0)
        {
            var (lo, hi) = EventWindow(duration);
            // Latest contact that still starts both balls fully visible.
            var tVisible = (right - 2 * r1 - 2 * r2) / (v1 + v2);
            var tc = tVisible >= lo ? rng.Uniform(lo, Math.Min(hi, tVisible)) : lo;
            double xcLo = 2 * r1 + v1 * tc, xcHi = right - 2 * r2 - v2 * tc;
            // Near the wall (S5): contact within 1 unit of the rightmost admissible point.
            var xc = xcLo > xcHi ? 0.5 * (xcLo + xcHi)
                : wall ? xcHi - rng.Uniform(0, Math.Min(1.0, xcHi - xcLo))
                : rng.Uniform(xcLo, xcHi);
            xa = xc - r1 - v1 * tc;
            xb = xc + r2 + v2 * tc;
            p["t_contact"] = tc;
        }
        else
        {
            xa = right / 2 - r1 - 0.5;
            xb = right / 2 + r2 + 0.5;
        }
        p["x0_a"] = xa;
        p["x0_b"] = xb;
        return new([Obj(0, "red", r1), Obj(1, "blue", r2)],
            [new BodyInit(0, r1, xa, y, v1, 0), new BodyInit(1, r2, xb, y, -v2, 0)],
            Scene(wall: wall ? WorldConstants.WallX : null), "white", p);
    }

    private static ScenarioSetup Parabola(SplitRanges ranges, double duration, WorldRng rng)
    {
        var r = Interval.SampleUnion(ranges.Radius, rng);
        var v = Interval.SampleUnion(ranges.SpeedFor("red"), rng);
        var y = rng.Uniform(8.5 - r, 9.5 - r);
        var x = rng.Uniform(r, Math.Max(r, W - r - v * duration));
        var p = new SortedDictionary<string, double> { ["r_a"] = r, ["v_a"] = v, ["x0_a"] = x, ["y0"] = y };
        return new([Obj(0, "red", r)], [new BodyInit(0, r, x, y, v, 0, Gravity: true)], Scene(g: G), "white", p);
    }

    private static string[] Colours(WorldRng rng, int n)
    {
        var pool = Palette.BallColours.ToList();
        var result = new string[n];
        for (var i = 0; i < n; i++)
        {
            var k = rng.NextInt(pool.Count);
            result[i] = pool[k];
            pool.RemoveAt(k);
        }
        return result;
    }

    private static ScenarioSetup Drop(SplitRanges ranges, WorldRng rng)
    {
        var n = rng.Chance(0.5) ? 2 : 1;
        var colours = Colours(rng, n);
        var background = rng.Pick(Palette.Backgrounds);
        var objects = new List<ObjectSpec>();
        var bodies = new List<BodyInit>();
        var p = new SortedDictionary<string, double>();
        for (var i = 0; i < n; i++)
        {
            var tag = (char)('a' + i);
            var r = Interval.SampleUnion(ranges.Radius, rng);
            var v = Interval.SampleUnion(ranges.SpeedFor(colours[i]), rng);
            var h = v * v / (2 * G); // impact speed sqrt(2 g h) = v
            var e = rng.Uniform(0.5, 0.9);
            // Two balls get disjoint halves, so they can never touch.
            var (lo, hi) = n == 1 ? (r + 1, W - r - 1) : i == 0 ? (r, W / 2 - r) : (W / 2 + r, W - r);
            var x = rng.Uniform(lo, Math.Max(lo, hi));
            var y = WorldConstants.FloorY + r + h;
            objects.Add(Obj(i, colours[i], r, e: e));
            bodies.Add(new BodyInit(i, r, x, y, 0, 0, Gravity: true, Restitution: e));
            (p[$"r_{tag}"], p[$"v_{tag}"], p[$"h_{tag}"], p[$"e_{tag}"], p[$"x0_{tag}"]) = (r, v, h, e, x);
        }
        return new(objects, bodies, Scene(floor: WorldConstants.FloorY, g: G), background, p);
    }

    private static ScenarioSetup Friction(SplitRanges ranges, double duration, WorldRng rng)
    {
        var colour = rng.Pick(Palette.BallColours);
        var background = rng.Pick(Palette.Backgrounds);
        var r = Interval.SampleUnion(ranges.Radius, rng);
        var v = Interval.SampleUnion(ranges.SpeedFor(colour), rng);
        var x = rng.Uniform(r, r + 1);
        var d = rng.Uniform(0.4, 0.95) * (W - r - x); // stopping distance inside the frame
        // Most clips show the stop itself: stopping time 2d/v in [0.4, 0.9] of the clip.
        if (v > 0 && rng.Chance(0.7)) d = Math.Min(d, v * rng.Uniform(0.4, 0.9) * duration / 2);
        var mu = v > 0 ? v * v / (2 * G * d) : 0.3;
        var y = WorldConstants.FloorY + r;
        var p = new SortedDictionary<string, double> { ["r_a"] = r, ["v_a"] = v, ["x0_a"] = x, ["mu"] = mu, ["stop_distance"] = v > 0 ? d : 0 };
        return new([Obj(0, colour, r, mu: mu)], [new BodyInit(0, r, x, y, v, 0, Gravity: true, Friction: mu)],
            Scene(floor: WorldConstants.FloorY, g: G), background, p);
    }

    private static ScenarioSetup Pendulum(SplitRanges ranges, WorldRng rng)
    {
        const double px = W / 2, py = 9.5;
        var colour = rng.Pick(Palette.BallColours);
        var background = rng.Pick(Palette.Backgrounds);
        var r = Interval.SampleUnion(ranges.Radius, rng);
        var len = rng.Uniform(2, 5);
        var minDeg = 10.0;
        var maxDeg = Math.Max(minDeg, Math.Min(45, Math.Asin(Math.Min(1, (W / 2 - 0.2 - r) / len)) * 180 / Math.PI));
        var theta0 = rng.Uniform(minDeg, maxDeg) * Math.PI / 180 * (rng.Chance(0.5) ? -1 : 1);
        var motion = new PendulumMotion(len, theta0);
        var (x, y, _, _) = motion.Bob(0, px, py);
        var p = new SortedDictionary<string, double> { ["r_a"] = r, ["length"] = len, ["theta0"] = theta0, ["period"] = motion.Period };
        return new([Obj(0, colour, r)], [new BodyInit(0, r, x, y, 0, 0)],
            Scene(g: G, px: px, py: py, len: len), background, p, motion);
    }
}
