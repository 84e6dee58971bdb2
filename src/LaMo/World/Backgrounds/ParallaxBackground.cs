namespace LaMo.World.Backgrounds;

/// <summary>Layers at several depths behind the scene plane (depth 1): two ranges of hills (palette 2 at depth
/// <c>far_depth</c>, palette 3 at <c>near_depth</c>) in front of a sky (palette 0 top, 1 horizon) at infinity. A layer at
/// depth d shifts by the camera's motion times (1 − 1/d), so it appears to move at 1/d of the scene plane's speed.</summary>
internal sealed class ParallaxBackground(WorldCondition c) : BackgroundField
{
    private readonly double _farDepth = c.Parameters["far_depth"], _nearDepth = c.Parameters["near_depth"];
    private readonly SmoothNoise _far = new(Seed(c, "noise_seed"), 3.0, 2);
    private readonly SmoothNoise _near = new(Seed(c, "noise_seed") + 1, 2.0, 2);

    public override bool DependsOnPose => true;

    public override (float R, float G, float B) At(double x, double y, CameraPose pose)
    {
        var p = c.Palette;
        var (nx, ny) = Layer(x, y, pose, _nearDepth);
        if (ny < 1.5 + 3 * _near.At(nx)) return Shade(p[3], _near.At(nx * 3, ny * 3));
        var (fx, fy) = Layer(x, y, pose, _farDepth);
        if (fy < 3.5 + 3.5 * _far.At(fx)) return Shade(p[2], _far.At(fx * 2, fy * 2));
        // The sky is infinitely far: it stays put in the image (view-relative height).
        return Mix(p[1], p[0], (y - pose.Y) / (2 * pose.HalfExtent) + 0.5);
    }

    private static (double X, double Y) Layer(double x, double y, CameraPose pose, double depth)
    {
        var k = 1 - 1 / depth;
        return (x - pose.X * k, y - pose.Y * k);
    }

    private static (float R, float G, float B) Shade(Rgb c, double n)
    {
        var s = (float)(0.9 + 0.2 * n);
        return (Math.Min(255, c.R * s), Math.Min(255, c.G * s), Math.Min(255, c.B * s));
    }
}
