using System.Runtime.CompilerServices;

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

    private readonly Rgb[] _p = [.. c.Palette];

    public override bool DependsOnPose => true;

    public override (float R, float G, float B) At(double x, double y, CameraPose pose)
    {
        var (nx, ny) = Layer(x, y, pose, _nearDepth);
        if (ny < NearRidge(x, pose)) return Shade(_p[3], _nearShade.At(nx * 3, ny * 3));
        var (fx, fy) = Layer(x, y, pose, _farDepth);
        if (fy < FarRidge(x, pose)) return Shade(_p[2], _farShade.At(fx * 2, fy * 2));
        return Sky(y, pose);
    }

    // Separable: layer x, the ridge heights and the shade noise's lattice walk once per column; layer y, the sky and
    // the noise's y walk once per row.
    public override void Draw(float[] img, int w, int h, double left, double top, double sx, double sy, CameraPose pose)
    {
        double[] xs = Columns(left, sx, w), ys = Rows(top, sy, h);
        double[] nearRidge = new double[w], farRidge = new double[w], nx3 = new double[w], fx2 = new double[w];
        for (var i = 0; i < w; i++)
        {
            (nearRidge[i], farRidge[i]) = (NearRidge(xs[i], pose), FarRidge(xs[i], pose));
            (nx3[i], fx2[i]) = (Layer(xs[i], 0, pose, _nearDepth).X * 3, Layer(xs[i], 0, pose, _farDepth).X * 2);
        }
        double[] ny = new double[h], fy = new double[h], ny3 = new double[h], fy2 = new double[h];
        for (var j = 0; j < h; j++)
        {
            (ny[j], fy[j]) = (Layer(0, ys[j], pose, _nearDepth).Y, Layer(0, ys[j], pose, _farDepth).Y);
            (ny3[j], fy2[j]) = (ny[j] * 3, fy[j] * 2);
        }
        NoiseAxis nearX = _nearShade.Axis(nx3, false), nearY = _nearShade.Axis(ny3, true);
        NoiseAxis farX = _farShade.Axis(fx2, false), farY = _farShade.Axis(fy2, true);
        for (var j = 0; j < h; j++)
        {
            var sky = Sky(ys[j], pose);
            for (var i = 0; i < w; i++)
                Put(img, j * w + i,
                    ny[j] < nearRidge[i] ? Shade(_p[3], _nearShade.At(nearX, i, nearY, j))
                    : fy[j] < farRidge[i] ? Shade(_p[2], _farShade.At(farX, i, farY, j))
                    : sky);
        }
    }

    private double NearRidge(double x, CameraPose pose) => 1.5 + 3 * _near.At(Layer(x, 0, pose, _nearDepth).X);

    private double FarRidge(double x, CameraPose pose) => 3.5 + 3.5 * _far.At(Layer(x, 0, pose, _farDepth).X);

    // The sky is infinitely far: it stays put in the image (view-relative height).
    private (float R, float G, float B) Sky(double y, CameraPose pose) => Mix(_p[1], _p[0], (y - pose.Y) / (2 * pose.HalfExtent) + 0.5);

    // Layer coordinates: what the v1 camera (5, 5) would see there, shifted by the camera's offset from it times
    // (1 − 1/d), so the layers look as authored (ridges at their heights) in a static shot.
    private static (double X, double Y) Layer(double x, double y, CameraPose pose, double depth)
    {
        var k = 1 - 1 / depth;
        return (x - (pose.X - CameraPose.Static.X) * k, y - (pose.Y - CameraPose.Static.Y) * k);
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static (float R, float G, float B) Shade(Rgb c, double n)
    {
        var s = (float)(0.9 + 0.2 * n);
        return (Math.Min(255, c.R * s), Math.Min(255, c.G * s), Math.Min(255, c.B * s));
    }
}
