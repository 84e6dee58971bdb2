using LaMo.Video;

namespace LaMo.Evaluation.VideoPhy;

/// <summary>Where and how a VideoPhy run writes its videos and judge inputs.</summary>
/// <param name="OutDir">Run folder: <c>videos/</c>, the judge input CSV, <c>manifest.csv</c>, <c>judge_commands.txt</c>.</param>
/// <param name="BaseSeed">Video k (prompt index k) is generated with seed BaseSeed + k, so reruns and subsets agree.</param>
/// <param name="JudgeVideoRoot">When set, the judge CSV names videos as JudgeVideoRoot/&lt;file&gt; (for running the judge
/// on another machine); otherwise by absolute local path.</param>
/// <param name="Codec">mp4 encoder.</param>
/// <param name="SkipExisting">Keep videos already on disk instead of regenerating them (resumable runs).</param>
public sealed record VideoPhyRunOptions(string OutDir, int BaseSeed = 0, string? JudgeVideoRoot = null,
    VideoCodec Codec = VideoCodec.Auto, bool SkipExisting = true)
{
    /// <summary>Checks the fields.</summary>
    /// <exception cref="ArgumentException">Empty output folder or negative seed.</exception>
    public VideoPhyRunOptions Validate()
    {
        if (string.IsNullOrWhiteSpace(OutDir)) throw new ArgumentException("OutDir must name a folder", nameof(OutDir));
        if (BaseSeed < 0) throw new ArgumentException($"BaseSeed ({BaseSeed}) must be >= 0", nameof(BaseSeed));
        return this;
    }
}
