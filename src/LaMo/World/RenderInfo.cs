using System.Text.Json.Serialization;

namespace LaMo.World;

/// <summary>How a clip is rendered; enough to re-render its frames losslessly from the ground truth.</summary>
public sealed record RenderInfo(
    [property: JsonPropertyName("width")] int Width,
    [property: JsonPropertyName("height")] int Height,
    [property: JsonPropertyName("frames")] int Frames,
    [property: JsonPropertyName("fps")] double Fps,
    [property: JsonPropertyName("supersample")] int Supersample,
    [property: JsonPropertyName("background")] string Background,
    [property: JsonPropertyName("background_rgb")] Rgb BackgroundRgb);
