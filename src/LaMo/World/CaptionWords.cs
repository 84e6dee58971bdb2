namespace LaMo.World;

/// <summary>The bins behind caption words, and the words themselves. Captions never state numbers.</summary>
public static class CaptionWords
{
    /// <summary>Speed class of a speed (units/s).</summary>
    public static SpeedBin Speed(double v)
    {
        v = Math.Abs(v);
        return v == 0 ? SpeedBin.Still : v < 0.9 ? SpeedBin.VerySlow : v < 2 ? SpeedBin.Slow
            : v <= 3 ? SpeedBin.Moderate : v <= 4.4 ? SpeedBin.Fast : SpeedBin.VeryFast;
    }

    /// <summary>Size class of a radius (units).</summary>
    public static SizeBin Size(double r) =>
        r < 0.65 ? SizeBin.Tiny : r < 0.9 ? SizeBin.Small : r <= 1.2 ? SizeBin.Medium : r <= 1.5 ? SizeBin.Large : SizeBin.Huge;

    /// <summary>Adverbial phrases per speed class ("moves quickly").</summary>
    public static IReadOnlyList<string> Adverbs(SpeedBin b) => b switch
    {
        SpeedBin.VerySlow => ["very slowly", "at a crawl"],
        SpeedBin.Slow => ["slowly", "at a gentle pace", "unhurriedly"],
        SpeedBin.Moderate => ["at a moderate speed", "at a medium pace"],
        SpeedBin.Fast => ["quickly", "rapidly", "at a brisk pace"],
        SpeedBin.VeryFast => ["very fast", "at high speed", "extremely quickly"],
        _ => [""],
    };

    /// <summary>Adjectives per speed class ("a fast red ball"); the moderate class has none.</summary>
    public static IReadOnlyList<string> Adjectives(SpeedBin b) => b switch
    {
        SpeedBin.VerySlow => ["very slow", "crawling"],
        SpeedBin.Slow => ["slow", "slow-moving"],
        SpeedBin.Fast => ["fast", "quick", "fast-moving"],
        SpeedBin.VeryFast => ["very fast", "speeding"],
        _ => [""],
    };

    /// <summary>Size adjectives per class; medium is usually left unsaid.</summary>
    public static IReadOnlyList<string> Sizes(SizeBin b) => b switch
    {
        SizeBin.Tiny => ["tiny"],
        SizeBin.Small => ["small", "little"],
        SizeBin.Medium => ["", "", "medium-sized"],
        SizeBin.Large => ["large", "big"],
        _ => ["huge", "very large"],
    };

    /// <summary>Drop-height phrases, binned by the impact speed sqrt(2 g h).</summary>
    public static IReadOnlyList<string> Heights(SpeedBin b) => b switch
    {
        SpeedBin.VerySlow => ["from just above the floor"],
        SpeedBin.Slow => ["from a low height", "from just a short way up"],
        SpeedBin.Moderate => ["from a medium height"],
        SpeedBin.Fast => ["from high up", "from a good height"],
        _ => ["from very high up", "from near the top of the frame"],
    };
}
