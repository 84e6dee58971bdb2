using System.Text.Json.Serialization;

namespace LaMo.World;

/// <summary>An 8-bit sRGB colour.</summary>
public readonly record struct Rgb(
    [property: JsonPropertyName("r")] byte R,
    [property: JsonPropertyName("g")] byte G,
    [property: JsonPropertyName("b")] byte B)
{
    /// <summary>Neutral grey with all channels equal.</summary>
    public static Rgb Grey(byte level) => new(level, level, level);
}
