namespace LaMo.World;

/// <summary>Jacobi elliptic functions and the complete elliptic integral K, by the arithmetic-geometric mean.</summary>
/// <remarks>Abramowitz &amp; Stegun 16.4 (descending Landen / AGM) and 17.6; accurate to a few ulp for m in [0, 1).</remarks>
public static class JacobiElliptic
{
    /// <summary>Complete elliptic integral of the first kind K(m), parameter m = k^2 in [0, 1).</summary>
    public static double K(double m)
    {
        if (m < 0 || m >= 1) throw new ArgumentOutOfRangeException(nameof(m), m, "m must be in [0, 1)");
        double a = 1, b = Math.Sqrt(1 - m);
        for (var i = 0; i < 64 && Math.Abs(a - b) > 1e-16 * a; i++) (a, b) = (0.5 * (a + b), Math.Sqrt(a * b));
        return Math.PI / (2 * a);
    }

    /// <summary>sn(u | m), cn(u | m), dn(u | m) for m = k^2 in [0, 1).</summary>
    public static (double Sn, double Cn, double Dn) SnCnDn(double u, double m)
    {
        if (m < 0 || m >= 1) throw new ArgumentOutOfRangeException(nameof(m), m, "m must be in [0, 1)");
        if (m < 1e-300) return (Math.Sin(u), Math.Cos(u), 1);
        Span<double> a = stackalloc double[32];
        Span<double> c = stackalloc double[32];
        a[0] = 1;
        var b = Math.Sqrt(1 - m);
        c[0] = Math.Sqrt(m);
        var n = 0;
        while (Math.Abs(c[n]) > 1e-16 && n < 31)
        {
            a[n + 1] = 0.5 * (a[n] + b);
            c[n + 1] = 0.5 * (a[n] - b);
            b = Math.Sqrt(a[n] * b);
            n++;
        }
        var phi = Math.Pow(2, n) * a[n] * u;
        var phiNext = phi;
        for (var i = n; i > 0; i--)
        {
            phiNext = phi;
            phi = 0.5 * (phi + Math.Asin(c[i] / a[i] * Math.Sin(phi)));
        }
        var sn = Math.Sin(phi);
        var cn = Math.Cos(phi);
        // dn = cos(phi0) / cos(phi1 - phi0)
        var dn = n > 0 ? cn / Math.Cos(phiNext - phi) : Math.Sqrt(1 - m * sn * sn);
        return (sn, cn, dn);
    }
}
