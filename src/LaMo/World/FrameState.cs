using System.Text.Json.Serialization;

namespace LaMo.World;

/// <summary>All object states at frame <see cref="Index"/>, time = Index * 0.1 s; world v2 clips add the frame's
/// camera pose and light (v1 clips omit both: static camera, constant light).</summary>
public sealed record FrameState(
    [property: JsonPropertyName("index")] int Index,
    [property: JsonPropertyName("time")] double Time,
    [property: JsonPropertyName("objects")] IReadOnlyList<ObjectState> Objects,
    [property: JsonPropertyName("camera"), JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)] CameraPose? Camera = null,
    [property: JsonPropertyName("light"), JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)] LightGain? Light = null);
