using System.Buffers;
using System.Runtime.CompilerServices;

namespace LaMo.World.Backgrounds;

/// <summary>Smooth noise blending three palette colours, anchored in the world (a mottled wall or ground).</summary>
internal sealed class TextureBackground(WorldCondition c) : BackgroundField
{
    private readonly SmoothNoise _noise = new(Seed(c, "noise_seed"), c.Parameters["noise_cell"]);
    private readonly Rgb[] _p = [.. c.Palette];

    public override (float R, float G, float B) At(double x, double y, CameraPose pose) => Colour(_noise.At(x, y));

    // The noise's lattice walk is separable: once per column and once per row, then only the blend per pixel.
    public override void Draw(float[] img, int w, int h, double left, double top, double sx, double sy, CameraPose pose)
    {
        var n = ArrayPool<double>.Shared.Rent(w * h);
        _noise.Grid(_noise.Axis(Columns(left, sx, w), false), _noise.Axis(Rows(top, sy, h), true), n);
        for (var q = 0; q < w * h; q++) Put(img, q, Colour(n[q]));
        ArrayPool<double>.Shared.Return(n);
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private (float R, float G, float B) Colour(double n) => n < 0.5 ? Mix(_p[0], _p[1], 2 * n) : Mix(_p[1], _p[2], 2 * n - 1);
}
