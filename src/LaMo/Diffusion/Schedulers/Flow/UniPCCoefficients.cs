namespace LaMo.Diffusion.Schedulers.Flow;

/// <summary>The scalar part of one UniP / UniC update with flow sigmas (α = 1 − σ, λ = log α − log σ), computed in
/// float64 from diffusers' float32 σ table: h, h·φ₁ = e^{−h} − 1, B(h), the multistep ratios r_k and the solved ρ.</summary>
internal sealed class UniPCCoefficients
{
    /// <summary>σ_t / σ_s0 (the factor on the previous sample).</summary>
    public double SampleScale { get; private init; }

    /// <summary>α_t·h·φ₁ (the factor on the current x̂₀, subtracted).</summary>
    public double X0Scale { get; private init; }

    /// <summary>α_t·B(h) (the factor on the correction terms, subtracted).</summary>
    public double CorrectionScale { get; private init; }

    /// <summary>r_k = (λ_{s_k} − λ_{s0}) / h for the k older x̂₀ used (k = 1 … order − 1).</summary>
    public double[] Ratios { get; private init; } = [];

    /// <summary>The b vector (order entries).</summary>
    public double[] B { get; private init; } = [];

    /// <summary>λ(σ) = log(1 − σ) − log σ (+∞ at σ = 0).</summary>
    public static double Lambda(double sigma) => Math.Log(1 - sigma) - Math.Log(sigma);

    /// <summary>The coefficients for a step from σ_s0 to σ_t of <paramref name="order"/>, with the older σ
    /// <paramref name="olderSigmas"/> (s_1, s_2, …; order − 1 of them).</summary>
    public static UniPCCoefficients For(double sigmaT, double sigmaS0, IReadOnlyList<double> olderSigmas, int order, bool bh1)
    {
        double alphaT = 1 - sigmaT;
        double lambdaS0 = Lambda(sigmaS0);
        double h = Lambda(sigmaT) - lambdaS0;
        var ratios = olderSigmas.Select(s => (Lambda(s) - lambdaS0) / h).ToArray();
        double hh = -h;                                   // predict_x0
        double hPhi1 = FlowSigmas.Expm1(hh);
        double hPhiK = hPhi1 / hh - 1;
        double bH = bh1 ? hh : FlowSigmas.Expm1(hh);
        var b = new double[order];
        double factorial = 1;
        for (int i = 1; i <= order; i++)
        {
            b[i - 1] = hPhiK * factorial / bH;
            factorial *= i + 1;
            hPhiK = hPhiK / hh - 1 / factorial;
        }
        return new UniPCCoefficients
        {
            SampleScale = sigmaT / sigmaS0, X0Scale = alphaT * hPhi1, CorrectionScale = alphaT * bH, Ratios = ratios, B = b,
        };
    }

    /// <summary>Solves R·ρ = b for the first <paramref name="size"/> rows, R_{ij} = r_j^i with r = (ratios…, 1)
    /// (diffusers' <c>torch.linalg.solve(R[:size, :size], b[:size])</c>).</summary>
    public double[] Solve(int size)
    {
        var r = Ratios.Append(1.0).ToArray();
        var a = new double[size, size + 1];
        for (int i = 0; i < size; i++)
        {
            for (int j = 0; j < size; j++) a[i, j] = Math.Pow(r[j], i);
            a[i, size] = B[i];
        }
        for (int col = 0; col < size; col++)
        {
            int pivot = col;
            for (int row = col + 1; row < size; row++) if (Math.Abs(a[row, col]) > Math.Abs(a[pivot, col])) pivot = row;
            for (int j = 0; j <= size; j++) (a[col, j], a[pivot, j]) = (a[pivot, j], a[col, j]);
            for (int row = col + 1; row < size; row++)
            {
                double f = a[row, col] / a[col, col];
                for (int j = col; j <= size; j++) a[row, j] -= f * a[col, j];
            }
        }
        var x = new double[size];
        for (int i = size - 1; i >= 0; i--)
        {
            double s = a[i, size];
            for (int j = i + 1; j < size; j++) s -= a[i, j] * x[j];
            x[i] = s / a[i, i];
        }
        return x;
    }
}
