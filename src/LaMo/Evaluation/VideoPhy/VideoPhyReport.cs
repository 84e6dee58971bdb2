using System.Globalization;
using System.Text;

namespace LaMo.Evaluation.VideoPhy;

/// <summary>SA / PC / joint pass rates of a run, overall and per category.</summary>
/// <param name="Benchmark">VideoPhy or VideoPhy-2.</param>
/// <param name="Threshold">Pass threshold on the judge's scale (0.5 or 4).</param>
/// <param name="Overall">All scored videos.</param>
/// <param name="Categories">Per category, in the benchmark's order; empty when prompts carry no category.</param>
/// <param name="Unpaired">Videos with only one of the two scores (left out of every rate).</param>
public sealed record VideoPhyReport(VideoPhyBenchmark Benchmark, double Threshold, VideoPhyGroupResult Overall,
    IReadOnlyList<VideoPhyGroupResult> Categories, int Unpaired)
{
    /// <summary>A Markdown table: one row for all videos, then one per category.</summary>
    public string ToMarkdown()
    {
        var inv = CultureInfo.InvariantCulture;
        var judge = Benchmark == VideoPhyBenchmark.VideoPhy ? "VideoCon-Physics" : "VideoPhy-2-AutoEval";
        var sb = new StringBuilder();
        sb.Append(inv, $"{(Benchmark == VideoPhyBenchmark.VideoPhy ? "VideoPhy" : "VideoPhy-2")} ({judge}, % of videos scored ≥ {Threshold.ToString(inv)}), {Overall.Videos} videos");
        if (Unpaired > 0) sb.Append(inv, $"; {Unpaired} with only one score left out");
        sb.Append("\n\n| group | videos | SA | PC | joint (SA & PC) |\n|---|---:|---:|---:|---:|\n");
        foreach (var g in Categories.Prepend(Overall))
            sb.Append(inv, $"| {g.Group} | {g.Videos} | {g.SemanticAdherence:0.0} | {g.PhysicalCommonsense:0.0} | {g.Joint:0.0} |\n");
        return sb.ToString();
    }
}
