using System.Text.Json.Serialization;

namespace LaMo.World;

/// <summary>Static scene elements; absent ones are null.</summary>
/// <param name="WallX">Left face of the black wall filling [WallX, 10] (S4, S5).</param>
/// <param name="FloorY">Top of the grey floor filling [0, FloorY] (drop, friction).</param>
/// <param name="PivotX">Pendulum pivot x.</param>
/// <param name="PivotY">Pendulum pivot y.</param>
/// <param name="StringLength">Pendulum length from pivot to ball centre.</param>
/// <param name="Gravity">Gravity in units/s^2 acting in this scene (0 when absent).</param>
public sealed record SceneGeometry(
    [property: JsonPropertyName("wall_x")] double? WallX,
    [property: JsonPropertyName("floor_y")] double? FloorY,
    [property: JsonPropertyName("pivot_x")] double? PivotX,
    [property: JsonPropertyName("pivot_y")] double? PivotY,
    [property: JsonPropertyName("string_length")] double? StringLength,
    [property: JsonPropertyName("gravity")] double Gravity);
