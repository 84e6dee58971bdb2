namespace LaMo.Workflows;

/// <summary>How <c>lamo eval physics</c> judges a folder of videos: the given frames (0 = text-to-video; the
/// copy-last and constant-velocity rows only exist for continuations) and where that came from.</summary>
/// <param name="GivenFrames">Frames given to the model; earlier frames are not judged.</param>
/// <param name="Record">The folder's <c>sample.json</c>, when it has one.</param>
/// <param name="Warning">One line for the user when the mode was assumed, else null.</param>
public sealed record EvalMode(int GivenFrames, SampleRecord? Record, string? Warning)
{
    /// <summary>Given frames assumed for a folder without <c>sample.json</c> and no <c>--given-frames</c>.</summary>
    public const int AssumedGivenFrames = 5;

    /// <summary>Text-to-video or continuation.</summary>
    public string Mode => GivenFrames > 0 ? SampleRecord.ContinuationMode : SampleRecord.TextToVideoMode;

    /// <summary>Picks the mode of <paramref name="videos"/>: its <c>sample.json</c> decides; an explicit
    /// <paramref name="givenFrames"/> that disagrees is refused; without <c>sample.json</c> the explicit value, else
    /// <see cref="AssumedGivenFrames"/> with a warning.</summary>
    /// <exception cref="ArgumentException">The explicit value contradicts <c>sample.json</c> (one line).</exception>
    /// <exception cref="InvalidDataException">A malformed <c>sample.json</c>.</exception>
    public static EvalMode Resolve(string videos, int? givenFrames)
    {
        var record = Directory.Exists(videos) ? SampleRecord.TryLoad(videos) : null;
        if (record is not null)
        {
            if (givenFrames is { } g && g != record.GivenFrames)
                throw new ArgumentException($"--given-frames {g} contradicts {Path.Combine(videos, SampleRecord.FileName)}: the videos are {Describe(record.GivenFrames)}; leave --given-frames out");
            return new EvalMode(record.GivenFrames, record, null);
        }
        if (givenFrames is { } explicitValue) return new EvalMode(explicitValue, null, null);
        return new EvalMode(AssumedGivenFrames, null,
            $"warning: {videos} has no {SampleRecord.FileName} (lamo sample writes one): assumed {Describe(AssumedGivenFrames)}; pass --given-frames (0 = text-to-video) to say otherwise");
    }

    private static string Describe(int given) => given > 0 ? $"continuations from {given} given frames" : "text-to-video (no given frames)";
}
