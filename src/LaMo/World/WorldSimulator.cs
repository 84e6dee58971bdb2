namespace LaMo.World;

/// <summary>Exact event-driven kinematics of discs with piecewise-constant accelerations.</summary>
/// <remarks>Between events every body moves on a closed-form parabola (gravity), a line, or a uniformly
/// decelerating slide (friction mu g). Event times are roots of quadratics: ball-ball contact
/// (|Δp + Δv t| = r1 + r2, for bodies with equal acceleration, which is every contact our scenarios create),
/// ball-wall (x + r = wall), ball-floor (y - r = floor) and friction stop (t = |v| / (mu g)). Responses: elastic
/// impulse along the line of centres with m = r^2, wall restitution 1, floor restitution e (a bounce slower than
/// <see cref="RestSpeed"/> settles, cutting off the Zeno tail).</remarks>
public sealed class WorldSimulator
{
    /// <summary>Rebound speed below which a floor bounce settles (units/s; apex below 0.0005 units).</summary>
    public const double RestSpeed = 0.05;

    private const double Eps = 1e-12;
    private const int MaxEvents = 100_000;

    private readonly Body[] _bodies;
    private readonly double? _wallX;
    private readonly double? _floorY;
    private readonly double _g;

    /// <summary>Creates a simulator at t = 0.</summary>
    /// <param name="bodies">Initial states; a gravity body whose bottom touches the floor with vy = 0 starts on the floor.</param>
    /// <param name="wallX">Left face of a vertical wall, or null.</param>
    /// <param name="floorY">Top of the floor, or null.</param>
    /// <param name="gravity">g in units/s^2.</param>
    public WorldSimulator(IReadOnlyList<BodyInit> bodies, double? wallX, double? floorY, double gravity = WorldConstants.Gravity)
    {
        _bodies = bodies.Select(b => new Body(b, floorY, gravity)).ToArray();
        _wallX = wallX;
        _floorY = floorY;
        _g = gravity;
    }

    /// <summary>Runs to each time in <paramref name="times"/> (ascending) and samples every body there.</summary>
    /// <returns>Per time, one sample per body (input order), and all events up to the last time.</returns>
    /// <exception cref="ArgumentException">Times not ascending or negative.</exception>
    public (IReadOnlyList<BodySample[]> Samples, IReadOnlyList<WorldEvent> Events) Run(IReadOnlyList<double> times)
    {
        var samples = new List<BodySample[]>(times.Count);
        var events = new List<WorldEvent>();
        double now = 0, previous = 0;
        foreach (var t in times)
        {
            if (t < previous || t < 0) throw new ArgumentException("sample times must be ascending and >= 0", nameof(times));
            previous = t;
            while (true)
            {
                var next = NextEvent();
                if (next.Dt is null || now + next.Dt.Value > t) break;
                foreach (var b in _bodies) b.Advance(next.Dt.Value);
                now += next.Dt.Value;
                Resolve(next, now, events);
                if (events.Count > MaxEvents) throw new InvalidOperationException("event limit exceeded (stuck simulation)");
            }
            samples.Add(_bodies.Select(b => b.SampleAfter(t - now)).ToArray());
        }
        return (samples, events);
    }

    private readonly record struct Pending(double? Dt, string Kind, int I, int J);

    private Pending NextEvent()
    {
        var best = new Pending(null, "", -1, -1);
        void Offer(double? dt, string kind, int i, int j)
        {
            if (dt is { } d && (best.Dt is null || d < best.Dt)) best = new Pending(d, kind, i, j);
        }
        for (var i = 0; i < _bodies.Length; i++)
        {
            var b = _bodies[i];
            if (_wallX is { } w)
                Offer(FirstRoot(0.5 * b.Ax, b.Vx, b.X + b.R - w, (tt) => b.Vx + b.Ax * tt > 0), "wall", i, -1);
            if (_floorY is { } f && b.Gravity && !b.OnFloor)
                Offer(FirstRoot(0.5 * b.Ay, b.Vy, b.Y - b.R - f, (tt) => b.Vy + b.Ay * tt < 0), "floor_bounce", i, -1);
            if (b.OnFloor && b.Mu > 0 && b.Vx != 0) Offer(Math.Abs(b.Vx) / (b.Mu * _g), "stop", i, -1);
            for (var j = i + 1; j < _bodies.Length; j++) Offer(ContactTime(b, _bodies[j]), "collision", i, j);
        }
        return best;
    }

    private static double? ContactTime(Body a, Body b)
    {
        // Equal accelerations cancel in the relative motion, leaving |p + w t| = R: a quadratic.
        if (a.Ax != b.Ax || a.Ay != b.Ay) return null;
        double px = b.X - a.X, py = b.Y - a.Y, wx = b.Vx - a.Vx, wy = b.Vy - a.Vy, rr = a.R + b.R;
        var pw = px * wx + py * wy;
        if (pw >= 0) return null; // separating or parallel
        var ww = wx * wx + wy * wy;
        var c = px * px + py * py - rr * rr;
        if (c <= 0) return 0; // touching (numerically) and approaching
        var disc = pw * pw - ww * c;
        if (disc < 0) return null;
        return c / (-pw + Math.Sqrt(disc)); // smaller root, cancellation-free form
    }

    private static double? FirstRoot(double a, double b, double c, Func<double, bool> valid)
    {
        double? best = null;
        void Try(double t)
        {
            if (t > -Eps && valid(Math.Max(t, 0)) && (best is null || t < best)) best = Math.Max(t, 0);
        }
        if (Math.Abs(a) < 1e-15)
        {
            if (b != 0) Try(-c / b);
            return best;
        }
        var disc = b * b - 4 * a * c;
        if (disc < 0) return null;
        var q = -0.5 * (b + (b >= 0 ? 1 : -1) * Math.Sqrt(disc));
        if (q != 0) { Try(q / a); Try(c / q); }
        else Try(0);
        return best;
    }

    private void Resolve(Pending e, double now, List<WorldEvent> events)
    {
        var a = _bodies[e.I];
        switch (e.Kind)
        {
            case "wall":
                a.X = _wallX!.Value - a.R;
                a.Vx = -a.Vx;
                break;
            case "floor_bounce":
                a.Y = _floorY!.Value + a.R;
                a.Vy = -a.Restitution * a.Vy;
                if (a.Vy < RestSpeed)
                {
                    events.Add(new WorldEvent(now, e.Kind, a.Id, null));
                    a.Vy = 0;
                    a.OnFloor = true;
                    e = e with { Kind = "rest" };
                }
                break;
            case "stop":
                a.Vx = 0;
                break;
            case "collision":
                Collide(a, _bodies[e.J]);
                break;
        }
        a.UpdateAcceleration(_g);
        events.Add(new WorldEvent(now, e.Kind, a.Id, e.J >= 0 ? _bodies[e.J].Id : null));
    }

    private void Collide(Body a, Body b)
    {
        double nx = b.X - a.X, ny = b.Y - a.Y;
        var len = Math.Sqrt(nx * nx + ny * ny);
        nx /= len;
        ny /= len;
        var u = (b.Vx - a.Vx) * nx + (b.Vy - a.Vy) * ny; // < 0 when approaching
        double ma = a.M, mb = b.M, sum = ma + mb;
        // 1-D elastic formulae applied along the line of centres.
        a.Vx += 2 * mb / sum * u * nx;
        a.Vy += 2 * mb / sum * u * ny;
        b.Vx -= 2 * ma / sum * u * nx;
        b.Vy -= 2 * ma / sum * u * ny;
        b.UpdateAcceleration(_g);
    }

    private sealed class Body
    {
        public readonly int Id;
        public readonly double R, M, Restitution, Mu;
        public readonly bool Gravity;
        public double X, Y, Vx, Vy, Ax, Ay;
        public bool OnFloor;

        public Body(BodyInit b, double? floorY, double g)
        {
            (Id, R, M, X, Y, Vx, Vy) = (b.Id, b.Radius, WorldConstants.Mass(b.Radius), b.X, b.Y, b.Vx, b.Vy);
            (Gravity, Restitution, Mu) = (b.Gravity, b.Restitution, b.Friction);
            OnFloor = Gravity && floorY is { } f && Math.Abs(Y - R - f) < 1e-12 && Vy == 0;
            UpdateAcceleration(g);
        }

        public void UpdateAcceleration(double g)
        {
            Ay = Gravity && !OnFloor ? -g : 0;
            Ax = OnFloor && Mu > 0 && Vx != 0 ? -Math.Sign(Vx) * Mu * g : 0;
        }

        public void Advance(double dt)
        {
            X += Vx * dt + 0.5 * Ax * dt * dt;
            Y += Vy * dt + 0.5 * Ay * dt * dt;
            Vx += Ax * dt;
            Vy += Ay * dt;
        }

        public BodySample SampleAfter(double dt) => new(Id,
            X + Vx * dt + 0.5 * Ax * dt * dt, Y + Vy * dt + 0.5 * Ay * dt * dt, Vx + Ax * dt, Vy + Ay * dt, OnFloor);
    }
}
