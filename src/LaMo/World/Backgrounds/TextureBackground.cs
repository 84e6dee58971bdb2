namespace LaMo.World.Backgrounds;

/// <summary>Smooth noise blending three palette colours, anchored in the world (a mottled wall or ground).</summary>
internal sealed class TextureBackground(WorldCondition c) : BackgroundField
{
    private readonly SmoothNoise _noise = new(Seed(c, "noise_seed"), c.Parameters["noise_cell"]);

    public override (float R, float G, float B) At(double x, double y, CameraPose pose)
    {
        var n = _noise.At(x, y);
        var p = c.Palette;
        return n < 0.5 ? Mix(p[0], p[1], 2 * n) : Mix(p[1], p[2], 2 * n - 1);
    }
}
