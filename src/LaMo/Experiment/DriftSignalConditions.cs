using LaMo.World;

namespace LaMo.Experiment;

/// <summary>One world condition measured by <see cref="DriftSignalSurvey"/>: a label and the options that make it.</summary>
public sealed record DriftSignalCondition(string Label, WorldConditionOptions Options)
{
    /// <summary>The conditions of docs/results/world-v2-drift-signal.md: v1, one per background (static camera),
    /// one per camera motion (over texture), two lights, and the mixed preset.</summary>
    public static IReadOnlyList<DriftSignalCondition> Standard { get; } =
    [
        Pinned("uniform", "static", "constant"),
        Pinned("gradient", "static", "constant"),
        Pinned("texture", "static", "constant"),
        Pinned("pattern", "static", "constant"),
        Pinned("parallax", "static", "constant"),
        Pinned("texture", "pan", "constant"),
        Pinned("parallax", "pan", "constant"),
        Pinned("texture", "accel-pan", "constant"),
        Pinned("texture", "zoom", "constant"),
        Pinned("texture", "track", "constant"),
        Pinned("texture", "shake", "constant"),
        Pinned("uniform", "static", "dimming"),
        Pinned("uniform", "static", "cloud"),
        new("mixed preset", new WorldConditionOptions("mixed")),
    ];

    /// <summary>A condition with all three dimensions pinned and no entering ball.</summary>
    public static DriftSignalCondition Pinned(string background, string camera, string lighting) =>
        new($"{background}/{camera}/{lighting}", new WorldConditionOptions("v1", background, camera, lighting, false).Validate());

    /// <summary>The standard conditions whose label is in <paramref name="labels"/> (all when null or empty).</summary>
    /// <exception cref="ArgumentException">A label that is not a standard condition.</exception>
    public static IReadOnlyList<DriftSignalCondition> Select(IReadOnlyList<string>? labels)
    {
        if (labels is null || labels.Count == 0) return Standard;
        return labels.Select(l => Standard.FirstOrDefault(c => c.Label == l)
            ?? throw new ArgumentException($"unknown condition '{l}'; known: {string.Join(", ", Standard.Select(c => c.Label))}")).ToArray();
    }
}
