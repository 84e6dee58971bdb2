namespace LaMo.World.Backgrounds;

/// <summary>Sky above a horizon (palette 0 zenith, 1 horizon) and ground below it (2 near, 3 far), anchored in the world.</summary>
internal sealed class GradientBackground(WorldCondition c) : BackgroundField
{
    private readonly double _horizon = c.Parameters["horizon_y"];

    private readonly Rgb[] _p = [.. c.Palette];

    public override (float R, float G, float B) At(double x, double y, CameraPose pose) =>
        y >= _horizon
            ? Mix(_p[1], _p[0], (y - _horizon) / (WorldConstants.Size + 2 - _horizon))
            : Mix(_p[3], _p[2], (_horizon - y) / (_horizon + 2));

    // The colour depends on y only: one evaluation per row.
    public override void Draw(float[] img, int w, int h, double left, double top, double sx, double sy, CameraPose pose)
    {
        for (var j = 0; j < h; j++) Fill(img, j * w, (j + 1) * w, At(0, RowY(top, sy, j), pose));
    }
}
