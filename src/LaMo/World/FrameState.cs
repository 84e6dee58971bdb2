using System.Text.Json.Serialization;

namespace LaMo.World;

/// <summary>All object states at frame <see cref="Index"/>, time = Index * 0.1 s.</summary>
public sealed record FrameState(
    [property: JsonPropertyName("index")] int Index,
    [property: JsonPropertyName("time")] double Time,
    [property: JsonPropertyName("objects")] IReadOnlyList<ObjectState> Objects);
