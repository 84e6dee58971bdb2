namespace LaMo.World;

/// <summary>Turns a <see cref="ClipSpec"/> into a ground-truth <see cref="WorldClip"/> (simulation + caption).</summary>
public static class WorldGenerator
{
    /// <summary>The seed of clip <paramref name="index"/> of a dataset: independent streams per split name and scenario,
    /// so train and test-id never share samples for the same base seed.</summary>
    public static ulong ClipSeed(ulong baseSeed, string split, Scenario scenario, int index) =>
        WorldRng.Derive(baseSeed, WorldRng.Hash(split), (ulong)scenario, (ulong)index);

    /// <summary>Samples, simulates and captions one clip. Deterministic in the spec.</summary>
    /// <exception cref="ArgumentException">Invalid spec.</exception>
    public static WorldClip Generate(ClipSpec spec)
    {
        spec.Validate();
        var rng = new WorldRng(spec.Seed);
        var setup = ScenarioSampler.Sample(spec.Scenario, spec.Ranges, spec.Frames, rng);
        var times = Enumerable.Range(0, spec.Frames).Select(k => k * WorldConstants.FrameInterval).ToArray();
        var (frames, events) = setup.Pendulum is { } pend ? SwingPendulum(setup, pend, times) : Simulate(setup, times);
        var bg = setup.Background;
        var clip = new WorldClip(WorldClip.CurrentSchemaVersion, spec.Scenario, spec.Ranges.Name, spec.Seed, "",
            setup.Parameters, Camera.For(spec.Width, spec.Height),
            new RenderInfo(spec.Width, spec.Height, spec.Frames, 1 / WorldConstants.FrameInterval,
                WorldConstants.Supersample, bg, Palette.Of(bg)),
            setup.Scene, setup.Objects, frames, events);
        // World v2 draws from its own stream too: a seed's physics is the same under every condition.
        var conditions = spec.Conditions ?? (spec.Ranges.Conditions is null ? null : WorldConditionOptions.V1);
        if (conditions is not null) clip = ConditionApplier.Apply(clip, conditions, spec.Ranges, spec.Seed);
        // The caption draws from its own stream so wording changes never move the physics.
        var captionRng = new WorldRng(WorldRng.Derive(spec.Seed, WorldRng.Hash("caption")));
        return clip with { Caption = CaptionWriter.Write(clip, captionRng) };
    }

    private static (IReadOnlyList<FrameState>, IReadOnlyList<WorldEvent>) Simulate(ScenarioSetup setup, double[] times)
    {
        var sim = new WorldSimulator(setup.Bodies, setup.Scene.WallX, setup.Scene.FloorY);
        var (samples, events) = sim.Run(times);
        var frames = new FrameState[times.Length];
        for (var k = 0; k < times.Length; k++)
        {
            var states = new ObjectState[setup.Objects.Count];
            for (var i = 0; i < states.Length; i++)
            {
                var o = setup.Objects[i];
                var s = samples[k][i];
                var contacts = ContactsAt(events, o.Id, k, times);
                if (s.OnFloor) contacts.Add("on_floor");
                states[i] = new ObjectState(o.Id, s.X, s.Y, s.Vx, s.Vy, o.Radius, o.Colour, Visible(s.X, s.Y, o.Radius), contacts);
            }
            frames[k] = new FrameState(k, times[k], states);
        }
        return (frames, events);
    }

    private static (IReadOnlyList<FrameState>, IReadOnlyList<WorldEvent>) SwingPendulum(ScenarioSetup setup, PendulumMotion m, double[] times)
    {
        var o = setup.Objects[0];
        var frames = times.Select((t, k) =>
        {
            var (x, y, vx, vy) = m.Bob(t, setup.Scene.PivotX!.Value, setup.Scene.PivotY!.Value);
            return new FrameState(k, t, [new ObjectState(o.Id, x, y, vx, vy, o.Radius, o.Colour, Visible(x, y, o.Radius), [])]);
        }).ToArray();
        return (frames, []);
    }

    // Events of this object in (t[k-1], t[k]]; frame 0 takes events at exactly t = 0.
    private static List<string> ContactsAt(IReadOnlyList<WorldEvent> events, int id, int k, double[] times)
    {
        var list = new List<string>();
        var lo = k == 0 ? double.NegativeInfinity : times[k - 1];
        foreach (var e in events)
            if ((e.Object == id || e.Other == id) && e.Time > lo && e.Time <= times[k] && !list.Contains(e.Kind))
                list.Add(e.Kind);
        return list;
    }

    private static bool Visible(double x, double y, double r) =>
        x - r >= 0 && x + r <= WorldConstants.Size && y - r >= 0 && y + r <= WorldConstants.Size;
}
