namespace LaMo.Evaluation.VideoPhy;

/// <summary>Pass rates of one group of videos, in percent.</summary>
/// <param name="Group">"all" or a category (solid-solid, solid-fluid, fluid-fluid for VideoPhy).</param>
/// <param name="Videos">Videos with both scores in the group.</param>
/// <param name="SemanticAdherence">% of videos with SA ≥ threshold.</param>
/// <param name="PhysicalCommonsense">% of videos with PC ≥ threshold.</param>
/// <param name="Joint">% of videos with both SA and PC ≥ threshold.</param>
public sealed record VideoPhyGroupResult(string Group, int Videos, double SemanticAdherence, double PhysicalCommonsense, double Joint);
