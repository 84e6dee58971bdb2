using System.Text.Json;
using System.Text.Json.Serialization;

namespace LaMo.World;

/// <summary>Ground truth of one generated clip; serialized as the per-clip JSON (schema below).</summary>
/// <remarks>
/// Schema version 1, snake_case keys:
/// <c>schema_version, scenario</c> (<see cref="ScenarioNames"/>)<c>, split, seed, caption, parameters</c> (name → number,
/// sorted)<c>, camera</c> (<see cref="Camera"/>)<c>, render</c> (<see cref="RenderInfo"/>)<c>, scene</c>
/// (<see cref="SceneGeometry"/>)<c>, objects</c> (<see cref="ObjectSpec"/>)<c>, frames</c> (<see cref="FrameState"/>, one
/// per rendered frame, each with every object's <see cref="ObjectState"/>)<c>, events</c> (<see cref="WorldEvent"/>, exact times).
/// Units: world units (10 x 10, y up), seconds, units/s. Frames re-render losslessly with <see cref="Renderer.Render"/>.
/// World v2 adds optional keys (absent in v1 clips, which stay byte-identical): <c>condition</c>
/// (<see cref="WorldCondition"/>), and per frame <c>camera</c> (<see cref="CameraPose"/>) and <c>light</c>
/// (<see cref="LightGain"/>), and per object <c>visible_fraction</c>. See docs/world.md.
/// </remarks>
public sealed record WorldClip(
    [property: JsonPropertyName("schema_version")] int SchemaVersion,
    [property: JsonPropertyName("scenario")] Scenario Scenario,
    [property: JsonPropertyName("split")] string Split,
    [property: JsonPropertyName("seed")] ulong Seed,
    [property: JsonPropertyName("caption")] string Caption,
    [property: JsonPropertyName("parameters")] IReadOnlyDictionary<string, double> Parameters,
    [property: JsonPropertyName("camera")] Camera Camera,
    [property: JsonPropertyName("render")] RenderInfo Render,
    [property: JsonPropertyName("scene")] SceneGeometry Scene,
    [property: JsonPropertyName("objects")] IReadOnlyList<ObjectSpec> Objects,
    [property: JsonPropertyName("frames")] IReadOnlyList<FrameState> Frames,
    [property: JsonPropertyName("events")] IReadOnlyList<WorldEvent> Events,
    [property: JsonPropertyName("condition"), JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)] WorldCondition? Condition = null)
{
    /// <summary>The camera pose of frame <paramref name="k"/>, or null for the v1 static camera.</summary>
    public CameraPose? PoseAt(int k) => Frames[k].Camera;

    /// <summary>True when the camera never moves (v1 clips and world v2's <c>static</c> camera).</summary>
    [JsonIgnore] public bool StaticCamera => Condition is null || Condition.StaticCamera;

    /// <summary>The schema version this code writes and reads.</summary>
    public const int CurrentSchemaVersion = 1;

    /// <summary>Serializer options of the GT JSON (indented, snake_case enums, unknown keys rejected).</summary>
    public static JsonSerializerOptions JsonOptions { get; } = new()
    {
        WriteIndented = true,
        UnmappedMemberHandling = JsonUnmappedMemberHandling.Disallow,
        Converters = { new JsonStringEnumConverter(JsonNamingPolicy.SnakeCaseLower) },
    };

    /// <summary>The clip as GT JSON text.</summary>
    public string ToJson() => JsonSerializer.Serialize(this, JsonOptions);

    /// <summary>Writes the GT JSON (UTF-8, no BOM, '\n' line ends).</summary>
    public void Save(string path) => File.WriteAllText(path, ToJson().ReplaceLineEndings("\n") + "\n");

    /// <summary>Parses GT JSON text.</summary>
    /// <exception cref="InvalidDataException">Malformed JSON, unknown keys or a different schema version.</exception>
    public static WorldClip FromJson(string json, string source = "<json>")
    {
        WorldClip? clip;
        try
        {
            clip = JsonSerializer.Deserialize<WorldClip>(json, JsonOptions);
        }
        catch (JsonException e)
        {
            throw new InvalidDataException($"{source}: not a world ground-truth JSON ({e.Message})", e);
        }
        if (clip is null || clip.Frames is null || clip.Objects is null || clip.Render is null || clip.Camera is null)
            throw new InvalidDataException($"{source}: ground-truth JSON is missing required fields");
        if (clip.SchemaVersion != CurrentSchemaVersion)
            throw new InvalidDataException($"{source}: schema_version {clip.SchemaVersion} is not supported (expected {CurrentSchemaVersion})");
        return clip;
    }

    /// <summary>Loads a GT JSON file.</summary>
    /// <exception cref="InvalidDataException">Bad file contents.</exception>
    /// <exception cref="FileNotFoundException">No such file.</exception>
    public static WorldClip Load(string path) => FromJson(File.ReadAllText(path), path);
}
