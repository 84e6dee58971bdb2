namespace LaMo.World;

/// <summary>A region of the world plane the rasteriser covers with 4 x 4 subsamples. The test is split into a term of x
/// and a term of y, which the rasteriser computes once per subsample column and row; a struct, so the calls inline.</summary>
internal interface IShape
{
    /// <summary>The part of the test that depends on x only.</summary>
    double X(double x);

    /// <summary>The part of the test that depends on y only.</summary>
    double Y(double y);

    /// <summary>True when the point with terms <paramref name="x"/> = X(x), <paramref name="y"/> = Y(y) is inside.</summary>
    bool Inside(double x, double y);
}

/// <summary>The closed disc (x − cx)² + (y − cy)² ≤ r².</summary>
internal readonly record struct Disc(double Cx, double Cy, double R2) : IShape
{
    public double X(double x) => (x - Cx) * (x - Cx);

    public double Y(double y) => (y - Cy) * (y - Cy);

    public bool Inside(double x, double y) => x + y <= R2;
}

/// <summary>The half-plane y ≤ top (the floor).</summary>
internal readonly record struct Below(double Top) : IShape
{
    public double X(double x) => x;

    public double Y(double y) => y;

    public bool Inside(double x, double y) => y <= Top;
}

/// <summary>The half-plane x ≥ left (the wall).</summary>
internal readonly record struct RightOf(double Left) : IShape
{
    public double X(double x) => x;

    public double Y(double y) => y;

    public bool Inside(double x, double y) => x >= Left;
}

/// <summary>Points within <paramref name="HalfWidth"/> of segment A–B (the pendulum string); not separable, so the
/// terms are the coordinates themselves.</summary>
internal readonly record struct Segment(double Ax, double Ay, double Bx, double By, double HalfWidth) : IShape
{
    public double X(double x) => x;

    public double Y(double y) => y;

    public bool Inside(double x, double y)
    {
        double dx = Bx - Ax, dy = By - Ay;
        var len2 = dx * dx + dy * dy;
        var t = len2 > 0 ? Math.Clamp(((x - Ax) * dx + (y - Ay) * dy) / len2, 0, 1) : 0;
        double ex = Ax + t * dx - x, ey = Ay + t * dy - y;
        return Math.Sqrt(ex * ex + ey * ey) <= HalfWidth;
    }
}
