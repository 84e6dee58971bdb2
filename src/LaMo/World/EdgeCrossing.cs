namespace LaMo.World;

/// <summary>Shifts a camera path so ball A enters (or leaves) the view during the clip.</summary>
/// <remarks>Enter: the axis and direction are those of A's motion relative to the camera over the first frame step;
/// at t = 0 the ball sits q beyond the "just fully inside" position at the edge it comes through (q ≤ 2r, so it starts
/// partly or wholly outside), and it is fully inside once it has advanced q. Leave: the same at the last frame, with
/// the last frame step's motion. q = min(2r, 0.6·progress), progress = the farthest A gets along that direction from
/// its start (enter) or to its end (leave); when q &lt; r/2 the motion cannot show a crossing and the clip records
/// entering "none". The axis (0 = x, 1 = y) and direction (±1) go into the parameters for the caption.</remarks>
public static class EdgeCrossing
{
    /// <summary>The shifted poses, what actually happens ("enter", "leave" or "none") and the parameters to record.</summary>
    public static (CameraPose[] Poses, string Entering, SortedDictionary<string, double> Parameters) Apply(
        string requested, CameraPose[] poses, IReadOnlyList<FrameState> frames, double radius)
    {
        var none = (poses, "none", new SortedDictionary<string, double>());
        if (requested == "none" || frames.Count < 2) return none;
        var enter = requested == "enter";
        // A's position relative to the camera centre, per frame.
        var rel = frames.Select((f, k) => (X: f.Objects[0].X - poses[k].X, Y: f.Objects[0].Y - poses[k].Y)).ToArray();
        var (from, to) = enter ? (0, 1) : (rel.Length - 2, rel.Length - 1);
        double vx = rel[to].X - rel[from].X, vy = rel[to].Y - rel[from].Y;
        var horizontal = Math.Abs(vx) >= Math.Abs(vy);
        var dir = Math.Sign(horizontal ? vx : vy);
        if (dir == 0) return none;
        double Along(int k) => dir * (horizontal ? rel[k].X : rel[k].Y);
        var progress = enter ? rel.Indices().Max(k => Along(k) - Along(0)) : rel.Indices().Max(k => Along(rel.Length - 1) - Along(k));
        var q = Math.Min(2 * radius, 0.6 * progress);
        if (q < radius / 2) return none;
        var k0 = enter ? 0 : rel.Length - 1;
        // Wanted position along the axis relative to the view centre: behind the view when entering, ahead when leaving.
        var wanted = (enter ? -dir : dir) * (poses[k0].HalfExtent - radius + q);
        var offset = (horizontal ? rel[k0].X : rel[k0].Y) - wanted;
        var (ox, oy) = horizontal ? (offset, 0.0) : (0.0, offset);
        var p = new SortedDictionary<string, double>
        {
            ["entering_offset_x"] = ox, ["entering_offset_y"] = oy,
            ["entering_axis"] = horizontal ? 0 : 1, ["entering_direction"] = dir,
        };
        return (poses.Select(ps => ps with { X = ps.X + ox, Y = ps.Y + oy }).ToArray(), requested, p);
    }

    private static IEnumerable<int> Indices<T>(this T[] items) => Enumerable.Range(0, items.Length);
}
