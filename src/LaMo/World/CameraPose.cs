using System.Text.Json.Serialization;

namespace LaMo.World;

/// <summary>Where the camera looks in one frame: the view centre in world units and the zoom (1 = the whole
/// 10 x 10 world fills the frame, 2 = half of it does). The static v1 pose is (5, 5, 1).</summary>
public sealed record CameraPose(
    [property: JsonPropertyName("x")] double X,
    [property: JsonPropertyName("y")] double Y,
    [property: JsonPropertyName("zoom")] double Zoom)
{
    /// <summary>The v1 camera: centred on the world, zoom 1.</summary>
    public static CameraPose Static { get; } = new(WorldConstants.Size / 2, WorldConstants.Size / 2, 1);

    /// <summary>Half the view's width and height in world units.</summary>
    [JsonIgnore] public double HalfExtent => WorldConstants.Size / 2 / Zoom;

    /// <summary>Left edge of the view, world x.</summary>
    [JsonIgnore] public double Left => X - HalfExtent;

    /// <summary>Top edge of the view, world y.</summary>
    [JsonIgnore] public double Top => Y + HalfExtent;

    /// <summary>True when the whole disc lies inside the view (a valid frame for the metrics).</summary>
    public bool Contains(double x, double y, double r) =>
        x - r >= Left && x + r <= X + HalfExtent && y - r >= Y - HalfExtent && y + r <= Top;

    /// <summary>Fraction of the disc's area inside the view (16 x 16 sample grid over its bounding box).</summary>
    public double VisibleFraction(double x, double y, double r)
    {
        if (Contains(x, y, r)) return 1;
        if (x + r < Left || x - r > X + HalfExtent || y + r < Y - HalfExtent || y - r > Top) return 0;
        int inside = 0, total = 0;
        const int n = 16;
        for (var j = 0; j < n; j++)
            for (var i = 0; i < n; i++)
            {
                double px = x - r + (i + 0.5) * 2 * r / n, py = y - r + (j + 0.5) * 2 * r / n;
                if ((px - x) * (px - x) + (py - y) * (py - y) > r * r) continue;
                total++;
                if (px >= Left && px <= X + HalfExtent && py >= Y - HalfExtent && py <= Top) inside++;
            }
        return total == 0 ? 0 : inside / (double)total;
    }
}
