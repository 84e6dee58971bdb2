namespace LaMo.Experiment;

/// <summary>Conversions between the two RGB frame types: <see cref="LaMo.Video.VideoFrames"/> (I/O, with a frame rate)
/// and <see cref="LaMo.Evaluation.FrameStack"/> (evaluation). Both are [F, H, W, 3] bytes; the buffer is shared, not copied.</summary>
public static class FrameConversions
{
    /// <summary>I/O frames → evaluation frames (same buffer).</summary>
    public static Evaluation.FrameStack ToEvaluation(Video.VideoFrames v) => new(v.Rgb, v.Frames, v.Height, v.Width);

    /// <summary>Evaluation frames → I/O frames at <paramref name="fps"/> (same buffer).</summary>
    public static Video.VideoFrames ToVideo(Evaluation.FrameStack v, double fps) => new(v.Data, v.Count, v.Height, v.Width, fps);
}
