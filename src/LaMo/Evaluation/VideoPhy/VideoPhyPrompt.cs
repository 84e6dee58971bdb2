namespace LaMo.Evaluation.VideoPhy;

/// <summary>One benchmark prompt.</summary>
/// <param name="Index">0-based data-row index in the full prompt file (stable under --offset/--limit; names the video).</param>
/// <param name="GenerationPrompt">What the generator is given: VideoPhy's long <c>caption</c>, VideoPhy-2's <c>upsampled_caption</c>.</param>
/// <param name="Caption">What the judge scores semantic adherence against: VideoPhy's <c>short_caption</c>, VideoPhy-2's
/// <c>caption</c>. Kept byte for byte (upstream quirks such as stray quotes included).</param>
/// <param name="Category">VideoPhy's <c>states_of_matter</c> (solid_solid, solid_fluid, fluid_fluid); for VideoPhy-2 the
/// optional <c>category</c> column, null when the file has none (the shipped <c>videophy2.csv</c> has none).</param>
public sealed record VideoPhyPrompt(int Index, string GenerationPrompt, string Caption, string? Category);
