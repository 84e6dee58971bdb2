namespace LaMo.World;

/// <summary>Deterministic smooth value noise in [0, 1]: lattice values from a seeded 256-entry table (Perlin's
/// permutation trick), smoothstep-interpolated, summed over octaves. A pure function of (seed, x, y), so frames
/// render identically on any thread; the pattern repeats every 256 cells, far beyond any view.</summary>
public sealed class SmoothNoise
{
    private readonly int[] _perm = new int[512];
    private readonly double[] _values = new double[256];
    private readonly double _cellSize;
    private readonly int _octaves;

    /// <summary>Noise with lattice spacing <paramref name="cellSize"/> (world units) at the coarsest octave.</summary>
    public SmoothNoise(ulong seed, double cellSize, int octaves = 3)
    {
        var rng = new WorldRng(seed);
        var p = Enumerable.Range(0, 256).ToArray();
        for (var i = 255; i > 0; i--)
        {
            var j = rng.NextInt(i + 1);
            (p[i], p[j]) = (p[j], p[i]);
        }
        for (var i = 0; i < 512; i++) _perm[i] = p[i & 255];
        for (var i = 0; i < 256; i++) _values[i] = rng.NextDouble();
        (_cellSize, _octaves) = (cellSize, octaves);
    }

    /// <summary>Noise at world point (x, y).</summary>
    public double At(double x, double y)
    {
        double sum = 0, norm = 0, amp = 1, scale = 1 / _cellSize;
        for (var o = 0; o < _octaves; o++)
        {
            // Each octave is shifted so the octaves' lattices do not line up.
            var (ix, tx) = Cell(x * scale + XShift * o);
            var (iy, ty) = Cell(y * scale + YShift * o);
            sum += amp * Octave(ix, tx, iy, ty);
            norm += amp;
            amp *= 0.5;
            scale *= 2;
        }
        return sum / norm;
    }

    /// <summary>One-dimensional noise (a silhouette profile), in [0, 1].</summary>
    public double At(double x) => At(x, 0.5 * _cellSize);

    /// <summary>The lattice cells and weights of every octave at each of <paramref name="positions"/> along x (or y):
    /// with <see cref="At(NoiseAxis, int, NoiseAxis, int)"/>, a grid of samples costs one lattice walk per axis value
    /// instead of one per sample, with exactly the values of <see cref="At(double, double)"/>.</summary>
    public NoiseAxis Axis(ReadOnlySpan<double> positions, bool y)
    {
        var n = positions.Length;
        var axis = new NoiseAxis(new int[_octaves * n], new double[_octaves * n], n);
        var scale = 1 / _cellSize;
        for (var o = 0; o < _octaves; o++)
        {
            for (var i = 0; i < n; i++)
                (axis.Cells[o * n + i], axis.Weights[o * n + i]) = Cell(positions[i] * scale + (y ? YShift : XShift) * o);
            scale *= 2;
        }
        return axis;
    }

    /// <summary>Noise at (x position <paramref name="i"/> of <paramref name="x"/>, y position <paramref name="j"/> of
    /// <paramref name="y"/>): the same value as <see cref="At(double, double)"/> there.</summary>
    public double At(NoiseAxis x, int i, NoiseAxis y, int j)
    {
        double sum = 0, norm = 0, amp = 1;
        for (var o = 0; o < _octaves; o++)
        {
            int a = o * x.Count + i, b = o * y.Count + j;
            sum += amp * Octave(x.Cells[a], x.Weights[a], y.Cells[b], y.Weights[b]);
            norm += amp;
            amp *= 0.5;
        }
        return sum / norm;
    }

    /// <summary>Noise at every (x position i, y position j), written to <paramref name="values"/>[j·x.Count + i]: the
    /// values of <see cref="At(NoiseAxis, int, NoiseAxis, int)"/>, with each octave's lattice row interpolated along x
    /// once per lattice row instead of once per sample (the same products, so the same doubles).</summary>
    /// <exception cref="ArgumentException"><paramref name="values"/> is shorter than the grid.</exception>
    public void Grid(NoiseAxis x, NoiseAxis y, Span<double> values)
    {
        int w = x.Count, h = y.Count;
        if (values.Length < w * h) throw new ArgumentException("values shorter than the grid", nameof(values));
        double norm = 0, amp = 1;
        for (var o = 0; o < _octaves; o++, amp *= 0.5) norm += amp;
        var lo = new double[_octaves * w];   // lattice row iy, lerped along x
        var hi = new double[_octaves * w];   // lattice row iy + 1
        var cached = new int[_octaves];
        Array.Fill(cached, -1);
        for (var j = 0; j < h; j++)
        {
            var row = values.Slice(j * w, w);
            row.Clear();
            amp = 1;
            for (var o = 0; o < _octaves; o++, amp *= 0.5)
            {
                int iy = y.Cells[o * h + j], b = o * w;
                var ty = y.Weights[o * h + j];
                if (cached[o] != iy)
                {
                    for (var i = 0; i < w; i++)
                    {
                        var (lx, tx) = (x.Cells[b + i], x.Weights[b + i]);
                        (lo[b + i], hi[b + i]) = (Lerp(lx, iy, tx), Lerp(lx, iy + 1, tx));
                    }
                    cached[o] = iy;
                }
                for (var i = 0; i < w; i++) row[i] += amp * (lo[b + i] * (1 - ty) + hi[b + i] * ty);
            }
            for (var i = 0; i < w; i++) row[i] /= norm;
        }
    }

    private const double XShift = 17.3, YShift = 31.7;

    private static (int Cell, double Weight) Cell(double v)
    {
        var f = Math.Floor(v);
        return ((int)((long)f & 255), Smooth(v - f));
    }

    private double Octave(int ix, double tx, int iy, double ty) => Lerp(ix, iy, tx) * (1 - ty) + Lerp(ix, iy + 1, tx) * ty;

    // Lattice row iy interpolated between columns ix and ix + 1.
    private double Lerp(int ix, int iy, double tx)
    {
        double a = Lattice(ix, iy), b = Lattice(ix + 1, iy);
        return a + (b - a) * tx;
    }

    private static double Smooth(double t) => t * t * (3 - 2 * t);

    private double Lattice(int ix, int iy) => _values[_perm[_perm[ix] + iy]];
}

/// <summary>Per-octave lattice cells and smoothstep weights of positions along one axis, layout [octave, position].</summary>
/// <param name="Cells">Lattice index (0..255) of each octave and position.</param>
/// <param name="Weights">Smoothstep weight within the cell.</param>
/// <param name="Count">Number of positions.</param>
public sealed record NoiseAxis(int[] Cells, double[] Weights, int Count);
