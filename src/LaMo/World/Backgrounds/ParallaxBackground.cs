namespace LaMo.World.Backgrounds;

/// <summary>Layers at several depths behind the scene plane (depth 1): two ranges of hills (palette 2 at depth
/// <c>far_depth</c>, palette 3 at <c>near_depth</c>) in front of a sky (palette 0 top, 1 horizon) at infinity. A layer at
/// depth d shifts by the camera's motion times (1 − 1/d), so it appears to move at 1/d of the scene plane's speed.</summary>
internal sealed class ParallaxBackground(WorldCondition c) : BackgroundField
{
    private readonly double _farDepth = c.Parameters["far_depth"], _nearDepth = c.Parameters["near_depth"];
    private readonly SmoothNoise _far = new(Seed(c, "noise_seed"), 3.0, 2);
    private readonly SmoothNoise _near = new(Seed(c, "noise_seed") + 1, 2.0, 2);
    private readonly SmoothNoise _farShade = new(Seed(c, "noise_seed") + 2, 2.0, 1);
    private readonly SmoothNoise _nearShade = new(Seed(c, "noise_seed") + 3, 2.0, 1);

    public override bool DependsOnPose => true;

    public override (float R, float G, float B) At(double x, double y, CameraPose pose) =>
        At(x, y, pose, NearRidge(x, pose), FarRidge(x, pose));

    // The ridge heights depend on x only: one evaluation per column instead of per pixel.
    public override void Draw(float[] img, int w, int h, double left, double top, double sx, double sy, CameraPose pose)
    {
        for (var i = 0; i < w; i++)
        {
            var x = left + (i + 0.5) / sx;
            double near = NearRidge(x, pose), far = FarRidge(x, pose);
            for (var j = 0; j < h; j++)
            {
                var (r, g, b) = At(x, top - (j + 0.5) / sy, pose, near, far);
                var p = 3 * (j * w + i);
                (img[p], img[p + 1], img[p + 2]) = (r, g, b);
            }
        }
    }

    private double NearRidge(double x, CameraPose pose) => 1.5 + 3 * _near.At(Layer(x, 0, pose, _nearDepth).X);

    private double FarRidge(double x, CameraPose pose) => 3.5 + 3.5 * _far.At(Layer(x, 0, pose, _farDepth).X);

    private (float R, float G, float B) At(double x, double y, CameraPose pose, double nearRidge, double farRidge)
    {
        var p = c.Palette;
        var (nx, ny) = Layer(x, y, pose, _nearDepth);
        if (ny < nearRidge) return Shade(p[3], _nearShade.At(nx * 3, ny * 3));
        var (fx, fy) = Layer(x, y, pose, _farDepth);
        if (fy < farRidge) return Shade(p[2], _farShade.At(fx * 2, fy * 2));
        // The sky is infinitely far: it stays put in the image (view-relative height).
        return Mix(p[1], p[0], (y - pose.Y) / (2 * pose.HalfExtent) + 0.5);
    }

    // Layer coordinates: what the v1 camera (5, 5) would see there, shifted by the camera's offset from it times
    // (1 − 1/d), so the layers look as authored (ridges at their heights) in a static shot.
    private static (double X, double Y) Layer(double x, double y, CameraPose pose, double depth)
    {
        var k = 1 - 1 / depth;
        return (x - (pose.X - CameraPose.Static.X) * k, y - (pose.Y - CameraPose.Static.Y) * k);
    }

    private static (float R, float G, float B) Shade(Rgb c, double n)
    {
        var s = (float)(0.9 + 0.2 * n);
        return (Math.Min(255, c.R * s), Math.Min(255, c.G * s), Math.Min(255, c.B * s));
    }
}
