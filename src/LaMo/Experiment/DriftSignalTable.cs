using System.Globalization;
using System.Text;

namespace LaMo.Experiment;

/// <summary>Markdown tables of drift-signal rows (the layout of docs/results/world-v2-drift-signal.md).</summary>
public static class DriftSignalTable
{
    /// <summary>The drift signal: ‖μ*‖², per-location ‖Δz‖², their ratio, posterior noise on μ and the SNR.</summary>
    public static string Signal(IReadOnlyList<DriftSignalRow> rows)
    {
        var sb = new StringBuilder();
        sb.AppendLine("| condition | px | clips | ‖μ*‖² | mean per-location ‖Δz‖² | ratio | posterior noise on μ | SNR (‖μ*‖² / noise) | pairs with SNR < 1 |");
        sb.AppendLine("|---|---|---|---|---|---|---|---|---|");
        foreach (var r in rows)
        {
            var s = r.Signal;
            sb.AppendLine($"| {r.Condition} | {r.Size} | {r.Clips} | {E(s.MuEnergy)} | {E(s.LocationEnergy)} | {Percent(s.Ratio)} | {E(s.PosteriorNoise)} | {Snr(s.PosteriorSnr)} | {Percent(s.NoisyPairFraction)} |");
        }
        return sb.ToString();
    }

    /// <summary>The reconstruction floor: mean M1c of the VAE round trip against the lossless ground truth's.</summary>
    public static string Floor(IReadOnlyList<DriftSignalRow> rows)
    {
        var sb = new StringBuilder();
        sb.AppendLine("| condition | px | M1c GT (units/s) | M1c VAE (units/s) | clips with M1c | VAE failed | VAE spurious blobs/frame |");
        sb.AppendLine("|---|---|---|---|---|---|---|");
        foreach (var r in rows)
            sb.AppendLine($"| {r.Condition} | {r.Size} | {F(r.GroundTruthM1c)} | {F(r.VaeFloorM1c)} | {r.M1cClips}/{r.Clips} | {Percent(r.VaeFailureRate)} | {F(r.VaeSpuriousRate)} |");
        return sb.ToString();
    }

    private static string E(double v) => v.ToString("0.00e0", CultureInfo.InvariantCulture);
    private static string F(double? v) => v is { } x ? x.ToString("0.0000", CultureInfo.InvariantCulture) : "-";
    private static string Percent(double v) => (100 * v).ToString(v < 0.01 ? "0.00" : "0.0", CultureInfo.InvariantCulture) + " %";
    private static string Snr(double v) => double.IsNaN(v) ? "-" : double.IsPositiveInfinity(v) ? "∞" : v.ToString(v < 10 ? "0.00" : "0", CultureInfo.InvariantCulture);
}
