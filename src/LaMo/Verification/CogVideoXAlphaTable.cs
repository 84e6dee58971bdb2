using LaMo.Motion;
using System.Text.Json;

namespace LaMo.Verification;

/// <summary>The CogVideoX DDIM/DPM ᾱ table from a diffusers scheduler config, in float64, for the verifiers only
/// (the schedulers have their own). scaled_linear β → cumprod → SNR shift ᾱ/(s + (1−s)ᾱ) → zero-terminal-SNR rescale.</summary>
public static class CogVideoXAlphaTable
{
    /// <summary>ᾱ_t for t = 0 … num_train_timesteps−1 from a diffusers scheduler config object.</summary>
    /// <exception cref="NotSupportedException">The β schedule is not scaled_linear.</exception>
    public static double[] FromConfig(JsonElement config)
    {
        int n = config.GetProperty("num_train_timesteps").GetInt32();
        double b0 = config.GetProperty("beta_start").GetDouble(), b1 = config.GetProperty("beta_end").GetDouble();
        double shift = config.TryGetProperty("snr_shift_scale", out var s) ? s.GetDouble() : 1.0;
        bool zeroSnr = config.TryGetProperty("rescale_betas_zero_snr", out var z) && z.GetBoolean();
        if (config.GetProperty("beta_schedule").GetString() != "scaled_linear")
            throw new NotSupportedException("only the scaled_linear β schedule is implemented here");
        // torch.linspace(√β₀, √β₁, n, float64) ** 2 — torch fills the second half from the end.
        double lo = Math.Sqrt(b0), hi = Math.Sqrt(b1), step = (hi - lo) / (n - 1);
        var abar = new double[n];
        double prod = 1.0;
        for (int i = 0; i < n; i++)
        {
            double r = i < n / 2 ? lo + step * i : hi - step * (n - 1 - i);
            prod *= 1.0 - r * r;
            abar[i] = prod;
        }
        for (int i = 0; i < n; i++) abar[i] = abar[i] / (shift + (1 - shift) * abar[i]);
        if (zeroSnr)
        {
            double s0 = Math.Sqrt(abar[0]), sT = Math.Sqrt(abar[n - 1]);
            for (int i = 0; i < n; i++)
            {
                double q = (Math.Sqrt(abar[i]) - sT) * (s0 / (s0 - sT));
                abar[i] = q * q;
            }
        }
        return abar;
    }
}
