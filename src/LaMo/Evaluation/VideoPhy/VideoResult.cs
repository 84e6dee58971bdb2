using LaMo.Video;

namespace LaMo.Evaluation.VideoPhy;

/// <summary>What a generator returns for one prompt: decoded RGB frames, written to mp4 by the runner.</summary>
/// <param name="Video">The frames [F, H, W, 3] and frame rate.</param>
public sealed record VideoResult(VideoFrames Video);
