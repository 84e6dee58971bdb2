using System.Text.Json.Serialization;

namespace LaMo.World;

/// <summary>The sampled world v2 condition of one clip (ground truth, in the clip JSON as <c>condition</c>).</summary>
/// <param name="Background">A <see cref="ConditionKinds.Backgrounds"/> name.</param>
/// <param name="Camera">A <see cref="ConditionKinds.Cameras"/> name; the per-frame pose is in <see cref="FrameState.Camera"/>.</param>
/// <param name="Lighting">A <see cref="ConditionKinds.Lightings"/> name; the per-frame gain is in <see cref="FrameState.Light"/>.</param>
/// <param name="Entering">What actually happens at the frame edge (<see cref="ConditionKinds.Entering"/>): a requested
/// <c>enter</c>/<c>leave</c> that the clip's motion cannot show is recorded as <c>none</c>.</param>
/// <param name="Parameters">Numbers of the condition (name → value, sorted): pan speed, zoom range, light depth, seeds.</param>
/// <param name="Palette">Background colours drawn for this clip, already separable from its balls (<see cref="SeparablePalette"/>).</param>
/// <param name="Image">Background image file (images only), relative to <paramref name="ImageDir"/>.</param>
/// <param name="ImageDir">Folder of the background images as given to the generator (images only).</param>
public sealed record WorldCondition(
    [property: JsonPropertyName("background")] string Background,
    [property: JsonPropertyName("camera")] string Camera,
    [property: JsonPropertyName("lighting")] string Lighting,
    [property: JsonPropertyName("entering")] string Entering,
    [property: JsonPropertyName("parameters")] IReadOnlyDictionary<string, double> Parameters,
    [property: JsonPropertyName("palette")] IReadOnlyList<Rgb> Palette,
    [property: JsonPropertyName("image"), JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)] string? Image = null,
    [property: JsonPropertyName("image_dir"), JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)] string? ImageDir = null)
{
    /// <summary>True when the camera never moves (law metrics are computed only then in text-to-video mode).</summary>
    [JsonIgnore] public bool StaticCamera => Camera == "static";

    /// <summary>Short label <c>background/camera/lighting/entering</c>.</summary>
    [JsonIgnore] public string Label => $"{Background}/{Camera}/{Lighting}/{Entering}";
}
