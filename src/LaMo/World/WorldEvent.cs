using System.Text.Json.Serialization;

namespace LaMo.World;

/// <summary>A discrete physical event at an exact time (not rounded to frames).</summary>
/// <param name="Time">Seconds from the first frame.</param>
/// <param name="Kind">One of <see cref="Kinds"/>: <c>collision</c> (ball-ball, elastic), <c>wall</c> (bounce off the wall),
/// <c>floor_bounce</c>, <c>rest</c> (settles on the floor), <c>stop</c> (friction brings it to rest).</param>
/// <param name="Object">Object id.</param>
/// <param name="Other">The other ball of a collision, else null.</param>
public sealed record WorldEvent(
    [property: JsonPropertyName("time")] double Time,
    [property: JsonPropertyName("kind")] string Kind,
    [property: JsonPropertyName("object")] int Object,
    [property: JsonPropertyName("other")] int? Other)
{
    /// <summary>The event kinds.</summary>
    public static IReadOnlyList<string> Kinds { get; } = ["collision", "wall", "floor_bounce", "rest", "stop"];
}
