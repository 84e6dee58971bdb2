using System.Text.Json.Serialization;

namespace LaMo.World;

/// <summary>State of one object at one frame (ground truth, world units and units/s).</summary>
/// <param name="Id">Object id (<see cref="ObjectSpec.Id"/>).</param>
/// <param name="X">Centre x.</param>
/// <param name="Y">Centre y (up).</param>
/// <param name="Vx">Velocity x.</param>
/// <param name="Vy">Velocity y.</param>
/// <param name="Radius">Radius.</param>
/// <param name="Colour">Colour name.</param>
/// <param name="Visible">True when the whole disc lies inside the view (a "valid frame" for metrics): the 10 x 10
/// world in v1, the frame's camera view in world v2.</param>
/// <param name="Contacts">Event kinds involving this object in (t - dt, t] (<see cref="WorldEvent.Kind"/>),
/// plus <c>on_floor</c> while it rests or slides on the floor.</param>
/// <param name="VisibleFraction">World v2: fraction of the disc's area inside the view (0 = out of frame).</param>
public sealed record ObjectState(
    [property: JsonPropertyName("id")] int Id,
    [property: JsonPropertyName("x")] double X,
    [property: JsonPropertyName("y")] double Y,
    [property: JsonPropertyName("vx")] double Vx,
    [property: JsonPropertyName("vy")] double Vy,
    [property: JsonPropertyName("radius")] double Radius,
    [property: JsonPropertyName("colour")] string Colour,
    [property: JsonPropertyName("visible")] bool Visible,
    [property: JsonPropertyName("contacts")] IReadOnlyList<string> Contacts,
    [property: JsonPropertyName("visible_fraction"), JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)] double? VisibleFraction = null);
