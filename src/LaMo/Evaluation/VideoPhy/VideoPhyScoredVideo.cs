namespace LaMo.Evaluation.VideoPhy;

/// <summary>A prompt with both judge scores.</summary>
/// <param name="Prompt">The benchmark prompt.</param>
/// <param name="SemanticAdherence">SA score on the judge's scale.</param>
/// <param name="PhysicalCommonsense">PC score on the judge's scale.</param>
public sealed record VideoPhyScoredVideo(VideoPhyPrompt Prompt, double SemanticAdherence, double PhysicalCommonsense);
