namespace LaMo.World.Backgrounds;

/// <summary>A brick wall: rows of bricks (palette 0, each with its own shade) offset by half a brick, mortar lines
/// in palette 1; anchored in the world.</summary>
internal sealed class PatternBackground(WorldCondition c) : BackgroundField
{
    private const double Mortar = 0.08;
    private readonly double _w = c.Parameters["brick_width"], _h = c.Parameters["brick_height"];
    private readonly SmoothNoise _shade = new(Seed(c, "noise_seed"), 1, octaves: 1);

    public override (float R, float G, float B) At(double x, double y, CameraPose pose)
    {
        var row = Math.Floor(y / _h);
        var xs = x + (row % 2 == 0 ? 0 : _w / 2);
        var col = Math.Floor(xs / _w);
        double fx = xs - col * _w, fy = y - row * _h;
        var p = c.Palette;
        if (fx < Mortar || fy < Mortar) return (p[1].R, p[1].G, p[1].B);
        // Lattice value at the brick's index: a constant shade per brick.
        var s = (float)(0.85 + 0.3 * _shade.At(col + 0.0, row + 0.0));
        return (Math.Min(255, p[0].R * s), Math.Min(255, p[0].G * s), Math.Min(255, p[0].B * s));
    }
}
