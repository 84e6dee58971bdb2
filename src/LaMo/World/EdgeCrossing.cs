namespace LaMo.World;

/// <summary>Shifts a camera path so ball A enters (or leaves) the view during the clip, along the axis where it moves
/// most relative to the camera.</summary>
/// <remarks>Enter: at t = 0 the ball sits q beyond the "just fully inside" position at the edge it approaches
/// (q ≤ 2r, so it starts partly or wholly outside) and later is fully inside. Leave: the same at the last frame on
/// the edge it moves toward. q = min(2r, 0.6·travel); when q &lt; r/2 the motion cannot show a crossing and the clip
/// records entering "none".</remarks>
public static class EdgeCrossing
{
    /// <summary>The shifted poses and what actually happens ("enter", "leave" or "none").</summary>
    public static (CameraPose[] Poses, string Entering, double OffsetX, double OffsetY) Apply(
        string requested, CameraPose[] poses, IReadOnlyList<FrameState> frames, double radius)
    {
        if (requested == "none") return (poses, "none", 0, 0);
        var a0 = frames[0].Objects[0];
        var a1 = frames[^1].Objects[0];
        double dx = (a1.X - poses[^1].X) - (a0.X - poses[0].X), dy = (a1.Y - poses[^1].Y) - (a0.Y - poses[0].Y);
        var horizontal = Math.Abs(dx) >= Math.Abs(dy);
        var travel = Math.Abs(horizontal ? dx : dy);
        var q = Math.Min(2 * radius, 0.6 * travel);
        if (q < radius / 2) return (poses, "none", 0, 0);
        var dir = Math.Sign(horizontal ? dx : dy);
        var enter = requested == "enter";
        var (pose, state) = enter ? (poses[0], a0) : (poses[^1], a1);
        var rel = horizontal ? state.X - pose.X : state.Y - pose.Y;
        // Wanted position relative to the view centre: entering comes in through the edge behind the motion.
        var edge = (enter ? -dir : dir) * (pose.HalfExtent - radius + q);
        var offset = rel - edge;
        var (ox, oy) = horizontal ? (offset, 0.0) : (0.0, offset);
        return (poses.Select(p => p with { X = p.X + ox, Y = p.Y + oy }).ToArray(), requested, ox, oy);
    }
}
