using System.Text.Json.Serialization;

namespace LaMo.World;

/// <summary>Static description of one object in a clip (ground truth).</summary>
/// <param name="Id">Object index, 0-based; also the index into each frame's object list.</param>
/// <param name="Name">Benchmark label: A, B, C...</param>
/// <param name="Colour">Colour name (<see cref="Palette.BallColours"/>).</param>
/// <param name="Rgb">Rendered colour.</param>
/// <param name="Radius">Radius in world units.</param>
/// <param name="Mass">Mass = r^2.</param>
/// <param name="Restitution">Floor restitution e (drop_bounce), else 1.</param>
/// <param name="Friction">Sliding friction coefficient mu (friction_slide), else 0.</param>
public sealed record ObjectSpec(
    [property: JsonPropertyName("id")] int Id,
    [property: JsonPropertyName("name")] string Name,
    [property: JsonPropertyName("colour")] string Colour,
    [property: JsonPropertyName("rgb")] Rgb Rgb,
    [property: JsonPropertyName("radius")] double Radius,
    [property: JsonPropertyName("mass")] double Mass,
    [property: JsonPropertyName("restitution")] double Restitution,
    [property: JsonPropertyName("friction")] double Friction);
