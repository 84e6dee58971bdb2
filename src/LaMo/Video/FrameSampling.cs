namespace LaMo.Video;

/// <summary>How to pick frames from a source: every <see cref="Stride"/>-th frame, or resampled to <see cref="TargetFps"/>
/// (nearest source frame), starting at <see cref="Start"/>. Set exactly one of Stride and TargetFps.</summary>
public sealed record FrameSampling(int? Stride = 1, double? TargetFps = null, int Start = 0)
{
    /// <summary>Source indices of <paramref name="count"/> output frames, or null with a reason when the source is too short.</summary>
    /// <exception cref="ArgumentException">Both or neither of Stride/TargetFps set, or non-positive values.</exception>
    public int[]? Indices(int available, double sourceFps, int count, out string? reason)
    {
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(count);
        ArgumentOutOfRangeException.ThrowIfNegative(Start);
        if (Stride.HasValue == TargetFps.HasValue)
            throw new ArgumentException("set exactly one of stride and target fps", nameof(Stride));
        if (Stride is <= 0) throw new ArgumentException($"stride ({Stride}) must be >= 1", nameof(Stride));
        if (TargetFps is not null and not > 0) throw new ArgumentException($"target fps ({TargetFps}) must be > 0", nameof(TargetFps));
        var step = Stride ?? sourceFps / TargetFps!.Value;
        var idx = new int[count];
        for (var k = 0; k < count; k++) idx[k] = Start + (int)Math.Round(k * step, MidpointRounding.AwayFromZero);
        if (idx[^1] >= available)
        {
            reason = $"too short: {available} frames, need {idx[^1] + 1} for {count} frames at step {step:0.###}";
            return null;
        }
        reason = null;
        return idx;
    }

    /// <summary>The frame rate of the sampled clip.</summary>
    public double OutputFps(double sourceFps) => TargetFps ?? sourceFps / Stride!.Value;
}
