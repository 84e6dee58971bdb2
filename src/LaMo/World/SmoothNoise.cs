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
            sum += amp * Octave(x * scale + 17.3 * o, y * scale + 31.7 * o);
            norm += amp;
            amp *= 0.5;
            scale *= 2;
        }
        return sum / norm;
    }

    /// <summary>One-dimensional noise (a silhouette profile), in [0, 1].</summary>
    public double At(double x) => At(x, 0.5 * _cellSize);

    private double Octave(double x, double y)
    {
        double fx = Math.Floor(x), fy = Math.Floor(y);
        int ix = (int)((long)fx & 255), iy = (int)((long)fy & 255);
        double tx = Smooth(x - fx), ty = Smooth(y - fy);
        double a = Lattice(ix, iy), b = Lattice(ix + 1, iy), c = Lattice(ix, iy + 1), d = Lattice(ix + 1, iy + 1);
        return (a + (b - a) * tx) * (1 - ty) + (c + (d - c) * tx) * ty;
    }

    private static double Smooth(double t) => t * t * (3 - 2 * t);

    private double Lattice(int ix, int iy) => _values[_perm[_perm[ix] + iy]];
}
