namespace LaMo.World;

/// <summary>Deterministic smooth value noise in [0, 1]: hashed lattice values, smoothstep-interpolated, summed over
/// octaves. A pure function of (seed, x, y), so frames render identically on any thread.</summary>
public readonly struct SmoothNoise(ulong seed, double cellSize, int octaves = 3)
{
    /// <summary>Noise at world point (x, y).</summary>
    public double At(double x, double y)
    {
        double sum = 0, norm = 0, amp = 1, scale = 1 / cellSize;
        for (var o = 0; o < octaves; o++)
        {
            sum += amp * Octave(x * scale, y * scale, (ulong)o);
            norm += amp;
            amp *= 0.5;
            scale *= 2;
        }
        return sum / norm;
    }

    /// <summary>One-dimensional noise (a silhouette profile), in [0, 1].</summary>
    public double At(double x) => At(x, 0.5 * cellSize);

    private double Octave(double x, double y, ulong octave)
    {
        double fx = Math.Floor(x), fy = Math.Floor(y);
        long ix = (long)fx, iy = (long)fy;
        double tx = Smooth(x - fx), ty = Smooth(y - fy);
        double a = Lattice(ix, iy, octave), b = Lattice(ix + 1, iy, octave);
        double c = Lattice(ix, iy + 1, octave), d = Lattice(ix + 1, iy + 1, octave);
        return (a + (b - a) * tx) * (1 - ty) + (c + (d - c) * tx) * ty;
    }

    private static double Smooth(double t) => t * t * (3 - 2 * t);

    // A SplitMix64 finaliser over the lattice coordinates (no allocation: this runs millions of times per clip).
    private double Lattice(long ix, long iy, ulong octave)
    {
        var z = seed ^ ((ulong)ix * 0x9E3779B97F4A7C15UL) ^ ((ulong)iy * 0xC2B2AE3D27D4EB4FUL) ^ (octave * 0x165667B19E3779F9UL);
        z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9UL;
        z = (z ^ (z >> 27)) * 0x94D049BB133111EBUL;
        return ((z ^ (z >> 31)) >> 11) * (1.0 / (1UL << 53));
    }
}
