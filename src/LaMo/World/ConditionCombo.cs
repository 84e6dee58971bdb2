using System.Text.Json.Serialization;

namespace LaMo.World;

/// <summary>One allowed combination of condition values in a split (null = any), e.g. pan on texture.</summary>
public sealed record ConditionCombo(
    [property: JsonPropertyName("background")] string? Background = null,
    [property: JsonPropertyName("camera")] string? Camera = null,
    [property: JsonPropertyName("lighting")] string? Lighting = null)
{
    /// <summary>Checks the names.</summary>
    /// <exception cref="ArgumentException">An unknown name.</exception>
    public ConditionCombo Validate()
    {
        if (Background is not null) ConditionKinds.Check(Background, ConditionKinds.Backgrounds, "conditions.background");
        if (Camera is not null) ConditionKinds.Check(Camera, ConditionKinds.Cameras, "conditions.camera");
        if (Lighting is not null) ConditionKinds.Check(Lighting, ConditionKinds.Lightings, "conditions.lighting");
        return this;
    }

    /// <summary>True when a condition matches every pinned value.</summary>
    public bool Matches(WorldCondition c) =>
        (Background is null || Background == c.Background) && (Camera is null || Camera == c.Camera) && (Lighting is null || Lighting == c.Lighting);
}
