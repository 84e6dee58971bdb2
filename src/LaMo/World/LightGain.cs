using System.Text.Json.Serialization;

namespace LaMo.World;

/// <summary>Global light of one frame as per-channel gains (1 = v1 light): every rendered colour is multiplied by them.</summary>
public sealed record LightGain(
    [property: JsonPropertyName("r")] double R,
    [property: JsonPropertyName("g")] double G,
    [property: JsonPropertyName("b")] double B)
{
    /// <summary>The gain of channel 0 (R), 1 (G) or 2 (B).</summary>
    public double Channel(int c) => c switch { 0 => R, 1 => G, _ => B };
}
