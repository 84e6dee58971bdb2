namespace LaMo.World;

/// <summary>The names of world v2's condition dimensions (CLI, JSON and metadata.csv spell them alike).</summary>
/// <remarks>The first name of each list is the v1 value: a clip with all four v1 values is a v1 clip, byte for byte.</remarks>
public static class ConditionKinds
{
    /// <summary>Backgrounds: <c>uniform</c> (v1), <c>gradient</c> (sky/ground), <c>texture</c> (smooth noise),
    /// <c>pattern</c> (tiled wall), <c>parallax</c> (layers at several depths), <c>images</c> (a user folder).</summary>
    public static IReadOnlyList<string> Backgrounds { get; } = ["uniform", "gradient", "texture", "pattern", "parallax", "images"];

    /// <summary>Camera motions: <c>static</c> (v1), <c>pan</c>, <c>accel-pan</c>, <c>zoom</c>, <c>track</c> (follows ball A),
    /// <c>shake</c> (handheld).</summary>
    public static IReadOnlyList<string> Cameras { get; } = ["static", "pan", "accel-pan", "zoom", "track", "shake"];

    /// <summary>Light changes over a clip: <c>constant</c> (v1), <c>dimming</c>, <c>brightening</c>, <c>cloud</c> (a dip
    /// and recovery), <c>warm</c> (colour shifts warmer).</summary>
    public static IReadOnlyList<string> Lightings { get; } = ["constant", "dimming", "brightening", "cloud", "warm"];

    /// <summary>What happens at the frame edge: <c>none</c> (v1), <c>enter</c> (ball A comes into view), <c>leave</c> (it goes out).</summary>
    public static IReadOnlyList<string> Entering { get; } = ["none", "enter", "leave"];

    /// <summary>Preset names: <c>v1</c> (today's world) and <c>mixed</c> (a per-clip mix like a real dataset).</summary>
    public static IReadOnlyList<string> Presets { get; } = ["v1", "mixed"];

    /// <summary>Checks that <paramref name="value"/> is one of <paramref name="names"/>.</summary>
    /// <exception cref="ArgumentException">Unknown name.</exception>
    public static string Check(string value, IReadOnlyList<string> names, string what) =>
        names.Contains(value) ? value
            : throw new ArgumentException($"{what} '{value}' must be one of {string.Join(", ", names)}", what);
}
