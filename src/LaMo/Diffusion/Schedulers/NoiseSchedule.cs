using System.Collections.ObjectModel;
using static TorchSharp.torch;

namespace LaMo.Diffusion.Schedulers;

/// <summary>The training noise schedule of the CogVideoX schedulers as managed float64 tables: betas,
/// the SNR-shifted and (optionally) zero-terminal-SNR-rescaled ᾱ, and the ᾱ used after the last step.</summary>
/// <remarks>Port of the constructor of diffusers <c>CogVideoXDDIMScheduler</c> (v0.33), which builds
/// "scaled_linear" in float64 and "linear", "squaredcos_cap_v2" and trained betas in float32; the float32 paths are
/// emulated by rounding after each operation so the tables match diffusers', not an idealised float64 version.
/// Immutable, and owns no native memory: tensors are made on demand.</remarks>
public sealed class NoiseSchedule
{
    private readonly double[] _betas;
    private readonly double[] _alphasCumprod;

    /// <summary>β per training timestep (before the SNR shift, as diffusers keeps them).</summary>
    public IReadOnlyList<double> Betas { get; }

    /// <summary>ᾱ_t per training timestep, after the SNR shift and the zero-SNR rescale.</summary>
    public IReadOnlyList<double> AlphasCumprod { get; }

    /// <summary>ᾱ used as "previous" at the last inference step: 1 with <c>set_alpha_to_one</c>, else ᾱ₀.</summary>
    public double FinalAlphaCumprod { get; }

    /// <summary>Number of training timesteps N.</summary>
    public int NumTrainTimesteps => _alphasCumprod.Length;

    private NoiseSchedule(double[] betas, double[] alphasCumprod, double finalAlphaCumprod)
    {
        _betas = betas; _alphasCumprod = alphasCumprod; FinalAlphaCumprod = finalAlphaCumprod;
        Betas = new ReadOnlyCollection<double>(_betas);
        AlphasCumprod = new ReadOnlyCollection<double>(_alphasCumprod);
    }

    /// <summary>Builds the tables for a (validated) config.</summary>
    /// <exception cref="ArgumentException">The config is invalid.</exception>
    public static NoiseSchedule FromConfig(SchedulerConfig config)
    {
        ArgumentNullException.ThrowIfNull(config);
        config.Validate();
        int n = config.NumTrainTimesteps;
        bool f32 = config.TrainedBetas is not null || config.BetaSchedule != BetaSchedule.ScaledLinear;
        // R rounds to the table's dtype after every operation (identity for float64).
        Func<double, double> r = f32 ? x => (float)x : x => x;

        double[] betas;
        if (config.TrainedBetas is { } tb) betas = tb.Select(b => r(b)).ToArray();
        else if (config.BetaSchedule == BetaSchedule.Linear) betas = TorchLinspace(config.BetaStart, config.BetaEnd, n, r);
        else if (config.BetaSchedule == BetaSchedule.ScaledLinear)
            betas = TorchLinspace(Math.Pow(config.BetaStart, 0.5), Math.Pow(config.BetaEnd, 0.5), n, r).Select(b => b * b).ToArray();
        else betas = CosineBetas(n).Select(b => r(b)).ToArray();

        // torch.cumprod accumulates in double on CPU and rounds each output to the tensor dtype.
        var ac = new double[n];
        double acc = 1.0;
        for (int i = 0; i < n; i++) { acc *= r(1.0 - betas[i]); ac[i] = r(acc); }

        // SNR shift (SD3): ᾱ ← ᾱ / (s + (1 − s)ᾱ).
        double s = config.SnrShiftScale, oneMinusS = r(1 - s);
        for (int i = 0; i < n; i++) ac[i] = r(ac[i] / r(s + r(oneMinusS * ac[i])));

        if (config.RescaleBetasZeroSnr) RescaleZeroTerminalSnr(ac, r);
        return new NoiseSchedule(betas, ac, config.SetAlphaToOne ? 1.0 : ac[0]);
    }

    /// <summary>Lin et al. 2023, Algorithm 1 on √ᾱ: shift so the last is 0, scale so the first is unchanged.</summary>
    private static void RescaleZeroTerminalSnr(double[] ac, Func<double, double> r)
    {
        var sq = ac.Select(a => r(Math.Sqrt(a))).ToArray();
        double s0 = sq[0], sT = sq[^1];
        double scale = r(s0 / r(s0 - sT));
        for (int i = 0; i < sq.Length; i++)
        {
            double v = r(r(sq[i] - sT) * scale);
            ac[i] = r(v * v);
        }
    }

    /// <summary>torch.linspace's CPU kernel: the first half counts up from start, the second half down from end.</summary>
    private static double[] TorchLinspace(double start, double end, int steps, Func<double, double> r)
    {
        double a = r(start), b = r(end), step = r(r(b - a) / (steps - 1));
        var y = new double[steps];
        int half = steps / 2;
        for (int i = 0; i < steps; i++) y[i] = i < half ? r(a + r(step * i)) : r(b - r(step * (steps - i - 1)));
        return y;
    }

    private static double[] CosineBetas(int n)
    {
        static double AlphaBar(double t) => Math.Pow(Math.Cos((t + 0.008) / 1.008 * Math.PI / 2), 2);
        return Enumerable.Range(0, n).Select(i => Math.Min(1 - AlphaBar((i + 1.0) / n) / AlphaBar((double)i / n), 0.999)).ToArray();
    }

    /// <summary>ᾱ at training timestep <paramref name="timestep"/>.</summary>
    /// <exception cref="ArgumentOutOfRangeException">Outside [0, N).</exception>
    public double AlphaCumprod(int timestep)
    {
        if ((uint)timestep >= (uint)_alphasCumprod.Length)
            throw new ArgumentOutOfRangeException(nameof(timestep), timestep, $"timestep must lie in [0, {_alphasCumprod.Length - 1}]");
        return _alphasCumprod[timestep];
    }

    /// <summary>ᾱ at <paramref name="timestep"/>, or <see cref="FinalAlphaCumprod"/> when it is negative (past the end).</summary>
    public double AlphaCumprodOrFinal(int timestep) => timestep >= 0 ? AlphaCumprod(timestep) : FinalAlphaCumprod;

    /// <summary>The whole ᾱ table as a new float64 tensor [N].</summary>
    public Tensor AlphasCumprodTensor() => tensor(_alphasCumprod, ScalarType.Float64, device: CPU);

    /// <summary>The betas as a new float64 tensor [N].</summary>
    public Tensor BetasTensor() => tensor(_betas, ScalarType.Float64, device: CPU);

    /// <summary>ᾱ gathered at integer <paramref name="timesteps"/> [B], as a new tensor [B] in <paramref name="dtype"/> on
    /// <paramref name="device"/> (null: the device of <paramref name="timesteps"/>). Like diffusers' <c>add_noise</c>, the
    /// table is cast to the dtype first and then indexed. The timesteps are read on the host (checked against [0, N)).</summary>
    /// <exception cref="ArgumentOutOfRangeException">A timestep is outside [0, N).</exception>
    public Tensor Gather(Tensor timesteps, ScalarType dtype, Device? device = null)
    {
        ArgumentNullException.ThrowIfNull(timesteps);
        var ts = timesteps.cpu().to_type(ScalarType.Int64).flatten().data<long>().ToArray();
        var values = ts.Select(t => AlphaCumprod(checked((int)t))).ToArray();
        using var f64 = tensor(values, ScalarType.Float64, device: CPU);
        return f64.to_type(dtype).to(device ?? timesteps.device);
    }
}
