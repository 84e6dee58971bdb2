using LaMo.Video;

namespace LaMo.World;

/// <summary>Options of <see cref="WorldDatasetWriter"/>.</summary>
/// <param name="OutDir">Output folder (gets <c>metadata.csv</c> and <c>videos/</c>).</param>
/// <param name="Scenarios">Scenario families to generate.</param>
/// <param name="CountPerScenario">Clips per scenario.</param>
/// <param name="Ranges">Split ranges (the name goes into metadata and seeds).</param>
/// <param name="Seed">Base seed; clip seeds come from <see cref="WorldGenerator.ClipSeed"/>.</param>
/// <param name="Size">Frame width and height.</param>
/// <param name="Frames">Frames per clip (1 + 4k).</param>
/// <param name="Codec">mp4 encoder; null writes no video (GT JSON only).</param>
/// <param name="RawFrames">Also write lossless <c>.rgb</c> dumps (<see cref="RawVideoFile"/>).</param>
/// <param name="Parallelism">Worker threads (defaults to the processor count when 0).</param>
/// <param name="Conditions">World v2 conditions; null = v1 (and then metadata.csv keeps its v1 columns).</param>
public sealed record WorldDatasetOptions(string OutDir, IReadOnlyList<Scenario> Scenarios, int CountPerScenario, SplitRanges Ranges,
    ulong Seed = 0, int Size = 64, int Frames = 17, VideoCodec? Codec = VideoCodec.Auto, bool RawFrames = false, int Parallelism = 0,
    WorldConditionOptions? Conditions = null)
{
    /// <summary>True when clips may carry a world v2 condition (options or split ask for one).</summary>
    public bool HasConditions => Conditions is { IsV1: false } || Ranges.Conditions is not null;

    /// <summary>Checks the options.</summary>
    /// <exception cref="ArgumentException">A bad count, size, frame count or ranges.</exception>
    public WorldDatasetOptions Validate()
    {
        if (CountPerScenario <= 0) throw new ArgumentException($"count ({CountPerScenario}) must be >= 1", nameof(CountPerScenario));
        if (Scenarios.Count == 0) throw new ArgumentException("at least one scenario is needed", nameof(Scenarios));
        if (string.IsNullOrWhiteSpace(OutDir)) throw new ArgumentException("an output folder is needed", nameof(OutDir));
        new ClipSpec(Scenarios[0], Ranges, 0, Size, Size, Frames, Conditions).Validate();
        return this;
    }
}
