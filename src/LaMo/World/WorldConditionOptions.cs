using System.Text.Json.Serialization;

namespace LaMo.World;

/// <summary>What conditions to generate: a preset, with any dimension pinned. Null dimensions come from the preset
/// (<c>v1</c>: uniform, static, constant, none; <c>mixed</c>: a per-clip draw, see docs/world.md). A split's
/// <see cref="SplitRanges.Conditions"/> overrides both, so held-out combinations stay held out.</summary>
/// <param name="Preset">A <see cref="ConditionKinds.Presets"/> name.</param>
/// <param name="Background">Pinned background, or null.</param>
/// <param name="Camera">Pinned camera motion, or null.</param>
/// <param name="Lighting">Pinned lighting, or null.</param>
/// <param name="Entering">True: ball A enters or leaves the frame (each clip draws which); false: never; null: preset.</param>
/// <param name="BackgroundDir">Folder of images for the <c>images</c> background (also lets <c>mixed</c> use images).</param>
public sealed record WorldConditionOptions(
    [property: JsonPropertyName("preset")] string Preset = "v1",
    [property: JsonPropertyName("background")] string? Background = null,
    [property: JsonPropertyName("camera")] string? Camera = null,
    [property: JsonPropertyName("lighting")] string? Lighting = null,
    [property: JsonPropertyName("entering")] bool? Entering = null,
    [property: JsonPropertyName("background_dir")] string? BackgroundDir = null)
{
    /// <summary>Today's world: every clip is a v1 clip.</summary>
    public static WorldConditionOptions V1 { get; } = new();

    /// <summary>True when every clip is a v1 clip whatever the seed (then outputs are byte-identical to v1).</summary>
    [JsonIgnore]
    public bool IsV1 => Preset == "v1" && Background is null or "uniform" && Camera is null or "static"
        && Lighting is null or "constant" && Entering is null or false;

    /// <summary>Checks names and the image folder.</summary>
    /// <exception cref="ArgumentException">An unknown name, or images without a folder holding images.</exception>
    public WorldConditionOptions Validate()
    {
        ConditionKinds.Check(Preset, ConditionKinds.Presets, "preset");
        if (Background is not null) ConditionKinds.Check(Background, ConditionKinds.Backgrounds, "background");
        if (Camera is not null) ConditionKinds.Check(Camera, ConditionKinds.Cameras, "camera");
        if (Lighting is not null) ConditionKinds.Check(Lighting, ConditionKinds.Lightings, "lighting");
        if (Background == "images" && BackgroundDir is null)
            throw new ArgumentException("background 'images' needs a folder of images (--background-dir)", nameof(BackgroundDir));
        if (BackgroundDir is not null && (!Directory.Exists(BackgroundDir) || Backgrounds.ImageBackground.List(BackgroundDir).Count == 0))
            throw new ArgumentException($"background folder '{BackgroundDir}' does not exist or holds no .png/.jpg/.bmp image", nameof(BackgroundDir));
        return this;
    }
}
