using LaMo.World;

namespace LaMo.Evaluation.Physics;

/// <summary>The benchmark's reference rows as videos (docs/physics-benchmark.md, "Reference rows"): the lossless GT render
/// (the floor), copy-the-last-given-frame, constant-velocity extrapolation from the given frames, and the VAE floor.</summary>
public static class ReferenceVideos
{
    /// <summary>Row names used in reports.</summary>
    public const string GroundTruthName = "gt_floor", CopyLastName = "copy_last", ConstantVelocityName = "const_velocity", VaeName = "vae_floor";

    /// <summary>The lossless GT render (the measuring floor; never a decoded mp4).</summary>
    public static FrameStack GroundTruth(WorldClip clip) =>
        new(Renderer.Render(clip), clip.Frames.Count, clip.Render.Height, clip.Render.Width);

    /// <summary>The given frames, then the last given frame repeated (a motionless continuation).</summary>
    /// <exception cref="ArgumentOutOfRangeException">givenFrames outside [1, F].</exception>
    public static FrameStack CopyLastGiven(WorldClip clip, int givenFrames)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(givenFrames, 1);
        ArgumentOutOfRangeException.ThrowIfGreaterThan(givenFrames, clip.Frames.Count);
        var order = Enumerable.Range(0, clip.Frames.Count).Select(t => Math.Min(t, givenFrames - 1)).ToArray();
        return GroundTruth(clip).Select(order);
    }

    /// <summary>Every ball keeps the velocity of its last two given frames, <c>v = (c(g−1) − c(g−2)) / Δt</c>, and the
    /// clip is re-rendered with the world's renderer (no collisions, walls or gravity after the given frames).</summary>
    /// <exception cref="ArgumentOutOfRangeException">givenFrames outside [2, F].</exception>
    public static FrameStack ConstantVelocity(WorldClip clip, int givenFrames) =>
        GroundTruth(clip with { Frames = ConstantVelocityStates(clip, givenFrames) });

    /// <summary>The states of <see cref="ConstantVelocity"/>.</summary>
    public static IReadOnlyList<FrameState> ConstantVelocityStates(WorldClip clip, int givenFrames)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(givenFrames, 2);
        ArgumentOutOfRangeException.ThrowIfGreaterThan(givenFrames, clip.Frames.Count);
        FrameState a = clip.Frames[givenFrames - 2], b = clip.Frames[givenFrames - 1];
        return clip.Frames.Select(f => f.Index < givenFrames ? f : f with
        {
            Objects = b.Objects.Select(o =>
            {
                var prev = a.Objects[o.Id];
                double vx = (o.X - prev.X) / (b.Time - a.Time), vy = (o.Y - prev.Y) / (b.Time - a.Time), dt = f.Time - b.Time;
                return o with { X = o.X + vx * dt, Y = o.Y + vy * dt, Vx = vx, Vy = vy, Contacts = [] };
            }).ToArray(),
        }).ToArray();
    }

    /// <summary>The autoencoder floor: the GT render passed through <paramref name="roundTrip"/> (encode + decode,
    /// supplied by the caller; evaluation has no model dependency).</summary>
    /// <exception cref="InvalidDataException">The round trip changed the video's size or frame count.</exception>
    public static FrameStack VaeReconstruction(WorldClip clip, Func<FrameStack, FrameStack> roundTrip)
    {
        var gt = GroundTruth(clip);
        var rec = roundTrip(gt);
        if (rec.Count != gt.Count || rec.Width != gt.Width || rec.Height != gt.Height)
            throw new InvalidDataException($"VAE round trip returned [{rec.Count}, {rec.Height}, {rec.Width}] for [{gt.Count}, {gt.Height}, {gt.Width}]");
        return rec;
    }
}
