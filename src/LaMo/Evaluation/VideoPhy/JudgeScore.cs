namespace LaMo.Evaluation.VideoPhy;

/// <summary>One row of a judge's output file.</summary>
/// <param name="VideoPath">The video as the judge named it.</param>
/// <param name="Caption">The judge's caption field (VideoCon-Physics: the full templated prompt), or null.</param>
/// <param name="Score">VideoCon-Physics: entailment probability in [0, 1]; VideoPhy-2-AutoEval: rating 1–5.</param>
public sealed record JudgeScore(string VideoPath, string? Caption, double Score);
