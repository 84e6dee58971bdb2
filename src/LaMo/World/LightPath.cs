namespace LaMo.World;

/// <summary>Per-frame light gains: smooth in time (no flicker), all within [1 − depth, 1].</summary>
/// <remarks>dimming: b = 1 − d·S(t/T); brightening: b = 1 − d + d·S(t/T), with S the smoothstep; cloud:
/// b = 1 − d·exp(−((t − t_c)/w)²); warm: gains (1, 1 − k/2, 1 − k)·... ramping in with S(t/T).</remarks>
public static class LightPath
{
    /// <summary>The gains of every frame.</summary>
    /// <exception cref="ArgumentException">Unknown lighting name.</exception>
    public static LightGain[] Gains(string lighting, IReadOnlyDictionary<string, double> p, IReadOnlyList<FrameState> frames)
    {
        var duration = frames[^1].Time;
        return frames.Select(f =>
        {
            var s = Smoothstep(f.Time / duration);
            switch (lighting)
            {
                case "constant": return new LightGain(1, 1, 1);
                case "dimming": return Grey(1 - p["light_depth"] * s);
                case "brightening": return Grey(1 - p["light_depth"] * (1 - s));
                case "cloud": return Grey(1 - p["light_depth"] * Math.Exp(-Math.Pow((f.Time - p["cloud_time"]) / p["cloud_width"], 2)));
                case "warm":
                    var k = p["warmth"] * s;
                    return new LightGain(1, 1 - k / 2, 1 - k);
                default: throw new ArgumentException($"unknown lighting '{lighting}'", nameof(lighting));
            }
        }).ToArray();
    }

    private static LightGain Grey(double b) => new(b, b, b);

    private static double Smoothstep(double x)
    {
        x = Math.Clamp(x, 0, 1);
        return x * x * (3 - 2 * x);
    }
}
