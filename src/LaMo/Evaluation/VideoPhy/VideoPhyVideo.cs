namespace LaMo.Evaluation.VideoPhy;

/// <summary>A prompt and its video file.</summary>
/// <param name="Prompt">The benchmark prompt.</param>
/// <param name="Path">Absolute path of the mp4 on this machine.</param>
/// <param name="JudgePath">The path written into the judge's input CSV (see <see cref="VideoPhyLayout"/>).</param>
/// <param name="Seed">The seed the generator was (or is to be) called with.</param>
public sealed record VideoPhyVideo(VideoPhyPrompt Prompt, string Path, string JudgePath, int Seed);
