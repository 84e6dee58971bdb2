namespace LaMo.World.Backgrounds;

/// <summary>Sky above a horizon (palette 0 zenith, 1 horizon) and ground below it (2 near, 3 far), anchored in the world.</summary>
internal sealed class GradientBackground(WorldCondition c) : BackgroundField
{
    private readonly double _horizon = c.Parameters["horizon_y"];

    public override (float R, float G, float B) At(double x, double y, CameraPose pose)
    {
        var p = c.Palette;
        return y >= _horizon
            ? Mix(p[1], p[0], (y - _horizon) / (WorldConstants.Size + 2 - _horizon))
            : Mix(p[3], p[2], (_horizon - y) / (_horizon + 2));
    }
}
