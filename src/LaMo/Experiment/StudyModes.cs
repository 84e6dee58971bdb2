namespace LaMo.Experiment;

/// <summary>The study's sampling modes (docs/physics-benchmark.md, "Modes").</summary>
public static class StudyModes
{
    /// <summary>The first frames of the encoded ground truth are given; the model generates the rest.</summary>
    public const string Continuation = "continuation";

    /// <summary>Caption only (no frame given).</summary>
    public const string TextToVideo = "text-to-video";

    /// <summary>Short tag used in clip ids, folders and split labels.</summary>
    public static string Tag(string mode) => mode == TextToVideo ? "t2v" : "cont";

    /// <summary>Checks a mode name.</summary>
    /// <exception cref="ArgumentException">Unknown mode.</exception>
    public static string Check(string mode) => mode is Continuation or TextToVideo ? mode
        : throw new ArgumentException($"mode '{mode}' must be {Continuation} or {TextToVideo}", nameof(mode));
}
