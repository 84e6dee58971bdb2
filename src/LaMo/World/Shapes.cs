namespace LaMo.World;

/// <summary>A region of the world plane the rasteriser covers with 4 x 4 subsamples (a struct, so the test inlines).</summary>
internal interface IShape
{
    /// <summary>True when world point (x, y) is inside.</summary>
    bool Inside(double x, double y);
}

/// <summary>The closed disc (x − cx)² + (y − cy)² ≤ r².</summary>
internal readonly record struct Disc(double Cx, double Cy, double R2) : IShape
{
    public bool Inside(double x, double y) => (x - Cx) * (x - Cx) + (y - Cy) * (y - Cy) <= R2;
}

/// <summary>The half-plane y ≤ top (the floor).</summary>
internal readonly record struct Below(double Top) : IShape
{
    public bool Inside(double x, double y) => y <= Top;
}

/// <summary>The half-plane x ≥ left (the wall).</summary>
internal readonly record struct RightOf(double Left) : IShape
{
    public bool Inside(double x, double y) => x >= Left;
}

/// <summary>Points within <paramref name="HalfWidth"/> of segment A–B (the pendulum string).</summary>
internal readonly record struct Segment(double Ax, double Ay, double Bx, double By, double HalfWidth) : IShape
{
    public bool Inside(double x, double y)
    {
        double dx = Bx - Ax, dy = By - Ay;
        var len2 = dx * dx + dy * dy;
        var t = len2 > 0 ? Math.Clamp(((x - Ax) * dx + (y - Ay) * dy) / len2, 0, 1) : 0;
        double ex = Ax + t * dx - x, ey = Ay + t * dy - y;
        return Math.Sqrt(ex * ex + ey * ey) <= HalfWidth;
    }
}
