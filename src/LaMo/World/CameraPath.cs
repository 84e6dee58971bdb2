namespace LaMo.World;

/// <summary>Closed-form camera pose per frame for each camera motion (world units, seconds).</summary>
/// <remarks>pan: x = 5 + s t; accel-pan: x = 5 + s t + a t²/2; zoom: z = z₀ (z₁/z₀)^(t/T) about the world centre;
/// track: x follows ball A, x = 5 + x_A(t) − x_A(0); shake: x, y = 5 + A·mean of two sines each. Static is (5, 5, 1).</remarks>
public static class CameraPath
{
    /// <summary>The poses of every frame, before any entering offset.</summary>
    /// <exception cref="ArgumentException">Unknown camera name.</exception>
    public static CameraPose[] Poses(string camera, IReadOnlyDictionary<string, double> p, IReadOnlyList<FrameState> frames)
    {
        const double c = WorldConstants.Size / 2;
        var duration = frames[^1].Time;
        return frames.Select(f =>
        {
            var t = f.Time;
            return camera switch
            {
                "static" => CameraPose.Static,
                "pan" => new CameraPose(c + p["pan_speed"] * t, c, 1),
                "accel-pan" => new CameraPose(c + p["pan_speed"] * t + 0.5 * p["pan_accel"] * t * t, c, 1),
                "zoom" => new CameraPose(c, c, p["zoom_start"] * Math.Pow(p["zoom_end"] / p["zoom_start"], t / duration)),
                "track" => new CameraPose(c + f.Objects[(int)p["track_object"]].X - frames[0].Objects[(int)p["track_object"]].X, c, 1),
                "shake" => new CameraPose(c + Shake(p, t, "x"), c + Shake(p, t, "y"), 1),
                _ => throw new ArgumentException($"unknown camera '{camera}'", nameof(camera)),
            };
        }).ToArray();
    }

    private static double Shake(IReadOnlyDictionary<string, double> p, double t, string axis) =>
        p["shake_amplitude"] * 0.5 * Enumerable.Range(0, 2)
            .Sum(i => Math.Sin(2 * Math.PI * p[$"shake_freq_{i}"] * t + p[$"shake_phase_{axis}_{i}"]));
}
