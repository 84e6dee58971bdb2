namespace LaMo.World.Backgrounds;

/// <summary>A brick wall: rows of bricks (palette 0, each with its own shade) offset by half a brick, mortar lines
/// in palette 1; anchored in the world.</summary>
internal sealed class PatternBackground(WorldCondition c) : BackgroundField
{
    private const double Mortar = 0.08;
    private readonly double _w = c.Parameters["brick_width"], _h = c.Parameters["brick_height"];
    private readonly SmoothNoise _shade = new(Seed(c, "noise_seed"), 1, octaves: 1);
    private readonly Rgb[] _p = [.. c.Palette];

    public override (float R, float G, float B) At(double x, double y, CameraPose pose)
    {
        var (row, offset, fy) = Row(y);
        var (col, fx) = Column(x, offset);
        return fx < Mortar || fy < Mortar ? MortarColour : Brick(col, row);
    }

    // Row quantities once per row; a brick's shade once per brick along the row.
    public override void Draw(float[] img, int w, int h, double left, double top, double sx, double sy, CameraPose pose)
    {
        var xs = Columns(left, sx, w);
        for (var j = 0; j < h; j++)
        {
            var (row, offset, fy) = Row(RowY(top, sy, j));
            if (fy < Mortar)
            {
                Fill(img, j * w, (j + 1) * w, MortarColour);
                continue;
            }
            double lastCol = double.NaN;
            var brick = MortarColour;
            for (var i = 0; i < w; i++)
            {
                var (col, fx) = Column(xs[i], offset);
                if (fx < Mortar)
                {
                    Put(img, j * w + i, MortarColour);
                    continue;
                }
                if (col != lastCol) (brick, lastCol) = (Brick(col, row), col);
                Put(img, j * w + i, brick);
            }
        }
    }

    private (double Row, double Offset, double Fy) Row(double y)
    {
        var row = Math.Floor(y / _h);
        return (row, row % 2 == 0 ? 0 : _w / 2, y - row * _h);
    }

    private (double Col, double Fx) Column(double x, double offset)
    {
        var xs = x + offset;
        var col = Math.Floor(xs / _w);
        return (col, xs - col * _w);
    }

    private (float R, float G, float B) MortarColour => (_p[1].R, _p[1].G, _p[1].B);

    // Lattice value at the brick's index: a constant shade per brick.
    private (float R, float G, float B) Brick(double col, double row)
    {
        var s = (float)(0.85 + 0.3 * _shade.At(col + 0.0, row + 0.0));
        return (Math.Min(255, _p[0].R * s), Math.Min(255, _p[0].G * s), Math.Min(255, _p[0].B * s));
    }
}
