namespace LaMo.Evaluation.Physics;

/// <summary>Every benchmark metric of one (clip, video) pair (docs/physics-benchmark.md, "Metrics"). Null = does not apply to
/// the scenario or too few usable frames. M1–M4 are null for failures (see <see cref="Failure"/>).</summary>
/// <param name="ClipId">Clip id (file stem).</param>
/// <param name="Scenario">Scenario snake_case name.</param>
/// <param name="Split">Split name.</param>
/// <param name="JudgedFrames">Frames after the given ones.</param>
/// <param name="Failure">Some object is missing in more than half of its valid frames.</param>
/// <param name="M1VelocityError">Mean |v̂(t) − v(t)|, units/s; v(t) = (c(t+1) − c(t))/Δt is the exact counterpart of v̂; collisions: pairs from the first collision on.</param>
/// <param name="M1WithFailures">M1, with a failure given the static baseline's error (mean |v(t)| of a motionless ball).</param>
/// <param name="M1bMeanVelocityError">|mean v̂_x − mean v_x| per object (PhyWorld's S1 code form), units/s.</param>
/// <param name="M1cFittedVelocityError">|LS slope of ĉ_x − LS slope of c_x| per object and event-free segment of ≥ 4 usable frames, mean weighted by frame count, units/s (headline).</param>
/// <param name="M2PositionError">Mean ‖ĉ − c‖, units.</param>
/// <param name="M3GravityError">|ĝ − g|/g from <c>y = a + b t − ĝ t²/2</c> (parabola).</param>
/// <param name="M4MomentumError">|P̂ − P₀| / Σ m|v₀| after the first collision (m = r², fitted post-collision velocities).</param>
/// <param name="M4EnergyError">|Ê − E₀| / E₀ after the first collision.</param>
/// <param name="M5SizeDrift">(max r̂ − min r̂)/r, mean over objects.</param>
/// <param name="M6Permanence">Fraction of (object, valid frame) detected.</param>
/// <param name="M6SpuriousRate">Blobs of a ball colour beyond the number of balls of that colour, per judged frame.</param>
/// <param name="M7LawResidualPx">Pooled RMS residual, px, of line fits per event-free segment (S1, S2, S4, S5) or x-line / y-parabola (S3).</param>
/// <param name="M7FittedAcceleration">S1: |fitted acceleration| of a quadratic fit, units/s² (should be 0).</param>
/// <param name="M8SpatioTemporalIoU">IoU of object masks over (frame, pixel), judged frames.</param>
/// <param name="M8SpatialIoU">IoU of the time-collapsed (OR) masks.</param>
/// <param name="M8WeightedSpatialIoU">Σ min(n, n̂) / Σ max(n, n̂), n = frames a pixel is in the mask.</param>
/// <param name="M8PixelMse">Mean squared error on [0, 1] intensities against the lossless GT render, judged frames.</param>
/// <param name="M9FrozenRate">Fraction of consecutive usable pairs where ĉ moved less than the frozen threshold (px).</param>
/// <param name="M9RmsJerk">RMS |third difference of ĉ| / Δt³, units/s³.</param>
public sealed record ClipPhysicsResult(
    string ClipId, string Scenario, string Split, int JudgedFrames, bool Failure,
    double? M1VelocityError, double? M1WithFailures, double? M1bMeanVelocityError, double? M1cFittedVelocityError,
    double? M2PositionError, double? M3GravityError, double? M4MomentumError, double? M4EnergyError,
    double? M5SizeDrift, double? M6Permanence, double? M6SpuriousRate, double? M7LawResidualPx, double? M7FittedAcceleration,
    double? M8SpatioTemporalIoU, double? M8SpatialIoU, double? M8WeightedSpatialIoU, double? M8PixelMse,
    double? M9FrozenRate, double? M9RmsJerk)
{
    /// <summary>Metric names (as in <c>eval.json</c>) and selectors, in report order; <c>failure</c> is 1 or 0.</summary>
    public static IReadOnlyList<(string Name, Func<ClipPhysicsResult, double?> Select)> Metrics { get; } =
    [
        ("failure", r => r.Failure ? 1 : 0),
        ("m1", r => r.M1VelocityError), ("m1_with_failures", r => r.M1WithFailures), ("m1b", r => r.M1bMeanVelocityError),
        ("m1c", r => r.M1cFittedVelocityError), ("m2", r => r.M2PositionError), ("m3", r => r.M3GravityError),
        ("m4_momentum", r => r.M4MomentumError), ("m4_energy", r => r.M4EnergyError), ("m5", r => r.M5SizeDrift),
        ("m6_permanence", r => r.M6Permanence), ("m6_spurious", r => r.M6SpuriousRate),
        ("m7_residual_px", r => r.M7LawResidualPx), ("m7_acceleration", r => r.M7FittedAcceleration),
        ("m8_st_iou", r => r.M8SpatioTemporalIoU), ("m8_spatial_iou", r => r.M8SpatialIoU),
        ("m8_weighted_iou", r => r.M8WeightedSpatialIoU), ("m8_mse", r => r.M8PixelMse),
        ("m9_frozen", r => r.M9FrozenRate), ("m9_jerk", r => r.M9RmsJerk),
    ];

    /// <summary>Selector of a metric by its <see cref="Metrics"/> name.</summary>
    /// <exception cref="ArgumentException">Unknown name.</exception>
    public static Func<ClipPhysicsResult, double?> Selector(string name) =>
        Metrics.FirstOrDefault(m => m.Name == name).Select
        ?? throw new ArgumentException($"unknown metric '{name}'; expected one of {string.Join(", ", Metrics.Select(m => m.Name))}", nameof(name));
}
