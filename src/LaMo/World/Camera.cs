using System.Text.Json.Serialization;

namespace LaMo.World;

/// <summary>World-to-pixel mapping: <c>u = x * Width / 10</c>, <c>v = (10 - y) * Height / 10</c>, where (u, v) are
/// continuous pixel coordinates with the top-left corner of the image at (0, 0) (pixel (i, j) has centre (i + 0.5, j + 0.5)).</summary>
public sealed record Camera(
    [property: JsonPropertyName("world_width")] double WorldWidth,
    [property: JsonPropertyName("world_height")] double WorldHeight,
    [property: JsonPropertyName("width")] int Width,
    [property: JsonPropertyName("height")] int Height)
{
    /// <summary>Pixels per world unit along x.</summary>
    [JsonIgnore] public double ScaleX => Width / WorldWidth;

    /// <summary>Pixels per world unit along y.</summary>
    [JsonIgnore] public double ScaleY => Height / WorldHeight;

    /// <summary>The camera of a square world rendered at width x height.</summary>
    public static Camera For(int width, int height) => new(WorldConstants.Size, WorldConstants.Size, width, height);

    /// <summary>Continuous pixel coordinates (u right, v down) of a world point.</summary>
    public (double U, double V) ToPixel(double x, double y) => (x * ScaleX, (WorldHeight - y) * ScaleY);

    /// <summary>World point of continuous pixel coordinates.</summary>
    public (double X, double Y) ToWorld(double u, double v) => (u / ScaleX, WorldHeight - v / ScaleY);

    /// <summary>Continuous pixel coordinates of a world point seen from <paramref name="pose"/>; the v1 mapping when null.</summary>
    public (double U, double V) ToPixel(double x, double y, CameraPose? pose) =>
        pose is null ? ToPixel(x, y) : ((x - pose.Left) * ScaleX * pose.Zoom, (pose.Top - y) * ScaleY * pose.Zoom);

    /// <summary>World point of continuous pixel coordinates seen from <paramref name="pose"/>; the v1 mapping when null.</summary>
    public (double X, double Y) ToWorld(double u, double v, CameraPose? pose) =>
        pose is null ? ToWorld(u, v) : (pose.Left + u / (ScaleX * pose.Zoom), pose.Top - v / (ScaleY * pose.Zoom));
}
