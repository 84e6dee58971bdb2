using LaMo.Motion;
using static LaMo.Core.KeptScalars;
using static TorchSharp.torch;

namespace LaMo.Experiment;

/// <summary>Running sums of how much drift signal a set of clips carries in latent space (issue 17 item 8): the bulk
/// motion μ*(f) = mean over H, W of the τ-lag latent difference Δz(f) (<see cref="MotionDriftLoss.BulkMotion"/>), its
/// energy ‖μ*‖² against the per-location motion energy ‖Δz‖², and against the VAE posterior's own noise on μ*.
/// Sums over frame pairs, so clips of any length add up and the means are over all pairs (ratio of means).</summary>
public sealed record DriftSignal
{
    /// <summary>Frame pairs (f, f + τ) summed.</summary>
    public long Pairs { get; init; }
    /// <summary>Σ over pairs of ‖μ*(f)‖² (posterior mean latents).</summary>
    public double MuEnergySum { get; init; }
    /// <summary>Σ over pairs of mean over H, W of ‖Δz(f, h, w)‖² (posterior mean latents).</summary>
    public double LocationEnergySum { get; init; }
    /// <summary>Posterior samples × pairs summed in <see cref="PosteriorNoiseSum"/>.</summary>
    public long SamplePairs { get; init; }
    /// <summary>Σ over samples and pairs of ‖μ(sample) − μ*(mean)‖².</summary>
    public double PosteriorNoiseSum { get; init; }
    /// <summary>Pairs whose ‖μ*‖² is below their own posterior noise (mean over samples): there the drift loss, which
    /// divides by ‖μ*‖², mostly scales noise.</summary>
    public long NoisyPairs { get; init; }

    /// <summary>Mean ‖μ*‖² per pair.</summary>
    public double MuEnergy => Pairs > 0 ? MuEnergySum / Pairs : 0;
    /// <summary>Mean per-location ‖Δz‖² per pair.</summary>
    public double LocationEnergy => Pairs > 0 ? LocationEnergySum / Pairs : 0;
    /// <summary>Mean ‖μ(sample) − μ*‖² per sample and pair (0 without samples).</summary>
    public double PosteriorNoise => SamplePairs > 0 ? PosteriorNoiseSum / SamplePairs : 0;
    /// <summary>‖μ*‖² / per-location ‖Δz‖², in [0, 1]: 1 when the whole latent moves alike, 0 for zero-mean motion.</summary>
    public double Ratio => LocationEnergy > 0 ? MuEnergy / LocationEnergy : 0;
    /// <summary>‖μ*‖² / posterior noise on μ; +∞ when the samples carry no noise on μ, NaN without samples.</summary>
    public double PosteriorSnr => SamplePairs == 0 ? double.NaN : PosteriorNoise > 0 ? MuEnergy / PosteriorNoise : double.PositiveInfinity;
    /// <summary>Fraction of pairs with a per-pair SNR below 1 (0 without samples).</summary>
    public double NoisyPairFraction => SamplePairs > 0 && Pairs > 0 ? (double)NoisyPairs / Pairs : 0;

    /// <summary>The sums of both.</summary>
    public DriftSignal Add(DriftSignal other) => new()
    {
        Pairs = Pairs + other.Pairs, MuEnergySum = MuEnergySum + other.MuEnergySum, LocationEnergySum = LocationEnergySum + other.LocationEnergySum,
        SamplePairs = SamplePairs + other.SamplePairs, PosteriorNoiseSum = PosteriorNoiseSum + other.PosteriorNoiseSum,
        NoisyPairs = NoisyPairs + other.NoisyPairs,
    };

    /// <summary>The sums of one clip (or a batch of clips).</summary>
    /// <param name="mean">Posterior mean latents [B, T, C, H, W] (scaled as the backbone sees them).</param>
    /// <param name="samples">Posterior samples, each shaped like <paramref name="mean"/> (may be empty).</param>
    /// <param name="tau">Lag in latent frames (LaMo: 2).</param>
    /// <exception cref="ArgumentException">A sample's shape differs from the mean's, or T ≤ τ.</exception>
    public static DriftSignal Measure(Tensor mean, IReadOnlyList<Tensor> samples, int tau)
    {
        using var scope = NewDisposeScope();
        using var noGrad = no_grad();
        var z = mean.to_type(ScalarType.Float64);
        var mu = MotionDriftLoss.BulkMotion(z, tau);                                         // [B, P, C]
        var delta = z[.., tau..] - z[.., ..^tau];                                             // [B, P, C, H, W]
        long pairs = mu.shape[0] * mu.shape[1];
        double muSum = mu.pow(Sc(2)).sum().item<double>();
        double locSum = delta.pow(Sc(2)).sum(2).mean([-2L, -1L]).sum().item<double>();         // Σ_pairs mean_{h,w} ‖Δz‖²
        var pairNoise = zeros_like(mu).sum(-1);                                              // Σ_samples ‖μ(s) − μ*‖² per pair: [B, P]
        foreach (var s in samples)
        {
            if (!s.shape.SequenceEqual(mean.shape))
                throw new ArgumentException($"sample [{string.Join(", ", s.shape)}] is not shaped like the mean [{string.Join(", ", mean.shape)}]", nameof(samples));
            pairNoise = pairNoise.add((MotionDriftLoss.BulkMotion(s.to_type(ScalarType.Float64), tau) - mu).pow(Sc(2)).sum(-1), Sc(1));
        }
        long noisy = samples.Count == 0 ? 0 : mu.pow(Sc(2)).sum(-1).lt(pairNoise / Sc((double)samples.Count)).sum().item<long>();
        return new DriftSignal
        {
            Pairs = pairs, MuEnergySum = muSum, LocationEnergySum = locSum,
            SamplePairs = pairs * samples.Count, PosteriorNoiseSum = pairNoise.sum().item<double>(), NoisyPairs = noisy,
        };
    }
}
