namespace LaMo.World;

/// <summary>Everything that determines one clip: same spec, byte-identical clip.</summary>
/// <param name="Scenario">Scenario family.</param>
/// <param name="Ranges">Parameter ranges (split).</param>
/// <param name="Seed">Clip seed (see <see cref="WorldGenerator.ClipSeed"/>).</param>
/// <param name="Width">Frame width in pixels.</param>
/// <param name="Height">Frame height in pixels.</param>
/// <param name="Frames">Frame count, 1 + 4k.</param>
/// <param name="Conditions">World v2 conditions to draw from; null = v1.</param>
public sealed record ClipSpec(Scenario Scenario, SplitRanges Ranges, ulong Seed, int Width = 64, int Height = 64, int Frames = 17,
    WorldConditionOptions? Conditions = null)
{
    /// <summary>Checks sizes, frame count and ranges.</summary>
    /// <exception cref="ArgumentException">A field breaks its rule.</exception>
    public ClipSpec Validate()
    {
        if (Width < 8 || Height < 8 || Width > 4096 || Height > 4096)
            throw new ArgumentException($"size ({Width}x{Height}) must be between 8 and 4096 pixels per side", nameof(Width));
        WorldConstants.ValidateFrameCount(Frames);
        Ranges.Validate();
        Conditions?.Validate();
        return this;
    }
}
