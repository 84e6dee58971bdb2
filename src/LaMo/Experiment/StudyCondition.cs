using System.Text.Json.Serialization;
using LaMo.World;

namespace LaMo.Experiment;

/// <summary>One world condition of a study: a background, camera motion and lighting pinned under the <c>v1</c> preset, as
/// <c>lamo world generate --preset v1 --background B --camera C --lighting L</c> pins them. A clip seed gives the same
/// physics under every condition (world v2 draws conditions from their own stream), so conditions are paired.</summary>
/// <param name="Id">Short name used in clip ids and tables (e.g. <c>C0</c>).</param>
/// <param name="Background">Background (<see cref="ConditionKinds.Backgrounds"/>).</param>
/// <param name="Camera">Camera motion (<see cref="ConditionKinds.Cameras"/>).</param>
/// <param name="Lighting">Lighting (<see cref="ConditionKinds.Lightings"/>).</param>
public sealed record StudyCondition(
    [property: JsonPropertyName("id")] string Id,
    [property: JsonPropertyName("background")] string Background = "uniform",
    [property: JsonPropertyName("camera")] string Camera = "static",
    [property: JsonPropertyName("lighting")] string Lighting = "constant")
{
    /// <summary>The v1 world (uniform background, static camera, constant light) as condition <c>C0</c>.</summary>
    public static StudyCondition V1 { get; } = new("C0");

    /// <summary>The conditions of docs/results/study-v2.md: C0 the control, C1-C4 a moving camera, C5 a light change.</summary>
    public static IReadOnlyList<StudyCondition> StudyV2 { get; } =
    [
        V1, new("C1", "texture", "pan"), new("C2", "parallax", "pan"), new("C3", "texture", "zoom"), new("C4", "texture", "track"),
        new("C5", "uniform", "static", "dimming"),
    ];

    /// <summary>background/camera/lighting, as the tables print it.</summary>
    [JsonIgnore]
    public string Label => $"{Background}/{Camera}/{Lighting}";

    /// <summary>The world options that generate this condition; null for the v1 condition, so its clips are v1 clips byte
    /// for byte (the study's clips before conditions existed).</summary>
    public WorldConditionOptions? ToWorld()
    {
        var w = new WorldConditionOptions("v1", Background, Camera, Lighting);
        return w.IsV1 ? null : w;
    }

    /// <summary>Checks the id and the three names.</summary>
    /// <exception cref="ArgumentException">An empty or unsafe id, or an unknown name (names it).</exception>
    public StudyCondition Validate()
    {
        if (string.IsNullOrWhiteSpace(Id) || Id.Any(c => !(char.IsAsciiLetterOrDigit(c) || c is '-' or '.')))
            throw new ArgumentException($"condition id '{Id}' must be letters, digits, '-' or '.' (it names folders and clip ids)", nameof(Id));
        ConditionKinds.Check(Background, ConditionKinds.Backgrounds, "background");
        if (Background == "images") throw new ArgumentException("condition background 'images' needs a folder of images; the study does not take one", nameof(Background));
        ConditionKinds.Check(Camera, ConditionKinds.Cameras, "camera");
        ConditionKinds.Check(Lighting, ConditionKinds.Lightings, "lighting");
        return this;
    }

    /// <summary>Parses a comma list: <c>study-v2</c> (C0-C5), <c>v1</c> (C0), or items <c>[ID=]background/camera/lighting</c>
    /// (ids default to C0, C1, ... by position).</summary>
    /// <exception cref="ArgumentException">A malformed item (names it).</exception>
    public static IReadOnlyList<StudyCondition> ParseList(string text)
    {
        var items = text.Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries);
        if (items.Length == 1 && items[0] == "study-v2") return StudyV2;
        if (items.Length == 1 && items[0] == "v1") return [V1];
        var list = new List<StudyCondition>();
        foreach (var item in items)
        {
            int eq = item.IndexOf('=');
            string id = eq >= 0 ? item[..eq].Trim() : $"C{list.Count}";
            var parts = (eq >= 0 ? item[(eq + 1)..] : item).Split('/', StringSplitOptions.TrimEntries);
            if (parts.Length != 3) throw new ArgumentException($"condition '{item}' must be [ID=]background/camera/lighting, e.g. C1=texture/pan/constant");
            list.Add(new StudyCondition(id, parts[0], parts[1], parts[2]).Validate());
        }
        return list;
    }
}
