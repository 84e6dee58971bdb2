namespace LaMo.Evaluation.Physics;

/// <summary>Polynomial least squares of small degree (1 or 2) in double precision, on centred abscissae.</summary>
public static class LeastSquares
{
    /// <summary>Fits <c>y ≈ c0 + c1·t (+ c2·t²)</c>; returns the coefficients in the original t and the RMS residual.</summary>
    /// <exception cref="ArgumentException">Fewer than degree + 1 points, or degree not 1 or 2.</exception>
    public static (double[] Coefficients, double RmsResidual) Fit(IReadOnlyList<double> t, IReadOnlyList<double> y, int degree)
    {
        if (degree is not (1 or 2)) throw new ArgumentException($"degree ({degree}) must be 1 or 2", nameof(degree));
        if (t.Count != y.Count || t.Count < degree + 1)
            throw new ArgumentException($"need at least {degree + 1} paired points, got {t.Count} and {y.Count}", nameof(t));
        int n = t.Count, k = degree + 1;
        double mt = t.Average();
        // Normal equations on τ = t − mean(t): A c = b, A[i, j] = Σ τ^(i+j), b[i] = Σ τ^i y.
        var a = new double[k, k];
        var b = new double[k];
        for (var p = 0; p < n; p++)
        {
            var tau = t[p] - mt;
            for (var i = 0; i < k; i++)
            {
                b[i] += Math.Pow(tau, i) * y[p];
                for (var j = 0; j < k; j++) a[i, j] += Math.Pow(tau, i + j);
            }
        }
        var c = Solve(a, b);
        double ss = 0;
        for (var p = 0; p < n; p++)
        {
            var tau = t[p] - mt;
            double f = c[0] + c[1] * tau + (k > 2 ? c[2] * tau * tau : 0);
            ss += (y[p] - f) * (y[p] - f);
        }
        // Back to the original abscissa: c0 + c1 (t − m) + c2 (t − m)².
        var orig = k == 2
            ? new[] { c[0] - c[1] * mt, c[1] }
            : new[] { c[0] - c[1] * mt + c[2] * mt * mt, c[1] - 2 * c[2] * mt, c[2] };
        return (orig, Math.Sqrt(ss / n));
    }

    /// <summary>Residuals of the fit, one per point (for pooled RMS over segments).</summary>
    public static double[] Residuals(IReadOnlyList<double> t, IReadOnlyList<double> y, double[] coefficients)
    {
        var r = new double[t.Count];
        for (var p = 0; p < t.Count; p++)
        {
            double f = 0;
            for (var i = coefficients.Length - 1; i >= 0; i--) f = f * t[p] + coefficients[i];
            r[p] = y[p] - f;
        }
        return r;
    }

    private static double[] Solve(double[,] a, double[] b)
    {
        int k = b.Length;
        for (var col = 0; col < k; col++)
        {
            var piv = col;
            for (var r = col + 1; r < k; r++) if (Math.Abs(a[r, col]) > Math.Abs(a[piv, col])) piv = r;
            if (Math.Abs(a[piv, col]) < 1e-300) throw new ArgumentException("degenerate fit: the abscissae do not span the degree");
            if (piv != col)
            {
                for (var j = 0; j < k; j++) (a[col, j], a[piv, j]) = (a[piv, j], a[col, j]);
                (b[col], b[piv]) = (b[piv], b[col]);
            }
            for (var r = col + 1; r < k; r++)
            {
                var f = a[r, col] / a[col, col];
                for (var j = col; j < k; j++) a[r, j] -= f * a[col, j];
                b[r] -= f * b[col];
            }
        }
        var x = new double[k];
        for (var i = k - 1; i >= 0; i--)
        {
            var s = b[i];
            for (var j = i + 1; j < k; j++) s -= a[i, j] * x[j];
            x[i] = s / a[i, i];
        }
        return x;
    }
}
